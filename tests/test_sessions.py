"""Sessions and passwords beyond tests/test_accounts.py: where tokens come from, that they exist
nowhere in the database, renewal at every sign-in, and revocation effective on the very next event
of an open tab (sign-out elsewhere, password change, disable, idle)."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import String, Text, select, update
from sqlmodel import SQLModel

import bbbms_app.models  # noqa: F401  (every table)
from bbbms_app import db, settings
from bbbms_app.auth.guard import permission_of
from bbbms_app.auth.state import AuthState
from bbbms_app.models import AuditEvent, LoginSession, User
from bbbms_app.pages.profile import ProfileState
from bbbms_app.services import accounts, passwords, revocations
from tests.factories import PASSWORD
from tests.states import handle, is_refusal, login, new_tab, sub
from tests.test_handlers import FRAMEWORK_HANDLERS, app_states

# The only handlers anyone may call without signing in. A new entry here needs a reason: a
# "register" handler would be self-registration, which the school does not allow.
PUBLIC_HANDLERS = {
    "AuthState.check_session",
    "AuthState.redirect_if_signed_in",
    "AuthState.login",
    "AuthState.logout",
    "AuthState.set_language",
    "SsoState.load_providers",
    "SsoState.start",
    "SsoState.finish",
}


async def _next_event(tab):
    """Any signed-in user's next click (a handler needing only a live session)."""
    return await sub(tab, AuthState).refresh_context()


def test_tokens_come_from_secrets_with_at_least_128_bits(school, monkeypatch):
    calls: list[int] = []
    real = accounts.secrets.token_urlsafe

    def spy(nbytes: int) -> str:
        calls.append(nbytes)
        return real(nbytes)

    monkeypatch.setattr(accounts.secrets, "token_urlsafe", spy)
    tokens = set()
    for _ in range(20):
        with db.session() as s:
            tokens.add(accounts.authenticate(s, "t_director", PASSWORD).token)
    assert calls == [32] * 20  # 256 bits from the OS CSPRNG
    assert len(tokens) == 20 and all(t and len(t) >= 43 for t in tokens)


def test_the_raw_token_is_stored_nowhere(school):
    with db.session() as s:
        token = accounts.authenticate(s, "t_teacher", PASSWORD, user_agent="Chromium").token
    assert token
    found = []
    with db.engine().connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            text_columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            for column in text_columns:
                hits = conn.execute(select(column).where(column.contains(token))).all()
                if hits:
                    found.append(f"{table.name}.{column.name}")
    assert found == []
    with db.session() as s:
        (login,) = s.exec(select(LoginSession)).scalars().all()
    assert login.token_hash == accounts.token_hash(token) and len(login.token_hash) == 64


def test_every_sign_in_gets_a_new_token_and_a_planted_one_is_dropped(school):
    with db.session() as s:
        first = accounts.authenticate(s, "t_clerk", PASSWORD).token
        second = accounts.authenticate(s, "t_clerk", PASSWORD).token
    assert first and second and first != second
    with db.session() as s:
        assert len(s.exec(select(LoginSession)).scalars().all()) == 2


async def test_sign_in_replaces_a_token_the_browser_already_had(school):
    # Session fixation: whatever token the browser brought is not the one it signs in with.
    root = new_tab()
    auth = sub(root, AuthState)
    auth.session_token = "planted-by-someone-else-" + "x" * 20
    await login(auth, {"username": "t_director", "password": PASSWORD})
    assert auth.signed_in and auth.session_token != "planted-by-someone-else-" + "x" * 20
    with db.session() as s:
        assert accounts.resolve(s, "planted-by-someone-else-" + "x" * 20) is None
        assert accounts.resolve(s, auth.session_token) is not None


async def test_password_change_ends_the_other_tabs_at_their_next_event(school):
    other_tab = new_tab("t_deputy")
    assert not is_refusal(await _next_event(other_tab))
    this_tab = new_tab("t_deputy")
    await handle(sub(this_tab, ProfileState), "change_password", {"current": PASSWORD, "new": "a-brand-new-password"})
    assert is_refusal(await _next_event(other_tab))
    assert is_refusal(await _next_event(this_tab))  # this one too: sign in again


async def test_disabling_an_account_ends_its_sessions_at_the_next_event(school):
    tab = new_tab("t_director")
    assert not is_refusal(await _next_event(tab))
    with db.session() as s:
        accounts.set_active(s, s.exec(select(User).where(User.username == "t_director")).scalars().one(), False)
    assert is_refusal(await _next_event(tab))
    with db.session() as s:
        assert all(r.revoked_at is not None for r in s.exec(select(LoginSession)).scalars().all())
        denied = s.exec(select(AuditEvent).where(AuditEvent.action == "denied")).scalars().all()
        changed = s.exec(select(AuditEvent).where(AuditEvent.field == "is_active")).scalars().one()
    assert len(denied) == 1 and (changed.old_value, changed.new_value) == ("True", "False")
    # Even a session row that was somehow left open does not work for a disabled account.
    with db.session() as s:
        user = s.exec(select(User).where(User.username == "t_director")).scalars().one()
        token = accounts.open_session(s, user)
    with db.session() as s:
        assert accounts.resolve(s, token) is None


async def test_an_idle_session_stops_at_its_next_event(school, monkeypatch):
    # A session idle for its idle minutes has had no event for far longer than the cache keeps it;
    # a short cache life stands for that here.
    monkeypatch.setattr(accounts, "SESSION_CACHE_S", 0.5)
    tab = new_tab("t_teacher")
    assert not is_refusal(await _next_event(tab))
    idle = settings.get().session_idle_minutes
    with db.session() as s:
        login = s.exec(select(LoginSession)).scalars().one()
        login.last_seen_at = datetime.now(UTC) - timedelta(minutes=idle, seconds=1)
        s.add(login)
    time.sleep(0.5)
    result = await _next_event(tab)
    assert is_refusal(result) and "/login" in repr(result)


async def test_a_cached_session_still_stops_at_its_next_event_once_revoked(school):
    tab = new_tab("t_teacher")
    assert not is_refusal(await _next_event(tab))
    assert not is_refusal(await _next_event(tab))  # now served from the session cache
    with db.session() as s:
        accounts.revoke(s, sub(tab, AuthState).session_token)
    assert is_refusal(await _next_event(tab))


def _cli(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bbbms_app", *args],
        input=stdin,
        env=env or dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]


async def test_a_password_set_on_the_command_line_stops_a_cached_session_at_its_next_event(school):
    """Another process (the console, another worker) tells this one through the stamp file: no wait."""
    tab = new_tab("t_teacher")
    assert not is_refusal(await _next_event(tab))
    token = sub(tab, AuthState).session_token
    key = accounts.token_hash(token)
    assert accounts._session_cache[key][0] - time.monotonic() > 20  # kept for the long cache life
    _cli("user", "set-password", "t_teacher", stdin="Another-passw0rd-here\n")
    assert is_refusal(await _next_event(tab))
    assert key not in accounts._session_cache


async def test_a_change_outside_the_app_holds_within_the_cache_life(school, monkeypatch):
    monkeypatch.setattr(accounts, "SESSION_CACHE_S", 1.0)
    tab = new_tab("t_teacher")
    assert not is_refusal(await _next_event(tab))
    token = sub(tab, AuthState).session_token
    # SQL typed into the database past the app: no process hears of it.
    with db.engine().begin() as conn:
        conn.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == accounts.token_hash(token))
            .values(revoked_at=datetime.now(UTC))
        )
    assert not is_refusal(await _next_event(tab))  # still cached: that is the cache's bound
    time.sleep(1.0)
    assert is_refusal(await _next_event(tab))


def test_a_stamp_file_removed_by_hand_is_made_again_and_forgets_the_cached_sessions(school):
    with db.session() as s:
        token = accounts.authenticate(s, "t_teacher", PASSWORD).token
    assert accounts.resolve_token(token) is not None
    key = accounts.token_hash(token)
    assert accounts._session_cache[key][0] - time.monotonic() > 20
    accounts._stamp_retry_at = 0.0  # whatever an earlier test of this process left
    os.remove(revocations.stamp_path())
    generation = accounts._generation
    assert accounts.resolve_token(token) is not None
    # A new file is a new identity for every process: this one forgot what it had cached, and keeps
    # sessions long again, since every change from now on is appended to the new file.
    assert os.path.exists(revocations.stamp_path()) and accounts._generation > generation
    assert accounts._session_cache[key][0] - time.monotonic() > 20


def test_a_stamp_file_that_cannot_be_made_keeps_a_session_one_second(school, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")  # a file where the stamp's folder should be: no one can make it, root neither
    monkeypatch.setattr(revocations, "stamp_path", lambda: str(blocker / revocations.STAMP_FILE))
    monkeypatch.setattr(accounts, "_stamp_retry_at", 0.0)
    with db.session() as s:
        token = accounts.authenticate(s, "t_teacher", PASSWORD).token
    assert accounts.resolve_token(token) is not None
    left = accounts._session_cache[accounts.token_hash(token)][0] - time.monotonic()
    assert 0 < left <= accounts.SESSION_UNHEARD_S
    assert accounts._stamp_retry_at > time.monotonic()  # not tried again at every event


async def test_check_session_clears_the_tab_of_a_dead_session(school):
    tab = new_tab("t_teacher")
    auth = sub(tab, AuthState)
    await auth.check_session()
    assert auth.signed_in and auth.perms
    with db.session() as s:
        accounts.revoke(s, auth.session_token)
    await auth.check_session()
    assert not auth.signed_in and auth.perms == [] and auth.session_token == "" and auth.role == ""


def test_no_self_registration_only_the_known_handlers_are_public():
    public = set()
    for cls in app_states():
        for name, handler in cls.event_handlers.items():
            if name not in FRAMEWORK_HANDLERS and permission_of(handler.fn) == "public":
                public.add(f"{cls.__name__}.{name}")
    assert public == PUBLIC_HANDLERS
    # None of them creates an account.
    for cls in app_states():
        for name in cls.event_handlers:
            if f"{cls.__name__}.{name}" in PUBLIC_HANDLERS:
                source = inspect.getsource(getattr(cls, name).fn)
                assert "create_user" not in source and "User(" not in source, f"{cls.__name__}.{name}"


def test_hash_follows_the_configured_argon2id_parameters(db_url, monkeypatch):
    monkeypatch.setenv("BBBMS_ARGON2_TIME_COST", "2")
    monkeypatch.setenv("BBBMS_ARGON2_MEMORY_KIB", "19456")
    settings.reload()
    h = passwords.hash_password("Ала-Тоо көлү 2025")
    assert h.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify(h, "Ала-Тоо көлү 2025") and not passwords.needs_rehash(h)
    monkeypatch.setenv("BBBMS_ARGON2_MEMORY_KIB", "47104")
    settings.reload()
    assert passwords.needs_rehash(h)


def test_the_last_seen_refresh_is_stored_and_forgets_no_cached_session(school):
    """A due refresh of last_seen_at is bookkeeping: written, and every other cached session stays cached."""
    with db.session() as s:
        cached = accounts.authenticate(s, "t_teacher", PASSWORD).token
        due = accounts.authenticate(s, "t_director", PASSWORD).token
    assert accounts.resolve_token(cached).username == "t_teacher"
    with db.session() as s:
        login = s.exec(select(LoginSession).where(LoginSession.token_hash == accounts.token_hash(due))).scalars().one()
        login.last_seen_at = datetime.now(UTC) - timedelta(minutes=5)
        s.add(login)
    accounts.invalidate_sessions()  # the backdating above is a test's doing, not a refresh
    assert accounts.resolve_token(cached).username == "t_teacher"
    before = accounts._generation
    assert accounts.resolve_token(due).username == "t_director"  # the refresh is due: written now
    assert accounts._generation == before and accounts.token_hash(cached) in accounts._session_cache
    with db.session() as s:
        login = s.exec(select(LoginSession).where(LoginSession.token_hash == accounts.token_hash(due))).scalars().one()
    assert datetime.now(UTC) - login.last_seen_at.replace(tzinfo=UTC) < timedelta(minutes=1)


def _wait(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def district_redis(school, monkeypatch):
    """This process as a district's worker: REFLEX_REDIS_URL set, its sessions' listener subscribed."""
    url = os.environ.get("BBBMS_TEST_REDIS_URL") or "redis://127.0.0.1:6379/12"
    monkeypatch.setenv("REFLEX_REDIS_URL", url)
    settings.reload()
    try:
        assert _wait(revocations.heard_everywhere), "the sessions' listener did not subscribe"
        yield url
    finally:
        monkeypatch.delenv("REFLEX_REDIS_URL")
        settings.reload()


def test_in_a_district_a_change_on_another_app_server_is_heard_through_redis(district_redis, tmp_path):
    with db.session() as s:
        token = accounts.authenticate(s, "t_teacher", PASSWORD).token
    assert accounts.resolve_token(token) is not None
    key = accounts.token_hash(token)
    assert accounts._session_cache[key][0] - time.monotonic() > 20
    heard = revocations.heard()
    stamp = revocations.stamp()
    # Another machine: the same database and Redis, a data dir (and so a stamp file) of its own.
    other = dict(os.environ, BBBMS_DATA_DIR=str(tmp_path / "other-server"))
    _cli("user", "set-password", "t_teacher", stdin="Another-passw0rd-here\n", env=other)
    assert revocations.stamp() == stamp  # this machine's stamp file did not move: Redis told it
    assert _wait(lambda: revocations.heard() > heard)
    assert accounts.resolve_token(token) is None


def test_a_listener_that_lost_redis_forgets_and_listens_again(district_redis):
    import redis

    with db.session() as s:
        token = accounts.authenticate(s, "t_teacher", PASSWORD).token
    assert accounts.resolve_token(token) is not None
    key = accounts.token_hash(token)
    heard = revocations.heard()
    client = redis.Redis.from_url(district_redis)
    name = f"{revocations.LISTENER_NAME}-{os.getpid()}"
    ours = [c for c in client.client_list(_type="pubsub") if c.get("name") == name]
    assert len(ours) == 1
    client.client_kill_filter(_id=ours[0]["id"])
    # Whatever was said while it was away is not known: the reconnected listener forgets every session.
    assert _wait(lambda: revocations.heard() > heard and revocations.heard_everywhere())
    assert key not in accounts._session_cache
    assert [c for c in client.client_list(_type="pubsub") if c.get("name") == name]
    client.close()


def test_a_worker_forked_from_a_listening_one_is_not_listening_until_its_own_thread_is(district_redis):
    import threading

    dead = threading.Thread(target=lambda: None)
    dead.start()
    dead.join()
    revocations._listener = dead  # what a forked child holds: the parent's thread object, not running
    assert revocations._listening_to == district_redis  # and the parent's flag
    assert not revocations.heard_everywhere()
    assert _wait(revocations.heard_everywhere)  # its own listener subscribed


def test_in_a_district_a_worker_that_cannot_listen_keeps_a_session_one_second(school, monkeypatch):
    monkeypatch.setenv("REFLEX_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing answers there
    settings.reload()
    try:
        with db.session() as s:
            token = accounts.authenticate(s, "t_teacher", PASSWORD).token
        assert accounts.resolve_token(token) is not None
        left = accounts._session_cache[accounts.token_hash(token)][0] - time.monotonic()
        assert 0 < left <= accounts.SESSION_UNHEARD_S
    finally:
        monkeypatch.delenv("REFLEX_REDIS_URL")
        settings.reload()
