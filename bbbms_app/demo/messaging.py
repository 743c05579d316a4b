"""Demo messages: the demo parent has asked one of his child's teachers something and had an answer
he has not read yet, and the demo class teacher has her office hours — so /messages shows
something real. Nothing when the school has conversations already."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bbbms_app.models import User
from bbbms_app.models.messaging import Conversation
from bbbms_app.services import accounts, messages


def add_messages(engine: Engine, school_id: int, today: date) -> int:
    """Write the demo conversation; returns how many messages were written."""
    with Session(engine) as s:
        if s.exec(select(Conversation.id).where(Conversation.school_id == school_id).limit(1)).first() is not None:
            return 0
        users = {u.username: u for u in s.exec(select(User).where(User.school_id == school_id)).all()}
        written = 0
        teacher = users.get("classteacher")
        if teacher is not None and teacher.staff_id is not None:
            messages.set_office_hours(
                s, accounts.principal_for(teacher, session=s), "Шейшемби жана бейшемби, 14:00–15:00, 12-кабинет"
            )
        parent = users.get("parent")
        if parent is not None:
            me = accounts.principal_for(parent, session=s)
            contacts = [c for c in messages.contacts(s, me, today) if c["id"] != str(teacher.id if teacher else 0)]
            if contacts:
                other = {u.id: u for u in users.values()}.get(int(contacts[0]["id"]))
                conv = messages.start(
                    s,
                    me,
                    int(contacts[0]["id"]),
                    "Саламатсызбы! Балам өткөн аптадагы текшерүү ишин жазбай калды. Качан кайра жазса болот?",
                    today,
                )
                written += 1
                if other is not None:
                    messages.reply(
                        s,
                        accounts.principal_for(other, session=s),
                        conv.id,  # type: ignore[arg-type]
                        "Саламатсызбы! Бейшемби күнү 7-сабактан кийин келсин, 15 мүнөттө жазып берет.",
                    )
                    written += 1
        s.commit()
        return written
