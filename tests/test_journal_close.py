"""Closing a term: the check of missing term marks, and closing for a class or a grade, not only the school."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, ClassTermClose
from bbbms_app.services import journal
from bbbms_app.services.journal import CellChange, JournalError, OutOfScope
from tests.factories import principal_of
from tests.journal_factories import add_journal_data
from tests.states import is_refusal
from tests.test_journal import cell_token, save
from tests.test_journal_handlers import opened


def _check(scope: str = "school", value: int = 0, *, term: int):
    with db.session() as s:
        return journal.close_check(s, principal_of("t_deputy"), term, scope, value)


def test_the_check_names_each_journal_with_pupils_still_lacking_a_term_mark(school):
    with db.session() as s:
        extras = add_journal_data(s, school)
    q1 = school.term_ids[0]
    classes, missing = _check(term=q1)
    assert {c.id for c in classes} == {school.class_5a, school.class_6b, extras.class_1a}
    found = {(m.class_name, m.subject["ky"]): (m.missing, m.pupils) for m in missing}
    # Every pupil on the class list on the quarter's last day; 5-А's pupil who left on 3 Sep needs no mark,
    # and 1-А's grade has no marks at all (the policy's «none» scale).
    assert found == {
        ("5-А", "Математика"): (len(school.pupils_5a), len(school.pupils_5a)),
        ("6-Б", "Математика"): (len(school.pupils_6b), len(school.pupils_6b)),
        ("6-Б", "Кыргыз тили"): (len(school.pupils_6b), len(school.pupils_6b)),
    }
    # The teacher sets every 5-А maths quarter mark: that journal leaves the list; the others stay.
    with journal.write_session() as s:
        for pupil in school.pupils_5a:
            journal.set_period_mark(
                s, principal_of("t_classteacher"), school.class_5a, school.math, q1, pupil, value=4, reason="Текшерүү",
                expected_version=0,
            )  # fmt: skip
    _classes, missing = _check(term=q1)
    assert ("5-А", "Математика") not in {(m.class_name, m.subject["ky"]) for m in missing}
    _classes, missing = _check("grade", 6, term=q1)
    assert {m.class_name for m in missing} == {"6-Б"} and len(missing) == 2
    with pytest.raises(OutOfScope), db.session() as s:  # the check is the closer's: a teacher may not even look
        journal.close_check(s, principal_of("t_classteacher"), q1)


def test_closing_one_class_locks_its_journals_only_and_reopens_with_a_reason(school):
    with db.session() as s:
        extras = add_journal_data(s, school)
    q1 = school.term_ids[0]
    lesson, pupil = extras.lessons_5a_q1[0], school.pupils_5a[0]
    with journal.write_session() as s:
        assert journal.close_term(s, principal_of("t_deputy"), q1, "class", school.class_5a) == 1
    with db.session() as s:
        assert journal.grid(s, principal_of("t_deputy"), school.class_5a, school.math, q1).closed
        assert not journal.grid(s, principal_of("t_deputy"), school.class_6b, school.math, q1).closed
        audit_row = s.exec(select(AuditEvent).where(AuditEvent.entity == "term", AuditEvent.action == "close")).one()
        assert (audit_row.field, audit_row.username) == ("class:5-А", "t_deputy")
    with pytest.raises(JournalError) as err:
        save("t_classteacher", lesson, pupil, CellChange("class", 3), cell_token(school, pupil, lesson))
    assert err.value.key == "journal.error.term_closed"
    with journal.write_session() as s, pytest.raises(JournalError):  # the period mark too
        journal.set_period_mark(
            s,
            principal_of("t_classteacher"),
            school.class_5a,
            school.math,
            q1,
            pupil,
            value=4,
            reason="x",
            expected_version=0,
        )
    # The school-wide check no longer lists the closed class; closing grade 6 closes 6-Б.
    classes, _missing = _check(term=q1)
    assert school.class_5a not in {c.id for c in classes}
    with journal.write_session() as s:
        assert journal.close_term(s, principal_of("t_deputy"), q1, "grade", 6) == 1
    with db.session() as s:
        assert journal.closed_classes(s, q1) == {school.class_5a, school.class_6b}
    with journal.write_session() as s, pytest.raises(JournalError):
        journal.close_term(s, principal_of("t_deputy"), q1, "class", school.class_5a)  # already closed
    # Reopening 5-А needs a reason and leaves 6-Б closed.
    with journal.write_session() as s, pytest.raises(JournalError):
        journal.reopen_term(s, principal_of("t_deputy"), q1, "", class_id=school.class_5a)
    with journal.write_session() as s:
        journal.reopen_term(s, principal_of("t_deputy"), q1, "Баа коюлбай калган", class_id=school.class_5a)
    with db.session() as s:
        assert journal.closed_classes(s, q1) == {school.class_6b}
        assert len(s.exec(select(ClassTermClose)).all()) == 1
    assert save("t_classteacher", lesson, pupil, CellChange("class", 3), cell_token(school, pupil, lesson)).changed


async def test_the_close_dialog_checks_before_it_closes_and_only_the_closer_may_use_it(school):
    with db.session() as s:
        add_journal_data(s, school)
    teacher = await opened("t_classteacher")
    assert is_refusal(await teacher.close_term())
    assert is_refusal(await teacher.confirm_close())
    deputy = await opened("t_deputy")
    await deputy.close_term()
    assert deputy.close_open and deputy.close_scope == "school" and deputy.close_classes == 3
    assert deputy.close_missing == len(school.pupils_5a) + 2 * len(school.pupils_6b)
    assert {o["id"] for o in deputy.close_scopes} >= {"school", "grade:5", "grade:6", f"class:{school.class_5a}"}
    await deputy.set_close_scope("class:999999")  # not offered: ignored
    assert deputy.close_scope == "school"
    await deputy.set_close_scope(f"class:{school.class_6b}")
    assert deputy.close_classes == 1 and {r["class"] for r in deputy.close_rows} == {"6-Б"}
    with db.session() as s:
        assert journal.closed_classes(s, school.term_ids[0]) == set()  # looking closes nothing
    await deputy.confirm_close()
    with db.session() as s:
        assert journal.closed_classes(s, school.term_ids[0]) == {school.class_6b}
