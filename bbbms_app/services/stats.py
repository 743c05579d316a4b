"""Summary figures of the database: how many schools, pupils, lessons, marks … (SQL COUNT only)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, SQLModel, func, select

from bbbms_app.models import (
    Attendance,
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
