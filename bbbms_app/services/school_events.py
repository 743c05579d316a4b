"""The events calendar (issue 17 #4): school events for an audience, and a personal iCalendar feed.

An event (a parent meeting, an exam, an Olympiad, the last bell) has a day, optional start and end
times on the school's wall clock (Asia/Bishkek by default, BBBMS_TIMEZONE), a place, and an audience
and reach exactly as an announcement's (services.announcements: who may write to whom, who
receives what). Writers hold `event.write`.

The feed also carries the next two weeks of lessons: a teacher's own lessons at their bell times, a
pupil's lessons, and for a parent each child's homework on the day it is due (the next lesson of
that subject), in the user's language.

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

from bbbms_app.i18n import t
from bbbms_app.models import Lesson, Pupil, SchoolClass, Subject, User
from bbbms_app.models._base import utcnow
from bbbms_app.models.communication import CalendarFeed, SchoolEvent
from bbbms_app.services import audit, diary, timetable
from bbbms_app.services.access import Principal, visible_pupil_ids_own
from bbbms_app.services.announcements import SCHOOL_WRITERS, addressed, audience_label, check_audience, class_names
from bbbms_app.services.errors import NotFound, OutOfScope, Refused
from bbbms_app.services.school import class_name

FEED_ROUTE = "/calendar-feed"
TITLE_MAX = 200
PLACE_MAX = 200
DESCRIPTION_MAX = 2000
FEED_BACK = timedelta(days=31)
FEED_AHEAD = timedelta(days=366)
LESSONS_AHEAD = timedelta(days=14)  # lessons and homework: the next two weeks


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
    for uid, summary, start, end, description in _lessons(session, principal, today):
        item = Event()
        item.add("uid", uid)
        item.add("dtstamp", stamp)
        item.add("summary", summary)
        item.add("dtstart", start)
        item.add("dtend", end)
        if description:
            item.add("description", description)
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()


def _lessons(session: Session, principal: Principal, today: date) -> list[tuple[str, str, object, object, str]]:
    """The lessons and homework of the feed's next weeks, as (uid, summary, start, end, description):
    a teacher's own lessons; a pupil's lessons with their homework; for a parent each child's
    homework on the day it is due (the next lesson of that subject), as an all-day item."""
    zone, lang = school_zone(), principal.language
    start, end = today, today + LESSONS_AHEAD
    items: list[tuple[str, str, object, object, str]] = []
    if principal.staff_id is not None:
        bells = timetable.load_bells(session, principal.school_id) if principal.school_id else None
        rows = session.exec(
            select(Lesson, Subject, SchoolClass)
            .join(Subject, col(Subject.id) == Lesson.subject_id)
            .join(SchoolClass, col(SchoolClass.id) == Lesson.class_id)
            .where(
                Lesson.teacher_id == principal.staff_id,
                Lesson.date >= start,
                Lesson.date <= end,
                col(Lesson.cancelled).is_(False),
            )
            .order_by(Lesson.date, Lesson.number)
        ).all()
        for lesson, subject, cls in rows:
            span = bells.at(cls.shift, cls.grade, lesson.number) if bells else None
            if span is None:
                continue  # no bell for it: nothing to put at a time
            name = timetable.subject_names(subject)[lang]
            items.append(
                (
                    f"lesson-{lesson.id}@bbbms",
                    f"{class_name(cls.grade, cls.letter)} · {name}",
                    datetime.combine(lesson.date, span[0], zone),
                    datetime.combine(lesson.date, span[1], zone),
                    lesson.topic,
                )
            )
        return items
    if principal.role not in ("parent", "pupil"):
        return items
    pupils = session.exec(
        select(Pupil).where(
            col(Pupil.id).in_(visible_pupil_ids_own(session, principal)), col(Pupil.deleted_at).is_(None)
        )
    ).all()
    for pupil in pupils:
        lessons: list[tuple[date, dict[str, str]]] = []
        monday = timetable.monday_of(today - timedelta(days=7))
        while monday <= end:
            week = diary.pupil_week(session, principal, pupil.id, monday)  # type: ignore[arg-type]
            for day, rows in zip(week["days"], week["lessons"], strict=True):
                lessons.extend((date.fromisoformat(day["date"]), r) for r in rows if not r["cancelled"])
            monday += timedelta(days=7)
        for index, (day, row) in enumerate(lessons):
            subject = row[f"subject_{lang}"]
            if principal.role == "pupil" and start <= day <= end and row["time"]:
                begin, finish = (time.fromisoformat(t) for t in row["time"].split("–"))
                items.append(
                    (
                        f"lesson-{row['id']}-{pupil.id}@bbbms",
                        subject,
                        datetime.combine(day, begin, zone),
                        datetime.combine(day, finish, zone),
                        row["homework"],
                    )
                )
            if not row["homework"]:
                continue
            due = next((d for d, r in lessons[index + 1 :] if d > day and r["subject_ky"] == row["subject_ky"]), None)
            if due is None or not start <= due <= end:
                continue
            label = t("events.feed.homework", lang, subject=subject, name=pupil.first_name)
            items.append(
                (f"homework-{row['id']}-{pupil.id}@bbbms", label, due, due + timedelta(days=1), row["homework"])
            )
    return items
