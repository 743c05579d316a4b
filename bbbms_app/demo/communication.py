"""Demo announcements and events: what a school's staff would have posted in the last days and
planned for the coming weeks, so the home pages, /announcements and /calendar show something real."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bbbms_app.models import User
from bbbms_app.models.communication import Announcement, SchoolEvent
from bbbms_app.services import accounts, announcements, school_events
from bbbms_app.services.announcements import Draft
from bbbms_app.services.school_events import EventDraft


def add_announcements(engine: Engine, school_id: int, today: date) -> int:
    """A few announcements of the first school by its demo director, deputy and class teacher;
    none when the school has some already. Returns how many were written."""
    with Session(engine) as s:
        if s.exec(select(Announcement.id).where(Announcement.school_id == school_id).limit(1)).first() is not None:
            return 0
        users = {u.username: u for u in s.exec(select(User).where(User.school_id == school_id)).all()}
        written = 0

        def post(username: str, days_ago: int, draft: dict) -> None:
            nonlocal written
            user = users.get(username)
            if user is None:
                return
            principal = accounts.principal_for(user, session=s)
            publish_on = today - timedelta(days=days_ago)
            announcements.post(s, principal, Draft(publish_on=publish_on, **draft), publish_on)
            written += 1

        post(
            "director",
            6,
            {
                "title": "Кышкы каникул 28-декабрдан 10-январга чейин",
                "body": "Урматтуу ата-энелер жана окуучулар!\nКышкы каникул 28-декабрдан башталат. "
                "Сабактар 11-январда кайра башталат.",
                "pinned": True,
            },
        )
        post(
            "deputy",
            3,
            {
                "title": "9-класстардын ата-энелерине: жыйынтыктоочу аттестация",
                "body": "9-класстардын ата-энелер чогулушу жума күнү саат 17:30да, мажлис залында болот. "
                "Күн тартиби: жыйынтыктоочу аттестациянын тартиби жана мөөнөттөрү.",
                "audience": "grade",
                "grade": 9,
                "reach": "parents",
            },
        )
        post(
            "deputy",
            1,
            {
                "title": "Педагогикалык кеңеш",
                "body": "Бейшемби күнү саат 14:00дө педагогикалык кеңеш болот. Күн тартиби: 2-чейректин жыйынтыгы.",
                "audience": "role",
                "role": "teacher",
                "expires_on": today + timedelta(days=7),
            },
        )
        teacher = users.get("classteacher")
        if teacher is not None:
            led = announcements.led_classes(s, accounts.principal_for(teacher, session=s))
            if led:
                post(
                    "classteacher",
                    2,
                    {
                        "title": "Класстык саат: коопсуз жол эрежелери",
                        "body": "Шейшемби күнү 6-сабактан кийин класстык саат болот. Балдарыңыз менен "
                        "жол эрежелерин кайталап коюңуздар.",
                        "audience": "class",
                        "class_id": led[0].id,
                        "reach": "families",
                    },
                )
        s.commit()
    return written


def _school_day(day: date) -> date:
    """The day, or the Monday after when it is a Sunday (schools work six days at most)."""
    return day + timedelta(days=1) if day.isoweekday() == 7 else day


def add_events(engine: Engine, school_id: int, today: date) -> int:
    """A few coming events of the first school; none when it has some already. Returns how many."""
    with Session(engine) as s:
        if s.exec(select(SchoolEvent.id).where(SchoolEvent.school_id == school_id).limit(1)).first() is not None:
            return 0
        users = {u.username: u for u in s.exec(select(User).where(User.school_id == school_id)).all()}
        plans: list[tuple[str, dict]] = [
            (
                "deputy",
                {
                    "title": "Математика боюнча мектептик олимпиада",
                    "on_day": _school_day(today + timedelta(days=9)),
                    "starts_at": time(10, 0),
                    "ends_at": time(12, 0),
                    "place": "Мажлис залы",
                    "audience": "grade",
                    "grade": 9,
                    "reach": "pupils",
                },
            ),
            (
                "director",
                {
                    "title": "Жаңы жыл майрамы",
                    "on_day": _school_day(today + timedelta(days=21)),
                    "place": "Спорт залы",
                    "description": "Бардык класстар үчүн майрамдык концерт.",
                },
            ),
            (
                "deputy",
                {
                    "title": "Педагогикалык кеңеш",
                    "on_day": _school_day(today + timedelta(days=2)),
                    "starts_at": time(14, 0),
                    "place": "Мугалимдер бөлмөсү",
                    "audience": "role",
                    "role": "teacher",
                },
            ),
        ]
        teacher = users.get("classteacher")
        led = announcements.led_classes(s, accounts.principal_for(teacher, session=s)) if teacher else []
        if led:
            plans.append(
                (
                    "classteacher",
                    {
                        "title": f"{led[0].grade}-{led[0].letter} классынын ата-энелер чогулушу",
                        "on_day": _school_day(today + timedelta(days=4)),
                        "starts_at": time(17, 30),
                        "ends_at": time(18, 30),
                        "place": "12-кабинет",
                        "audience": "class",
                        "class_id": led[0].id,
                        "reach": "parents",
                    },
                )
            )
        written = 0
        for username, plan in plans:
            user = users.get(username)
            if user is None:
                continue
            school_events.add(s, accounts.principal_for(user, session=s), EventDraft(**plan), today)
            written += 1
        s.commit()
    return written
