"""Grades 10–11 are assessed by half-year (жарым жыл), grades 2–9 by quarter: one rule
(`grading.assessment`, `grading.year_periods`, `grading.period_of_term`) for the journal's period
column, setting a mark, the close check, the reports and the year mark.

The class 10-А below (maths, 3 h/week, the policy's defaults: weights class 1, minimum 3 marks):

| pupil   | Q1 marks | Q2 marks | half-year 1                      | Q3   | Q4 | half-year 2         |
|---------|----------|----------|----------------------------------|------|----|---------------------|
| Алиев   | 5, 5     | 4        | 14 / 3 = 4.67 → 5 (Q2 alone: н/а) | 4, 4 | 5  | 13 / 3 = 4.33 → 4   |
| Бекова  | 3, 4     | 3, 3     | 13 / 4 = 3.25 → 3                 |      |    |                     |
| Довлет  | 2        | —        | one mark → н/а                    |      |    |                     |

Year of Алиев from his half-years 5 and 4: 4.5, the pupil's way → 5.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import openpyxl
import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.i18n import t
from bbbms_app.i18n.collation import search_key, sort_key
from bbbms_app.models import (
    AuditEvent,
    Enrollment,
    Lesson,
    Mark,
    PeriodMark,
    Pupil,
    PupilGuardian,
    SchoolClass,
    TeachingAssignment,
)
from bbbms_app.pages.journal import JournalState
from bbbms_app.pages.journal.state import period_of
from bbbms_app.pages.marks import MyMarksState
from bbbms_app.services import grading, journal, reports
from bbbms_app.services.grading import HALF_YEAR, QUARTER, YearPeriod
from bbbms_app.services.journal import JournalError
from bbbms_app.services.reports import sheets
from bbbms_app.services.reports.results import results
from tests.factories import principal_of
from tests.states import is_refusal, new_refusals, new_tab, sub
from tests.test_notify import smtp  # noqa: F401  (a fixture)


@dataclass
class Senior:
    class_10a: int
    pupils: list[int]  # Алиев, Бекова, Довлет (the Kyrgyz alphabetical order)


def add_senior_class(s, school) -> Senior:
    sid = school.school_id
    cls = SchoolClass(school_id=sid, academic_year_id=school.year_id, grade=10, letter="А", language="ky")
    s.add(cls)
    s.flush()
    s.add(
        TeachingAssignment(
            school_id=sid, class_id=cls.id, subject_id=school.math, teacher_id=school.teacher_a, hours_per_week=3
        )  # type: ignore[arg-type]
    )
    pupils = []
    for i, (last, first, sex) in enumerate(
        (("Алиев", "Нурлан", "m"), ("Бекова", "Айгерим", "f"), ("Довлет", "Уулу", "m"))
    ):
        p = Pupil(
            school_id=sid, last_name=last, first_name=first, pin=f"2010120090{i:04d}", birth_date=date(2009, 1, 10),
            sex=sex, search_key=search_key(last, first), sort_key=sort_key(last, first),
        )  # fmt: skip
        s.add(p)
        s.flush()
        s.add(Enrollment(school_id=sid, pupil_id=p.id, class_id=cls.id, starts_on=date(2025, 9, 1)))  # type: ignore[arg-type]
        pupils.append(p.id)
    q1, q2, q3, q4 = school.term_ids

    def lesson(day: date, term: int, marks: dict[int, int]) -> None:
        row = Lesson(
            school_id=sid, class_id=cls.id, subject_id=school.math, teacher_id=school.teacher_a, term_id=term,
            date=day, number=3, topic="Функциялар",
        )  # fmt: skip
        s.add(row)
        s.flush()
        for pupil, value in marks.items():
            s.add(Mark(school_id=sid, lesson_id=row.id, pupil_id=pupil, value=value))  # type: ignore[arg-type]

    a, b, d = pupils
    lesson(date(2025, 9, 15), q1, {a: 5, b: 3, d: 2})
    lesson(date(2025, 9, 16), q1, {a: 5, b: 4})
    lesson(date(2025, 11, 11), q2, {a: 4, b: 3})
    lesson(date(2025, 11, 12), q2, {b: 3})
    lesson(date(2026, 1, 13), q3, {a: 4})
    lesson(date(2026, 1, 14), q3, {a: 4})
    lesson(date(2026, 3, 10), q4, {a: 5})
    s.flush()
    return Senior(cls.id, pupils)  # type: ignore[arg-type]


@pytest.fixture
def senior(school):
    with db.session() as s:
        return add_senior_class(s, school)


def _grid(school, class_id: int, quarter: int, user: str = "t_classteacher"):
    with db.session() as s:
        return journal.grid(s, principal_of(user, s), class_id, school.math, school.term_ids[quarter - 1])


def _set(school, senior, quarter: int, pupil: int, value: int | None, special: str = "", reason: str = "", version=0):
    with journal.write_session() as s:
        return journal.set_period_mark(
            s, principal_of("t_classteacher", s), senior.class_10a, school.math, school.term_ids[quarter - 1], pupil,
            value=value, special=special, reason=reason, expected_version=version,
        )  # fmt: skip


def _period_rows() -> list[tuple[int, str, int, int | None, str]]:
    with db.session() as s:
        return sorted(
            (r.pupil_id, r.kind, r.number, r.value, r.special)
            for r in s.exec(select(PeriodMark).where(PeriodMark.kind != "year")).all()
        )


# -- the rule -----------------------------------------------------------------------------------


def test_grades_10_and_11_are_assessed_by_half_year_the_others_by_quarter():
    assert [grading.assessment(g) for g in (2, 5, 9, 10, 11)] == [QUARTER] * 3 + [HALF_YEAR] * 2
    assert grading.year_periods(HALF_YEAR) == (YearPeriod(HALF_YEAR, 1, (1, 2)), YearPeriod(HALF_YEAR, 2, (3, 4)))
    assert [p.number for p in grading.year_periods(QUARTER)] == [1, 2, 3, 4]
    # The half-year's mark is set in the quarter that closes it; Q1 and Q3 set none.
    assert [grading.period_of_term(HALF_YEAR, "quarter", q) for q in (1, 2, 3, 4)] == [
        None,
        YearPeriod(HALF_YEAR, 1, (1, 2)),
        None,
        YearPeriod(HALF_YEAR, 2, (3, 4)),
    ]
    assert grading.period_of_term(QUARTER, "quarter", 3) == YearPeriod(QUARTER, 3, (3,))
    assert grading.period_during(HALF_YEAR, "quarter", 3).number == 2


# -- the journal --------------------------------------------------------------------------------


def test_the_grid_of_q2_suggests_the_half_year_mark_from_both_quarters_and_q1_suggests_none(school, senior):
    a, b, d = senior.pupils
    g1 = _grid(school, senior.class_10a, 1)
    assert g1.assessed is None
    assert {pid: cell.suggestion.text for pid, cell in g1.period.items()} == {a: "", b: "", d: ""}
    g2 = _grid(school, senior.class_10a, 2)
    assert g2.assessed == YearPeriod(HALF_YEAR, 1, (1, 2))
    sug = {
        pid: (cell.suggestion.text, cell.suggestion.average, cell.suggestion.count) for pid, cell in g2.period.items()
    }
    assert sug == {a: ("5", 4.67, 3), b: ("3", 3.25, 4), d: ("н/а", 2.0, 1)}
    assert g2.terms_in_year == 2  # the year mark is the mean of two half-years
    # 5-А (grade 5) keeps its quarter: its Q1 suggests from Q1's marks alone.
    g5 = _grid(school, school.class_5a, 1)
    assert g5.assessed == YearPeriod(QUARTER, 1, (1,)) and g5.terms_in_year == 4


def test_a_half_year_mark_set_in_q1_or_q3_is_refused_and_nothing_is_written(school, senior):
    a = senior.pupils[0]
    for quarter, half in ((1, 1), (3, 2)):
        with pytest.raises(JournalError) as refused:
            _set(school, senior, quarter, a, 5, reason="Алдын ала")
        assert refused.value.key == "journal.error.half_year_later"
        assert refused.value.params == {"half": half, "quarter": half * 2}
        assert t(refused.value.key, "ky", **refused.value.params) == (
            f"10–11-класстар жарым жыл боюнча бааланат: {half}-жарым жылдык баа {half * 2}-чейректе коюлат"
        )
    assert _period_rows() == []


def test_the_half_year_mark_is_set_in_q2_and_q4_audited_and_gives_the_year_mark(school, senior):
    a, b, d = senior.pupils
    row = _set(school, senior, 2, a, 5)  # the suggestion: no reason needed
    assert (row.kind, row.number, row.term_id) == (HALF_YEAR, 1, school.term_ids[1])
    _set(school, senior, 2, d, None, special="н/а")
    with db.session() as s:
        audit = s.exec(select(AuditEvent).where(AuditEvent.entity == "periodmark").order_by(AuditEvent.id)).all()
        assert [(e.action, e.field, e.new_value) for e in audit] == [
            ("create", "half_year.1", "5"),
            ("create", "half_year.1", "н/а"),
        ]
    # The year waits for the second half-year, then is the mean of the two (4.5 → 5, the pupil's way).
    assert _grid(school, senior.class_10a, 2).year[a].suggestion.text == ""
    assert _grid(school, senior.class_10a, 4).period[a].suggestion.text == "4"  # 4, 4 of Q3 and 5 of Q4: 4.33
    _set(school, senior, 4, a, 4)
    g4 = _grid(school, senior.class_10a, 4)
    assert g4.period[a].text == "4" and g4.year[a].suggestion.text == "5"
    assert _period_rows() == [(a, HALF_YEAR, 1, 5, ""), (a, HALF_YEAR, 2, 4, ""), (d, HALF_YEAR, 1, None, "н/а")]
    with db.session() as s:
        cls = s.get(SchoolClass, senior.class_10a)
        assert journal.periods.year_suggestion(s, cls, school.math, a).text == "5"
    # «Confirm all» in Q1 sets nothing; in Q2 it sets Бекова's 3.
    with journal.write_session() as s:
        p = principal_of("t_classteacher", s)
        assert journal.confirm_suggestions(s, p, senior.class_10a, school.math, school.term_ids[0]) == 0
        assert journal.confirm_suggestions(s, p, senior.class_10a, school.math, school.term_ids[1]) == 1
    assert (b, HALF_YEAR, 1, 3, "") in _period_rows()


async def _tab_on(school, senior, quarter: int) -> JournalState:
    state = sub(new_tab("t_classteacher"), JournalState)
    assert not is_refusal(await state.load())
    await state.set_class(str(senior.class_10a))
    await state.set_subject(f"{school.math}:0")
    await state.set_term(str(school.term_ids[quarter - 1]))
    return state


async def test_the_journal_page_heads_the_column_by_half_year_and_refuses_a_forged_q1_save(school, senior):
    state = await _tab_on(school, senior, 2)
    assert state.period_head == {"ky": "1-жарым жыл", "ru": "1-е полугодие", "en": "Half-year 1"}
    assert [period_of(state.p0)["sug"], period_of(state.p1)["sug"], period_of(state.p2)["sug"]] == ["5", "3", "н/а"]
    await state.open_period(0, "term")
    assert state.period_open and state.period_info["title"] == "Жарым жылдык баа"
    # The dialog left open, the tab moves to Q1 and sends the save anyway (a forged or stale event).
    await state.set_term(str(school.term_ids[0]))
    assert state.period_head["ky"] == "1-жарым жыл" and period_of(state.p0)["sug"] == ""
    new_refusals()
    state.period_value = "5"
    state.period_reason = "Алдын ала"
    result = await state.save_period("save")
    assert "2-чейректе коюлат" in str(result)
    refusals = new_refusals()
    assert [(e.action, e.entity) for e in refusals] == [("refused", "periodmark")]
    assert "journal.error.half_year_later" in refusals[0].reason
    assert _period_rows() == []
    # A tap on the Q1 column opens no dialog: it says when the mark is set.
    state.period_open = False
    result = await state.open_period(0, "term")
    assert not state.period_open and "1-жарым жыл: баа 2-чейректе коюлат" in str(result)


# -- closing a quarter --------------------------------------------------------------------------


def _missing(school, quarter: int, scope: str = "class", value: int = 0):
    with db.session() as s:
        _classes, missing = journal.close_check(
            s, principal_of("t_deputy", s), school.term_ids[quarter - 1], scope, value
        )
    return {(m.class_name, m.subject["ky"]): (m.missing, m.pupils) for m in missing}


def test_q1_of_grades_10_11_closes_without_period_marks_q2_needs_the_half_year_marks(school, senior):
    a, b, d = senior.pupils
    assert _missing(school, 1, "class", senior.class_10a) == {}
    assert _missing(school, 3, "grade", 10) == {}
    assert _missing(school, 1, "school") == {  # grades 5 and 6 still owe their quarter marks
        ("5-А", "Математика"): (3, 3), ("6-Б", "Математика"): (2, 2), ("6-Б", "Кыргыз тили"): (2, 2),
    }  # fmt: skip
    assert _missing(school, 2, "class", senior.class_10a) == {("10-А", "Математика"): (3, 3)}
    _set(school, senior, 2, a, 5)
    _set(school, senior, 2, b, 3)
    assert _missing(school, 2, "class", senior.class_10a) == {("10-А", "Математика"): (1, 3)}
    _set(school, senior, 2, d, None, special="н/а")
    assert _missing(school, 2, "class", senior.class_10a) == {}
    assert _missing(school, 4, "class", senior.class_10a) == {("10-А", "Математика"): (3, 3)}


# -- the reports --------------------------------------------------------------------------------


def test_the_q2_results_count_the_half_year_marks_of_grades_10_11_and_q1_has_none_of_theirs(school, senior):
    a, b, d = senior.pupils
    _set(school, senior, 2, a, 5)
    _set(school, senior, 2, b, 3)
    _set(school, senior, 2, d, None, special="н/а")
    with journal.write_session() as s:  # a 5-А quarter mark of Q2, to see both kinds counted side by side
        journal.set_period_mark(
            s, principal_of("t_classteacher", s), school.class_5a, school.math, school.term_ids[1],
            school.pupils_5a[0], value=4, reason="Текшерүү", expected_version=0,
        )  # fmt: skip
    deputy = principal_of("t_deputy")
    with db.session() as s:
        q2 = results(s, deputy, school.year_id, school.term_ids[1])
        q1 = results(s, deputy, school.year_id, school.term_ids[0])
    ten = next(g for g in q2.groups if g.kind == "class" and g.label == "10-А")
    five = next(g for g in q2.groups if g.kind == "class" and g.label == "5-А")
    i10 = q2.indicators(ten, school.math)
    # 5, 3, н/а: N 3, успеваемость 2/3, качество 1/3, СОУ (100 + 36 + 7) / 3.
    assert (i10.n, i10.n5, i10.n3, i10.n_na, i10.success, i10.quality, i10.sou) == (3, 1, 1, 1, 66.7, 33.3, 47.7)
    assert q2.indicators(five, school.math).n4 == 1
    assert not q2.named and q2.lists == {}  # the deputy holds no export.personal: no names
    with db.session() as s:  # the director does: the lists
        named = results(s, principal_of("t_director"), school.year_id, school.term_ids[1])
    assert [p.name for p in named.lists["failing"]] == ["Довлет Уулу"]
    assert q1.indicators(ten, school.math).n == 0
    # The class teacher's summary sheet of Q2 shows the half-year and says so.
    with db.session() as s:
        sheet = reports.summary(s, deputy, senior.class_10a, school.term_ids[1])
        q1_sheet = reports.summary(s, deputy, senior.class_10a, school.term_ids[0], with_suggestions=True)
    assert [r.marks.get(school.math) for r in sheet.rows] == [(5, ""), (3, ""), (None, "н/а")]
    assert sheets.period_label_of_summary(sheet, "ky") == "1-жарым жыл"
    assert [r.marks for r in q1_sheet.rows] == [{}, {}, {}]


# -- families' /marks ---------------------------------------------------------------------------


async def test_a_family_of_grade_10_sees_half_year_columns_and_the_half_year_mark_of_q2(school, senior):
    a = senior.pupils[0]
    with db.session(write=True) as s:
        s.add(PupilGuardian(pupil_id=a, guardian_id=school.guardian_1, relation="father"))
    _set(school, senior, 2, a, 5)
    _set(school, senior, 4, a, 4)
    with journal.write_session() as s:
        journal.set_year_mark(
            s, principal_of("t_classteacher", s), senior.class_10a, school.math, a, value=5, expected_version=0
        )
    state = sub(new_tab("t_parent"), MyMarksState)
    assert not is_refusal(await state.load())
    await state.choose(str(a))
    assert [(c["key"], c["label_ky"], c["short_ky"]) for c in state.columns] == [
        ("h1", "1-жарым жыл", "I"),
        ("h2", "2-жарым жыл", "II"),
        ("year", "Жылдык", "Жыл"),
    ]
    assert [(r["subject_ky"], r["h1"], r["h2"], r["year"]) for r in state.card] == [("Математика", "5", "4", "5")]
    await state.choose_term(str(school.term_ids[1]))
    assert state.term_mark_label["ky"] == "Жарым жылдык баа"
    assert state.card_title["ky"] == "Жарым жылдык жана жылдык баалар"
    assert [(r["marks"], r["term_mark"]) for r in state.rows] == [("4", "5")]  # Q2's marks; the half-year's mark
    await state.choose_term(str(school.term_ids[0]))
    assert [(r["marks"], r["term_mark"]) for r in state.rows] == [("5 5", "")]  # Q1: the half-year is not set here
    # A grade-5 family keeps its quarters.
    other = sub(new_tab("t_parent"), MyMarksState)
    await other.load()
    await other.choose(str(school.pupils_5a[0]))
    assert [c["key"] for c in other.columns] == [*(f"t{tid}" for tid in school.term_ids), "year"]
    assert other.term_mark_label["ky"] == "Чейректик баа"
    assert other.card_title["ky"] == "Чейрек жана жылдык баалар"


# -- the journal's XLSX and its print pages ------------------------------------------------------


def test_the_journal_xlsx_and_its_print_pages_head_the_period_column_by_half_year(school, senior):
    from bbbms_app.services import journal_export

    a = senior.pupils[0]
    _set(school, senior, 2, a, 5)
    with db.session() as s:
        _name, data = journal_export.journal_xlsx(
            s, principal_of("t_director", s), senior.class_10a, school.math, school.term_ids[1], 0, "ky"
        )
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Журнал", "Ноябрь", "Сабактардын темалары"]
    sheet = book.worksheets[0]
    assert sheet["A1"].value.endswith("· 2-чейрек · 1-жарым жыл")
    heads = [sheet.cell(2, c).value for c in range(1, sheet.max_column + 1)]
    col = heads.index("1-жарым жыл") + 1
    rows = {sheet.cell(r, 2).value: r for r in range(4, 4 + 3)}
    assert sheet.cell(rows["Алиев Нурлан"], col).value == 5
    month = book.worksheets[1]
    assert month["A2"].value.startswith("2-чейрек · 1-жарым жыл · ")
    assert "1-жарым жыл" in [month.cell(3, c).value for c in range(1, month.max_column + 1)]
    # 5-А keeps its quarter: title and column say «2-чейрек».
    with db.session() as s:
        _name, data = journal_export.journal_xlsx(
            s, principal_of("t_director", s), school.class_5a, school.math, school.term_ids[1], 0, "ky"
        )
    five = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert five["A1"].value.endswith("· 2-чейрек")
    assert "2-чейрек" in [five.cell(2, c).value for c in range(1, five.max_column + 1)]


# -- the teachers' report: pupils with too few marks -------------------------------------------


def test_the_teachers_report_owes_no_marks_of_grade_10_in_q1_and_counts_the_half_year_in_q2(school, senior):
    from bbbms_app.services.reports.teachers import teacher_report

    def few(quarter: int) -> set[tuple[str, int, int]]:
        with db.session() as s:
            rep = teacher_report(
                s, principal_of("t_director", s), school.year_id, school.term_ids[quarter - 1], today=date(2026, 6, 10)
            )
        return {(f.pupil, f.marks, f.needed) for line in rep.teachers for f in line.few if f.class_label == "10-А"}

    assert few(1) == set() and few(3) == set()
    # Q2: Алиев 2 + 1, Бекова 2 + 2 marks over the half-year; Довлет 1 (Q2 alone would list all three).
    assert few(2) == {("Довлет Уулу", 1, 3)}
    # Q4: only Алиев has marks (4, 4 in Q3 and 5 in Q4).
    assert few(4) == {("Бекова Айгерим", 0, 3), ("Довлет Уулу", 0, 3)}


def test_a_saved_cell_returns_the_half_year_suggestion_in_q2_and_none_in_q1(school, senior):
    from bbbms_app.services.journal import CellChange

    d = senior.pupils[2]
    with db.session() as s:
        lessons = {
            lesson.term_id: lesson.id
            for lesson in s.exec(select(Lesson).where(Lesson.class_id == senior.class_10a).order_by(Lesson.date)).all()
        }

    def save(quarter: int, pupil: int, value: int) -> grading.Suggestion:
        term = school.term_ids[quarter - 1]
        g = _grid(school, senior.class_10a, quarter)
        with journal.write_session() as s:
            saved = journal.save_cell(
                s, principal_of("t_classteacher", s), lessons[term], pupil, CellChange("class", value),
                g.cell(pupil, lessons[term]).token(),
            )  # fmt: skip
        assert saved.changed
        return saved.suggestion

    # Довлет's second mark, in Q1: nothing to suggest there.
    assert save(1, d, 3).text == ""
    # His third, in Q2: 2 and 3 of Q1 and 4 of Q2 → 3 (9 / 3); the grid says the same.
    sug = save(2, d, 4)
    assert (sug.text, sug.average, sug.count) == ("3", 3.0, 3)
    assert _grid(school, senior.class_10a, 2).period[d].suggestion == sug


def test_a_half_year_mark_reaches_the_subscribed_parent_as_a_half_year_mark(school, senior, smtp):  # noqa: F811
    from bbbms_app.models.messaging import Notification
    from bbbms_app.services import notify
    from tests.test_notify import at, choose, text

    a = senior.pupils[0]
    with db.session(write=True) as s:
        s.add(PupilGuardian(pupil_id=a, guardian_id=school.guardian_1, relation="father"))
    choose()
    _set(school, senior, 2, a, 5)
    notify.run(at("2025-11-12", 10))
    with db.session() as s:
        assert [n.kind for n in s.exec(select(Notification)).all()] == ["half_year"]
    assert [text(m) for m in smtp.mails] == ["Нурлан Алиев: Математика боюнча жарым жылдык баа — 5\n"]
