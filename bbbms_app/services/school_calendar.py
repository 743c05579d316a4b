"""The rules of the school's calendar as the deputy edits it: bells and holidays.

Bells (BellSchedule) and holidays (Holiday) are edited in the generated admin screens
(their profiles in services/engine/profiles/); the engine checks each field and the one-row rules
(`validate`: a bell ends after it starts, a holiday does not end before it starts). The rules here
need the database, so the profiles call them as save rules (`check_save`) before every create and
edit:

- the lessons of one shift and grade band do not overlap and ring in the order of their numbers
  (a first-grade band nested in 1–12 keeps its own, shorter lessons: services.timetable.Bells
  takes the narrowest band);
- a holiday lies inside its academic year.

Lesson generation (services.timetable.generate_lessons) and the diary read the live rows, so what
is saved here is what the next generation skips.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

from sqlmodel import Session, select

from bbbms_app.models import AcademicYear, BellSchedule, Holiday
from bbbms_app.services.access import Principal
from bbbms_app.services.engine.hooks import FieldError


def _merged(session: Session, model: Any, record_id: int | None, values: Mapping[str, Any]) -> dict[str, Any]:
    """The row as it will be saved: the stored values (an edit sends only its changes) and the new ones."""
    row = session.get(model, record_id) if record_id is not None else None
    return {**(row.model_dump() if row is not None else {}), **values}


def _hm(value: time) -> str:
    return value.strftime("%H:%M")


def bell_conflict(
    session: Session, school_id: int, bell: Mapping[str, Any], record_id: int | None
) -> BellSchedule | None:
    """Another live bell of the same shift and grade band that overlaps `bell` in time or rings out of
    the order of the lesson numbers, or None."""
    start, end, number = bell.get("starts_at"), bell.get("ends_at"), bell.get("number")
    if start is None or end is None or number is None:
        return None
    q = select(BellSchedule).where(
        BellSchedule.school_id == school_id,
        BellSchedule.shift == bell.get("shift", 1),
        BellSchedule.grade_from == bell.get("grade_from", 1),
        BellSchedule.grade_to == bell.get("grade_to", 12),
        BellSchedule.deleted_at.is_(None),  # type: ignore[union-attr]
    )
    if record_id is not None:
        q = q.where(BellSchedule.id != record_id)
    for other in session.exec(q.order_by(BellSchedule.number)).all():  # type: ignore[arg-type]
        overlaps = other.starts_at < end and start < other.ends_at
        out_of_order = (other.number < number and other.ends_at > start) or (
            other.number > number and other.starts_at < end
        )
        if overlaps or out_of_order:
            return other
    return None


def check_bell(session: Session, principal: Principal | None, record_id: int | None, values: Mapping[str, Any]) -> None:
    bell = _merged(session, BellSchedule, record_id, values)
    school_id = bell.get("school_id") or (principal.school_id if principal else None)
    if school_id is None:
        return
    other = bell_conflict(session, school_id, bell, record_id)
    if other is not None:
        raise FieldError(
            "starts_at",
            "tt.error.bell_overlap",
            number=other.number,
            start=_hm(other.starts_at),
            end=_hm(other.ends_at),
        )


def check_holiday(
    session: Session, principal: Principal | None, record_id: int | None, values: Mapping[str, Any]
) -> None:
    holiday = _merged(session, Holiday, record_id, values)
    year = session.get(AcademicYear, holiday.get("academic_year_id") or -1)
    starts, ends = holiday.get("starts_on"), holiday.get("ends_on")
    if year is None or starts is None or ends is None:
        return  # the reference check names a missing year; the field checks a missing date
    params = {"start": year.starts_on.strftime("%d.%m.%Y"), "end": year.ends_on.strftime("%d.%m.%Y")}
    if not year.starts_on <= starts <= year.ends_on:
        raise FieldError("starts_on", "tt.error.holiday_outside_year", **params)
    if not year.starts_on <= ends <= year.ends_on:
        raise FieldError("ends_on", "tt.error.holiday_outside_year", **params)
