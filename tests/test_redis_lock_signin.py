"""A sign-in does not hold its tab's Redis lock while argon2 works (issue 16, the district at full
load). At 900 families signing in on two workers the sign-ins waited in the worker's thread pool
for tens of seconds; as a plain event each waited *holding* its tab's state lock, and past the lock's
expiry Reflex discarded the sign-in (LockExpiredError) and the tab's next event was refused.

Here the lock lasts 2 s and the password check takes 3 s (a starved machine, scaled down), through
Reflex's own event processor and a real Redis (BBBMS_TEST_REDIS_URL, db 3 by default): the sign-in
keeps its session, no error reaches the backend's handler, and another event of the same tab runs
while the password is still being checked (the lock is free meanwhile)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
import uuid

import pytest
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State
from reflex_base.event import Event
from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor

import bbbms_app.app as web
from bbbms_app.auth.state import AuthState
from bbbms_app.services import accounts
from tests.factories import PASSWORD

REDIS_URL = os.environ.get("BBBMS_TEST_REDIS_URL") or "redis://127.0.0.1:6379/3"
SLOW_CHECK_S = 3.0
LOCK_MS = 2000


def _event(handler: str, ident: str, **payload) -> Event:
    router = {"pathname": "/login", "token": ident, "sid": "sid-signin", "headers": {}}
    return Event(name=f"{AuthState.get_full_name()}.{handler}", payload=payload, router_data=router)


async def test_a_slow_sign_in_keeps_its_session_and_leaves_the_tab_unlocked(school, monkeypatch):
    from redis.asyncio import Redis
    from reflex.istate.manager.redis import StateManagerRedis

    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except Exception as exc:  # the suite's Redis is part of the test environment
        pytest.fail(f"no Redis at {REDIS_URL}: {exc}")
    manager = StateManagerRedis(redis=redis, lock_expiration=LOCK_MS, lock_warning_threshold=LOCK_MS // 2)

    checking = threading.Event()
    authenticate = accounts.authenticate

    def slow_authenticate(*args, **kwargs):
        checking.set()
        time.sleep(SLOW_CHECK_S)  # argon2 on a machine at load 15, behind a queue of other sign-ins
        return authenticate(*args, **kwargs)

    monkeypatch.setattr(accounts, "authenticate", slow_authenticate)
    failures: list[BaseException] = []
    processor = BaseStateEventProcessor(middleware=web.app, backend_exception_handler=failures.append).configure(
        state_manager=manager
    )
    ident = str(uuid.uuid4())
    try:
        async with processor:
            signing_in = await processor.enqueue(
                ident, _event("login", ident, form_data={"username": "t_director", "password": PASSWORD})
            )
            while not checking.is_set():
                await asyncio.sleep(0.05)
            # While the password is checked the tab's lock is free: another event of the tab runs now.
            started = time.monotonic()
            switched = await processor.enqueue(ident, _event("set_language", ident, lang="ru"))
            await asyncio.wait_for(switched, 10)
            assert time.monotonic() - started < SLOW_CHECK_S - 0.5
            await asyncio.wait_for(signing_in, 20)
            await asyncio.sleep(0.2)  # the background task's own write
        assert failures == []  # no LockExpiredError
        root = await manager.get_state(BaseStateToken(ident=ident, cls=State))
        auth = await root.get_state(AuthState)
        assert auth.signed_in and auth.session_token
        assert accounts.resolve_token(auth.session_token).username == "t_director"
        assert auth.lang == "ky"  # the account's language, set by the sign-in after the switch
    finally:
        with contextlib.suppress(Exception):
            await redis.delete(*[k async for k in redis.scan_iter(match=f"{ident}*")])
        with contextlib.suppress(Exception):
            await manager.close()
