"""The known school of tests/factories.py with bells, holidays and more teaching assignments.

Bells: lesson n of shift 1 runs 08:00 + 55·(n-1) min for 45 min (lesson 6 = 12:35–13:20); shift 2
starts at 13:00, so its first lesson overlaps the first shift's sixth. Holidays in quarter 1:
Wednesday 10 Sep 2025 for everyone, Monday 22 Sep for grade 5 only, Monday 15 Sep for grade 6 only.
Assignments added: teacher A also teaches Kyrgyz in 6-Б, teacher B teaches Kyrgyz in 5-А, and
English in 6-Б is split into group 1 (teacher A) and group 2 (teacher B).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlmodel import Session, select

from bbbms_app.models import BellSchedule, Holiday, Subject, TeachingAssignment
from tests.factories import KnownSchool

PUBLIC_HOLIDAY = date(2025, 9, 10)  # a Wednesday, every grade
GRADE5_DAY_OFF = date(2025, 9, 22)  # a Monday, grade 5 only
GRADE6_DAY_OFF = date(2025, 9, 15)  # a Monday, grade 6 only


@dataclass
class TimetableSchool:
    known: KnownSchool
    ta_math_5a: int  # teacher A
    ta_ky_5a: int  # teacher B
    ta_math_6b: int  # teacher B
    ta_ky_6b_a: int  # teacher A
    ta_eng_6b_g1: int  # teacher A, group 1
    ta_eng_6b_g2: int  # teacher B, group 2
    english: int


def _start(shift: int, number: int) -> time:
    first = 8 * 60 if shift == 1 else 13 * 60
    minutes = first + 55 * (number - 1)
    return time(minutes // 60, minutes % 60)


def build(s: Session, known: KnownSchool) -> TimetableSchool:
    sid = known.school_id
    for shift in (1, 2):
        for number in range(1, 7):
            start = _start(shift, number)
            end_minutes = start.hour * 60 + start.minute + 45
            s.add(
                BellSchedule(
                    school_id=sid,
                    shift=shift,
                    grade_from=1,
                    grade_to=12,
                    number=number,
                    starts_at=start,
                    ends_at=time(end_minutes // 60, end_minutes % 60),
                )
            )
    for day, grades, names in (
        (PUBLIC_HOLIDAY, None, ("Майрам", "Праздник", "Holiday")),
        (GRADE5_DAY_OFF, (5, 5), ("5-класстар эс алат", "Выходной 5-х классов", "Grade 5 day off")),
        (GRADE6_DAY_OFF, (6, 6), ("6-класстар эс алат", "Выходной 6-х классов", "Grade 6 day off")),
    ):
        s.add(
            Holiday(
                school_id=sid,
                academic_year_id=known.year_id,
                kind="holiday",
                name_ky=names[0],
                name_ru=names[1],
                name_en=names[2],
                starts_on=day,
                ends_on=day,
                grade_from=grades[0] if grades else None,
                grade_to=grades[1] if grades else None,
            )
        )
    english = Subject(school_id=sid, code="ENG", name_ky="Англис тили", name_ru="Английский язык", name_en="English")
    s.add(english)
    s.flush()

    def assign(class_id: int, subject_id: int, teacher_id: int, subgroup: int = 0) -> int:
        ta = TeachingAssignment(
            school_id=sid, class_id=class_id, subject_id=subject_id, teacher_id=teacher_id, subgroup=subgroup
        )
        s.add(ta)
        s.flush()
        return ta.id  # type: ignore[return-value]

    def existing(class_id: int, subject_id: int) -> int:
        return s.exec(
            select(TeachingAssignment.id).where(
                TeachingAssignment.class_id == class_id, TeachingAssignment.subject_id == subject_id
            )
        ).one()

    out = TimetableSchool(
        known=known,
        ta_math_5a=existing(known.class_5a, known.math),
        ta_ky_5a=assign(known.class_5a, known.kyrgyz, known.teacher_b),
        ta_math_6b=existing(known.class_6b, known.math),
        ta_ky_6b_a=0,
        ta_eng_6b_g1=assign(known.class_6b, english.id, known.teacher_a, 1),  # type: ignore[arg-type]
        ta_eng_6b_g2=assign(known.class_6b, english.id, known.teacher_b, 2),  # type: ignore[arg-type]
        english=english.id,  # type: ignore[arg-type]
    )
    # 6-Б's Kyrgyz moves from teacher B to teacher A, so teacher A teaches in both classes.
    ta = s.get(TeachingAssignment, existing(known.class_6b, known.kyrgyz))
    assert ta is not None
    ta.teacher_id = known.teacher_a
    s.add(ta)
    out.ta_ky_6b_a = ta.id  # type: ignore[assignment]
    s.flush()
    return out


def mondays_and_wednesdays(start: date, end: date) -> tuple[list[date], list[date]]:
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return [d for d in days if d.weekday() == 0], [d for d in days if d.weekday() == 2]
