"""A district's tab across workers, on a real Redis (BBBMS_TEST_REDIS_URL, db 11 by default):

- a reload whose new socket reaches another worker before the old socket's worker has dropped the
  old link keeps its state token (tab_sockets.py); a really duplicated tab still gets a new one;
  a tab whose worker died gets a new one without waiting, and an old socket's late close does not
  unlink the tab's new one;
- an event waiting for its tab's lock, held by another worker, gets it soon after the release even
  when the release's keyspace notification never arrives (tab_states.RecheckingRedisManager).

Both failed in CI's browser run on PostgreSQL + Redis as a tab that lost its screen choices after a
reload, and a page left on its spinner for the 60 s of the lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid

import pytest
from redis.asyncio import Redis
from reflex.istate import manager as reflex_manager
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State
from reflex.utils import token_manager as reflex_tokens

from bbbms_app import tab_sockets, tab_states

REDIS_URL = os.environ.get("BBBMS_TEST_REDIS_URL") or "redis://127.0.0.1:6379/11"


@pytest.fixture
async def redis():
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:  # the suite's Redis is part of the test environment
        pytest.fail(f"no Redis at {REDIS_URL}: {exc}")
    yield client
    await client.aclose()


@pytest.fixture(autouse=True)
def made_up_sockets(monkeypatch):
    """The links here are of made-up socket ids that no Socket.IO server of this process holds: the
    old socket cannot be asked for a sign of life (as when its worker does not answer), and the
    managers fall back to waiting for its link to go. (The asking itself is tried on real sockets in
    Chromium: tests/browser/test_tab_sockets.py, test_two_workers.py.)"""
    monkeypatch.setattr(tab_sockets, "_app", None)


_made: list[tab_sockets.PatientRedisTokenManager] = []


@pytest.fixture(autouse=True)
async def workers_stop_listening():
    """Each worker made by a test stops answering other workers' questions when the test ends."""
    yield
    while _made:
        await _stop_listening(_made.pop())


async def _two_workers(redis_client) -> tuple[tab_sockets.PatientRedisTokenManager, ...]:
    """Two workers' token managers on one Redis (each its own instance id and local links)."""
    workers = (tab_sockets.PatientRedisTokenManager(redis_client), tab_sockets.PatientRedisTokenManager(redis_client))
    assert workers[0].instance_id != workers[1].instance_id
    _made.extend(workers)
    return workers


async def _listeners(redis_client, worker: tab_sockets.PatientRedisTokenManager) -> int:
    channel = tab_sockets._PROBE_CHANNEL + worker.instance_id
    return dict(await redis_client.pubsub_numsub(channel)).get(channel.encode(), 0)


async def _stop_listening(worker: tab_sockets.PatientRedisTokenManager) -> None:
    """The worker's listeners stop (its Redis client, shared by the test's workers, stays open)."""
    for task in (worker._probe_task, worker._socket_record_task, worker._lost_and_found_task):
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def test_a_reload_on_the_other_worker_keeps_its_token_while_the_old_socket_closes(redis):
    old_worker, new_worker = await _two_workers(redis)
    token = str(uuid.uuid4())
    assert await old_worker.link_token_to_sid(token, "sid-old-page") is None

    async def old_socket_closes() -> None:
        await asyncio.sleep(0.4)  # the old page's close, handled late by its loaded worker
        await old_worker.disconnect_token(token, "sid-old-page")

    closing = asyncio.create_task(old_socket_closes())
    started = time.monotonic()
    assert await new_worker.link_token_to_sid(token, "sid-new-page") is None  # the same token: its state
    assert 0.35 < time.monotonic() - started < tab_sockets.RELINK_WAIT_S
    await closing
    assert new_worker.token_to_sid[token] == "sid-new-page"
    await new_worker.disconnect_token(token, "sid-new-page")
    assert not await redis.exists(new_worker._get_redis_key(token))


async def test_a_duplicated_tab_still_gets_its_own_token(redis):
    first, second = await _two_workers(redis)
    token = str(uuid.uuid4())
    assert await first.link_token_to_sid(token, "sid-tab-1") is None
    started = time.monotonic()
    new_token = await second.link_token_to_sid(token, "sid-tab-2")  # the first tab's socket stays
    waited = time.monotonic() - started
    assert new_token and new_token != token
    assert tab_sockets.RELINK_WAIT_S <= waited < tab_sockets.RELINK_WAIT_S + 1.5
    # The same socket reconnecting is no duplicate and does not wait.
    started = time.monotonic()
    assert await first.link_token_to_sid(token, "sid-tab-1") is None
    assert time.monotonic() - started < 0.2
    await first.disconnect_token(token, "sid-tab-1")
    await second.disconnect_token(new_token, "sid-tab-2")


async def test_a_tab_whose_worker_died_gets_a_new_state_without_waiting(redis):
    """A worker killed without a clean shutdown leaves its sockets' links in Redis (for an hour), and
    with them, as a rule, its tabs' state locks (opportunistic locking keeps a tab's lock with the
    worker that served it last) until they expire a minute later. Its tabs reconnect to another
    worker; no one listens on the dead worker's channel any more, so a tab gets a fresh state (and
    stays signed in) at once rather than after the wait — or a minute's spinner on its old state."""
    dead, live = await _two_workers(redis)
    token = str(uuid.uuid4())
    assert await dead.link_token_to_sid(token, "sid-on-the-dead-worker") is None
    deadline = time.monotonic() + 5
    while await _listeners(redis, dead) == 0:  # the worker listens for questions about its sockets
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    await _stop_listening(dead)  # killed: its process and its Redis connections are gone
    while await _listeners(redis, dead) != 0:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    started = time.monotonic()
    new_token = await live.link_token_to_sid(token, "sid-reconnected")
    assert new_token and new_token != token
    assert time.monotonic() - started < tab_sockets.RELINK_WAIT_S / 2
    assert live.token_to_sid[new_token] == "sid-reconnected"
    await live.disconnect_token(new_token, "sid-reconnected")


async def test_an_old_sockets_late_close_does_not_unlink_the_tabs_new_socket():
    """The old socket's close reaches its worker after the tab's new socket took the token (its
    network went silent; the keep-alive notices it up to 150 s later): the new link stays, or the
    tab's updates (the journal's poll, a background export's result) would have nowhere to go."""
    worker = tab_sockets.PatientLocalTokenManager()
    token = str(uuid.uuid4())
    assert await worker.link_token_to_sid(token, "sid-silent") is None
    await worker.disconnect_token(token, "sid-silent")  # closed by the worker that found it silent
    assert await worker.link_token_to_sid(token, "sid-new") is None
    await worker.disconnect_token(token, "sid-silent")  # the same close, reported again late
    assert worker.token_to_sid[token] == "sid-new"
    assert worker.sid_to_token == {"sid-new": token}


async def test_one_worker_waits_for_the_old_socket_too():
    worker = tab_sockets.PatientLocalTokenManager()
    token = str(uuid.uuid4())
    assert await worker.link_token_to_sid(token, "sid-old") is None

    async def old_socket_closes() -> None:
        await asyncio.sleep(0.3)
        await worker.disconnect_token(token, "sid-old")

    closing = asyncio.create_task(old_socket_closes())
    assert await worker.link_token_to_sid(token, "sid-new") is None
    await closing
    assert worker.token_to_sid[token] == "sid-new"


def test_the_app_makes_the_patient_token_managers_and_the_rechecking_state_manager(monkeypatch):
    tab_states.install()  # what app.py does; a second call changes nothing
    tab_states.install()
    assert type(reflex_tokens.TokenManager.create()) is tab_sockets.PatientLocalTokenManager
    monkeypatch.setattr(reflex_tokens.prerequisites, "check_redis_used", lambda: True)
    monkeypatch.setattr(reflex_tokens.prerequisites, "get_redis", lambda: Redis.from_url(REDIS_URL))
    assert type(reflex_tokens.TokenManager.create()) is tab_sockets.PatientRedisTokenManager

    from reflex_base.config import get_config

    config = get_config()
    monkeypatch.setattr(config, "state_manager_mode", "redis")
    monkeypatch.setattr(reflex_manager.prerequisites, "get_redis", lambda: Redis.from_url(REDIS_URL))
    made = reflex_manager.StateManager.create()
    assert type(made) is tab_states.RecheckingRedisManager
    assert made.lock_expiration == config.redis_lock_expiration  # Reflex's own configuration kept


async def test_a_waiting_event_gets_the_lock_soon_after_a_release_it_was_not_told_of(redis, monkeypatch):
    manager = tab_states.RecheckingRedisManager(redis=redis, lock_expiration=60_000, lock_warning_threshold=30_000)

    async def lost(message) -> None:  # every release notification lost on its way
        return None

    monkeypatch.setattr(manager, "_handle_lock_release", lost)
    token = BaseStateToken(ident=str(uuid.uuid4()), cls=State)
    lock_key = manager._lock_key(token)
    # Another worker holds the tab's lock for an event of 0.5 s.
    assert await redis.set(lock_key, b"other-worker", px=60_000, nx=True)

    async def other_worker_releases() -> None:
        await asyncio.sleep(0.5)
        await redis.delete(lock_key)

    releasing = asyncio.create_task(other_worker_releases())
    started = time.monotonic()
    async with manager._lock(token):
        waited = time.monotonic() - started
    await releasing
    assert 0.5 <= waited < 1.5  # soon after the release, not after the lock's 60 s
    with contextlib.suppress(Exception):
        await manager.close()


@pytest.mark.parametrize("through", ["lock", "modify_state"])
async def test_a_cancelled_event_never_leaves_its_tabs_lock_behind(redis, through):
    """Reflex cancels a tab's page-load events when its socket closes (a navigation, a reload). A
    cancel landing while the lock's SET NX or its release was on its way to Redis left the lock held
    by no one for `redis_lock_expiration` (60 s): the tab's next page stayed on its spinner. With
    Reflex's own manager this loop left 231 of 400 locks behind (`_lock`) and 73–110 of 300
    (`modify_state`, with and without opportunistic locking); here none, and the next event gets
    the lock at once."""
    manager = tab_states.RecheckingRedisManager(redis=redis, lock_expiration=60_000, lock_warning_threshold=30_000)
    left: list[bytes] = []
    for i in range(120):
        token = BaseStateToken(ident=str(uuid.uuid4()), cls=State)

        async def event(token: BaseStateToken) -> None:
            if through == "lock":
                async with manager._lock(token):
                    await asyncio.sleep(0.001)
            else:
                async with manager.modify_state(token):
                    await asyncio.sleep(0.001)

        task = asyncio.create_task(event(token))
        for _ in range(i % 24):  # the cancel lands at a different step of the lock's round trips
            await asyncio.sleep(0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await tab_states.settle()  # a lock given back is given back by a task of its own
        if await redis.exists(manager._lock_key(token)):
            left.append(manager._lock_key(token))
        started = time.monotonic()
        async with manager._lock(token):
            assert time.monotonic() - started < 1.0
        await redis.delete(f"{token.ident}*")
    with contextlib.suppress(Exception):
        await manager.close()
    assert left == []
