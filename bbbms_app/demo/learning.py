"""A demo course: the demo class teacher's course for her class with a published week (a text, a
link, a video link and an assignment) and next week's module planned, so /courses shows something."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bbbms_app.models import User
from bbbms_app.models.learning import Course
from bbbms_app.services import accounts, courses

TEXT = (
    "# Бул аптада\n"
    "Окуу китебинен тиешелүү параграфты окуп, негизги түшүнүктөрдү дептериңерге жазып алгыла.\n\n"
    "- Аныктамаларды жаттагыла\n"
    "- Мисалдарды өз алдыңча чыгаргыла\n"
    "- Түшүнбөгөн суроолорду кийинки сабакта бергиле"
)


def add_courses(engine: Engine, school_id: int, today: date) -> int:
    """One course of the demo class teacher (none when the school has courses already). Returns how
    many were made."""
    with Session(engine) as s:
        if s.exec(select(Course.id).where(Course.school_id == school_id).limit(1)).first() is not None:
            return 0
        user = s.exec(select(User).where(User.username == "classteacher", User.school_id == school_id)).first()
        if user is None:
            return 0
        me = accounts.principal_for(user, session=s)
        options = courses.teaching_options(s, me)
        if not options:
            return 0
        class_id, subject_id = (int(x) for x in options[0]["id"].split(":"))
        subject = options[0]["name"].split(" · ", 1)[-1]
        course = courses.create_course(
            s, me, subject_id, [class_id], subject, "Сабактардын материалдары жана үй тапшырмалары."
        )
        week = courses.add_module(s, me, course.id, "1-апта", "Кайталоо жана жаңы тема", today)  # type: ignore[arg-type]
        courses.publish_module(s, me, week.id, today - timedelta(days=3), today)  # type: ignore[arg-type]
        courses.add_material(s, me, week.id, "text", "Эмне кылабыз", body=TEXT, today=today)  # type: ignore[arg-type]
        courses.add_material(
            s,
            me,
            week.id,
            "link",
            "Электрондук китепкана",
            url="https://lib.kg",
            today=today,  # type: ignore[arg-type]
        )
        courses.add_material(
            s,
            me,
            week.id,
            "video",
            "Видео сабак",
            url="https://www.youtube.com/@bilimkg",
            today=today,  # type: ignore[arg-type]
        )
        courses.add_assignment(
            s, me, week.id, "Үй тапшырмасы", "Параграфтагы 3 суроого жазуу түрүндө жооп бергиле.",  # type: ignore[arg-type]
            today + timedelta(days=4), "home", today,
        )  # fmt: skip
        nxt = courses.add_module(s, me, course.id, "2-апта", "Жаңы тема", today)  # type: ignore[arg-type]
        courses.publish_module(s, me, nxt.id, today + timedelta(days=7), today)  # type: ignore[arg-type]
        s.commit()
        return 1
