"""The teacher's and class teacher's home: his day, not the school's counters (tests/factories.py school).

5-А maths (teacher_a, the class teacher of 5-А, `t_classteacher`) has lessons on 2, 3 and 4 Sep
2025 with topics; marks at the first two; the first pupil is ill («б») at the third.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import Attendance, Lesson
from bbbms_app.pages.home import HomeState
from bbbms_app.services import stats
from tests.factories import principal_of
from tests.states import new_tab, sub

THU = date(2025, 9, 4)


def _day(username: str, today: date, term_id: int | None):
    with db.session() as s:
        principal = principal_of(username, s)
        return stats.teacher_day(s, principal, today, term_id), stats.class_absences_today(s, principal, today)


def test_a_teacher_sees_his_lessons_today_and_those_still_without_a_topic_or_marks(school):
    with db.session(write=True) as s:
        second = s.exec(select(Lesson).where(Lesson.id == school.lessons_5a_math[1])).one()
        second.topic = ""  # held on Wednesday, no topic written yet
        s.add(second)
    day, _ = _day("t_classteacher", THU, school.term_ids[0])
    assert [(r["number"], r["class_name"], r["subject_ky"], r["has_topic"], r["has_marks"]) for r in day["today"]] == [
        ("3", "5-А", "Математика", "1", "")
    ]
    # Earlier days: Wednesday's lesson has no topic; Tuesday's is complete. Thursday's own lesson is
    # listed above as today's, not again among the unfinished ones.
    assert (day["no_topic"], day["no_marks"]) == (1, 0)
    assert [(r["date"], r["has_topic"], r["has_marks"]) for r in day["unfinished"]] == [("03.09", "", "1")]
    # On Friday, Thursday's lesson without marks joins them, newest first.
    friday, _ = _day("t_classteacher", date(2025, 9, 5), school.term_ids[0])
    assert (friday["no_topic"], friday["no_marks"], friday["today"]) == (1, 1, [])
    assert [(r["date"], r["has_topic"], r["has_marks"]) for r in friday["unfinished"]] == [
        ("04.09", "1", ""),
        ("03.09", "", "1"),
    ]
    # Another teacher's lessons never count: teacher_b has none.
    other, absences = _day("t_teacher", THU, school.term_ids[0])
    assert (other["today"], other["no_topic"], other["no_marks"], other["unfinished"]) == ([], 0, 0, [])
    assert absences == {}


def test_a_class_teacher_sees_who_of_his_class_is_absent_or_late_today(school):
    with db.session(write=True) as s:
        s.add(
            Attendance(
                school_id=school.school_id,
                lesson_id=school.lessons_5a_math[2],
                pupil_id=school.pupils_5a[1],
                code="о",
                late_minutes=5,
            )
        )
    _, absences = _day("t_classteacher", THU, school.term_ids[0])
    assert (absences["classes"], absences["absent"], absences["late"]) == ("5-А", 1, 1)
    rows = {r["name"]: r for r in absences["rows"]}
    assert rows["Үсөнов Нурбек"]["codes"] == "б" and rows["Үсөнов Нурбек"]["lessons"] == "3"
    assert rows["Үсөнов Нурбек"]["kind_ru"] == "Отсутствует" and rows["Үсөнов Нурбек"]["absent"] == "1"
    assert rows["Абдыкадырова Мөлдир"]["kind_ky"] == "Кечикти" and rows["Абдыкадырова Мөлдир"]["absent"] == ""
    _, quiet = _day("t_classteacher", date(2025, 9, 3), school.term_ids[0])
    assert (quiet["absent"], quiet["late"], quiet["rows"]) == (0, 0, [])


async def test_the_home_shows_school_counters_to_leaders_and_his_day_to_a_teacher(school):
    teacher = sub(new_tab("t_classteacher"), HomeState)
    await teacher.load()
    assert teacher.figures == {}  # no school-wide counters for a teacher
    assert teacher.teaching and teacher.class_name == "5-А"
    # Today is after the factory's lessons: the header's term is the first quarter, whose last
    # maths lesson (4 Sep) still has no marks.
    assert (teacher.no_marks, teacher.no_topic) == (1, 0)
    assert [r["date"] for r in teacher.unfinished] == ["04.09"]
    director = sub(new_tab("t_director"), HomeState)
    await director.load()
    assert director.figures["pupils"] == 5 and not director.teaching
    parent = sub(new_tab("t_parent"), HomeState)
    await parent.load()
    assert parent.figures == {} and not parent.teaching and len(parent.children) == 2
