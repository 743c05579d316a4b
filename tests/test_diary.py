"""The pupil's diary, week by week, on a real database: lessons, topics, homework, own marks, scope."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import Attendance, Enrollment, Lesson, Mark
from bbbms_app.services import diary, timetable
from tests import timetable_factory
from tests.factories import principal_of

WEEK1 = date(2025, 9, 1)


@pytest.fixture
def tts(school):
    with db.session() as s:
        return timetable_factory.build(s, school)


def _week(username: str, pupil_id: int, monday: date = WEEK1) -> dict:
    with db.session() as s:
        return diary.pupil_week(s, principal_of(username, s), pupil_id, monday)


def test_the_week_shows_lessons_topics_homework_and_only_the_pupils_own_marks(tts):
    k = tts.known
    with db.session() as s:
        lesson = s.get(Lesson, k.lessons_5a_math[0])
        lesson.homework = "§1, 1–5-көнүгүүлөр"  # type: ignore[union-attr]
        s.add(lesson)
        s.add(
            Mark(school_id=k.school_id, lesson_id=k.lessons_5a_math[0], pupil_id=k.pupils_5a[0], value=4, kind="test")
        )
    week = _week("t_parent", k.pupils_5a[0])
    assert week["label"] == "01.09 – 05.09.2025" and week["monday"] == "2025-09-01"
    assert [d["label_ky"] for d in week["days"]] == [
        "Дүйшөмбү, 01.09",
        "Шейшемби, 02.09",
        "Шаршемби, 03.09",
        "Бейшемби, 04.09",
        "Жума, 05.09",
    ]
    assert [len(x) for x in week["lessons"]] == [0, 1, 1, 1, 0]
    assert week["days"][0]["empty"] == "1" and week["days"][1]["empty"] == ""
    tue, wed, thu = week["lessons"][1][0], week["lessons"][2][0], week["lessons"][3][0]
    assert (tue["number"], tue["time"], tue["subject_ky"], tue["topic"]) == ("1", "08:00–08:45", "Математика", "Тема 1")
    assert tue["homework"] == "§1, 1–5-көнүгүүлөр"
    assert tue["marks"] == "4 5"  # the test mark first, then class work
    assert wed["marks"] == "4" and wed["absence_code"] == ""
    assert thu["marks"] == "" and thu["absence_code"] == "б"
    assert (thu["absence_ky"], thu["absence_ru"], thu["absence_en"]) == ("Ооруп калган", "Болел(а)", "Ill")
    # The sister's diary: her own mark (3), not her brother's.
    sister = _week("t_parent", k.pupils_5a[1])
    assert sister["lessons"][1][0]["marks"] == "3" and sister["lessons"][2][0]["marks"] == ""


def test_holidays_cancelled_lessons_and_lateness_are_shown(tts):
    k = tts.known
    with db.session() as s:
        lesson = s.get(Lesson, k.lessons_5a_math[1])
        lesson.cancelled = True  # type: ignore[union-attr]
        s.add(lesson)
        absent = s.exec(select(Attendance).where(Attendance.lesson_id == k.lessons_5a_math[2])).one()
        absent.code, absent.late_minutes = "о", 10
        s.add(absent)
        s.add(
            Lesson(
                school_id=k.school_id,
                class_id=k.class_5a,
                subject_id=k.kyrgyz,
                teacher_id=k.teacher_b,
                term_id=k.term_ids[0],
                date=date(2025, 9, 11),
                number=2,
            )
        )
    week = _week("t_pupil", k.pupils_5a[0])
    assert week["lessons"][2][0]["cancelled"] == "1"
    late = week["lessons"][3][0]
    assert (late["absence_code"], late["absence_ky"], late["absence_en"]) == ("о", "10 мүнөт кечикти", "Late by 10 min")
    next_week = _week("t_pupil", k.pupils_5a[0], date(2025, 9, 10))  # any day of the week will do
    assert next_week["monday"] == "2025-09-08"
    wednesday = next_week["days"][2]
    assert (wednesday["holiday_ky"], wednesday["holiday_en"], wednesday["empty"]) == ("Майрам", "Holiday", "1")
    assert next_week["lessons"][3][0]["subject_en"] == "Kyrgyz"
    grade5_off = _week("t_pupil", k.pupils_5a[0], date(2025, 9, 22))["days"][0]
    assert grade5_off["holiday_en"] == "Grade 5 day off"
    assert _week("t_pupil", k.pupils_5a[0], date(2025, 9, 15))["days"][0]["holiday_en"] == ""  # grade 6's day off


def test_a_pupil_who_changed_class_sees_each_class_for_his_days_there(tts):
    k = tts.known
    pupil = k.pupils_5a[0]
    with db.session() as s:
        enrolment = s.exec(select(Enrollment).where(Enrollment.pupil_id == pupil)).one()
        enrolment.ends_on = date(2025, 9, 2)
        s.add(enrolment)
        s.add(Enrollment(school_id=k.school_id, pupil_id=pupil, class_id=k.class_6b, starts_on=date(2025, 9, 3)))
        s.add(
            Lesson(
                school_id=k.school_id,
                class_id=k.class_6b,
                subject_id=k.kyrgyz,
                teacher_id=k.teacher_a,
                term_id=k.term_ids[0],
                date=date(2025, 9, 4),
                number=5,
            )
        )
    week = _week("t_parent", pupil)
    assert [[x["subject_en"] + x["number"] for x in day] for day in week["lessons"]] == [
        [],
        ["Mathematics1"],  # 5-А, his class until Tuesday
        [],  # 5-А's Wednesday lesson is no longer his
        ["Kyrgyz5"],  # 6-Б from Wednesday
        [],
    ]


def test_the_diary_is_only_for_the_family(tts):
    k = tts.known
    stranger = k.pupils_6b[0]
    for username in ("t_parent", "t_pupil"):
        with pytest.raises(diary.OutOfScope), db.session() as s:
            diary.pupil_week(s, principal_of(username, s), stranger, WEEK1)
    with pytest.raises(diary.OutOfScope), db.session() as s:  # the pupil's sister: only her parents see it
        diary.pupil_week(s, principal_of("t_pupil", s), k.pupils_5a[1], WEEK1)
    with pytest.raises(diary.OutOfScope), db.session() as s:
        diary.default_monday(s, principal_of("t_parent", s), stranger, date(2026, 11, 25))


def test_the_diary_opens_on_the_last_week_with_lessons(tts):
    k = tts.known
    with db.session() as s:
        parent = principal_of("t_parent", s)
        assert diary.default_monday(s, parent, k.pupils_5a[0], date(2026, 11, 25)) == WEEK1
        assert diary.default_monday(s, parent, k.pupils_5a[0], date(2025, 9, 3)) == WEEK1
        assert diary.default_monday(s, parent, k.pupils_5a[0], date(2025, 8, 20)) == timetable.monday_of(
            date(2025, 8, 20)
        )
