"""Passwords, sign-in, throttling and sessions against a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bbbms_app import db, settings
from bbbms_app.models import AuditEvent, LoginSession, User
from bbbms_app.services import accounts, passwords
from tests.factories import PASSWORD


def _user(username: str) -> User:
    with db.session() as s:
        return s.exec(select(User).where(User.username == username)).one()


def test_password_rules_refuse_short_and_common():
    with pytest.raises(passwords.PasswordRejected) as short:
        passwords.check_rules("abc123")
    assert short.value.key == "error.password_short"
    for common in ("qwerty123456", "Password123", "mektep123456", "aaaaaaaaaaaa"):
        with pytest.raises(passwords.PasswordRejected) as exc:
            passwords.check_rules(common)
        assert exc.value.key == "error.password_common", common
    passwords.check_rules("Ала-Тоо көлү 2025")


def test_hash_is_argon2id_and_nfc_normalised(db_url):
    h = passwords.hash_password("Айдай-сырсөз-1")
    assert h.startswith("$argon2id$")
    nfd = "Аи\u0306даи\u0306-сырсөз-1"  # й typed as и + combining breve
    assert nfd != "Айдай-сырсөз-1"
    assert passwords.verify(h, nfd)
    assert not passwords.verify(h, "other-password")
    assert not passwords.verify("", "anything")


def test_sign_in_opens_a_session_storing_only_the_hash(school):
    with db.session() as s:
        result = accounts.authenticate(s, "T_Teacher ", PASSWORD)
    assert result.error is None and result.token is not None
    assert len(result.token) >= 40  # 32 random bytes, url-safe
    with db.session() as s:
        rows = s.exec(select(LoginSession)).all()
        assert [r.token_hash for r in rows] == [accounts.token_hash(result.token)]
        assert result.token not in {r.token_hash for r in rows}
        principal = accounts.resolve(s, result.token)
    assert principal is not None and principal.username == "t_teacher" and principal.role == "teacher"
    assert principal.can("journal.write") and not principal.can("user.write")


@pytest.mark.parametrize("username,password", [("t_teacher", "wrong-password-9"), ("nobody_here", PASSWORD)])
def test_same_message_for_unknown_user_and_wrong_password(school, username, password):
    with db.session() as s:
        result = accounts.authenticate(s, username, password)
    assert result.token is None and result.error is not None
    assert result.error.key == "login.failed"
    with db.session() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "login_failed")).first() is not None


def test_disabled_account_gets_the_same_message(school):
    with db.session() as s:
        user = s.exec(select(User).where(User.username == "t_teacher")).one()
        user.is_active = False
        s.add(user)
    with db.session() as s:
        result = accounts.authenticate(s, "t_teacher", PASSWORD)
    assert result.error is not None and result.error.key == "login.failed"


def test_throttling_backs_off_after_repeated_failures(school):
    for _ in range(accounts.FREE_ATTEMPTS):
        with db.session() as s:
            assert accounts.authenticate(s, "t_clerk", "wrong-password-9").error.key == "login.failed"  # type: ignore[union-attr]
    with db.session() as s:
        throttled = accounts.authenticate(s, "t_clerk", PASSWORD)
    assert throttled.token is None and throttled.error is not None and throttled.error.key == "login.throttled"
    assert _user("t_clerk").failed_logins == accounts.FREE_ATTEMPTS
    assert accounts.backoff_seconds(accounts.FREE_ATTEMPTS) == 30
    assert accounts.backoff_seconds(accounts.FREE_ATTEMPTS + 1) == 60
    assert accounts.backoff_seconds(100) == accounts.BACKOFF_MAX_S


def test_sign_out_password_change_and_disable_end_sessions_at_once(school):
    def sign_in() -> str:
        with db.session() as s:
            r = accounts.authenticate(s, "t_deputy", PASSWORD)
        assert r.token
        return r.token

    token = sign_in()
    with db.session() as s:
        accounts.revoke(s, token)
    with db.session() as s:
        assert accounts.resolve(s, token) is None

    token = sign_in()
    with db.session() as s:
        user = s.exec(select(User).where(User.username == "t_deputy")).one()
        accounts.set_password(s, user, "a-new-long-password")
    with db.session() as s:
        assert accounts.resolve(s, token) is None
        assert accounts.authenticate(s, "t_deputy", "a-new-long-password").token

    with db.session() as s:
        token = accounts.authenticate(s, "t_deputy", "a-new-long-password").token
        user = s.exec(select(User).where(User.username == "t_deputy")).one()
        user.is_active = False
        s.add(user)
    with db.session() as s:
        assert accounts.resolve(s, token) is None


def test_idle_and_absolute_timeouts(school):
    with db.session() as s:
        token = accounts.authenticate(s, "t_director", PASSWORD).token
    idle = settings.get().session_idle_minutes
    with db.session() as s:
        login = s.exec(select(LoginSession)).one()
        login.last_seen_at = datetime.now(UTC) - timedelta(minutes=idle + 1)
        s.add(login)
    with db.session() as s:
        assert accounts.resolve(s, token) is None
        login = s.exec(select(LoginSession)).one()
        login.last_seen_at = datetime.now(UTC)
        login.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        s.add(login)
    with db.session() as s:
        assert accounts.resolve(s, token) is None


def test_rehash_on_sign_in_when_parameters_change(school, monkeypatch):
    before = _user("t_pupil").password_hash
    monkeypatch.setenv("BBBMS_ARGON2_TIME_COST", "2")
    settings.reload()
    with db.session() as s:
        assert accounts.authenticate(s, "t_pupil", PASSWORD).token
    after = _user("t_pupil").password_hash
    assert after != before and "t=2" in after
