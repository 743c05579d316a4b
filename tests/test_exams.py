"""Issue 13: exam and final marks of grades 9 and 11 — the exam mark entered per subject, the final
mark suggested as round((year + exam) / 2) (a tie the pupil's way) and confirmed by the teacher;
another mark needs a reason; a leader corrects with one; every write audited; other grades refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AcademicYear, AuditEvent, Enrollment, PeriodMark, SchoolClass, TeachingAssignment
from bbbms_app.services import grading, journal
from bbbms_app.services.journal import JournalError, OutOfScope, exams
from tests.factories import principal_of


@pytest.fixture
def ninth(school) -> int:
    """A 9-А whose maths Айжан (t_classteacher) teaches; the two 6-Б pupils and the first of 5-А in
    it (the fixture's pupils are the school's), with year marks 4, 5 and «осв»."""
    with db.session(write=True) as s:
        c9 = SchoolClass(school_id=school.school_id, academic_year_id=school.year_id, grade=9, letter="А")
        s.add(c9)
        s.flush()
        s.add(
            TeachingAssignment(
                school_id=school.school_id, class_id=c9.id, subject_id=school.math, teacher_id=school.teacher_a,
                hours_per_week=4,
            )
        )  # fmt: skip
        marks = ((4, ""), (5, ""), (None, grading.EXEMPT))
        for pupil, (value, special) in zip(_pupils(school), marks, strict=True):
            s.add(Enrollment(school_id=school.school_id, pupil_id=pupil, class_id=c9.id, starts_on=date(2025, 9, 1)))
            s.add(
                PeriodMark(
                    school_id=school.school_id, pupil_id=pupil, subject_id=school.math, class_id=c9.id,
                    academic_year_id=school.year_id, kind="year", number=0, value=value, special=special,
                )
            )  # fmt: skip
        return c9.id  # type: ignore[return-value]


def _pupils(school) -> list[int]:
    return [*school.pupils_6b, school.pupils_5a[0]]


def _sheet(username: str, class_id: int, subject: int):
    with db.session() as s:
        return exams.exam_sheet(s, principal_of(username), class_id, subject)


def _set(username: str, class_id: int, subject: int, pupil: int, kind: str, value, special="", reason="", version=0):
    with journal.write_session() as s:
        return exams.set_exam_mark(
            s, principal_of(username), class_id, subject, pupil, kind, value=value, special=special, reason=reason,
            expected_version=version,
        )  # fmt: skip


def test_the_final_mark_is_suggested_from_the_year_and_the_exam():
    rules = grading.Rules()
    assert exams.suggest_final(rules, (4, ""), (5, "")).value == 5  # 4.5: the pupil's way
    assert exams.suggest_final(rules, (4, ""), (3, "")).value == 4  # 3.5 → 4
    assert exams.suggest_final(rules, (3, ""), (3, "")).value == 3
    assert exams.suggest_final(rules, (5, ""), (None, "")).value == 5  # no exam in the subject
    assert exams.suggest_final(rules, (None, grading.EXEMPT), (None, "")).text == grading.EXEMPT
    assert exams.suggest_final(rules, (None, grading.NOT_ATTESTED), (4, "")).text == ""
    assert exams.suggest_final(rules, (4, ""), (None, grading.NOT_ATTESTED)).text == ""


def test_the_eleventh_grades_year_is_the_mean_of_grades_10_and_11():
    assert exams.senior_mark([(4, ""), (5, ""), (4, ""), (5, "")]) == (5, "")  # 4.5 → 5, rounded mathematically
    assert exams.senior_mark([(4, ""), (4, ""), (5, "")]) == (4, "")  # 4.33
    assert exams.senior_mark([(3, ""), (4, ""), (4, ""), (4, ""), (3, ""), (3, "")]) == (4, "")  # 3.5
    assert exams.senior_mark([(5, ""), (None, grading.EXEMPT)]) == (5, "")  # exempt one year: the other counts
    assert exams.senior_mark([(None, grading.EXEMPT), (None, grading.EXEMPT)]) == (None, grading.EXEMPT)
    assert exams.senior_mark([(5, ""), (None, grading.NOT_ATTESTED)]) == (None, "")
    assert exams.senior_mark([]) == (None, "")


def test_the_eleventh_grades_final_counts_both_senior_years(school):
    """10-А last year (half-years 3 and 4, year 4) and 11-А this year (half-years 5 and 5, year 5):
    the «year» of the final mark is 26 / 6 = 4.33 → 4, and with an exam of 5 the final is 4.5 → 5.
    A grade-9 mark of the same subject does not count."""
    pupil = school.pupils_5a[0]
    with db.session(write=True) as s:
        last = AcademicYear(
            school_id=school.school_id, name="2024-2025", starts_on=date(2024, 9, 2), ends_on=date(2025, 5, 31)
        )
        older = AcademicYear(
            school_id=school.school_id, name="2023-2024", starts_on=date(2023, 9, 1), ends_on=date(2024, 5, 31)
        )
        s.add_all([last, older])
        s.flush()
        c9 = SchoolClass(school_id=school.school_id, academic_year_id=older.id, grade=9, letter="А")
        c10 = SchoolClass(school_id=school.school_id, academic_year_id=last.id, grade=10, letter="А")
        c11 = SchoolClass(school_id=school.school_id, academic_year_id=school.year_id, grade=11, letter="А")
        s.add_all([c9, c10, c11])
        s.flush()
        s.add(
            TeachingAssignment(
                school_id=school.school_id, class_id=c11.id, subject_id=school.math, teacher_id=school.teacher_a,
                hours_per_week=4,
            )
        )  # fmt: skip
        s.add(Enrollment(school_id=school.school_id, pupil_id=pupil, class_id=c11.id, starts_on=date(2025, 9, 1)))
        marks = [
            (c9, older, "year", 0, 2),
            (c10, last, "half_year", 1, 3), (c10, last, "half_year", 2, 4), (c10, last, "year", 0, 4),
            (c11, None, "half_year", 1, 5), (c11, None, "half_year", 2, 5), (c11, None, "year", 0, 5),
        ]  # fmt: skip
        for cls, year, kind, number, value in marks:
            s.add(
                PeriodMark(
                    school_id=school.school_id, pupil_id=pupil, subject_id=school.math, class_id=cls.id,
                    academic_year_id=year.id if year else school.year_id, kind=kind, number=number, value=value,
                )
            )  # fmt: skip
        c11_id = c11.id
    row = next(r for r in _sheet("t_classteacher", c11_id, school.math).rows if r.pupil.id == pupil)
    assert row.year == (4, "") and row.suggestion.value == 4  # no exam in the subject yet: the mean itself
    _set("t_classteacher", c11_id, school.math, pupil, "exam", 5)
    row = next(r for r in _sheet("t_classteacher", c11_id, school.math).rows if r.pupil.id == pupil)
    assert row.suggestion.value == 5  # (4 + 5) / 2 = 4.5, the pupil's way
    _set("t_classteacher", c11_id, school.math, pupil, "final", 5)  # the suggestion: no reason needed
    with pytest.raises(JournalError) as refused:
        _set("t_classteacher", c11_id, school.math, pupil, "final", 4, version=1)
    assert refused.value.key == "journal.error.override_reason"


def test_the_teacher_enters_the_exam_and_confirms_the_final_mark(school, ninth):
    first, second, third = _pupils(school)
    sheet = _sheet("t_classteacher", ninth, school.math)
    assert sheet.write and {r.pupil.id for r in sheet.rows} == {first, second, third}
    by_pupil = {r.pupil.id: r for r in sheet.rows}
    assert by_pupil[first].suggestion.value == 4 and by_pupil[third].suggestion.text == grading.EXEMPT
    _set("t_classteacher", ninth, school.math, first, "exam", 5)
    _set("t_classteacher", ninth, school.math, second, "exam", 3)
    by_pupil = {r.pupil.id: r for r in _sheet("t_classteacher", ninth, school.math).rows}
    assert by_pupil[first].exam[:2] == (5, "") and by_pupil[first].suggestion.value == 5  # (4 + 5) / 2 = 4.5
    assert by_pupil[second].suggestion.value == 4  # (5 + 3) / 2 = 4
    # Confirming the suggestion needs no reason; another mark does.
    _set("t_classteacher", ninth, school.math, first, "final", 5)
    with pytest.raises(JournalError) as refused:
        _set("t_classteacher", ninth, school.math, second, "final", 5)
    assert refused.value.key == "journal.error.override_reason"
    _set("t_classteacher", ninth, school.math, second, "final", 5, reason="Апелляция комиссиясынын чечими")
    with db.session() as s:
        finals = s.exec(select(PeriodMark).where(PeriodMark.kind == "final")).all()
        assert {(f.pupil_id, f.value, f.suggested_value) for f in finals} == {(first, 5, 5), (second, 5, 4)}
        audited = s.exec(select(AuditEvent).where(AuditEvent.entity == "periodmark")).all()
        assert {(a.field, a.new_value) for a in audited} >= {("exam", "5"), ("exam", "3"), ("final", "5")}


def test_others_read_or_correct_with_a_reason_and_other_grades_have_no_exams(school, ninth):
    first = _pupils(school)[0]
    # Another teacher of the school does not teach maths in 9-А: no sheet, no mark.
    with pytest.raises(OutOfScope):
        _sheet("t_teacher", ninth, school.math)
    with pytest.raises(OutOfScope):
        _set("t_teacher", ninth, school.math, first, "exam", 5)
    # The deputy reads it, and corrects with a reason (the exam commission's protocol).
    assert not _sheet("t_deputy", ninth, school.math).write
    with pytest.raises(JournalError) as refused:
        _set("t_deputy", ninth, school.math, first, "exam", 4)
    assert refused.value.key == "journal.error.reason_required"
    _set("t_deputy", ninth, school.math, first, "exam", 4, reason="Комиссиянын протоколу № 3")
    with db.session() as s:
        [row] = s.exec(select(AuditEvent).where(AuditEvent.action == "correction")).all()
        assert row.reason == "Комиссиянын протоколу № 3"
    # Grade 5 has no exam marks; a value off the scale is refused.
    with pytest.raises(JournalError) as refused:
        _sheet("t_classteacher", school.class_5a, school.math)
    assert refused.value.key == "exams.error.grade"
    with pytest.raises(JournalError) as refused:
        _set("t_classteacher", ninth, school.math, first, "exam", 7)
    assert refused.value.key == "journal.error.mark_range"
    with db.session() as s:
        assert [c.id for c in exams.exam_classes(s, principal_of("t_classteacher"), school.year_id)] == [ninth]
        assert exams.exam_classes(s, principal_of("t_teacher"), school.year_id) == []


async def test_the_exams_screen_as_the_teacher_and_as_a_forged_event(school, ninth):
    from bbbms_app.pages.exams import ExamsState
    from tests.states import is_refusal, new_tab, sub

    first = _pupils(school)[0]
    with db.session(write=True) as s:  # Kyrgyz in 9-А is Сергей's (t_teacher), and comes before maths
        s.add(
            TeachingAssignment(
                school_id=school.school_id, class_id=ninth, subject_id=school.kyrgyz, teacher_id=school.teacher_b,
                hours_per_week=3,
            )
        )  # fmt: skip
    state = sub(new_tab("t_classteacher"), ExamsState)
    assert not is_refusal(await state.load())
    assert [o["ky"] for o in state.class_options] == ["9-А"] and state.can_write
    assert [o["id"] for o in state.subject_options] == [str(school.math)]
    assert state.choices == ["5", "4", "3", "2", "н/а", "осв"]
    row = next(r for r in state.rows if r["id"] == str(first))
    assert (row["year"], row["exam"], row["suggestion"]) == ("4", "", "4")
    await state.set_mark(str(first), "exam", "5")
    row = next(r for r in state.rows if r["id"] == str(first))
    assert (row["exam"], row["suggestion"]) == ("5", "5")
    # A mark off the list, and another teacher's forged event: refused, nothing written.
    await state.set_mark(str(first), "final", "7")
    other = sub(new_tab("t_teacher"), ExamsState)
    assert not is_refusal(await other.load())
    assert [o["id"] for o in other.subject_options] == [str(school.kyrgyz)] and len(other.rows) == 3
    other.subject_id, other.choices = str(school.math), ["5"]
    assert is_refusal(await other.set_mark(str(first), "final", "5"))
    with db.session() as s:
        assert s.exec(select(PeriodMark).where(PeriodMark.kind == "final")).all() == []
