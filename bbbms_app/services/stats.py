"""Summary figures: the database's row counts (SQL COUNT only), and a teacher's and a class teacher's
day for their home page.

- `counts`: how many schools, pupils, lessons, marks …;
- `teacher_day`: his lessons today (bell time, class, subject, whether the topic and marks are in)
  and, over the current term before today, his held lessons still without a topic or without any
  mark, newest first, each a link to its journal column;
- `class_absences_today`: for a class teacher, who of his class is absent or late today, with the
  lessons missed.

A teacher's figures read only his own lessons and his own class: the staff id comes from the
session, so there is nothing to scope beyond it. School-wide counters stay with the roles whose
scope is the school (services.access.SCHOOL_WIDE_ROLES).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import exists
from sqlmodel import Session, SQLModel, func, select

from bbbms_app.i18n import translations
from bbbms_app.models import (
    Attendance,
    Enrollment,
    Guardian,
    Lesson,
    Mark,
    Pupil,
    School,
    SchoolClass,
    Staff,
    Subject,
    Term,
    User,
)
from bbbms_app.services import timetable
from bbbms_app.services.access import Principal
from bbbms_app.services.school import class_name

# Key -> table; people are counted without the soft-deleted ones.
_COUNTED: dict[str, type[SQLModel]] = {
    "schools": School,
    "pupils": Pupil,
    "guardians": Guardian,
    "staff": Staff,
    "classes": SchoolClass,
    "subjects": Subject,
    "lessons": Lesson,
    "marks": Mark,
    "attendance": Attendance,
    "users": User,
    "terms": Term,
}
_SOFT_DELETED = (Pupil, Guardian, Staff)


def counts(session: Session, school_id: int | None = None) -> dict[str, int]:
    """Row counts by kind; with `school_id`, only that school's rows (for schools: 1 or 0)."""
    out: dict[str, int] = {}
    for key, model in _COUNTED.items():
        table: Any = model.__table__  # type: ignore[attr-defined]
        query = select(func.count()).select_from(table)
        if model in _SOFT_DELETED:
            query = query.where(table.c.deleted_at.is_(None))
        if school_id is not None:
            query = query.where((table.c.id if model is School else table.c.school_id) == school_id)
        out[key] = int(session.exec(query).one())
    return out


MAX_UNFINISHED = 8  # the home page lists the newest few; the count says how many in all
ABSENT_CODES = ("н", "б", "у", "п")


def _has_marks(lesson_id_col):
    return exists().where(Mark.lesson_id == lesson_id_col)


def teacher_day(session: Session, principal: Principal, today: date, term_id: int | None) -> dict:
    """{"today": lesson rows, "no_topic": n, "no_marks": n, "unfinished": the newest rows}.

    A lesson row: id, number, time, class_name, subject_ky/ru/en, date (dd.mm), topic ("" if none),
    has_topic and has_marks ("1" or ""). Cancelled lessons are left out everywhere.
    """
    empty = {"today": [], "no_topic": 0, "no_marks": 0, "unfinished": []}
    if principal.staff_id is None or principal.school_id is None:
        return empty
    marked = _has_marks(Lesson.id).label("marked")
    base = (
        select(Lesson, SchoolClass, Subject, marked)
        .join(SchoolClass, SchoolClass.id == Lesson.class_id)  # type: ignore[arg-type]
        .join(Subject, Subject.id == Lesson.subject_id)  # type: ignore[arg-type]
        .where(Lesson.teacher_id == principal.staff_id, Lesson.cancelled.is_(False))  # type: ignore[attr-defined]
    )
    bells = timetable.load_bells(session, principal.school_id)

    def row(lesson: Lesson, cls: SchoolClass, subject: Subject, has_marks: bool) -> dict[str, str]:
        span = bells.at(cls.shift, cls.grade, lesson.number)
        names = timetable.subject_names(subject)
        return {
            "id": str(lesson.id),
            "number": str(lesson.number),
            "time": f"{span[0]:%H:%M}–{span[1]:%H:%M}" if span else "",
            "date": f"{lesson.date:%d.%m}",
            "class_name": class_name(cls.grade, cls.letter) + (f" ({lesson.subgroup})" if lesson.subgroup else ""),
            "subject_ky": names["ky"],
            "subject_ru": names["ru"],
            "subject_en": names["en"],
            "topic": lesson.topic,
            "has_topic": "1" if lesson.topic.strip() else "",
            "has_marks": "1" if has_marks else "",
        }

    todays = session.exec(base.where(Lesson.date == today).order_by(Lesson.number, SchoolClass.grade)).all()
    out = dict(empty)
    out["today"] = [row(*r) for r in todays]
    if term_id is None:
        return out
    # Earlier days only: today's lessons are listed above with what they still lack.
    held = base.where(Lesson.term_id == term_id, Lesson.date < today)
    no_topic = Lesson.topic == ""
    unfinished = session.exec(
        held.where(no_topic | ~_has_marks(Lesson.id)).order_by(Lesson.date.desc(), Lesson.number.desc())  # type: ignore[attr-defined]
    ).all()
    out["no_topic"] = sum(1 for lesson, *_ in unfinished if not lesson.topic.strip())
    out["no_marks"] = sum(1 for *_, has in unfinished if not has)
    out["unfinished"] = [row(*r) for r in unfinished[:MAX_UNFINISHED]]
    return out


def class_absences_today(session: Session, principal: Principal, today: date) -> dict:
    """For a class teacher: his classes on the roll today and who of them misses lessons today.

    {"classes": "5-А", "absent": pupils absent from at least one lesson, "late": pupils late,
    "rows": [{name, codes ("н н б"), lessons ("2, 3"), kind_ky/ru/en}]}; {} when he leads no class.
    """
    if principal.staff_id is None:
        return {}
    classes = session.exec(
        select(SchoolClass).where(
            SchoolClass.class_teacher_id == principal.staff_id,
            SchoolClass.school_id == principal.school_id,
            SchoolClass.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    on_roll = [
        c
        for c in classes
        if session.exec(
            select(Enrollment.id).where(
                Enrollment.class_id == c.id,
                Enrollment.starts_on <= today,
                (Enrollment.ends_on.is_(None)) | (Enrollment.ends_on >= today),  # type: ignore[union-attr]
            )
        ).first()
        is not None
    ] or list(classes)
    if not on_roll:
        return {}
    ids = [c.id for c in on_roll]
    hits = session.exec(
        select(Pupil.id, Pupil.last_name, Pupil.first_name, Pupil.sort_key, Attendance.code, Lesson.number)
        .join(Attendance, Attendance.pupil_id == Pupil.id)  # type: ignore[arg-type]
        .join(Lesson, Lesson.id == Attendance.lesson_id)  # type: ignore[arg-type]
        .where(Lesson.class_id.in_(ids), Lesson.date == today, Lesson.cancelled.is_(False))  # type: ignore[attr-defined]
        .order_by(Pupil.sort_key, Lesson.number)
    ).all()
    by_pupil: dict[int, dict] = {}
    codes: dict[int, list[str]] = defaultdict(list)
    numbers: dict[int, list[int]] = defaultdict(list)
    for pid, last, first, _sort, code, number in hits:
        by_pupil.setdefault(pid, {"name": f"{last} {first}"})
        codes[pid].append(code)
        numbers[pid].append(number)
    rows = []
    absent = late = 0
    for pid, info in by_pupil.items():
        missed = any(c in ABSENT_CODES for c in codes[pid])
        absent += missed
        late += not missed
        kind = translations("stats.absent" if missed else "stats.late")
        rows.append(
            {
                "name": info["name"],
                "codes": " ".join(codes[pid]),
                "lessons": ", ".join(str(n) for n in numbers[pid]),
                "kind_ky": kind["ky"],
                "kind_ru": kind["ru"],
                "kind_en": kind["en"],
                "absent": "1" if missed else "",
            }
        )
    return {
        "classes": ", ".join(class_name(c.grade, c.letter) for c in on_roll),
        "absent": absent,
        "late": late,
        "rows": rows,
    }
