"""Every handler that hashes a password leaves its tab unlocked while argon2 works (issue 16), as
the sign-in does (tests/test_redis_lock_signin.py): the user's own change (also the one-time
password a new account must replace), the administrator's reset, an account made on the admin
screen, and the district account adding a school with its director.

Through Reflex's own event processor, with a real Redis state manager (a 2 s lock, BBBMS_TEST_REDIS_URL)
and with the one-worker memory manager, the hash takes 3 s (a starved machine, scaled down). While
it runs, another event of the *same* tab and an event of another user's tab on the same worker are
answered at once; the slow event still finishes (no LockExpiredError reaches the backend's handler)
and writes what it should. A forged reset from a role without `user.write` is refused through the
same processor, audited, and writes nothing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
import uuid

import pytest
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State
from reflex_base.event import Event
from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor
from sqlmodel import select

import bbbms_app.app as web
from bbbms_app import db
from bbbms_app.admin.states import UserAdminState
from bbbms_app.auth.state import AuthState
from bbbms_app.models import AuditEvent, School, User
from bbbms_app.pages.profile import ProfileState
from bbbms_app.pages.schools import SchoolsState
from bbbms_app.services import accounts, passwords
from tests.factories import PASSWORD

REDIS_URL = os.environ.get("BBBMS_TEST_REDIS_URL") or "redis://127.0.0.1:6379/3"
SLOW_HASH_S = 3.0
LOCK_MS = 2000
NEW_PASSWORD = "Ысык-Көл жээги 2026"


def _event(state: type, handler: str, ident: str, sid: str, **payload) -> Event:
    router = {"pathname": "/", "token": ident, "sid": sid, "headers": {}}
    return Event(name=f"{state.get_full_name()}.{handler}", payload=payload, router_data=router)


def _user(username: str) -> User | None:
    with db.session() as s:
        return s.exec(select(User).where(User.username == username)).first()


def _signs_in(username: str, password: str) -> bool:
    with db.session(write=True) as s:
        return accounts.authenticate(s, username, password).token is not None


def _own_change() -> tuple[str, list, tuple]:
    # t_teacher's password was set by someone else: the one-time password he must replace.
    with db.session(write=True) as s:
        user = s.exec(select(User).where(User.username == "t_teacher")).one()
        user.must_change_password = True
        s.add(user)
    return "t_teacher", [], (ProfileState, "change_password", {"form_data": {"current": PASSWORD, "new": NEW_PASSWORD}})


def _own_change_done() -> None:
    assert _signs_in("t_teacher", NEW_PASSWORD)
    assert not _user("t_teacher").must_change_password  # type: ignore[union-attr]


def _reset() -> tuple[str, list, tuple]:
    teacher = _user("t_teacher")
    assert teacher is not None
    setup = [(UserAdminState, "open_record", {"row_id": str(teacher.id)})]
    return "t_admin", setup, (UserAdminState, "reset_password", {"form_data": {"password": NEW_PASSWORD}})


def _reset_done() -> None:
    assert _signs_in("t_teacher", NEW_PASSWORD)
    with db.session() as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.username == "t_admin", AuditEvent.entity == "user")).all()
    assert any(r.field == "password" for r in rows), [(r.action, r.field) for r in rows]


def _create() -> tuple[str, list, tuple]:
    form = {"username": "new.teacher", "full_name": "Жаңы Мугалим", "role": "teacher", "language": "ky"}
    form["password"] = NEW_PASSWORD
    return "t_admin", [(UserAdminState, "new_record", {})], (UserAdminState, "save", {"form_data": form})


def _create_done() -> None:
    made = _user("new.teacher")
    assert made is not None and made.password_hash.startswith("$argon2id$") and made.must_change_password
    assert _signs_in("new.teacher", NEW_PASSWORD)


def _add_school() -> tuple[str, list, tuple]:
    with db.session(write=True) as s:
        accounts.create_user(s, "raion", "director", PASSWORD, full_name="Район Башкармасы")
    fields = {"name": "Жаңы мектеп", "okpo": "30000003", "director": "jany.director", "director_name": "Асанов Бакыт"}
    setup = [(SchoolsState, "set_field", {"field": k, "value": v}) for k, v in fields.items()]
    setup.append((SchoolsState, "set_region", {"value": "osh_city"}))
    return "raion", setup, (SchoolsState, "add", {})


def _add_school_done() -> None:
    with db.session() as s:
        school = s.exec(select(School).where(School.okpo == "30000003")).one()
    director = _user("jany.director")
    assert director is not None and director.school_id == school.id and director.must_change_password


CASES = {
    "own change": (_own_change, _own_change_done),
    "admin reset": (_reset, _reset_done),
    "account made": (_create, _create_done),
    "district adds a school": (_add_school, _add_school_done),
}


@contextlib.asynccontextmanager
async def _manager(kind: str):
    if kind == "memory":
        manager = StateManagerMemory()
        try:
            yield manager
        finally:
            await manager.close()
        return
    from redis.asyncio import Redis
    from reflex.istate.manager.redis import StateManagerRedis

    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except Exception as exc:  # the suite's Redis is part of the test environment
        pytest.fail(f"no Redis at {REDIS_URL}: {exc}")
    manager = StateManagerRedis(redis=redis, lock_expiration=LOCK_MS, lock_warning_threshold=LOCK_MS // 2)
    try:
        yield manager
    finally:
        with contextlib.suppress(Exception):
            await manager.close()


class _Tab:
    """A browser tab on the worker: its token and its socket."""

    def __init__(self, processor: BaseStateEventProcessor) -> None:
        self.processor = processor
        self.ident = str(uuid.uuid4())
        self.sid = f"sid-{uuid.uuid4().hex[:8]}"

    async def send(self, state: type, handler: str, **payload) -> asyncio.Future:
        return await self.processor.enqueue(self.ident, _event(state, handler, self.ident, self.sid, **payload))

    async def run(self, state: type, handler: str, **payload) -> None:
        await asyncio.wait_for(await self.send(state, handler, **payload), 20)
        await asyncio.sleep(0.1)  # a background task's own write under the lock

    async def sign_in(self, username: str) -> None:
        await self.run(AuthState, "login", form_data={"username": username, "password": PASSWORD})

    async def answered_within(self, state: type, handler: str, seconds: float) -> float:
        started = time.monotonic()
        await asyncio.wait_for(await self.send(state, handler), 10)
        took = time.monotonic() - started
        assert took < seconds, f"{handler} waited {took:.1f} s behind the hash"
        return took


class _SlowHash:
    """argon2 on a starved machine: once armed, each hash takes 3 s; `hashing` is set when one starts."""

    def __init__(self) -> None:
        self.armed = threading.Event()
        self.hashing = threading.Event()


@pytest.fixture
def slow_hash(monkeypatch) -> _SlowHash:
    slow = _SlowHash()
    real = passwords.hash_password

    def hash_password(password: str) -> str:
        if slow.armed.is_set():
            slow.hashing.set()
            time.sleep(SLOW_HASH_S)
        return real(password)

    monkeypatch.setattr(passwords, "hash_password", hash_password)
    return slow


@pytest.mark.parametrize("kind", ["redis", "memory"])
@pytest.mark.parametrize("case", list(CASES))
async def test_hashing_a_password_leaves_the_tab_and_the_worker_free(school, slow_hash, kind, case):
    prepare, check = CASES[case]
    failures: list[BaseException] = []
    async with _manager(kind) as manager:
        processor = BaseStateEventProcessor(middleware=web.app, backend_exception_handler=failures.append).configure(
            state_manager=manager
        )
        async with processor:
            username, setup, (state, handler, payload) = prepare()
            tab, other = _Tab(processor), _Tab(processor)
            await tab.sign_in(username)
            await other.sign_in("t_director")
            for step_state, step, step_payload in setup:
                await tab.run(step_state, step, **step_payload)
            slow_hash.armed.set()

            hashing = await tab.send(state, handler, **payload)
            while not slow_hash.hashing.is_set():
                await asyncio.sleep(0.05)
                assert not hashing.done() or hashing.exception() is None
            # While argon2 works the tab's lock is free and the worker serves the other user's tab.
            await tab.answered_within(AuthState, "refresh_context", SLOW_HASH_S - 0.5)
            await other.answered_within(AuthState, "refresh_context", SLOW_HASH_S - 0.5)
            assert not hashing.done()  # answered while the hash still ran: the event loop was not held
            await asyncio.wait_for(hashing, 20)
            await asyncio.sleep(0.3)  # the background task's own write under the lock
        assert failures == []  # no LockExpiredError, no traceback
        root = await manager.get_state(BaseStateToken(ident=tab.ident, cls=State))
        auth = await root.get_state(AuthState)
        if case != "own change":  # the own change ends every session of the account, this tab's too
            assert auth.signed_in
    check()
    if kind == "redis":
        await _forget_redis_keys(tab.ident, other.ident)


async def _forget_redis_keys(*idents: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    with contextlib.suppress(Exception):
        for ident in idents:
            keys = [k async for k in redis.scan_iter(match=f"{ident}*")]
            if keys:
                await redis.delete(*keys)
    await redis.aclose()


async def test_a_forged_reset_through_the_processor_is_refused_and_writes_nothing(school):
    failures: list[BaseException] = []
    teacher = _user("t_teacher")
    assert teacher is not None
    before = teacher.password_hash
    async with _manager("memory") as manager:
        processor = BaseStateEventProcessor(middleware=web.app, backend_exception_handler=failures.append).configure(
            state_manager=manager
        )
        async with processor:
            tab = _Tab(processor)
            await tab.sign_in("t_clerk")  # no user.write
            await tab.run(UserAdminState, "open_record", row_id=str(teacher.id))
            await tab.run(UserAdminState, "reset_password", form_data={"password": NEW_PASSWORD})
            await tab.run(
                UserAdminState, "save", form_data={"username": "forged", "role": "director", "password": NEW_PASSWORD}
            )
    assert failures == []
    assert _user("t_teacher").password_hash == before  # type: ignore[union-attr]
    assert _user("forged") is None
    with db.session() as s:
        denied = s.exec(select(AuditEvent).where(AuditEvent.action == "denied", AuditEvent.username == "t_clerk")).all()
    assert {r.entity for r in denied} >= {"UserAdminState.reset_password", "UserAdminState.save"}
