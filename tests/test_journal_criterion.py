"""Criterion-based assessment in the journal (the service's part): where the class's policy assesses
by criteria (`scale` "criterion"), the teacher types a result as a percentage and the cell stores the
mark the policy's table gives (grading.mark_from_percent), the percentage in the cell's audit.

Hand-computed on the reference table 0–39 → 2, 40–64 → 3, 65–84 → 4, 85–100 → 5: 78 % → 4,
85 % → 5, 40 % → 3, 39 % → 2; on a school's own table [[0, 2], [21, 3], [51, 4], [81, 5]]: 50 % → 3,
51 % → 4.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.i18n import t
from bbbms_app.models import AuditEvent, GradingPolicy, Mark
from bbbms_app.services import journal
from bbbms_app.services.journal import CellChange, JournalError
from tests.factories import principal_of


def _policy(school, scale: str, table: str = "") -> None:
    with db.session(write=True) as s:
        policy = s.exec(select(GradingPolicy).where(GradingPolicy.academic_year_id == school.year_id)).one()
        policy.scale, policy.criterion_json = scale, table


def _save_percent(school, lesson: int, pupil: int, percent: object) -> journal.Saved:
    with db.session() as s:
        g = journal.grid(s, principal_of("t_classteacher", s), school.class_5a, school.math, school.term_ids[0])
        token = g.cell(pupil, lesson).token()
    with journal.write_session() as s:
        return journal.save_cell(
            s,
            principal_of("t_classteacher", s),
            lesson,
            pupil,
            CellChange("test", percent=percent),
            token,  # type: ignore[arg-type]
        )


def _marks(pupil: int) -> list[tuple[int, str, int]]:
    with db.session() as s:
        rows = s.exec(select(Mark).where(Mark.pupil_id == pupil, Mark.kind == "test")).all()
        return sorted((m.lesson_id, m.kind, m.value) for m in rows)


OWN_TABLE = "[[0, 2], [21, 3], [51, 4], [81, 5]]"


@pytest.mark.parametrize(
    ("table", "percent", "mark"),
    [("", 78, 4), ("", 85, 5), ("", 40, 3), ("", 39, 2), (OWN_TABLE, 50, 3), (OWN_TABLE, 51, 4)],
)
def test_a_percentage_is_stored_as_the_mark_of_the_policys_table_and_audited(school, table, percent, mark):
    _policy(school, "criterion", table)
    pupil, lesson = school.pupils_5a[2], school.lessons_5a_math[0]
    saved = _save_percent(school, lesson, pupil, percent)
    assert saved.changed
    assert _marks(pupil) == [(lesson, "test", mark)]
    with db.session() as s:
        audit = s.exec(select(AuditEvent).where(AuditEvent.field == "mark.test")).all()
    assert [(e.action, e.new_value, e.reason) for e in audit] == [("create", str(mark), f"{percent} %")]


def test_a_percentage_is_refused_where_the_policy_is_not_criterion_based(school):
    pupil, lesson = school.pupils_5a[2], school.lessons_5a_math[0]
    with pytest.raises(JournalError) as refused:
        _save_percent(school, lesson, pupil, 78)
    assert refused.value.key == "journal.error.not_criterion"
    assert _marks(pupil) == []


@pytest.mark.parametrize("percent", [101, -1, "78", 77.5, True])
def test_a_percentage_outside_0_100_or_not_whole_is_refused_naming_the_field(school, percent):
    _policy(school, "criterion")
    pupil, lesson = school.pupils_5a[2], school.lessons_5a_math[0]
    with pytest.raises(JournalError) as refused:
        _save_percent(school, lesson, pupil, percent)
    assert refused.value.key == "journal.error.percent_range"
    assert t(refused.value.key, "ky").startswith("Пайыз:")
    assert t(refused.value.key, "ru").startswith("Процент:")
    assert _marks(pupil) == []


# -- the percentage kept beside the mark, and typed on the journal's grid (issue 13) ----------------


def _row(pupil: int, lesson: int) -> tuple[int, int | None, int]:
    with db.session() as s:
        mark = s.exec(select(Mark).where(Mark.pupil_id == pupil, Mark.lesson_id == lesson)).one()
        return mark.value, mark.percent, mark.version


def test_the_percentage_is_kept_beside_the_mark_and_a_new_one_is_a_new_version(school):
    _policy(school, "criterion")
    pupil, lesson = school.pupils_5a[2], school.lessons_5a_math[0]
    saved = _save_percent(school, lesson, pupil, 73)
    assert (saved.cell.text(), saved.cell.note()) == ("4", "73%")
    assert _row(pupil, lesson) == (4, 73, 1)
    # 80 % gives a 4 too, but it is another result: the row gets the new percentage and a new version.
    again = _save_percent(school, lesson, pupil, 80)
    assert again.changed and (again.cell.text(), again.cell.note()) == ("4", "80%")
    assert _row(pupil, lesson) == (4, 80, 2)
    # The grid reads it back the same (the grid's own query, not the save's).
    with db.session() as s:
        g = journal.grid(s, principal_of("t_classteacher", s), school.class_5a, school.math, school.term_ids[0])
        assert g.cell(pupil, lesson).note() == "80%" and g.cell(pupil, lesson).text() == "4"
    with db.session() as s:
        audit = s.exec(select(AuditEvent).where(AuditEvent.field == "mark.test").order_by(AuditEvent.id)).all()
    assert [(e.action, e.old_value, e.new_value, e.reason) for e in audit] == [
        ("create", "", "4", "73 %"),
        ("update", "4", "4", "80 %"),
    ]
    # The same percentage again changes nothing and writes no audit row.
    assert not _save_percent(school, lesson, pupil, 80).changed
    # A mark typed as a mark over it drops the percentage; undoing that puts 80 % back.
    with journal.write_session() as s:
        teacher = principal_of("t_classteacher", s)
        token = journal.load_cell(s, lesson, pupil).token()
        plain = journal.save_cell(s, teacher, lesson, pupil, CellChange("test", 5), token)
    assert plain.cell.note() == "" and _row(pupil, lesson) == (5, None, 3)
    assert plain.undo == CellChange("test", 4, percent=80)
    with journal.write_session() as s:
        back = journal.save_cell(s, principal_of("t_classteacher", s), lesson, pupil, plain.undo, plain.cell.token())
    assert (back.cell.text(), back.cell.note()) == ("4", "80%") and _row(pupil, lesson) == (4, 80, 4)


@pytest.mark.parametrize(
    ("key", "expected"),
    [("%73", CellChange("class", percent=73)), ("%0", CellChange("class", percent=0)),
     ("%120", CellChange("class", percent=120))],
)  # fmt: skip
def test_a_percent_key_of_the_grid_is_a_percentage_of_the_chosen_kind(key, expected):
    # 120 passes the key's reading (a whole number); the save refuses its range (next test).
    assert journal.change_for_key("", key, "class") == expected


@pytest.mark.parametrize("key", ["%-3", "%abc", "%7.5", "%", "%1000", "%٣"])
def test_a_percent_key_that_is_no_whole_number_is_refused_naming_the_field(key):
    with pytest.raises(JournalError) as refused:
        journal.change_for_key("", key, "class")
    assert refused.value.key == "journal.error.percent_range"


def test_percent_marks_count_in_the_quarter_mark_as_any_mark(school):
    """Hand computation (weights class 1, test 2; the criterion scale rounds the mean half up):
    test 73 % → 4 (×2), class 5 typed as a mark (×1), test 30 % → 2 (×2): (8 + 5 + 4) / 5 = 3.4 → 3.
    Then test 30 % → 90 % (5): (8 + 5 + 10) / 5 = 4.6 → 5."""
    _policy(school, "criterion")
    pupil = school.pupils_5a[2]
    first, second, third = school.lessons_5a_math[:3]
    _save_percent(school, first, pupil, 73)
    with journal.write_session() as s:
        journal.save_cell(s, principal_of("t_classteacher", s), second, pupil, CellChange("class", 5), "")
    low = _save_percent(school, third, pupil, 30)
    assert low.suggestion is not None and low.suggestion.value == 3 and low.suggestion.average == pytest.approx(3.4)
    high = _save_percent(school, third, pupil, 90)
    assert high.suggestion is not None and high.suggestion.value == 5
    assert high.suggestion.average == pytest.approx(4.6)
