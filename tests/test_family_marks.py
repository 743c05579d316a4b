"""Families' term and year marks (/marks) on a real database: the marks the teacher set, the
policy's weighted average the teacher sees, any begun term of the year, and the family's scope.

The school is tests/factories.build_school: 5-А's first pupil has maths marks 5 and 4 in the
first quarter (lessons of 2 and 3 Sep 2025), his mother is `t_parent`; today is after every term.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import Attendance, AuditEvent, Mark, PeriodMark, School, Term
from bbbms_app.pages.journal.state import _decimal
from bbbms_app.pages.marks import MyMarksState
from bbbms_app.services import diary, journal
from tests.factories import principal_of
from tests.states import is_refusal, new_tab, sub

TODAY = date(2026, 6, 10)


def _set_q1_and_year(school) -> None:
    """The teacher sets 5-А maths: Q1 «5» for the first pupil, «н/а» for the second, the year «4»;
    Q2 of the first pupil holds only the policy's suggestion (no mark set)."""
    with db.session(write=True) as s:
        teacher = principal_of("t_classteacher", s)
        q1, q2 = school.term_ids[0], school.term_ids[1]
        first, second = school.pupils_5a[0], school.pupils_5a[1]
        args = (teacher, school.class_5a, school.math)
        journal.set_period_mark(s, *args, q1, first, value=5, reason="контролдук иш", expected_version=0)
        journal.set_period_mark(s, *args, q1, second, value=None, special="н/а", expected_version=0)
        journal.set_year_mark(s, *args, first, value=4, reason="педкеңеш", expected_version=0)
        s.add(
            PeriodMark(
                school_id=school.school_id,
                pupil_id=first,
                subject_id=school.math,
                class_id=school.class_5a,
                academic_year_id=school.year_id,
                term_id=q2,
                kind="quarter",
                number=2,
                suggested_value=4,
                average=4.2,
            )
        )


def test_the_report_card_shows_each_terms_and_the_years_marks_as_set_never_a_suggestion(school):
    _set_q1_and_year(school)
    with db.session() as s:
        parent = principal_of("t_parent", s)
        card = diary.report_card(s, parent, school.pupils_5a[0], TODAY)
        sister = diary.report_card(s, parent, school.pupils_5a[1], TODAY)
    q = [f"t{i}" for i in school.term_ids]
    assert [c["key"] for c in card["columns"]] == [*q, "year"]
    assert [c["label_ky"] for c in card["columns"]] == ["1-чейрек", "2-чейрек", "3-чейрек", "4-чейрек", "Жылдык"]
    assert card["columns"][0]["label_ru"] == "1-я четверть"
    maths = {r["subject_en"]: r for r in card["rows"]}["Mathematics"]
    assert [maths[k] for k in [*q, "year"]] == ["5", "", "", "", "4"]  # Q2's suggestion «4» is not a mark
    assert {r["subject_en"]: r for r in sister["rows"]}["Mathematics"][q[0]] == "н/а"


def test_only_begun_terms_are_offered(school):
    with db.session() as s:
        parent = principal_of("t_parent", s)
        assert [t.number for t in diary.pupil_terms(s, parent, school.pupils_5a[0], date(2025, 11, 20))] == [1, 2]
        card = diary.report_card(s, parent, school.pupils_5a[0], date(2025, 11, 20))
    assert [c["key"] for c in card["columns"]] == [f"t{school.term_ids[0]}", f"t{school.term_ids[1]}", "year"]


def test_a_past_terms_summary_has_the_policys_weighted_average_the_teacher_sees(school):
    _set_q1_and_year(school)
    with db.session(write=True) as s:
        # A test (weight 2 in the default policy) of «2» at the third lesson, where the factory
        # has him ill: he was present after all.
        lesson_id = school.lessons_5a_math[2]
        s.delete(s.exec(select(Attendance).where(Attendance.lesson_id == lesson_id)).one())
        s.add(Mark(school_id=school.school_id, lesson_id=lesson_id, pupil_id=school.pupils_5a[0], value=2, kind="test"))
    with db.session() as s:
        rows = diary.term_summary(s, principal_of("t_parent", s), school.pupils_5a[0], school.term_ids[0])
        teacher_view = journal.grid(
            s, principal_of("t_classteacher", s), school.class_5a, school.math, school.term_ids[0]
        )
    maths = {r["subject_en"]: r for r in rows}["Mathematics"]
    assert maths["marks"] == "5 4 2"
    # (5·1 + 4·1 + 2·2) / (1 + 1 + 2) = 13/4: the plain mean would be 3,67.
    assert (maths["average_ky"], maths["average_ru"], maths["average_en"]) == ("3,25", "3,25", "3.25")
    teacher_average = teacher_view.period[school.pupils_5a[0]].suggestion.average
    assert maths["average_ru"] == _decimal(teacher_average, "ru")  # one number for the family and the teacher
    assert maths["term_mark"] == "5" and maths["absences"] == "0"


def test_the_average_follows_the_policy_weights_and_language(school):
    with db.session() as s:
        rows = diary.term_summary(s, principal_of("t_pupil", s), school.pupils_5a[0], school.term_ids[0])
    maths = {r["subject_en"]: r for r in rows}["Mathematics"]
    assert (maths["marks"], maths["average_ky"], maths["average_en"], maths["absences"]) == ("5 4", "4,5", "4.5", "1")
    assert maths["term_mark"] == ""


def test_a_family_reaches_only_its_own_children_and_its_schools_terms(school):
    with db.session(write=True) as s:
        other = School(okpo="20000002", name_ky="№ 2", name_ru="№ 2")
        s.add(other)
        s.flush()
        foreign = Term(
            school_id=other.id,  # type: ignore[arg-type]
            academic_year_id=school.year_id,
            number=1,
            kind="half_year",
            starts_on=date(2025, 9, 1),
            ends_on=date(2025, 12, 30),
        )
        s.add(foreign)
        s.flush()
        foreign_id = foreign.id
    with db.session() as s:
        parent = principal_of("t_parent", s)
        for call in (
            lambda: diary.report_card(s, parent, school.pupils_6b[0], TODAY),
            lambda: diary.pupil_terms(s, parent, school.pupils_6b[0], TODAY),
            lambda: diary.term_summary(s, parent, school.pupils_6b[0], school.term_ids[0]),
            lambda: diary.term_summary(s, parent, school.pupils_5a[0], foreign_id),
            lambda: diary.report_card(s, principal_of("t_pupil", s), school.pupils_5a[1], TODAY),
        ):
            with pytest.raises(diary.OutOfScope):
                call()


async def test_the_marks_page_opens_any_begun_term_and_refuses_a_forged_one(school):
    _set_q1_and_year(school)
    root = new_tab("t_parent")
    marks = sub(root, MyMarksState)
    await marks.load()
    assert [t["id"] for t in marks.terms] == [str(i) for i in school.term_ids]
    assert [t["short"] for t in marks.terms] == ["I", "II", "III", "IV"]
    assert marks.term_id == str(school.term_ids[0])  # the header's term (the last one with lessons)
    # Her first child in alphabetical order is the sister (Абдыкадырова): «н/а» in the first quarter.
    assert marks.pupil_id == str(school.pupils_5a[1])
    assert {r["subject_en"]: r for r in marks.card}["Mathematics"][f"t{school.term_ids[0]}"] == "н/а"
    await marks.choose(str(school.pupils_5a[0]))
    assert {r["subject_en"]: r for r in marks.card}["Mathematics"]["year"] == "4"
    assert {r["subject_en"]: r for r in marks.rows}["Mathematics"]["term_mark"] == "5"
    await marks.choose_term(str(school.term_ids[1]))
    assert marks.term_id == str(school.term_ids[1]) and marks.rows == []
    await marks.choose_term(str(school.term_ids[0]))
    before = (marks.term_id, list(marks.rows), list(marks.card))
    with db.session() as s:
        last = s.exec(select(AuditEvent.id).order_by(AuditEvent.id.desc())).first() or 0
    for forged in ("999999", "-1", "", None, ["1", "2"], {"id": 1}):
        assert is_refusal(await marks.choose_term(forged)), forged
        assert (marks.term_id, marks.rows, marks.card) == before
    with db.session() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.id > last)).all()
    assert {e.action for e in events} == {"invalid"} and {e.username for e in events} == {"t_parent"}
    # The other child keeps the chosen term and shows her own marks.
    await marks.choose(str(school.pupils_5a[1]))
    assert marks.term_id == str(school.term_ids[0])
    assert {r["subject_en"]: r for r in marks.rows}["Mathematics"]["term_mark"] == "н/а"


def test_a_parent_sees_each_child_in_the_class_he_is_on_that_day(school):
    from bbbms_app.models import Enrollment
    from bbbms_app.services.school import own_children

    child = school.pupils_5a[0]
    with db.session(write=True) as s:
        first = s.exec(select(Enrollment).where(Enrollment.pupil_id == child)).one()
        first.ends_on = date(2025, 12, 31)
        s.add(first)
        s.add(
            Enrollment(
                school_id=school.school_id, pupil_id=child, class_id=school.class_6b, starts_on=date(2026, 1, 12)
            )
        )
    with db.session() as s:
        parent = principal_of("t_parent", s)
        autumn = {c["id"]: c["class_name"] for c in own_children(s, parent, date(2025, 10, 1))}
        spring = {c["id"]: c["class_name"] for c in own_children(s, parent, date(2026, 2, 2))}
    assert autumn[str(child)] == "5-А" and spring[str(child)] == "6-Б"
