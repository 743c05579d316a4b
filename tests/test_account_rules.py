"""Issue 10 #1: nobody acts on an account of a role at or above his own; links to persons,
deputy-level roles and passwords out of the requester's reach wait for the director's approval
(a pending AccountRequest, audited with both names); the director ends a user's sessions.

Every case is a forged event: the handler is called directly, as any browser could call it.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.admin.states import UserAdminState
from bbbms_app.auth.state import AuthState
from bbbms_app.i18n import t
from bbbms_app.models import AccountRequest, AuditEvent, User
from bbbms_app.pages.account_requests import AccountRequestState
from bbbms_app.services import accounts, passwords
from tests.factories import PASSWORD
from tests.states import handle, is_refusal, new_tab, shows_error, sub

NEW_PASSWORD = "Ысык-Көл жээги 2026"


@pytest.fixture(autouse=True)
def private_dir(db_url, tmp_path, monkeypatch):
    from bbbms_app import settings

    monkeypatch.setenv("BBBMS_DATA_DIR", str(tmp_path / "data"))
    settings.reload()


def _user(username: str) -> User:
    with db.session() as s:
        return s.exec(select(User).where(User.username == username)).one()


def _audit(action: str) -> list[AuditEvent]:
    with db.session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all())


def _pending() -> list[AccountRequest]:
    with db.session() as s:
        return list(s.exec(select(AccountRequest).where(AccountRequest.status == "pending")).all())


async def _card(username: str, target: str) -> UserAdminState:
    users = sub(new_tab(username), UserAdminState)
    await users.open_record(str(_user(target).id))
    return users


async def test_the_administrator_cannot_reset_a_directors_password(school):
    before = _user("t_director").password_hash
    users = await _card("t_admin", "t_director")
    assert is_refusal(await handle(users, "reset_password", {"password": NEW_PASSWORD}))
    assert _user("t_director").password_hash == before
    assert _pending() == []
    assert any(d.username == "t_admin" and "accounts.error.rank" in d.reason for d in _audit("denied"))
    with db.session(write=True) as s:
        assert accounts.authenticate(s, "t_director", PASSWORD).token


async def test_the_administrator_cannot_disable_edit_or_enable_a_director_or_another_administrator(school):
    with db.session(write=True) as s:
        accounts.create_user(s, "second.admin", "administrator", NEW_PASSWORD, school_id=school.school_id)
    for target in ("t_director", "second.admin", "t_deputy"):
        users = await _card("t_admin", target)
        await users.ask_delete(str(_user(target).id))
        await users.set_delete_reason("left the school")
        await users.confirm_delete()
        assert users.delete_error, target
        assert _user(target).is_active, target
        await users.edit_record(str(_user(target).id))
        await handle(users, "save", {**users.form, "full_name": "Someone Else"})
        assert users.form_errors, target
        assert _user(target).full_name != "Someone Else", target
    # A director disabled by the operator cannot be enabled again by the administrator.
    with db.session(write=True) as s:
        d = s.exec(select(User).where(User.username == "t_director")).one()
        accounts.set_active(s, d, False)
    users = sub(new_tab("t_admin"), UserAdminState)
    assert shows_error(await users.restore_record(str(_user("t_director").id)))
    assert not _user("t_director").is_active


async def test_the_administrator_still_manages_accounts_below_his_rank(school):
    users = await _card("t_admin", "t_teacher")
    assert not is_refusal(await handle(users, "reset_password", {"password": NEW_PASSWORD}))
    assert _pending() == []
    with db.session() as s:
        teacher = s.exec(select(User).where(User.username == "t_teacher")).one()
        assert passwords.verify(teacher.password_hash, NEW_PASSWORD) and teacher.must_change_password


async def test_a_deputys_password_reset_waits_for_the_director(school):
    before = _user("t_deputy").password_hash
    users = await _card("t_admin", "t_deputy")
    result = await handle(users, "reset_password", {"password": NEW_PASSWORD})
    assert not is_refusal(result) and "accounts.request_filed" not in repr(result)
    assert t("accounts.request_filed", "ky") in str(result)
    assert _user("t_deputy").password_hash == before
    (request,) = _pending()
    assert request.kind == "password" and NEW_PASSWORD not in request.password_hash
    deputy_tab = new_tab("t_deputy")
    # The director sees it and confirms: the password is set, the deputy's sessions end.
    director = sub(new_tab("t_director"), AccountRequestState)
    await director.load()
    assert [r["username"] for r in director.rows] == ["t_deputy"]
    assert not is_refusal(await director.decide(str(request.id), True))
    assert director.rows == []
    deputy = _user("t_deputy")
    assert passwords.verify(deputy.password_hash, NEW_PASSWORD) and deputy.must_change_password
    assert is_refusal(await sub(deputy_tab, AuthState).refresh_context())
    (approval,) = _audit("approve")
    assert approval.username == "t_director" and approval.entity_id == deputy.id
    assert "t_admin" in approval.reason or _user("t_admin").full_name in approval.reason
    assert NEW_PASSWORD not in approval.new_value


async def test_only_the_director_decides_requests(school):
    users = await _card("t_admin", "t_deputy")
    await handle(users, "reset_password", {"password": NEW_PASSWORD})
    (request,) = _pending()
    for username in ("t_admin", "t_deputy", "t_clerk"):
        forged = sub(new_tab(username), AccountRequestState)
        assert is_refusal(await forged.decide(str(request.id), True)), username
        assert is_refusal(await forged.load()), username
    assert [r.id for r in _pending()] == [request.id]


async def test_linking_an_account_to_a_person_waits_for_the_director_who_may_reject(school):
    users = await _card("t_admin", "t_clerk")
    await users.edit_record(str(_user("t_clerk").id))
    form = {**users.form, "staff_id": str(school.teacher_a)}
    await handle(users, "save", form)
    assert _user("t_clerk").staff_id != school.teacher_a
    (request,) = _pending()
    assert (request.kind, request.field, request.value) == ("link", "staff_id", str(school.teacher_a))
    director = sub(new_tab("t_director"), AccountRequestState)
    await director.load()
    assert not is_refusal(await director.decide(str(request.id), False))
    assert _user("t_clerk").staff_id != school.teacher_a
    (rejection,) = _audit("reject")
    assert rejection.username == "t_director" and "rejected" in rejection.reason


async def test_a_new_deputy_account_opens_only_when_the_director_confirms(school):
    users = sub(new_tab("t_admin"), UserAdminState)
    await users.new_record()
    await handle(
        users,
        "save",
        {
            **users.form,
            "username": "new.deputy",
            "full_name": "Жаңы Орун басар",
            "role": "deputy",
            "password": NEW_PASSWORD,
        },
    )
    assert users.form_errors == {}
    assert not _user("new.deputy").is_active
    with db.session(write=True) as s:
        assert accounts.authenticate(s, "new.deputy", NEW_PASSWORD).token is None
    (request,) = _pending()
    assert (request.kind, request.value) == ("role", "deputy")
    # The administrator cannot open it himself.
    assert shows_error(await users.restore_record(str(_user("new.deputy").id)))
    director = sub(new_tab("t_director"), AccountRequestState)
    await director.load()
    await director.decide(str(request.id), True)
    assert _user("new.deputy").is_active and _user("new.deputy").role == "deputy"


async def test_the_director_ends_all_sessions_of_a_user_from_his_card(school):
    teacher_tab = new_tab("t_teacher")
    second_tab = new_tab("t_teacher")
    # The administrator may not (it is the director's right); the teacher's tabs still work.
    admin_card = await _card("t_admin", "t_teacher")
    assert is_refusal(await admin_card.end_sessions())
    assert not is_refusal(await sub(teacher_tab, AuthState).refresh_context())
    card = await _card("t_director", "t_teacher")
    assert not is_refusal(await card.end_sessions())
    for tab in (teacher_tab, second_tab):
        assert is_refusal(await sub(tab, AuthState).refresh_context())
    (ended,) = _audit("end_sessions")
    assert ended.username == "t_director" and ended.entity_id == _user("t_teacher").id and ended.new_value == "2"
