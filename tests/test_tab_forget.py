"""Issue 10 #2: a signed-out tab's server-side state is deleted, not only reset.

Events go through Reflex's own event processor with a real state manager: the bounded memory
manager of one worker, and Redis (BBBMS_TEST_REDIS_URL) as several workers share it. After the
sign-out the manager holds nothing under the tab's token, in memory or as a Redis key.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid

import pytest
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State
from reflex_base.event import Event
from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor

import bbbms_app.app as web
from bbbms_app import db, tab_states
from bbbms_app.admin.states import PupilAdminState
from bbbms_app.auth.state import COOKIE_NAME, AuthState
from bbbms_app.services import accounts
from tests.factories import PASSWORD

REDIS_URL = os.environ.get("BBBMS_TEST_REDIS_URL") or "redis://127.0.0.1:6379/4"


def _event(cls, handler: str, ident: str, session_token: str, **payload) -> Event:
    cookie = {"cookie": f"{COOKIE_NAME}={session_token}"}
    router = {"pathname": "/pupils", "token": ident, "sid": "sid-1", "headers": cookie}
    return Event(name=f"{cls.get_full_name()}.{handler}", payload=payload, router_data=router)


FAILURES: list[BaseException] = []


def _failed(exc: BaseException) -> None:
    FAILURES.append(exc)


async def _sign_out_a_tab(manager, stored) -> tuple[object, object]:
    """Open the pupil list in a signed-in tab, then sign out; (what the manager holds before, after)."""
    with db.session() as s:
        session_token = accounts.authenticate(s, "t_director", PASSWORD).token
    assert session_token
    processor = BaseStateEventProcessor(middleware=web.app, backend_exception_handler=_failed).configure(
        state_manager=manager
    )
    ident = str(uuid.uuid4())
    async with processor:
        # The tab hydrated earlier and holds the session (a tab without its route would be rehydrated).
        async with manager.modify_state(BaseStateToken(ident=ident, cls=State)) as root:
            root.router_data = root._update_router_vars(_event(AuthState, "x", ident, session_token).router_data, {})
            root._was_touched = True  # the route is kept in Redis too
            (await root.get_state(AuthState)).session_token = session_token
        for cls, handler in ((PupilAdminState, "load"), (AuthState, "logout")):
            if handler == "logout":
                before = await stored(ident)
            future = await processor.enqueue(ident, _event(cls, handler, ident, session_token))
            await asyncio.wait_for(future, 20)
        await tab_states.settle()
        after = await stored(ident)
    assert not FAILURES, FAILURES
    return before, after


async def test_sign_out_deletes_the_tabs_state_from_the_memory_manager(school):
    manager = tab_states.BoundedMemoryManager()

    async def stored(ident: str):
        root = manager.states.get(ident)
        if root is None:
            return None
        return (await root.get_state(PupilAdminState)).rows

    before, after = await _sign_out_a_tab(manager, stored)
    assert before, "the pupil list was in the tab's state"
    assert after is None
    await manager.close()


async def test_sign_out_deletes_the_tabs_keys_from_redis(school):
    from redis.asyncio import Redis
    from reflex.istate.manager.redis import StateManagerRedis

    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except Exception as exc:  # the suite's Redis is part of the test environment
        pytest.fail(f"no Redis at {REDIS_URL}: {exc}")
    manager = StateManagerRedis(redis=redis)

    async def stored(ident: str):
        return sorted([k.decode() async for k in redis.scan_iter(match=f"{ident}_*")])

    try:
        before, after = await _sign_out_a_tab(manager, stored)
    finally:
        with contextlib.suppress(Exception):
            await manager.close()
    assert any(PupilAdminState.get_full_name() in key for key in before), before
    assert after == []


async def test_a_sign_in_that_got_in_first_keeps_its_state(school):
    """The deletion waits for the tab's lock; a new session started meanwhile is not deleted."""
    manager = tab_states.BoundedMemoryManager()
    token = BaseStateToken(ident=str(uuid.uuid4()), cls=State)
    async with manager.modify_state(token) as root:
        (await root.get_state(AuthState)).session_token = "a-new-session-" + "x" * 30
    deleted = tab_states._forget(manager, token.ident, State, lambda auth: not auth.session_token)
    await deleted
    assert token.ident in manager.states
    await tab_states._forget(manager, token.ident, State, lambda auth: True)
    assert token.ident not in manager.states
    await manager.close()
