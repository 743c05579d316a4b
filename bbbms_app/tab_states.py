"""The tabs' server-side state in one worker: Reflex's memory manager, bounded in number.

Reflex keeps one state tree per browser tab and drops it after `redis_token_expiration` seconds
without an event (rxconfig.py sets it to the session idle time). That bounds the states in time,
not in number: anyone who can reach the server can open tabs (a sign-in page is a tab) faster than
they expire. Here the memory manager keeps at most `BBBMS_MAX_TAB_STATES` (default 5,000: ~1.5 GB
at 300 KiB a tab); past that it drops the states idle the longest (never one an event is using)
until a tenth of the room is free again. A dropped tab that comes back starts from a fresh state
and signs in again, as after the idle time-out.

With Redis (several workers) the keys expire in Redis itself; this module changes nothing there.

`forget_after_event` deletes a signed-out tab's stored state (issue 10 #2), in memory or in Redis,
once the event that signed it out has released it: the reset state the event writes back is then
dropped, and the next event of that token starts from a fresh state.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
from collections.abc import Callable
from typing import Any

from reflex.istate import manager as reflex_manager
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken, StateToken

log = logging.getLogger(__name__)
_pending: set[asyncio.Task] = set()  # the deletions under way (a task nobody holds may vanish)

DEFAULT_MAX = 5000


def max_tab_states() -> int:
    try:
        return max(10, int(os.environ.get("BBBMS_MAX_TAB_STATES") or DEFAULT_MAX))
    except ValueError:
        return DEFAULT_MAX


@dataclasses.dataclass
class BoundedMemoryManager(StateManagerMemory):
    """StateManagerMemory that drops the longest-idle states once it holds more than `max_states`."""

    max_states: int = dataclasses.field(default_factory=max_tab_states)

    def _track_token(self, token: StateToken) -> None:
        super()._track_token(token)
        if len(self._token_expires_at) > self.max_states:
            self._drop_idlest(keep=token.cache_key)

    def _drop_idlest(self, keep: str) -> int:
        """Drop the longest-idle unlocked states until 90 % of `max_states` remain; how many went."""
        excess = len(self._token_expires_at) - int(self.max_states * 0.9)
        dropped = 0
        by_age = sorted(self._token_expires_at.items(), key=lambda item: item[1][0])
        for key, (_deadline, token) in by_age:
            if dropped >= excess:
                break
            lock = self._states_locks.get(token.lock_key)
            if key == keep or (lock is not None and lock.locked()):
                continue
            self._purge_token(token)
            dropped += 1
        return dropped


def install() -> None:
    """Make Reflex create the bounded manager wherever it would create its memory manager.

    Call before `rx.App(...)` (app.py): the app creates its state manager when it is built.
    """
    create = reflex_manager.StateManager.create.__func__  # type: ignore[attr-defined]
    if getattr(create, "_bbbms_bounded", False):
        return

    def bounded_create(cls):
        made = create(cls)
        return BoundedMemoryManager() if type(made) is StateManagerMemory else made

    bounded_create._bbbms_bounded = True  # type: ignore[attr-defined]
    reflex_manager.StateManager.create = classmethod(bounded_create)  # type: ignore[method-assign]


def forget_after_event(still_signed_out: Callable[[Any], bool]) -> asyncio.Task | None:
    """Delete the stored state of the tab whose event is running, once the event releases it.

    Called by the sign-out's wipe (auth/state.py) inside the event: the state manager and the
    tab's token come from the event's context (none outside an event: nothing to delete).
    `still_signed_out(auth_state)` is asked again under the tab's lock before deleting, so a
    sign-in that got in first on the same tab keeps its state. Returns the deletion's task.
    """
    from reflex.state import State
    from reflex_base.event.context import EventContext

    try:
        ctx = EventContext.get()
    except LookupError:
        return None
    if not ctx.token:
        return None
    task = asyncio.get_running_loop().create_task(_forget(ctx.state_manager, ctx.token, State, still_signed_out))
    _pending.add(task)
    task.add_done_callback(_pending.discard)
    return task


async def _forget(manager: Any, ident: str, root: Any, still_signed_out: Callable[[Any], bool]) -> None:
    from reflex.istate.manager.redis import StateManagerRedis

    from bbbms_app.auth.state import AuthState, _state_classes

    token = BaseStateToken(ident=ident, cls=root)
    try:
        if isinstance(manager, StateManagerMemory):
            lock = await manager._get_state_lock(token)
            async with lock:
                state = manager.states.get(token.cache_key)
                if state is not None and not still_signed_out(await state.get_state(AuthState)):
                    return
                manager._token_expires_at.pop(token.cache_key, None)
                state = manager.states.pop(token.cache_key, None)
                if state is not None:
                    reflex_manager._release_state_tree(state)
            if not lock.locked():
                manager._states_locks.pop(token.lock_key, None)
        elif isinstance(manager, StateManagerRedis):
            async with manager._lock(token):
                auth = await manager.get_state(BaseStateToken(ident=ident, cls=AuthState), top_level=False)
                if not still_signed_out(auth):
                    return
                manager._cached_states.pop(token.lock_key, None)
                await manager.redis.delete(*(token._state_key(cls) for cls in _state_classes(root)))
    except asyncio.CancelledError:
        raise
    except Exception:  # the state still expires on its own: nothing the user must see
        log.warning("the signed-out tab's stored state was not deleted", exc_info=True)


async def settle() -> None:
    """Wait for the deletions under way (tests, and a worker shutting down)."""
    with contextlib.suppress(Exception):
        await asyncio.gather(*list(_pending))
