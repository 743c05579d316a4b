"""More known rows for the journal tests, on top of tests/factories.build_school.

Adds: the grade-1 policy ("none": no marks) with a class 1-А and one lesson; a pupil of 5-А who
left on 3 Sep 2025 (after the second maths lesson); three more maths lessons of 5-А in the first
quarter (8–10 Sep) and one in the second (11 Nov), so the grid has six first-quarter columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from bbbms_app.i18n.collation import search_key, sort_key
from bbbms_app.models import Enrollment, GradingPolicy, Lesson, Pupil, SchoolClass, TeachingAssignment
from tests.factories import KnownSchool


@dataclass
class JournalExtras:
    class_1a: int
    pupil_1a: int
    lesson_1a: int
    departed: int  # 5-А, left on 2025-09-03
    lessons_5a_q1: list[int]  # all six first-quarter maths lessons of 5-А, in date order
    lesson_5a_q2: int


def add_journal_data(s: Session, school: KnownSchool) -> JournalExtras:
    sid = school.school_id
    s.add(
        GradingPolicy(
            school_id=sid, academic_year_id=school.year_id, grade_from=1, grade_to=1, scale="none", min_marks=0
        )
    )
    c1 = SchoolClass(school_id=sid, academic_year_id=school.year_id, grade=1, letter="А", language="ky")
    s.add(c1)
    s.flush()
    s.add(
        TeachingAssignment(school_id=sid, class_id=c1.id, subject_id=school.math, teacher_id=school.teacher_a)  # type: ignore[arg-type]
    )
    little = Pupil(
        school_id=sid,
        last_name="Токтосунова",
        first_name="Айым",
        pin="11105201900077",
        birth_date=date(2019, 5, 11),
        sex="f",
        search_key=search_key("Токтосунова", "Айым"),
        sort_key=sort_key("Токтосунова", "Айым"),
    )
    gone = Pupil(
        school_id=sid,
        last_name="Бакиров",
        first_name="Эмир",
        pin="20404201400088",
        birth_date=date(2014, 4, 4),
        sex="m",
        search_key=search_key("Бакиров", "Эмир"),
        sort_key=sort_key("Бакиров", "Эмир"),
    )
    s.add_all([little, gone])
    s.flush()
    s.add(Enrollment(school_id=sid, pupil_id=little.id, class_id=c1.id, starts_on=date(2025, 9, 1)))  # type: ignore[arg-type]
    s.add(
        Enrollment(
            school_id=sid,
            pupil_id=gone.id,  # type: ignore[arg-type]
            class_id=school.class_5a,
            starts_on=date(2025, 9, 1),
            ends_on=date(2025, 9, 3),
        )
    )

    def lesson(class_id: int, day: date, number: int, term: int, topic: str) -> Lesson:
        row = Lesson(
            school_id=sid,
            class_id=class_id,
            subject_id=school.math,
            teacher_id=school.teacher_a,
            term_id=term,
            date=day,
            number=number,
            topic=topic,
        )
        s.add(row)
        return row

    l1 = lesson(c1.id, date(2025, 9, 2), 1, school.term_ids[0], "Сандар")  # type: ignore[arg-type]
    more = [
        lesson(school.class_5a, day, 2, school.term_ids[0], f"Тема {i}")
        for i, day in enumerate((date(2025, 9, 8), date(2025, 9, 9), date(2025, 9, 10)), start=4)
    ]
    q2 = lesson(school.class_5a, date(2025, 11, 11), 1, school.term_ids[1], "Бөлчөктөр")
    s.flush()
    return JournalExtras(
        class_1a=c1.id,  # type: ignore[arg-type]
        pupil_1a=little.id,  # type: ignore[arg-type]
        lesson_1a=l1.id,  # type: ignore[arg-type]
        departed=gone.id,  # type: ignore[arg-type]
        lessons_5a_q1=[*school.lessons_5a_math, *(m.id for m in more)],  # type: ignore[list-item]
        lesson_5a_q2=q2.id,  # type: ignore[arg-type]
    )


def cell_of(state, r: int, c: int) -> dict[str, str]:
    """Cell (r, c) of an open journal tab as {"t": text, "s": classes, "v": version token}."""
    from bbbms_app.pages.journal.state import unpack

    text, classes, token = unpack(getattr(state, f"r{r}")[c])
    return {"t": text, "s": classes, "v": token}
