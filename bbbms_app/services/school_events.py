"""The events calendar (issue 17 #4): school events for an audience, and a personal iCalendar feed.

An event (a parent meeting, an exam, an Olympiad, the last bell) has a day, optional start and end
times on the school's wall clock (Asia/Bishkek by default, BBBMS_TIMEZONE), a place, and an audience
and reach exactly as an announcement's (services.announcements: who may write to whom, who
receives what). Writers hold `event.write`.

Each user may have one secret calendar address (`/calendar/{token}.ics`): the token is shown once,
only its SHA-256 is stored; a new address revokes the old one, and the user may revoke it. The feed
lists the events addressed to him from a month back to a year ahead, read through his current
rights and scope at every request (a disabled account's feed answers 404 like a revoked one).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from bbbms_app.models import User
from bbbms_app.models._base import utcnow
from bbbms_app.models.communication import CalendarFeed, SchoolEvent
from bbbms_app.services import audit
from bbbms_app.services.access import Principal
from bbbms_app.services.announcements import SCHOOL_WRITERS, addressed, audience_label, check_audience, class_names
from bbbms_app.services.errors import NotFound, OutOfScope, Refused

FEED_ROUTE = "/calendar-feed"
TITLE_MAX = 200
PLACE_MAX = 200
DESCRIPTION_MAX = 2000
FEED_BACK = timedelta(days=31)
FEED_AHEAD = timedelta(days=366)


def school_zone() -> ZoneInfo:
    """The school's wall clock."""
    return ZoneInfo(os.environ.get("BBBMS_TIMEZONE") or "Asia/Bishkek")


@dataclass(frozen=True)
class EventDraft:
    """What the event form sends, parsed by the page."""

    title: str
    on_day: date | None
    starts_at: time | None = None
    ends_at: time | None = None
    place: str = ""
    description: str = ""
    audience: str = "school"
    reach: str = "all"
    grade: int | None = None
    class_id: int | None = None
    role: str = ""


def add(session: Session, principal: Principal, draft: EventDraft, today: date) -> SchoolEvent:
    """Put an event in the calendar (audited); refused naming the field, or out of scope."""
    if principal.school_id is None or not principal.can("event.write"):
        raise OutOfScope("event.write")
    if not draft.title.strip():
        raise Refused("comm.error.title", field="title")
    if len(draft.title) > TITLE_MAX or len(draft.place) > PLACE_MAX or len(draft.description) > DESCRIPTION_MAX:
        raise Refused("comm.error.too_long", field="description", max=DESCRIPTION_MAX)
    if draft.on_day is None or draft.on_day < today:
        raise Refused("events.error.day", field="on_day")
    if draft.ends_at is not None and (draft.starts_at is None or draft.ends_at <= draft.starts_at):
        raise Refused("events.error.times", field="ends_at")
    check_audience(
        session,
        principal,
        "event.write",
        audience=draft.audience,
        reach=draft.reach,
        grade=draft.grade,
        class_id=draft.class_id,
        role=draft.role,
    )
    event = SchoolEvent(
        school_id=principal.school_id,
        author_id=principal.user_id,
        author_name=principal.full_name or principal.username,
        title=draft.title.strip(),
        description=draft.description.strip(),
        place=draft.place.strip(),
        on_day=draft.on_day,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        audience=draft.audience,
        grade=draft.grade if draft.audience == "grade" else None,
        class_id=draft.class_id if draft.audience == "class" else None,
        role=draft.role if draft.audience == "role" else "",
        reach=draft.reach,
    )
    session.add(event)
    session.flush()
    audit.record(session, principal, "create", "schoolevent", event.id, new=f"{event.title} {event.on_day}")
    return event


def cancel(session: Session, principal: Principal, event_id: int) -> None:
    """Cancel an event: its author or the school's writers; it leaves every calendar and feed."""
    event = session.get(SchoolEvent, event_id)
    if event is None or event.school_id != principal.school_id:
        raise NotFound(f"event {event_id}")
    if event.author_id != principal.user_id and principal.role not in SCHOOL_WRITERS:
        raise OutOfScope(f"event {event_id}")
    if event.withdrawn_at is None:
        event.withdrawn_at = utcnow()
        session.add(event)
        audit.record(session, principal, "delete", "schoolevent", event.id, old=event.title, reason="cancelled")


def _events(session: Session, principal: Principal, today: date, start: date, end: date) -> list[SchoolEvent]:
    if principal.school_id is None:
        return []
    q = select(SchoolEvent).where(SchoolEvent.on_day >= start, SchoolEvent.on_day <= end)
    if principal.role in SCHOOL_WRITERS:  # the director and deputy see the whole school's calendar
        q = q.where(SchoolEvent.school_id == principal.school_id, col(SchoolEvent.withdrawn_at).is_(None))
    else:  # his own events too (a class teacher's meeting for her class's parents)
        mine = and_(SchoolEvent.author_id == principal.user_id, col(SchoolEvent.withdrawn_at).is_(None))
        q = q.where(or_(addressed(SchoolEvent, session, principal, today), mine))
    return list(session.exec(q.order_by(SchoolEvent.on_day, col(SchoolEvent.starts_at), SchoolEvent.id)).all())


def upcoming(session: Session, principal: Principal, today: date, days: int = 60) -> list[dict[str, str]]:
    """The events of the coming `days` the principal's calendar shows, as display rows (`mine` = "1"
    for those he may cancel)."""
    rows = _events(session, principal, today, today, today + timedelta(days=days))
    names = class_names(session, rows)
    return [
        {
            "id": str(e.id),
            "title": e.title,
            "description": e.description,
            "place": e.place,
            "day": e.on_day.strftime("%d.%m.%Y"),
            "weekday": str(e.on_day.isoweekday()),
            "time": (e.starts_at.strftime("%H:%M") if e.starts_at else "")
            + (f"–{e.ends_at.strftime('%H:%M')}" if e.ends_at else ""),
            "author": e.author_name,
            "mine": "1" if e.author_id == principal.user_id or principal.role in SCHOOL_WRITERS else "",
            **audience_label(e, names),
        }
        for e in rows
    ]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed(session: Session, principal: Principal) -> str:
    """A new secret calendar address token for the principal; his older ones stop working. Shown once."""
    revoke_feeds(session, principal, audited=False)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=principal.user_id, token_hash=_hash(token))
    session.add(feed)
    session.flush()
    audit.record(session, principal, "create", "calendarfeed", feed.id)
    return token


def revoke_feeds(session: Session, principal: Principal, *, audited: bool = True) -> int:
    """Revoke every calendar address of the principal; how many were live."""
    live = session.exec(
        select(CalendarFeed).where(CalendarFeed.user_id == principal.user_id, col(CalendarFeed.revoked_at).is_(None))
    ).all()
    for feed in live:
        feed.revoked_at = utcnow()
        session.add(feed)
        if audited:
            audit.record(session, principal, "delete", "calendarfeed", feed.id, reason="revoked")
    return len(live)


def has_feed(session: Session, principal: Principal) -> bool:
    return (
        session.exec(
            select(CalendarFeed.id).where(
                CalendarFeed.user_id == principal.user_id, col(CalendarFeed.revoked_at).is_(None)
            )
        ).first()
        is not None
    )


def feed_owner(session: Session, token: str) -> User | None:
    """The active user whose live calendar address this is, else None."""
    if not token or len(token) > 100:
        return None
    row = session.exec(
        select(User)
        .join(CalendarFeed, col(CalendarFeed.user_id) == User.id)
        .where(CalendarFeed.token_hash == _hash(token), col(CalendarFeed.revoked_at).is_(None))
    ).first()
    return row if row is not None and row.is_active else None


def ical(session: Session, principal: Principal, today: date) -> bytes:
    """The principal's calendar as an iCalendar file: his events from a month back to a year ahead."""
    zone = school_zone()
    cal = Calendar()
    cal.add("prodid", "-//BBBMS//school calendar//KY")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "BBBMS")
    stamp = datetime.now(ZoneInfo("UTC"))
    for e in _events(session, principal, today, today - FEED_BACK, today + FEED_AHEAD):
        item = Event()
        item.add("uid", f"event-{e.id}@bbbms")
        item.add("dtstamp", stamp)
        item.add("summary", e.title)
        if e.starts_at is None:
            item.add("dtstart", e.on_day)
            item.add("dtend", e.on_day + timedelta(days=1))
        else:
            item.add("dtstart", datetime.combine(e.on_day, e.starts_at, zone))
            end = e.ends_at or (datetime.combine(e.on_day, e.starts_at) + timedelta(hours=1)).time()
            item.add("dtend", datetime.combine(e.on_day, end, zone))
        if e.place:
            item.add("location", e.place)
        if e.description:
            item.add("description", e.description)
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()
