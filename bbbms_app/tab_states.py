"""The tabs' server-side state in one worker: Reflex's memory manager, bounded in number.

Reflex keeps one state tree per browser tab and drops it after `redis_token_expiration` seconds
without an event (rxconfig.py sets it to the session idle time). That bounds the states in time,
not in number: anyone who can reach the server can open tabs (a sign-in page is a tab) faster than
they expire. Here the memory manager keeps at most `BBBMS_MAX_TAB_STATES` (default 5,000: ~1.5 GB
at 300 KiB a tab); past that it drops the states idle the longest (never one an event is using)
until a tenth of the room is free again. A dropped tab that comes back starts from a fresh state
and signs in again, as after the idle time-out.

With Redis (several workers) the keys expire in Redis itself; this module changes nothing there.
"""

from __future__ import annotations

import dataclasses
import os

from reflex.istate import manager as reflex_manager
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import StateToken

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
