"""The messages page through its handlers, as real and forged events call them: a parent and a
teacher exchange messages and the unread badge moves; a pupil cannot write to another class's teacher."""

from __future__ import annotations

from sqlmodel import select

from bbbms_app import db
from bbbms_app.auth.state import AuthState
from bbbms_app.models import AuditEvent, User
from bbbms_app.models.messaging import Message
from bbbms_app.pages.messages import MessagesState
from bbbms_app.services import rights
from tests.factories import principal_of
from tests.states import is_refusal, new_tab, sub


def uid(username: str) -> str:
    with db.session() as s:
        return str(s.exec(select(User.id).where(User.username == username)).one())


def bodies() -> list[str]:
    with db.session() as s:
        return list(s.exec(select(Message.body).order_by(Message.id)).all())


async def test_a_parent_and_a_teacher_exchange_messages_and_the_badge_moves(school):
    parent_tab = new_tab("t_parent")
    parent = sub(parent_tab, MessagesState)
    assert not is_refusal(await parent.load())
    assert [c["name"] for c in parent.contacts] == ["t_classteacher"]
    await parent.pick_to("u" + uid("t_teacher"))  # not offered: ignored
    assert parent.to == ""
    await parent.pick_to("u" + uid("t_classteacher"))
    await parent.set_body("Саламатсызбы, эжеке! Нурбек бүгүн ооруп калды.")
    assert not is_refusal(await parent.send_new())
    assert bodies() == ["Саламатсызбы, эжеке! Нурбек бүгүн ооруп калды."]
    assert parent.open_id and [m["mine"] for m in parent.thread] == ["1"]

    teacher_tab = new_tab("t_classteacher")
    teacher = sub(teacher_tab, MessagesState)
    assert not is_refusal(await teacher.load())
    assert sub(teacher_tab, AuthState).unread == 1
    assert [(r["title"], r["unread"]) for r in teacher.rows] == [("t_parent", "1")]
    assert not is_refusal(await teacher.open(teacher.rows[0]["id"]))
    assert sub(teacher_tab, AuthState).unread == 0
    await teacher.set_body("Айыгып кетсин! Үй тапшырмасын кийин жиберем.")
    assert not is_refusal(await teacher.reply())
    assert [m["mine"] for m in teacher.thread] == ["", "1"]

    assert not is_refusal(await parent.load())
    # One unread message (its notification is in his list, counted once).
    assert sub(parent_tab, AuthState).unread == 1
    assert [(n["kind"], n["unread"]) for n in parent.notes] == [("message", "1")]
    assert not is_refusal(await parent.open(parent.rows[0]["id"]))
    assert sub(parent_tab, AuthState).unread == 0
    assert [(n["kind"], n["unread"]) for n in parent.notes] == [("message", "")]


async def test_a_pupil_cannot_write_to_another_class_teacher_even_by_a_forged_event(school):
    pupil_tab = new_tab("t_pupil")
    page = sub(pupil_tab, MessagesState)
    assert not is_refusal(await page.load())
    # Pupils may not write until the director allows it: every writing handler is refused.
    assert is_refusal(await page.pick_to("u" + uid("t_classteacher")))
    assert is_refusal(await page.send_new())
    with db.session(write=True) as s:
        rights.set_permission(s, principal_of("t_director", s), "pupil", "message.write", True)
    assert not is_refusal(await page.load())
    assert [c["name"] for c in page.contacts] == ["t_classteacher"]
    # A forged target: the state's field set by hand to 6-Б's teacher.
    page.to, page.body = "u" + uid("t_teacher"), "Салам"
    assert is_refusal(await page.send_new())
    # A forged conversation id of somebody else's conversation.
    parent = sub(new_tab("t_parent"), MessagesState)
    assert not is_refusal(await parent.load())
    await parent.pick_to("u" + uid("t_classteacher"))
    await parent.set_body("Жеке кат")
    assert not is_refusal(await parent.send_new())
    page.open_id = parent.open_id
    assert is_refusal(await page.open(parent.open_id))
    assert is_refusal(await page.reply())
    assert bodies() == ["Жеке кат"]
    with db.session() as s:
        denied = s.exec(select(AuditEvent.username).where(AuditEvent.action == "denied")).all()
        assert denied.count("t_pupil") >= 4


async def test_the_profile_saves_the_notification_choices(school):
    from bbbms_app.models.messaging import NotifySettings
    from bbbms_app.pages.messages import NotifySettingsState

    page = sub(new_tab("t_parent"), NotifySettingsState)
    assert not is_refusal(await page.load())
    assert (page.flags["absence"], page.flags["email_on"], page.marks, page.digest) == (True, False, "all", "off")
    await page.set_text("email", "not an address")
    await page.set_flag("email_on", True)
    await page.save()
    assert page.error.startswith("Электрондук почтанын дареги")
    await page.set_text("email", "chol@example.kg")
    await page.set_choice("marks", "low")
    await page.set_choice("digest", "weekly")
    await page.set_choice("digest", "hourly")  # not offered: ignored
    await page.set_text("quiet_from", "22:00")
    await page.set_text("quiet_to", "7:00")
    await page.save()
    assert page.error.startswith("Тынч убакыттын")
    await page.set_text("quiet_to", "07:00")
    await page.set_flag("telegram_on", True)  # not linked yet: refused in place
    await page.save()
    assert page.error == "Адегенде Telegram'ды байланыштырыңыз"
    await page.set_flag("telegram_on", False)
    assert not is_refusal(await page.save())
    assert page.error == ""
    with db.session() as s:
        row = s.exec(select(NotifySettings)).one()
        assert (row.email, row.email_on, row.marks, row.digest, str(row.quiet_from), str(row.quiet_to)) == (
            "chol@example.kg",
            True,
            "low",
            "weekly",
            "22:00:00",
            "07:00:00",
        )
    assert not is_refusal(await page.link_telegram())
    assert len(page.code) == 8
    assert is_refusal(await page.set_flag("everything", True))


async def test_a_parent_marks_the_week_seen_and_the_class_teacher_sees_it(school):
    parent = sub(new_tab("t_parent"), MessagesState)
    assert not is_refusal(await parent.load())
    assert [(c["name"], c["done"]) for c in parent.children] == [("Мөлдир Абдыкадырова", ""), ("Нурбек Үсөнов", "")]
    assert parent.acks == []
    teacher = sub(new_tab("t_classteacher"), MessagesState)
    assert not is_refusal(await teacher.load())
    assert [(a["name"], a["seen_by"]) for a in teacher.acks][:2] == [("Абдыкадырова Мөлдир", ""), ("Ңаматов Эрмек", "")]
    assert not is_refusal(await parent.ack_week(str(school.pupils_5a[0])))
    assert not is_refusal(await parent.ack_week(str(school.pupils_5a[0])))  # twice: still once
    assert [c["done"] for c in parent.children] == ["", "1"]
    assert not is_refusal(await teacher.load())
    assert {a["name"]: a["seen_by"] for a in teacher.acks}["Үсөнов Нурбек"] == "t_parent"
    # Another family's child, or a teacher acknowledging: refused.
    assert is_refusal(await parent.ack_week(str(school.pupils_5a[2])))
    assert is_refusal(await teacher.ack_week(str(school.pupils_5a[0])))
    with db.session() as s:
        assert len(s.exec(select(AuditEvent).where(AuditEvent.entity == "diaryack")).all()) == 1
