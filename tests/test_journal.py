"""services.journal on a real database: the grid, cell saves with locking and audit, period marks, terms, summary."""

from __future__ import annotations

import io
import threading
from datetime import date

import openpyxl
import pandas as pd
import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import Attendance, AuditEvent, Lesson, Mark, PeriodMark, Term
from bbbms_app.services import journal, journal_export, reports
from bbbms_app.services.journal import CellChange, JournalError, OutOfScope, Stale
from tests.conftest import is_postgres
from tests.factories import principal_of
from tests.journal_factories import JournalExtras, add_journal_data


@pytest.fixture
def extras(school) -> JournalExtras:
    with db.session() as s:
        return add_journal_data(s, school)


def cell_token(school, pupil: int, lesson: int) -> str:
    with db.session() as s:
        g = journal.grid(s, principal_of("t_director"), school.class_5a, school.math, school.term_ids[0])
        return g.cell(pupil, lesson).token()


def save(username: str, lesson: int, pupil: int, change: CellChange, token: str, reason: str = ""):
    with db.session(write=True) as s:
        return journal.save_cell(s, principal_of(username), lesson, pupil, change, token, reason=reason)


def audits(action: str | None = None) -> list[AuditEvent]:
    with db.session() as s:
        q = select(AuditEvent).where(AuditEvent.entity.in_(["lesson", "periodmark", "term", "journal"]))  # type: ignore[attr-defined]
        if action:
            q = q.where(AuditEvent.action == action)
        return list(s.exec(q.order_by(AuditEvent.id)).all())


def marks_of(lesson: int, pupil: int) -> dict[str, int]:
    with db.session() as s:
        return {
            m.kind: m.value for m in s.exec(select(Mark).where(Mark.lesson_id == lesson, Mark.pupil_id == pupil)).all()
        }


# -- the grid ---------------------------------------------------------------------------------


def test_grid_rows_columns_and_cells(school, extras):
    with db.session() as s:
        g = journal.grid(s, principal_of("t_classteacher"), school.class_5a, school.math, school.term_ids[0])
    # Kyrgyz order: А, Б, Ң (after Н), Ү (after У); the departed pupil is there with his date.
    assert [p.name.split()[0] for p in g.pupils] == ["Абдыкадырова", "Бакиров", "Ңаматов", "Үсөнов"]
    gone = next(p for p in g.pupils if p.id == extras.departed)
    assert gone.ends_on == date(2025, 9, 3)
    assert [lesson.id for lesson in g.lessons] == extras.lessons_5a_q1  # the Q2 lesson is not in Q1's grid
    assert g.lessons[0].topic == "Тема 1"
    first = school.pupils_5a[0]
    assert g.cell(first, extras.lessons_5a_q1[0]).text() == "5"
    assert g.cell(first, extras.lessons_5a_q1[2]).text() == "б"
    assert g.cell(first, extras.lessons_5a_q1[3]).text() == ""
    # Two marks → н/а (the policy wants 3), with the average beside it.
    assert g.period[first].suggestion.text == "н/а" and g.period[first].suggestion.average == 4.5
    assert g.access.read and g.access.write and not g.access.correct


@pytest.mark.parametrize(
    "username,readable",
    [("t_teacher", False), ("t_classteacher", True), ("t_deputy", True), ("t_director", True), ("t_pupil", False)],
)
def test_who_may_open_the_5a_maths_journal(school, username, readable):
    with db.session() as s:
        if readable:
            g = journal.grid(s, principal_of(username), school.class_5a, school.math, school.term_ids[0])
            assert g.access.read
            assert g.access.write == (username == "t_classteacher")  # she teaches it; leaders only read
        else:
            with pytest.raises(OutOfScope):
                journal.grid(s, principal_of(username), school.class_5a, school.math, school.term_ids[0])


def test_journal_lists_follow_scope(school, extras):
    with db.session() as s:
        assert [c["name"] for c in journal.journal_classes(s, principal_of("t_teacher"), school.year_id)] == ["6-Б"]
        assert {c["name"] for c in journal.journal_classes(s, principal_of("t_deputy"), school.year_id)} == {
            "1-А",
            "5-А",
            "6-Б",
        }
        # The class teacher of 5-А sees all its subjects; teacher B sees only his own in 6-Б.
        assert [r["en"] for r in journal.journal_subjects(s, principal_of("t_classteacher"), school.class_5a)] == [
            "Mathematics"
        ]
        assert {r["en"] for r in journal.journal_subjects(s, principal_of("t_teacher"), school.class_6b)} == {
            "Mathematics",
            "Kyrgyz",
        }
        assert journal.journal_subjects(s, principal_of("t_teacher"), school.class_5a) == []
        assert journal.journal_classes(s, principal_of("t_parent"), school.year_id) == []


# -- saving a cell ----------------------------------------------------------------------------


def test_save_a_mark_bumps_the_version_and_audits_old_and_new(school, extras):
    lesson, pupil = extras.lessons_5a_q1[3], school.pupils_5a[2]
    saved = save("t_classteacher", lesson, pupil, CellChange("class", 4), "")
    assert saved.changed and saved.cell.text() == "4" and saved.cell.token() == "class=4@1"
    saved = save("t_classteacher", lesson, pupil, CellChange("class", 5), saved.cell.token())
    assert saved.cell.token() == "class=5@2"
    saved = save("t_classteacher", lesson, pupil, CellChange("test", 3), saved.cell.token())
    assert saved.cell.text() == "3/5" and saved.cell.weighty  # the test first, shown bold
    assert marks_of(lesson, pupil) == {"class": 5, "test": 3}
    trail = [(a.action, a.field, a.old_value, a.new_value, a.pupil_id, a.entity_id) for a in audits()]
    assert trail == [
        ("create", "mark.class", "", "4", pupil, lesson),
        ("update", "mark.class", "4", "5", pupil, lesson),
        ("create", "mark.test", "", "3", pupil, lesson),
    ]
    cleared = save("t_classteacher", lesson, pupil, CellChange("class", None), saved.cell.token())
    assert cleared.cell.text() == "3" and marks_of(lesson, pupil) == {"test": 3}
    assert audits()[-1].action == "delete" and audits()[-1].old_value == "5"


def test_saving_the_same_value_changes_nothing(school, extras):
    lesson, pupil = extras.lessons_5a_q1[0], school.pupils_5a[0]
    token = cell_token(school, pupil, lesson)
    saved = save("t_classteacher", lesson, pupil, CellChange("class", 5), token)
    assert not saved.changed and saved.cell.token() == token and audits() == []


def test_stale_save_is_refused_and_nothing_is_overwritten(school, extras):
    lesson, pupil = extras.lessons_5a_q1[0], school.pupils_5a[0]
    old = cell_token(school, pupil, lesson)  # "class=5@1"
    save("t_classteacher", lesson, pupil, CellChange("class", 4), old)  # another tab saved first
    with pytest.raises(Stale) as err:
        save("t_classteacher", lesson, pupil, CellChange("class", 3), old)
    assert err.value.key == "journal.error.stale"
    assert marks_of(lesson, pupil) == {"class": 4}
    # A blank the tab saw is stale once someone filled it, even with the same kind.
    lesson2, pupil2 = extras.lessons_5a_q1[4], school.pupils_5a[2]
    save("t_classteacher", lesson2, pupil2, CellChange("class", 5), "")
    with pytest.raises(Stale):
        save("t_classteacher", lesson2, pupil2, CellChange("class", 2), "")
    # An item the save does not touch may have changed: attendance on top of the mark is fine.
    saved = save("t_classteacher", lesson, pupil, CellChange(attendance="о", late_minutes=7), old)
    assert saved.cell.text() == "4 о"


def test_a_deleted_and_recreated_mark_is_still_caught(school, extras):
    lesson, pupil = extras.lessons_5a_q1[4], school.pupils_5a[2]
    first = save("t_classteacher", lesson, pupil, CellChange("class", 5), "").cell.token()  # class=5@1
    gone = save("t_classteacher", lesson, pupil, CellChange("class", None), first).cell.token()
    save("t_classteacher", lesson, pupil, CellChange("class", 3), gone)  # class=3@1 again
    with pytest.raises(Stale):
        save("t_classteacher", lesson, pupil, CellChange("class", 4), first)


@pytest.mark.parametrize(
    "change,key",
    [
        (CellChange("class", 6), "journal.error.mark_range"),
        (CellChange("class", 1), "journal.error.mark_range"),
        (CellChange("class", 0), "journal.error.mark_range"),
        (CellChange("bonus", 5), "journal.error.kind"),
        (CellChange(attendance="x"), "journal.error.code"),
        (CellChange(attendance="о", late_minutes=91), "journal.error.late"),
        (CellChange(attendance="н", late_minutes=5), "journal.error.late"),
    ],
)
def test_values_off_the_policy_are_refused(school, extras, change, key):
    lesson, pupil = extras.lessons_5a_q1[3], school.pupils_5a[2]
    with pytest.raises(JournalError) as err:
        save("t_classteacher", lesson, pupil, change, "")
    assert err.value.key == key
    assert marks_of(lesson, pupil) == {} and audits() == []


def test_grade_one_takes_no_marks_but_attendance(school, extras):
    with pytest.raises(JournalError) as err:
        save("t_classteacher", extras.lesson_1a, extras.pupil_1a, CellChange("class", 5), "")
    assert err.value.key == "journal.error.no_marks"
    saved = save("t_classteacher", extras.lesson_1a, extras.pupil_1a, CellChange(attendance="б"), "")
    assert saved.cell.text() == "б"
    with db.session() as s:
        g = journal.grid(s, principal_of("t_classteacher"), extras.class_1a, school.math, school.term_ids[0])
    assert g.period[extras.pupil_1a].suggestion.text == "" and not g.rules.has_marks


def test_absent_pupil_gets_no_mark_unless_the_same_save_clears_the_absence(school, extras):
    lesson, pupil = extras.lessons_5a_q1[2], school.pupils_5a[0]  # ill («б») at this lesson
    token = cell_token(school, pupil, lesson)
    with pytest.raises(JournalError) as err:
        save("t_classteacher", lesson, pupil, CellChange("class", 5), token)
    assert err.value.key == "journal.error.absent_no_mark"
    with pytest.raises(JournalError):
        save("t_classteacher", lesson, pupil, CellChange("class", 5, attendance="н"), token)
    saved = save("t_classteacher", lesson, pupil, CellChange("class", 5, attendance=""), token)
    assert saved.cell.text() == "5"
    # … and a pupil with a mark cannot be marked absent, but can be marked late.
    with pytest.raises(JournalError) as err:
        save("t_classteacher", lesson, pupil, CellChange(attendance="н"), saved.cell.token())
    assert err.value.key == "journal.error.marked_not_absent"
    assert save("t_classteacher", lesson, pupil, CellChange(attendance="о", late_minutes=10), saved.cell.token())


def test_scope_of_writes(school, extras):
    lesson, pupil = extras.lessons_5a_q1[3], school.pupils_5a[2]
    for username in ("t_teacher", "t_deputy", "t_pupil", "t_parent"):
        with pytest.raises(OutOfScope):
            save(username, lesson, pupil, CellChange("class", 5), "")
    # A pupil of another class in a 5-А lesson: not in the class that day.
    with pytest.raises(JournalError) as err:
        save("t_classteacher", lesson, school.pupils_6b[0], CellChange("class", 5), "")
    assert err.value.key == "journal.error.not_enrolled"
    # The departed pupil: yes before he left, no after.
    assert save("t_classteacher", extras.lessons_5a_q1[0], extras.departed, CellChange("class", 4), "").changed
    with pytest.raises(JournalError):
        save("t_classteacher", extras.lessons_5a_q1[2], extras.departed, CellChange("class", 4), "")
    with db.session() as s:
        assert s.exec(select(Mark).where(Mark.lesson_id == lesson)).all() == []


def test_a_substitute_writes_the_lesson_he_taught(school, extras):
    lesson, pupil = extras.lessons_5a_q1[5], school.pupils_5a[1]
    with db.session() as s:
        row = s.get(Lesson, lesson)
        row.teacher_id = school.teacher_b  # teacher B stood in for A
        s.add(row)
    assert save("t_teacher", lesson, pupil, CellChange("class", 4), "").changed
    with pytest.raises(OutOfScope):
        save("t_teacher", extras.lessons_5a_q1[4], pupil, CellChange("class", 4), "")


# -- columns and lesson text -----------------------------------------------------------------


def test_all_present_clears_absences_and_keeps_lateness(school, extras):
    lesson = extras.lessons_5a_q1[3]
    a, b, c = school.pupils_5a
    tokens = {p: save("t_classteacher", lesson, p, CellChange(attendance=code), "").cell.token() for p, code in
              ((a, "н"), (b, "о"), (c, "п"))}  # fmt: skip
    stale = dict(tokens)
    save("t_classteacher", lesson, c, CellChange(attendance="б"), tokens[c])  # changed meanwhile elsewhere
    with db.session(write=True) as s:
        cleared, skipped = journal.fill_column_present(s, principal_of("t_classteacher"), lesson, stale)
    assert set(cleared) == {a} and skipped == 1
    with db.session() as s:
        left = {r.pupil_id: r.code for r in s.exec(select(Attendance).where(Attendance.lesson_id == lesson)).all()}
    assert left == {b: "о", c: "б"}


def test_topic_and_homework(school, extras):
    lesson = extras.lessons_5a_q1[0]
    with db.session(write=True) as s:
        journal.set_lesson_text(
            s, principal_of("t_classteacher"), lesson, "  Бөлчөктөр\x00  ", "§4, 1–5-көнүгүүлөр\n=1+1"
        )
    with db.session() as s:
        row = s.get(Lesson, lesson)
        assert row.topic == "Бөлчөктөр" and row.homework == "§4, 1–5-көнүгүүлөр\n=1+1"
    assert {a.field for a in audits("update")} == {"topic", "homework"}
    # An editor opened before that save is refused instead of overwriting it.
    with db.session(write=True) as s, pytest.raises(Stale):
        journal.set_lesson_text(s, principal_of("t_classteacher"), lesson, "Башка", "", seen=("Тема 1", ""))
    with db.session() as s:
        assert journal.lesson_text(s, lesson) == ("Бөлчөктөр", "§4, 1–5-көнүгүүлөр\n=1+1")
    with db.session(write=True) as s, pytest.raises(OutOfScope):
        journal.set_lesson_text(s, principal_of("t_teacher"), lesson, "x", "y")


# -- period and year marks, closing -----------------------------------------------------------


def _fill_marks(school, extras, pupil: int, values: list[int]) -> None:
    for lesson, value in zip(extras.lessons_5a_q1[3:], values, strict=False):
        save("t_classteacher", lesson, pupil, CellChange("class", value), cell_token(school, pupil, lesson))


def test_period_mark_confirm_and_override(school, extras):
    pupil = school.pupils_5a[2]  # Ңаматов: no marks yet
    _fill_marks(school, extras, pupil, [5, 5, 4])
    with db.session() as s:
        g = journal.grid(s, principal_of("t_classteacher"), school.class_5a, school.math, school.term_ids[0])
    sug = g.period[pupil].suggestion
    assert sug.value == 5 and sug.average == 4.67  # 14/3 ≥ 4.65
    args = (school.class_5a, school.math, school.term_ids[0], pupil)
    with db.session(write=True) as s, pytest.raises(JournalError) as err:
        journal.set_period_mark(s, principal_of("t_classteacher"), *args, value=4, expected_version=0)
    assert err.value.key == "journal.error.override_reason"
    with db.session(write=True) as s:
        row = journal.set_period_mark(s, principal_of("t_classteacher"), *args, value=5, expected_version=0)
        assert row.version == 1 and row.suggested_value == 5 and row.average == 4.67
    with db.session(write=True) as s, pytest.raises(Stale):
        journal.set_period_mark(s, principal_of("t_classteacher"), *args, value=4, reason="x", expected_version=0)
    with db.session(write=True) as s:
        row = journal.set_period_mark(
            s, principal_of("t_classteacher"), *args, value=4, reason="Контролдук иш жазылган эмес", expected_version=1
        )
        assert row.value == 4 and row.version == 2
    trail = [(a.action, a.old_value, a.new_value, a.reason) for a in audits() if a.entity == "periodmark"]
    assert trail == [("create", "", "5", ""), ("update", "5", "4", "Контролдук иш жазылган эмес")]
    with db.session(write=True) as s, pytest.raises(OutOfScope):
        journal.set_period_mark(s, principal_of("t_teacher"), *args, value=5, expected_version=2)
    with db.session(write=True) as s, pytest.raises(JournalError):
        journal.set_period_mark(s, principal_of("t_classteacher"), *args, value=None, special="зач", expected_version=2)


def test_exempt_pupil_and_confirm_all(school, extras):
    a, b, c = school.pupils_5a
    _fill_marks(school, extras, c, [4, 4, 4])
    args = (school.class_5a, school.math, school.term_ids[0])
    with db.session(write=True) as s:
        journal.set_period_mark(
            s,
            principal_of("t_classteacher"),
            *args,
            b,
            value=None,
            special="осв",
            reason="Справка №12",
            expected_version=0,
        )
    with db.session(write=True) as s:
        assert (
            journal.confirm_suggestions(s, principal_of("t_classteacher"), *args) == 2
        )  # a (н/а) and c (4); not b, not gone
    with db.session() as s:
        g = journal.grid(s, principal_of("t_classteacher"), *args)
    assert (g.period[a].text, g.period[b].text, g.period[c].text) == ("н/а", "осв", "4")
    assert g.period[b].suggestion.text == "осв"
    assert g.period[extras.departed].text == ""
    # A mark saved for the exempt pupil answers with the grid's own suggestion («осв»), and a mark
    # of another pupil with his average of the term (the save reads both in its own queries).
    lesson = extras.lessons_5a_q1[3]
    saved_b = save("t_classteacher", lesson, b, CellChange("class", 5), cell_token(school, b, lesson))
    saved_c = save("t_classteacher", lesson, c, CellChange("class", 5), cell_token(school, c, lesson))
    with db.session() as s:
        g = journal.grid(s, principal_of("t_classteacher"), *args)
    assert saved_b.suggestion == g.period[b].suggestion and saved_b.suggestion.text == "осв"
    assert saved_c.suggestion == g.period[c].suggestion and saved_c.suggestion.count == 3  # 5, 4, 4


def test_closed_term_refuses_edits_and_deputy_corrects_with_reason(school, extras):
    lesson, pupil = extras.lessons_5a_q1[0], school.pupils_5a[0]
    token = cell_token(school, pupil, lesson)
    with db.session(write=True) as s, pytest.raises(OutOfScope):
        journal.close_term(s, principal_of("t_classteacher"), school.term_ids[0])  # no term.close
    with db.session(write=True) as s:
        journal.close_term(s, principal_of("t_deputy"), school.term_ids[0])
    with pytest.raises(JournalError) as err:
        save("t_classteacher", lesson, pupil, CellChange("class", 3), token)
    assert err.value.key == "journal.error.term_closed"
    with db.session(write=True) as s, pytest.raises(JournalError):
        journal.set_lesson_text(s, principal_of("t_classteacher"), lesson, "x", "")
    args = (school.class_5a, school.math, school.term_ids[0], pupil)
    with db.session(write=True) as s, pytest.raises(JournalError):
        journal.set_period_mark(s, principal_of("t_classteacher"), *args, value=None, special="н/а", expected_version=0)
    # The deputy: a reason is required, then the fix is audited as a correction.
    with pytest.raises(JournalError) as err:
        save("t_deputy", lesson, pupil, CellChange("class", 3), token)
    assert err.value.key == "journal.error.reason_required"
    save("t_deputy", lesson, pupil, CellChange("class", 3), token, reason="Ата-эненин арызы, №7 буйрук")
    assert marks_of(lesson, pupil) == {"class": 3}
    fix = audits("correction")[-1]
    assert (fix.field, fix.old_value, fix.new_value, fix.username) == ("mark.class", "5", "3", "t_deputy")
    assert fix.reason == "Ата-эненин арызы, №7 буйрук"
    # Other terms stay open; reopening needs a reason.
    assert save("t_classteacher", extras.lesson_5a_q2, pupil, CellChange("class", 5), "").changed
    with db.session(write=True) as s, pytest.raises(JournalError):
        journal.reopen_term(s, principal_of("t_deputy"), school.term_ids[0], "")
    with db.session(write=True) as s:
        journal.reopen_term(s, principal_of("t_deputy"), school.term_ids[0], "Ката табылды")
        assert s.get(Term, school.term_ids[0]).closed_at is None
    assert [a.action for a in audits() if a.entity == "term"] == ["close", "reopen"]


def test_year_mark_from_the_quarters(school, extras):
    pupil = school.pupils_5a[0]
    with db.session(write=True) as s:
        for number, value in zip((1, 2, 3, 4), (3, 3, 4, 4), strict=True):
            s.add(
                PeriodMark(
                    school_id=school.school_id,
                    pupil_id=pupil,
                    subject_id=school.math,
                    class_id=school.class_5a,
                    academic_year_id=school.year_id,
                    term_id=school.term_ids[number - 1],
                    kind="quarter",
                    number=number,
                    value=value,
                )
            )
    with db.session() as s:
        g = journal.grid(s, principal_of("t_classteacher"), school.class_5a, school.math, school.term_ids[0])
        assert g.year[pupil].suggestion.value == 4  # 3.5 → 4, the pupil's way
    with db.session(write=True) as s:
        row = journal.set_year_mark(
            s, principal_of("t_classteacher"), school.class_5a, school.math, pupil, value=4, expected_version=0
        )
        assert row.kind == "year" and row.value == 4
    with db.session(write=True) as s:
        journal.close_term(s, principal_of("t_director"), school.term_ids[3])
    with db.session(write=True) as s, pytest.raises(JournalError):
        journal.set_year_mark(s, principal_of("t_classteacher"), school.class_5a, school.math, pupil, value=5,
                              reason="x", expected_version=1)  # fmt: skip


# -- summary sheet ----------------------------------------------------------------------------


def test_summary_sheet_marks_absences_and_indicators(school, extras):
    a, b, c = school.pupils_5a
    args = (school.class_5a, school.math, school.term_ids[0])
    for pupil, value, special, reason in ((a, 5, "", "x"), (b, 3, "", "x"), (c, None, "н/а", "")):
        with db.session(write=True) as s:
            journal.set_period_mark(
                s,
                principal_of("t_classteacher"),
                *args,
                pupil,
                value=value,
                special=special,
                reason=reason,
                expected_version=0,
            )
    save("t_classteacher", extras.lessons_5a_q1[4], c, CellChange(attendance="п"), "")
    save("t_classteacher", extras.lessons_5a_q1[5], c, CellChange(attendance="о", late_minutes=5), "")
    with db.session() as s:
        sheet = reports.summary(s, principal_of("t_classteacher"), school.class_5a, school.term_ids[0])
    rows = {r.pupil_id: r for r in sheet.rows}
    assert [subj.name_en for subj in sheet.subjects] == ["Mathematics"]
    assert rows[a].marks[school.math] == (5, "") and rows[c].marks[school.math] == (None, "н/а")
    assert rows[a].absences["total"] == 1 and rows[a].absences["б"] == 1
    assert rows[c].absences["total"] == 1 and rows[c].absences["п"] == 1 and rows[c].absences["о"] == 1
    assert rows[extras.departed].left_on == date(2025, 9, 3)
    ind = sheet.by_subject[school.math]
    # N = 3 (the departed pupil is out): 5, 3, н/а.
    assert (ind.n, ind.n5, ind.n3, ind.n_na) == (3, 1, 1, 1)
    assert ind.success == 66.7 and ind.quality == 33.3 and ind.sou == round((100 + 36 + 7) / 3, 1)
    assert ind.average == 4.0
    assert sheet.overall.n == 3
    with db.session() as s:
        year = reports.summary(s, principal_of("t_deputy"), school.class_5a, None)
        assert year.period == "year" and all(not r.marks for r in year.rows)
        for username in ("t_teacher", "t_pupil"):
            with pytest.raises(OutOfScope):
                reports.summary(s, principal_of(username), school.class_5a, school.term_ids[0])


# -- export -----------------------------------------------------------------------------------


def test_xlsx_export_reads_back_like_the_paper_journal(school, extras):
    with db.session(write=True) as s:
        journal.set_lesson_text(
            s, principal_of("t_classteacher"), extras.lessons_5a_q1[1], '=HYPERLINK("http://x")', "+1-1"
        )
    with db.session() as s:
        name, data = journal_export.journal_xlsx(
            s, principal_of("t_classteacher"), school.class_5a, school.math, school.term_ids[0], 0, "ky"
        )
    assert name == "journal-5А-MATH-quarter1.xlsx"
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value.startswith("5-А · Математика · 1-чейрек")
    assert ws["B2"].value == "Окуучу" and ws["C2"].value == "сен"
    assert [ws.cell(3, c).value for c in range(3, 9)] == [2, 3, 4, 8, 9, 10]  # day numbers of the lessons
    names = [ws.cell(r, 2).value for r in range(4, 8)]
    assert names[0] == "Абдыкадырова Мөлдир" and names[1].startswith("Бакиров Эмир — 03.09.2025")
    row_usonov = 4 + names.index("Үсөнов Нурбек")
    assert [ws.cell(row_usonov, c).value for c in (3, 4, 5)] == [5, 4, "б"]
    assert ws.cell(2, 9).value == "1-чейрек" and ws.cell(2, 10).value == "Жылдык"
    right = 12
    assert ws.cell(2, right).value == "Күнү" and ws.cell(4, right).value == "02.09"
    topic = ws.cell(5, right + 1)
    assert topic.value == '=HYPERLINK("http://x")' and topic.data_type == "s"  # text, never a formula
    assert ws.cell(5, right + 2).value == "+1-1"
    assert ws.freeze_panes == "C4"
    # The paper journal's two-row header: №, pupil, period and year merged down, the month over its days.
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A2:A3", "B2:B3", "C2:H2", "I2:I3", "J2:J3"} <= merged
    assert ws["C2"].fill.fgColor.rgb.endswith("E6F2F0") and ws["C2"].font.b and ws["C2"].border.left.style
    assert ws.cell(row_usonov, 5).font.color.rgb.endswith("B42318")  # an absence in red
    assert ws.cell(row_usonov, 9).fill.fgColor.rgb.endswith("FFF7E0")  # the period mark's column
    assert ws.print_title_rows == "$2:$3" and ws.page_setup.orientation == "landscape"
    # pandas reads the same grid.
    df = pd.read_excel(io.BytesIO(data), header=None, skiprows=3, usecols="B:H")
    assert df.iloc[row_usonov - 4, 1:4].tolist() == [5, 4, "б"]
    with db.session() as s, pytest.raises(OutOfScope):
        journal_export.journal_xlsx(
            s, principal_of("t_teacher"), school.class_5a, school.math, school.term_ids[0], 0, "ky"
        )
    assert [a.action for a in audits("export")] == ["export"]


# -- concurrency ------------------------------------------------------------------------------


def test_concurrent_writers_lose_nothing_and_never_lock(school, extras):
    """8 threads save into their own cells and all fight over one shared cell, each with the token it just read.

    No "database is locked", no lost update: every successful save of the shared mark bumped its version
    by one. On SQLite the write session serialises read and write (BEGIN IMMEDIATE), so nobody is stale;
    on PostgreSQL a racing save is refused as Stale by the versioned UPDATE.
    """
    teacher = principal_of("t_classteacher")
    lessons = extras.lessons_5a_q1[3:]
    pupils = school.pupils_5a
    shared = (lessons[0], pupils[0])
    errors: list[BaseException] = []
    stale: list[int] = []
    shared_saves: list[int] = []

    def token_of(s, lesson: int, pupil: int) -> str:
        return journal.load_cell(s, lesson, pupil).token()

    def work(i: int) -> None:
        try:
            for round_ in range(6):
                own = (lessons[1 + round_ % 2], pupils[i % 3])
                for (lesson, pupil), kind in ((own, ("class", "home", "test", "control")[i % 4]), (shared, "test")):
                    with journal.write_session() as s:
                        change = CellChange(kind, 2 + (i + round_) % 4)
                        try:
                            saved = journal.save_cell(s, teacher, lesson, pupil, change, token_of(s, lesson, pupil))
                        except Stale:
                            stale.append(i)
                            continue
                    if (lesson, pupil) == shared and saved.changed:
                        shared_saves.append(i)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    with db.session() as s:
        version = s.exec(
            select(Mark.version).where(Mark.lesson_id == shared[0], Mark.pupil_id == shared[1], Mark.kind == "test")
        ).one()
        own_marks = s.exec(select(Mark).where(Mark.lesson_id.in_(lessons[1:]))).all()  # type: ignore[attr-defined]
    assert version == len(shared_saves)  # no save was lost or double-counted
    if not is_postgres():
        assert stale == []
    assert {(m.lesson_id, m.pupil_id, m.kind) for m in own_marks} == {
        (lessons[1 + r % 2], pupils[i % 3], ("class", "home", "test", "control")[i % 4])
        for i in range(8)
        for r in range(6)
    }


def test_summary_forecast_fills_marks_not_yet_set(school, extras):
    a, b, c = school.pupils_5a
    _fill_marks(school, extras, c, [5, 5, 4])
    with db.session() as s:
        plain = reports.summary(s, principal_of("t_classteacher"), school.class_5a, school.term_ids[0])
        forecast = reports.summary(
            s, principal_of("t_classteacher"), school.class_5a, school.term_ids[0], with_suggestions=True
        )
    assert all(not r.marks for r in plain.rows) and plain.by_subject[school.math].n == 0
    rows = {r.pupil_id: r for r in forecast.rows}
    assert rows[c].marks[school.math] == (5, "") and school.math in rows[c].suggested  # 14/3 ≥ 4.65
    assert rows[a].marks[school.math] == (None, "н/а")  # two marks: 5 and 4
    assert rows[b].marks[school.math] == (None, "н/а")  # one mark
    ind = forecast.by_subject[school.math]
    assert (ind.n, ind.n5, ind.n_na) == (3, 1, 2)


def test_a_mark_from_outside_the_grid_takes_the_grids_path(school, extras):
    """set_mark (assignments, tests, learning systems): over whatever the cell holds now, audited with
    its source, in scope only, and never a correction of a closed term."""
    lesson, pupil = extras.lessons_5a_q1[5], school.pupils_5a[1]
    save("t_classteacher", lesson, pupil, CellChange("class", 4), "")
    with db.session(write=True) as s:
        saved = journal.set_mark(s, principal_of("t_classteacher"), lesson, pupil, "home", 5, reason="assignment 7")
    assert saved.changed and marks_of(lesson, pupil) == {"class": 4, "home": 5}
    last = audits()[-1]
    assert (last.action, last.field, last.new_value, last.reason) == ("create", "mark.home", "5", "assignment 7")
    with db.session(write=True) as s, pytest.raises(OutOfScope):
        journal.set_mark(s, principal_of("t_teacher"), lesson, pupil, "home", 3, reason="assignment 7")
    with db.session(write=True) as s, pytest.raises(JournalError):
        journal.set_mark(s, principal_of("t_classteacher"), lesson, pupil, "home", 11, reason="assignment 7")
    with db.session(write=True) as s:
        journal.close_term(s, principal_of("t_deputy"), school.term_ids[0])
    for who in ("t_classteacher", "t_deputy"):
        with db.session(write=True) as s, pytest.raises(JournalError) as err:
            journal.set_mark(s, principal_of(who), lesson, pupil, "home", 3, reason="assignment 7")
        assert err.value.key == "journal.error.term_closed"
    assert marks_of(lesson, pupil) == {"class": 4, "home": 5}
