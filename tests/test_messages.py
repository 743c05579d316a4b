"""Messages (issue 17 #2): who may write to whom, the class teacher's group, unread counts,
attachments only for the conversation's members, nothing edited — the service."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, User
from bbbms_app.models.messaging import ConversationMember, Message, Notification
from bbbms_app.services import accounts, messages, rights
from bbbms_app.services.errors import NotFound, OutOfScope, Refused
from bbbms_app.services.messages import Attachment

TODAY = date.today()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def principal(username: str):
    with db.session() as s:
        user = s.exec(select(User).where(User.username == username)).one()
        return accounts.principal_for(user, session=s)


def uid(username: str) -> int:
    with db.session() as s:
        return s.exec(select(User.id).where(User.username == username)).one()


def contact_names(username: str) -> set[str]:
    with db.session() as s:
        return {c["name"] for c in messages.contacts(s, principal(username), TODAY)}


def write(sender: str, to: str, body: str = "Саламатсызбы", **kw) -> int:
    with db.session(write=True) as s:
        return messages.start(s, principal(sender), uid(to), body, TODAY, **kw).id  # type: ignore[return-value]


def unread(username: str) -> int:
    with db.session() as s:
        return messages.unread_count(s, principal(username))


def allow_pupils() -> None:
    with db.session(write=True) as s:
        rights.set_permission(s, principal("t_director"), "pupil", "message.write", True)


def test_who_may_write_to_whom(school):
    # A parent: his children's teachers and class teacher (5-А: t_classteacher) — nobody else.
    assert contact_names("t_parent") == {"t_classteacher"}
    # A pupil: nobody, until the director gives pupils the right; then his own teachers only.
    assert contact_names("t_pupil") == set()
    allow_pupils()
    assert contact_names("t_pupil") == {"t_classteacher"}
    # Staff: the school's staff, and the parents of the classes he teaches or leads.
    staff = {"t_director", "t_deputy", "t_clerk", "t_classteacher", "t_teacher"}
    assert contact_names("t_classteacher") == (staff - {"t_classteacher"}) | {"t_parent"}
    assert contact_names("t_teacher") == staff - {"t_teacher"}  # 6-Б's parent has no account
    assert contact_names("t_director") == (staff - {"t_director"}) | {"t_parent"}
    assert contact_names("t_admin") == set()  # the administrator runs the server, he writes no messages


def test_refusals_of_the_scope(school):
    with pytest.raises(OutOfScope):
        write("t_pupil", "t_classteacher")  # pupils may not write by default
    allow_pupils()
    with pytest.raises(OutOfScope):
        write("t_pupil", "t_teacher")  # another class's teacher
    with pytest.raises(OutOfScope):
        write("t_parent", "t_teacher")
    with pytest.raises(OutOfScope):
        write("t_parent", "t_director")  # not his child's teacher
    with pytest.raises(Refused):
        write("t_parent", "t_classteacher", "   ")
    with pytest.raises(Refused):
        write("t_parent", "t_classteacher", "ы" * (messages.BODY_MAX + 1))
    with db.session() as s:
        assert s.exec(select(Message)).all() == []
    write("t_pupil", "t_classteacher", "Эжеке, тапшырманы түшүнбөй калдым")
    with db.session() as s:
        assert len(s.exec(select(Message)).all()) == 1


def test_a_conversation_unread_counts_and_follow_ups(school):
    cid = write("t_parent", "t_classteacher", "Нурбек эртең келбейт")
    assert (unread("t_classteacher"), unread("t_parent")) == (1, 0)
    # Writing again goes into the same conversation.
    assert write("t_parent", "t_classteacher", "Ооруп калды") == cid
    assert unread("t_classteacher") == 2
    with db.session() as s:
        rows = messages.conversations(s, principal("t_classteacher"))
    assert [(r["title"], r["unread"], r["last"]) for r in rows] == [("t_parent", "2", "Ооруп калды")]
    with db.session(write=True) as s:
        th = messages.thread(s, principal("t_classteacher"), cid)
    assert [m["body"] for m in th["messages"]] == ["Нурбек эртең келбейт", "Ооруп калды"] and th["can_write"]
    assert unread("t_classteacher") == 0
    with db.session(write=True) as s:
        messages.reply(s, principal("t_classteacher"), cid, "Түшүндүм, айыгып кетсин")
    assert (unread("t_parent"), unread("t_classteacher")) == (1, 0)
    # Someone outside the conversation cannot read or write in it.
    for outsider in ("t_teacher", "t_pupil", "t_director"):
        with db.session(write=True) as s, pytest.raises(NotFound):
            messages.thread(s, principal(outsider), cid)
        with db.session(write=True) as s, pytest.raises((NotFound, OutOfScope)):
            messages.reply(s, principal(outsider), cid, "x")
    # Every message is a communication record; the parent was told of the answer in his list.
    with db.session() as s:
        audited = s.exec(select(AuditEvent).where(AuditEvent.entity == "message")).all()
        assert [a.action for a in audited] == ["create"] * 3
        assert "Ооруп калды" in audited[1].new_value
        assert s.exec(select(Notification.kind).where(Notification.user_id == uid("t_parent"))).all() == ["message"]


def test_the_class_teachers_group(school):
    with db.session() as s:
        assert messages.led_classes(s, principal("t_classteacher")) == [{"id": str(school.class_5a), "name": "5-А"}]
        assert messages.led_classes(s, principal("t_teacher")) == []
    with db.session(write=True) as s:
        cid = messages.post_to_class(s, principal("t_classteacher"), school.class_5a, "Жума күнү жыйналыш", TODAY).id
    assert unread("t_parent") == 1
    with db.session(write=True) as s:
        th = messages.thread(s, principal("t_parent"), cid)  # type: ignore[arg-type]
        assert th["kind"] == "class" and not th["can_write"]
    with db.session(write=True) as s, pytest.raises(OutOfScope):
        messages.reply(s, principal("t_parent"), cid, "Макул")  # type: ignore[arg-type]
    with db.session(write=True) as s, pytest.raises(OutOfScope):
        messages.post_to_class(s, principal("t_teacher"), school.class_5a, "x", TODAY)
    with db.session(write=True) as s, pytest.raises(OutOfScope):
        messages.post_to_class(s, principal("t_classteacher"), school.class_6b, "x", TODAY)
    # A second post reuses the group.
    with db.session(write=True) as s:
        again = messages.post_to_class(s, principal("t_classteacher"), school.class_5a, "Унутпаңыздар", TODAY).id
    assert again == cid and unread("t_parent") == 1
    with db.session() as s:
        assert len(s.exec(select(ConversationMember).where(ConversationMember.conversation_id == cid)).all()) == 2


def test_office_hours_are_shown_to_parents(school):
    with db.session(write=True) as s:
        messages.set_office_hours(s, principal("t_classteacher"), "Дүйшөмбү, 14:00–15:00, 12-кабинет")
    with db.session() as s:
        [c] = messages.contacts(s, principal("t_parent"), TODAY)
    assert c["office_hours"] == "Дүйшөмбү, 14:00–15:00, 12-кабинет"
    with db.session(write=True) as s, pytest.raises(OutOfScope):
        messages.set_office_hours(s, principal("t_parent"), "x")


def test_attachments_reach_members_only(school, tmp_path, monkeypatch):
    from starlette.testclient import TestClient

    from bbbms_app import settings
    from bbbms_app.api.private_files import private_files_api

    monkeypatch.setenv("BBBMS_DATA_DIR", str(tmp_path / "data"))
    settings.reload()
    with pytest.raises(Refused):
        write("t_parent", "t_classteacher", "", attachment=Attachment(b"MZ\x90\x00 not a document", "virus.exe"))
    write("t_parent", "t_classteacher", "Маалымкат", attachment=Attachment(PDF, "справка.pdf"))
    with db.session() as s:
        m = s.exec(select(Message)).one()
    assert m.file_label == "справка.pdf" and m.file_type == "application/pdf"
    url = messages.file_url(m.id)  # type: ignore[arg-type]

    from tests.factories import PASSWORD

    def get_as(username: str | None, path: str = url):
        client = TestClient(private_files_api)
        if username:
            with db.session(write=True) as s:
                token = accounts.authenticate(s, username, PASSWORD).token
            client.cookies.set(settings.SESSION_COOKIE, token)
        return client.get(path)

    for member in ("t_parent", "t_classteacher"):
        r = get_as(member)
        assert r.status_code == 200 and r.content == PDF
    for outsider in ("t_teacher", "t_pupil", "t_director", None):
        assert get_as(outsider).status_code == 404
    assert get_as("t_parent", "/private/message-file/999999").status_code == 404
    with db.session() as s:
        denied = s.exec(select(AuditEvent).where(AuditEvent.entity == "message_file", AuditEvent.action == "denied"))
        assert len(denied.all()) == 5
