"""A subject of few weekly hours assessed by half-year in grades 2–9 (the policy's
`half_year_max_hours`, usually 1.5): one rule, `grading.assessment(grade, rules, hours)`, read by the
journal, setting a mark, the close check, the results, the summary sheet, the teachers' report and
the families' /marks — beside the class's other subjects, which keep their quarters.

The class 7-А below (policy 2–11 with `half_year_max_hours` 1.5; weights class 1, minimum 3 marks):

| music, 1 h/week | Q1   | Q2   | half-year 1                       | Q3   | Q4 | half-year 2 |
|-----------------|------|------|-----------------------------------|------|----|-------------|
| Асанова         | 5, 4 | 5    | 14 / 3 = 4.67 → 5 (Q2 alone: н/а) | 4, 4 | 4  | 12 / 3 → 4  |
| Жумабаев        | 3    | 3, 4 | 10 / 3 = 3.33 → 3                 |      |    |             |

Асанова's year mark from her half-years 5 and 4: 4.5, the pupil's way → 5.

Mathematics in 7-А (5 h/week) keeps its quarters: Асанова's 5, 5, 5 of Q1 give a quarter mark 5 in Q1.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import openpyxl
import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.i18n import t
from bbbms_app.i18n.collation import search_key, sort_key
from bbbms_app.models import (
    Enrollment,
    GradingPolicy,
    Lesson,
    Mark,
    PeriodMark,
    Pupil,
    PupilGuardian,
    School,
    SchoolClass,
    Subject,
    TeachingAssignment,
)
from bbbms_app.pages.marks import MyMarksState
from bbbms_app.services import grading, journal, reports
from bbbms_app.services.grading import HALF_YEAR, QUARTER, Rules, YearPeriod
from bbbms_app.services.journal import JournalError
from bbbms_app.services.reports import sheets
from bbbms_app.services.reports.results import results
from tests.factories import principal_of
from tests.states import is_refusal, new_tab, sub


@dataclass
class Seventh:
    class_7a: int
    music: int
    pupils: list[int]  # Асанова, Жумабаев


def add_seventh_class(s, school, max_hours: float = 1.5) -> Seventh:
    sid = school.school_id
    policy = s.exec(select(GradingPolicy).where(GradingPolicy.academic_year_id == school.year_id)).one()
    policy.half_year_max_hours = max_hours
    cls = SchoolClass(
        school_id=sid, academic_year_id=school.year_id, grade=7, letter="А", language="ky",
        class_teacher_id=school.teacher_a,
    )  # fmt: skip
    music = Subject(school_id=sid, code="MUS", name_ky="Музыка", name_ru="Музыка", name_en="Music")
    s.add_all([cls, music])
    s.flush()
    for subject, hours in ((music.id, 1), (school.math, 5)):
        s.add(
            TeachingAssignment(
                school_id=sid, class_id=cls.id, subject_id=subject, teacher_id=school.teacher_a, hours_per_week=hours
            )  # type: ignore[arg-type]
        )
    pupils = []
    for i, (last, first, sex) in enumerate((("Асанова", "Айзада", "f"), ("Жумабаев", "Эмир", "m"))):
        p = Pupil(
            school_id=sid, last_name=last, first_name=first, pin=f"2{i}0112012000{i:02d}", birth_date=date(2012, 1, 1),
            sex=sex, search_key=search_key(last, first), sort_key=sort_key(last, first),
        )  # fmt: skip
        s.add(p)
        s.flush()
        s.add(Enrollment(school_id=sid, pupil_id=p.id, class_id=cls.id, starts_on=date(2025, 9, 1)))  # type: ignore[arg-type]
        pupils.append(p.id)
    q1, q2, q3, q4 = school.term_ids

    def lesson(subject: int, day: date, term: int, marks: dict[int, int]) -> None:
        row = Lesson(
            school_id=sid, class_id=cls.id, subject_id=subject, teacher_id=school.teacher_a, term_id=term, date=day,
            number=5, topic="Ыр",
        )  # fmt: skip
        s.add(row)
        s.flush()
        for pupil, value in marks.items():
            s.add(Mark(school_id=sid, lesson_id=row.id, pupil_id=pupil, value=value))  # type: ignore[arg-type]

    a, j = pupils
    lesson(music.id, date(2025, 9, 17), q1, {a: 5, j: 3})
    lesson(music.id, date(2025, 10, 1), q1, {a: 4})
    lesson(music.id, date(2025, 11, 12), q2, {a: 5, j: 3})
    lesson(music.id, date(2025, 11, 26), q2, {j: 4})
    lesson(music.id, date(2026, 1, 14), q3, {a: 4})
    lesson(music.id, date(2026, 1, 28), q3, {a: 4})
    lesson(music.id, date(2026, 3, 11), q4, {a: 4})
    for day in (date(2025, 9, 15), date(2025, 9, 16), date(2025, 9, 18)):
        lesson(school.math, day, q1, {a: 5})
    s.flush()
    return Seventh(cls.id, music.id, pupils)  # type: ignore[arg-type]


@pytest.fixture
def seventh(school):
    with db.session(write=True) as s:
        return add_seventh_class(s, school)


def _grid(school, seventh, subject: int, quarter: int):
    with db.session() as s:
        return journal.grid(
            s, principal_of("t_classteacher", s), seventh.class_7a, subject, school.term_ids[quarter - 1]
        )


def _set(school, seventh, quarter: int, pupil: int, value: int | None, special: str = "", reason: str = ""):
    with journal.write_session() as s:
        return journal.set_period_mark(
            s, principal_of("t_classteacher", s), seventh.class_7a, seventh.music, school.term_ids[quarter - 1],
            pupil, value=value, special=special, reason=reason, expected_version=0,
        )  # fmt: skip


def _period_rows() -> list[tuple[int, str, int, int | None, str]]:
    with db.session() as s:
        return sorted(
            (r.pupil_id, r.kind, r.number, r.value, r.special)
            for r in s.exec(select(PeriodMark).where(PeriodMark.kind != "year")).all()
        )


# -- the rule -----------------------------------------------------------------------------------


def test_the_rule_reads_the_grade_the_policy_and_the_subjects_weekly_hours(school, seventh):
    local = Rules(half_year_max_hours=Fraction(3, 2))
    assert [grading.assessment(7, local, h) for h in (1, 1.5, 2, None)] == [HALF_YEAR, HALF_YEAR, QUARTER, QUARTER]
    assert grading.assessment(7, Rules(), 1) == QUARTER  # the policy's option off: every subject by quarter
    assert grading.assessment(10, Rules(), 5) == HALF_YEAR and grading.assessment(7) == QUARTER
    with db.session() as s:
        cls = s.get(SchoolClass, seventh.class_7a)
        five = s.get(SchoolClass, school.class_5a)
        assert grading.subject_assessment(s, cls, seventh.music) == HALF_YEAR
        assert grading.subject_assessment(s, cls, school.math) == QUARTER
        assert grading.subject_assessment(s, five, school.math) == QUARTER
        assert grading.half_year_subjects(s, [cls, five]) == {(seventh.class_7a, seventh.music)}


# -- the journal --------------------------------------------------------------------------------


def test_the_music_journal_has_no_quarter_mark_in_q1_and_the_half_year_in_q2_maths_keeps_its_quarter(school, seventh):
    a, j = seventh.pupils
    g1 = _grid(school, seventh, seventh.music, 1)
    assert g1.assessed is None
    assert journal.period_column(g1) == YearPeriod(HALF_YEAR, 1, (1, 2))
    titles, heads = journal.journal_term_labels(g1)
    assert (titles["ky"], heads["ky"]) == ("1-чейрек · 1-жарым жыл", "1-жарым жыл")
    assert {pid: cell.suggestion.text for pid, cell in g1.period.items()} == {a: "", j: ""}
    g2 = _grid(school, seventh, seventh.music, 2)
    assert g2.assessed == YearPeriod(HALF_YEAR, 1, (1, 2)) and g2.terms_in_year == 2
    sug = {pid: (c.suggestion.text, c.suggestion.average, c.suggestion.count) for pid, c in g2.period.items()}
    assert sug == {a: ("5", 4.67, 3), j: ("3", 3.33, 3)}
    assert journal.journal_term_labels(g2)[0]["ru"] == "2-я четверть · 1-е полугодие"
    maths = _grid(school, seventh, school.math, 1)
    assert maths.assessed == YearPeriod(QUARTER, 1, (1,)) and maths.terms_in_year == 4
    assert maths.period[a].suggestion.text == "5"


def test_a_music_mark_set_in_q1_is_refused_q2_sets_the_half_year_and_the_year_is_their_mean(school, seventh):
    a, j = seventh.pupils
    with pytest.raises(JournalError) as refused:
        _set(school, seventh, 1, a, 5, reason="Алдын ала")
    assert refused.value.key == "journal.error.half_year_subject_later"
    assert t(refused.value.key, "ky", **refused.value.params) == (
        "Аз сааттуу предмет жарым жыл боюнча бааланат: 1-жарым жылдык баа 2-чейректе коюлат"
    )
    assert _period_rows() == []
    row = _set(school, seventh, 2, a, 5)  # the suggestion: no reason needed
    assert (row.kind, row.number, row.term_id) == (HALF_YEAR, 1, school.term_ids[1])
    assert _grid(school, seventh, seventh.music, 4).period[a].suggestion.text == "4"  # 4, 4 and 4
    _set(school, seventh, 4, a, 4)
    g4 = _grid(school, seventh, seventh.music, 4)
    assert g4.year[a].suggestion.text == "5"  # (5 + 4) / 2 = 4.5, the pupil's way
    with db.session() as s:
        cls = s.get(SchoolClass, seventh.class_7a)
        assert journal.periods.year_suggestion(s, cls, seventh.music, a).text == "5"
    with journal.write_session() as s:
        p = principal_of("t_classteacher", s)
        assert journal.confirm_suggestions(s, p, seventh.class_7a, seventh.music, school.term_ids[0]) == 0
        assert journal.confirm_suggestions(s, p, seventh.class_7a, seventh.music, school.term_ids[1]) == 1
    assert _period_rows() == [(a, HALF_YEAR, 1, 5, ""), (a, HALF_YEAR, 2, 4, ""), (j, HALF_YEAR, 1, 3, "")]


def test_a_saved_music_cell_returns_no_suggestion_in_q1_and_the_half_years_in_q2(school, seventh):
    from bbbms_app.services.journal import CellChange

    j = seventh.pupils[1]
    with db.session() as s:
        lessons = {
            lesson.term_id: lesson.id
            for lesson in s.exec(
                select(Lesson).where(Lesson.subject_id == seventh.music).order_by(Lesson.date.desc())  # type: ignore[attr-defined]
            ).all()
        }  # the first lesson of each quarter

    def save(quarter: int, value: int) -> grading.Suggestion:
        term = school.term_ids[quarter - 1]
        g = _grid(school, seventh, seventh.music, quarter)
        with journal.write_session() as s:
            saved = journal.save_cell(
                s, principal_of("t_classteacher", s), lessons[term], j, CellChange("class", value),
                g.cell(j, lessons[term]).token(),
            )  # fmt: skip
        assert saved.changed
        return saved.suggestion

    assert save(1, 4).text == ""  # Жумабаев's 3 becomes a 4 in Q1: nothing suggested in Q1
    sug = save(2, 5)  # his 3 of Q2 becomes a 5: 4 (Q1) + 5 + 4 (Q2) = 13 / 3 = 4.33 → 4
    assert (sug.text, sug.average, sug.count) == ("4", 4.33, 3)


# -- closing a quarter, the reports -------------------------------------------------------------


def _missing(school, quarter: int, class_id: int):
    with db.session() as s:
        _classes, missing = journal.close_check(
            s, principal_of("t_deputy", s), school.term_ids[quarter - 1], "class", class_id
        )
    return {m.subject["ky"]: (m.missing, m.pupils) for m in missing}


def test_the_close_check_owes_the_music_marks_in_q2_and_q4_only(school, seventh):
    a, j = seventh.pupils
    assert _missing(school, 1, seventh.class_7a) == {"Математика": (2, 2)}  # no music owed in Q1
    assert _missing(school, 3, seventh.class_7a) == {"Математика": (2, 2)}
    assert _missing(school, 2, seventh.class_7a) == {"Математика": (2, 2), "Музыка": (2, 2)}
    _set(school, seventh, 2, a, 5)
    _set(school, seventh, 2, j, 3)
    assert _missing(school, 2, seventh.class_7a) == {"Математика": (2, 2)}
    assert _missing(school, 4, seventh.class_7a) == {"Математика": (2, 2), "Музыка": (2, 2)}


def test_the_results_count_the_music_half_year_in_q2_none_in_q1_and_say_so_in_the_title(school, seventh):
    a, j = seventh.pupils
    _set(school, seventh, 2, a, 5)
    _set(school, seventh, 2, j, None, special="н/а", reason="Сабакка келген жок")
    with journal.write_session() as s:  # a quarter mark of maths in Q2, counted beside it
        journal.set_period_mark(
            s, principal_of("t_classteacher", s), seventh.class_7a, school.math, school.term_ids[1], a, value=4,
            reason="Текшерүү", expected_version=0,
        )  # fmt: skip
        # A stray quarter mark of music (written before the policy changed) is not counted in Q2.
        s.add(
            PeriodMark(
                school_id=school.school_id,
                pupil_id=j,
                subject_id=seventh.music,
                class_id=seventh.class_7a,
                academic_year_id=school.year_id,
                term_id=school.term_ids[1],
                kind="quarter",
                number=2,
                value=2,
            )  # type: ignore[arg-type]
        )
    deputy = principal_of("t_deputy")
    with db.session() as s:
        q2 = results(s, deputy, school.year_id, school.term_ids[1])
        q1 = results(s, deputy, school.year_id, school.term_ids[0])
    seven = next(g for g in q2.groups if g.kind == "class" and g.label == "7-А")
    music = q2.indicators(seven, seventh.music)
    # 5 and н/а: N 2, успеваемость 50 %, качество 50 %, СОУ (100 + 7) / 2 = 53.5.
    assert (music.n, music.n5, music.n2, music.n_na, music.success, music.quality, music.sou) == (
        2, 1, 0, 1, 50.0, 50.0, 53.5,
    )  # fmt: skip
    assert q2.indicators(seven, school.math).n4 == 1
    assert q1.indicators(seven, seventh.music).n == 0
    assert sheets.results_period_label(q2, "ky") == "2-чейрек · 1-жарым жыл"
    assert sheets.results_period_label(q2, "ru") == "2-я четверть · 1-е полугодие"
    assert sheets.results_period_label(q1, "ky") == "1-чейрек"
    # The XLSX says it in its title, printed on every page.
    _name, data = sheets.results_xlsx(q2, None, None, "ky")
    title = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].oddHeader.left.text  # the printed title
    assert "2-чейрек · 1-жарым жыл" in title and "Мурунку чейрек: 1-чейрек" in title
    # The class teacher's summary sheet of Q2: maths' quarter mark and music's half-year mark side by side.
    with db.session() as s:
        sheet = reports.summary(s, deputy, seventh.class_7a, school.term_ids[1])
        q1_sheet = reports.summary(s, deputy, seventh.class_7a, school.term_ids[0], with_suggestions=True)
    assert [(r.marks.get(school.math), r.marks.get(seventh.music)) for r in sheet.rows] == [
        ((4, ""), (5, "")),
        (None, (None, "н/а")),
    ]
    q1_marks = [(r.marks.get(school.math), r.marks.get(seventh.music)) for r in q1_sheet.rows]
    assert q1_marks == [((5, ""), None), (None, None)]  # maths' forecast 5; no music mark to forecast in Q1


async def test_the_summary_sheet_marks_music_as_half_year_and_leaves_it_out_of_q1(school, seventh):
    """7-А's sheet. Q1: maths 5 (Асанова) and nothing for Жумабаев; music owes no mark, though a
    stray quarter-1 mark 2 of Жумабаев's is stored (written before the policy changed). Q2: maths 4
    (Асанова); music's half-year marks 5 and «н/а».

    By hand — Q1: music «—» in every cell and indicator; the class: N 1 (Жумабаев has no mark that
    counts), success and quality 100 %, СОУ 100, average 5. Q2: music N 2, success and quality
    50 %, СОУ (100 + 7) ÷ 2 = 53.5; the class: Асанова's worst 4, Жумабаев «н/а» → N 2, success and
    quality 50 %, СОУ over every mark (64 + 100 + 7) ÷ 3 = 57.0, average (4 + 5) ÷ 2 = 4.5."""
    from bbbms_app.pages.journal_summary import SummaryState

    a, j = seventh.pupils
    q1, q2 = school.term_ids[:2]
    with journal.write_session() as s:
        teacher = principal_of("t_classteacher", s)
        journal.set_period_mark(s, teacher, seventh.class_7a, school.math, q1, a, value=5, expected_version=0)
        journal.set_period_mark(
            s, teacher, seventh.class_7a, school.math, q2, a, value=4, reason="Текшерүү", expected_version=0
        )
        s.add(
            PeriodMark(
                school_id=school.school_id, pupil_id=j, subject_id=seventh.music, class_id=seventh.class_7a,
                academic_year_id=school.year_id, term_id=q1, kind="quarter", number=1, value=2,
            )  # type: ignore[arg-type]
        )  # fmt: skip
    _set(school, seventh, 2, a, 5)
    _set(school, seventh, 2, j, None, special="н/а", reason="Сабакка келген жок")
    deputy = principal_of("t_deputy")
    with db.session() as s:
        first = reports.summary(s, deputy, seventh.class_7a, q1)
        second = reports.summary(s, deputy, seventh.class_7a, q2)
    assert (first.half_year, first.not_assessed) == ([seventh.music], {seventh.music})
    assert (second.half_year, second.not_assessed) == ([seventh.music], set())
    assert [r.marks.get(seventh.music) for r in first.rows] == [None, None]
    o = first.overall
    assert (o.n, o.success, o.quality, o.sou, o.average) == (1, 100.0, 100.0, 100.0, 5.0)
    m = second.by_subject[seventh.music]
    assert (m.n, m.success, m.quality, m.sou) == (2, 50.0, 50.0, 53.5)
    o = second.overall
    assert (o.n, o.success, o.quality, o.sou, o.average) == (2, 50.0, 50.0, 57.0, 4.5)
    # The same as the results report's 7-А in each quarter.
    with db.session() as s:
        for sheet, term in ((first, q1), (second, q2)):
            res = results(s, deputy, school.year_id, term)
            seven = next(g for g in res.groups if g.kind == "class" and g.label == "7-А")
            every = res.indicators(seven, None)
            assert (every.n, every.success, every.quality) == (
                sheet.overall.n,
                sheet.overall.success,
                sheet.overall.quality,
            )
    # The footnote, in the three languages.
    assert sheets.half_year_note(second, "ky") == "* Жарым жыл боюнча бааланат, бул жерде 1-жарым жылдык баа: Музыка"
    assert sheets.half_year_note(second, "ru") == "* Оцениваются по полугодиям, здесь оценка за 1-е полугодие: Музыка"
    assert sheets.half_year_note(first, "ky").startswith("* Жарым жыл боюнча бааланат, бул чейректе баа коюлбайт")
    assert sheets.half_year_note(first, "en").endswith(": Music")

    # The XLSX: «Музыка *» over the column, «—» in Q1's cells and indicators, the footnote under the figures.
    def workbook(sheet) -> list[list]:
        with db.session() as s:
            _name, data = sheets.summary_xlsx(sheet, s.get(School, school.school_id), "ky")
        return [list(r) for r in openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)]

    rows = workbook(first)
    music_col = rows[0].index("Музыка *")
    assert rows[0][music_col - 1] == "Математика"
    assert [r[music_col] for r in rows[1:8]] == ["—"] * 7  # two pupils and five indicators
    assert any(r[1] == sheets.half_year_note(first, "ky") for r in rows)
    rows = workbook(second)
    assert [r[music_col] for r in rows[1:3]] == [5, "н/а"]
    assert any(r[1] == sheets.half_year_note(second, "ky") for r in rows)

    # The screen (and its print): the same heading, cells and footnote.
    state = sub(new_tab("t_deputy"), SummaryState)
    assert not is_refusal(await state.load())
    await state.set_class(str(seventh.class_7a))
    await state.set_period(str(q1))
    key = f"s{seventh.music}"
    assert [sub_["ky"] for sub_ in state.subjects] == ["Математика", "Музыка *"]
    assert [r[key] for r in state.rows] == ["—", "—"]
    assert [i[key] for i in state.indicators] == ["—"] * 5
    assert state.half_year_note == sheets.half_year_note(first, "ky")
    await state.set_period(str(q2))
    assert [r[key] for r in state.rows] == ["5", "н/а"]
    assert state.half_year_note == sheets.half_year_note(second, "ky")


def test_the_teachers_report_owes_no_music_marks_in_q1_and_counts_the_half_year_in_q2(school, seventh):
    from bbbms_app.services.reports.teachers import teacher_report

    def few(quarter: int) -> set[tuple[str, int, int]]:
        with db.session() as s:
            rep = teacher_report(
                s, principal_of("t_director", s), school.year_id, school.term_ids[quarter - 1], today=date(2026, 6, 10)
            )
        return {
            (f.pupil, f.marks, f.needed)
            for line in rep.teachers
            for f in line.few
            if f.class_label == "7-А" and f.subject_id == seventh.music
        }

    assert few(1) == set() and few(3) == set()
    # Q2: Асанова 2 + 1 marks, Жумабаев 1 + 2 over the half-year: enough (Q2 alone would list both).
    assert few(2) == set()
    assert few(4) == {("Жумабаев Эмир", 0, 3)}


# -- families' /marks ---------------------------------------------------------------------------


async def test_a_family_sees_the_music_half_year_mark_in_q2_and_none_in_q1(school, seventh):
    a = seventh.pupils[0]
    with db.session(write=True) as s:
        s.add(PupilGuardian(pupil_id=a, guardian_id=school.guardian_1, relation="mother"))
    _set(school, seventh, 2, a, 5)
    state = sub(new_tab("t_parent"), MyMarksState)
    assert not is_refusal(await state.load())
    await state.choose(str(a))
    q1, q2, q3, q4 = (f"t{tid}" for tid in school.term_ids)
    assert [c["key"] for c in state.columns] == [q1, q2, q3, q4, "year"]  # the class keeps its quarters
    card = {r["subject_ky"]: (r[q1], r[q2]) for r in state.card}
    assert card == {"Математика": ("", ""), "Музыка": ("", "5")}
    await state.choose_term(str(school.term_ids[1]))
    assert state.term_mark_label["ky"] == "Чейректик баа"
    rows = {r["subject_ky"]: (r["marks"], r["term_mark"], r["period_ky"]) for r in state.rows}
    assert rows == {"Музыка": ("5", "5", "1-жарым жыл")}
    await state.choose_term(str(school.term_ids[0]))
    rows = {r["subject_ky"]: (r["marks"], r["term_mark"], r["period_ky"]) for r in state.rows}
    assert rows == {"Математика": ("5 5 5", "", ""), "Музыка": ("5 4", "", "1-жарым жыл")}


def test_a_grade_without_marks_has_no_half_year_subject():
    """The first grade (scale «none») gives no marks: its 1-hour subjects are not «half-year» (its
    summary sheet marked music, art … with the half-year footnote before)."""
    from bbbms_app.services.grading import HALF_YEAR, QUARTER, Rules, assessed_by_half_year, assessment

    marked = Rules(half_year_max_hours=Fraction("1.5"))
    unmarked = Rules(scale="none", half_year_max_hours=Fraction("1.5"))
    assert assessed_by_half_year(marked, 1) and assessment(7, marked, 1) == HALF_YEAR
    assert not assessed_by_half_year(unmarked, 1) and assessment(1, unmarked, 1) == QUARTER
    assert not assessed_by_half_year(marked, 2)  # 2 h a week: quarters
