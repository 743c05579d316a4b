"""The tabs' server-side state in one worker: Reflex's memory manager, bounded in number, each tab
holding only the states of the pages it used.

Reflex keeps one state tree per browser tab and drops it after `redis_token_expiration` seconds
without an event (rxconfig.py sets it to the session idle time). That bounds the states in time,
not in number: anyone who can reach the server can open tabs (a sign-in page is a tab) faster than
they expire. Here the memory manager keeps at most `BBBMS_MAX_TAB_STATES` (default 5,000: ~1.5 GB
at 300 KiB a tab); past that it drops the states idle the longest (never one an event is using)
until a tenth of the room is free again. A dropped tab that comes back starts from a fresh state
and signs in again, as after the idle time-out.

Reflex 0.10.1's memory manager makes the whole state tree for every tab (56 State classes: every
admin screen, the quiz, the journal…) and its first hydrate reads every field of every one of them,
storing a copy of each default on the instance: ~140 KiB per tab for pages the tab never opened
(docs/performance.md, "A tab's memory"). Here a tab's root state starts with no substate; a
substate is made at its first use — an event of its page, `get_state`, `get_substate` — as
Reflex's Redis manager already loads substates only when an event needs them. A full snapshot
(`BaseState.dict`: the hydrate) still answers for every state: the ones the tab has not made are
made for the snapshot and dropped after it, so the browser receives exactly what the whole tree
would have sent (a reconnect after a restart resets a page the server no longer holds). Once a
tab's tree has sent its first snapshot, a later one (a reconnect: Reflex sends every var of every
state again) leaves out the states the tab never made whose snapshot is the same for every tab (no
substate, no computed var reading anything but the state's own fields: `_same_for_every_tab`): the
browser holds exactly those values since that first snapshot, as nothing else of theirs was sent.
A phone on a weak connection that reconnects gets its own pages' states, not the whole app's
(`bench/journal_state_size.py`: a journal tab's reconnect 79 → 42 KB, another tab's 43 → 5 KB).
With Redis, Reflex's own snapshot is sent.
`BBBMS_LAZY_TAB_STATES=0` gives Reflex's whole tree back (the bench's baseline; a way out).

With Redis (several workers) the keys expire in Redis itself. Two things change there
(`RecheckingRedisManager`):
- **A cancelled event gives its tab's lock back.** Reflex cancels a tab's page-load events when its
  socket closes (a navigation or a reload while the page's loaders run). Reflex 0.10.1 takes the
  lock with a SET NX and releases it in a `finally` that awaits Redis: a cancel landing while either
  is on its way left the lock held by no one until it expired, `redis_lock_expiration` (60 s here,
  rxconfig.py) — the tab's next page stayed on its spinner (the PostgreSQL + Redis browser suite,
  about once a run; a sign-in-and-open loop caught it with the frames showing the hydrate sent and
  never answered). The SET is now shielded from the cancel and a lock taken or kept for a cancelled
  event is deleted if it is still that event's (tests/test_district_sockets.py: Reflex's own manager
  left 231 of 400 such locks behind).
- **A waiter looks again every `LOCK_RECHECK_S`.** An event waiting for its tab's lock, held by
  another worker, learns of the release from a Redis keyspace notification, and Reflex looks again
  by itself only after the lock's 60 s; a notification missed (the subscription not confirmed
  within Reflex's 2 s, or lost with a reconnect) would leave it waiting that long.

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
from collections.abc import AsyncIterator, Callable
from typing import Any

from reflex.istate import manager as reflex_manager
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken, StateToken

from bbbms_app import tab_sockets

log = logging.getLogger(__name__)
_pending: set[asyncio.Task] = set()  # deletions and lock give-backs under way (a task nobody holds may vanish)

DEFAULT_MAX = 5000
LOCK_RECHECK_S = 0.5  # a missed release costs at most this; a look is one SET NX to Redis
_FALSE = frozenset({"0", "false", "no", "off"})


def max_tab_states() -> int:
    try:
        return max(10, int(os.environ.get("BBBMS_MAX_TAB_STATES") or DEFAULT_MAX))
    except ValueError:
        return DEFAULT_MAX


def lazy_substates() -> bool:
    """Whether a tab's substates are made at their first use (the default) or all at once."""
    return os.environ.get("BBBMS_LAZY_TAB_STATES", "1").strip().lower() not in _FALSE


_registered: dict[type, tuple[int, dict[str, type]]] = {}


def _substate_classes(cls: type) -> dict[str, type]:
    """The substate classes of state class `cls` by name (kept until a state class is added)."""
    classes = cls.get_substates()
    known = _registered.get(cls)
    if known is None or known[0] != len(classes):
        known = _registered[cls] = (len(classes), {sub.get_name(): sub for sub in classes})
    return known[1]


class LazySubstates(dict):
    """A state's substates, each made at its first use.

    Reflex reaches a substate by name through the `substates` dict (`get_substate`, `get_state`,
    the delta of a dirty substate): a registered name counts as present and is made when it is
    first read. Iterating (the delta, `_clean`, `reset`, releasing the tree) sees only the
    substates made so far, which are the ones whose values can differ from their defaults.
    `get` does not make one: the guard asks whether the AuthState is there without making it.
    """

    __slots__ = ("_owner", "shown")

    def __init__(self, owner: Any) -> None:
        super().__init__()
        self._owner = owner
        self.shown = False  # (a root's) its tree has sent the browser a snapshot

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or name in _substate_classes(type(self._owner))

    def __missing__(self, name: str) -> Any:
        cls = _substate_classes(type(self._owner)).get(name)
        if cls is None:
            raise KeyError(name)
        substate = _make_state(cls, self._owner)
        dict.__setitem__(self, name, substate)
        return substate

    def absent(self) -> list[type]:
        """The substate classes not made yet."""
        return [cls for name, cls in _substate_classes(type(self._owner)).items() if not dict.__contains__(self, name)]


def _make_state(cls: type, parent: Any = None) -> Any:
    """A state of class `cls` (a root when `parent` is None) whose substates are made lazily."""
    state = cls(parent_state=parent, init_substates=False, _reflex_internal_init=True)
    object.__setattr__(state, "substates", LazySubstates(state))
    return state


# A State class's snapshot at its defaults, for the classes whose snapshot cannot depend on the tab.
_default_snapshots: dict[tuple[type, int], dict[str, dict[str, Any]]] = {}


def _plain(cls: type) -> bool:
    """Whether a state class's snapshot at its defaults is its fields' defaults alone (no computed
    var, no substate)."""
    return not cls.computed_vars and not _substate_classes(cls)


_same: dict[type, bool] = {}


def _same_for_every_tab(cls: type) -> bool:
    """Whether a state class's snapshot at its defaults is the same for every tab, whatever its other
    states and its router hold: no substate, and each computed var reads only the state's own fields
    (a list's page count from its total)."""
    known = _same.get(cls)
    if known is None:
        own = cls.get_full_name()
        known = _same[cls] = not _substate_classes(cls) and all(
            set(var._deps(objclass=cls)) <= {own} for var in cls.computed_vars.values()
        )
    return known


def _absent_snapshot(cls: type, parent: Any, include_computed: bool, initial: bool, kwargs: dict) -> dict:
    """What `dict()` gives for a substate the tab has not made: the state at its defaults.

    A plain class (`_plain`) gives its fields' defaults (class-level values, the same for every
    tab): that is kept per class and copied out, so that a hydrate does not make ~40 states again.
    Any other is made for the snapshot, with the tab's own state as its parent (a computed var
    reading a parent or the router sees the tab's values), and dropped."""
    if not _plain(cls) or kwargs:
        return _make_state(cls, parent).dict(include_computed=include_computed, initial=initial, **kwargs)
    key = (cls, len(cls.base_vars))
    kept = _default_snapshots.get(key)
    if kept is None:
        kept = _default_snapshots[key] = _make_state(cls, parent).dict(include_computed=False)
    # Reflex resolves and extends a snapshot's per-state dicts in place: each hydrate gets its own.
    return {name: dict(fields) for name, fields in kept.items()}


def _snapshot_every_state(dict_method: Callable) -> Callable:
    """Wrap `BaseState.dict` so that a full snapshot also holds the substates not made yet, at
    their defaults (`_absent_snapshot`): the answer equals the whole tree's, and the tab keeps
    only what it used."""

    def snapshot(self: Any, include_computed: bool = True, initial: bool = False, **kwargs: Any) -> dict:
        out = dict_method(self, include_computed=include_computed, initial=initial, **kwargs)
        substates = self.substates
        if type(substates) is LazySubstates:
            root = self._get_root_state()
            shown = getattr(root.substates, "shown", False) and not kwargs
            for cls in substates.absent():
                if not (shown and _same_for_every_tab(cls)):  # the browser holds them since the first
                    out.update(_absent_snapshot(cls, self, include_computed, initial, kwargs))
            if root is self:
                substates.shown = True
        return out

    snapshot._bbbms_every_state = True  # type: ignore[attr-defined]
    return snapshot


@dataclasses.dataclass
class BoundedMemoryManager(StateManagerMemory):
    """StateManagerMemory that drops the longest-idle states once it holds more than `max_states`,
    and (unless `lazy` is off) makes a tab's substates at their first use."""

    max_states: int = dataclasses.field(default_factory=max_tab_states)
    lazy: bool = dataclasses.field(default_factory=lazy_substates)

    def _get_or_create_state(self, token: StateToken) -> Any:
        if not self.lazy or not isinstance(token, BaseStateToken):
            return super()._get_or_create_state(token)
        state = self.states.get(token.cache_key)
        if state is None:
            state = self.states[token.cache_key] = _make_state(token.cls.get_root_state())
        return state

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


# Delete a tab's lock only if it is still the one this event took (another may have it by now).
_GIVE_BACK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class RecheckingRedisManager(StateManagerRedis):
    """Reflex's Redis manager, whose lock waiters also look again every `LOCK_RECHECK_S`, and whose
    cancelled events never leave their tab's lock behind (see the module docstring)."""

    async def _try_get_lock(self, lock_key: bytes, lock_id: bytes) -> bool | None:
        # Shielded: a cancel must not leave a SET NX that reached Redis without its taker.
        attempt = asyncio.ensure_future(super()._try_get_lock(lock_key, lock_id))
        try:
            return await asyncio.shield(attempt)
        except asyncio.CancelledError:
            _keep(asyncio.ensure_future(self._give_back(lock_key, lock_id, attempt)))
            raise

    @contextlib.asynccontextmanager
    async def _lock(self, token: StateToken[Any], event_name: str | None = None) -> AsyncIterator[bytes]:
        lock_id = b""
        try:
            async with super()._lock(token, event_name=event_name) as lock_id:
                yield lock_id
        except asyncio.CancelledError:
            # Reflex releases the lock in a `finally` that awaits Redis; a cancel landing there
            # (or before) leaves it unsent. Giving back a lock that is no longer ours does nothing.
            if lock_id:
                _keep(asyncio.ensure_future(self._give_back(self._lock_key(token), lock_id)))
            raise

    async def _give_back(self, lock_key: bytes, lock_id: bytes, attempt: asyncio.Future | None = None) -> None:
        """Release `lock_id`'s hold on `lock_key` if it has one (after `attempt`, a SET still on its way)."""
        try:
            if attempt is not None and not await attempt:
                return
            if await self.redis.eval(_GIVE_BACK, 1, lock_key, lock_id):  # type: ignore[misc]
                log.info("a cancelled event's tab lock given back")
        except Exception:
            log.warning("could not give back a cancelled event's tab lock; it expires by itself", exc_info=True)
            return
        self._notify_next_waiter(lock_key)

    @contextlib.asynccontextmanager
    async def _lock_waiter(self, lock_key: bytes) -> AsyncIterator[asyncio.Event]:
        async with super()._lock_waiter(lock_key) as released:
            # Reflex's wait loop takes a set event as «look again»: it clears it and tries the lock.
            poke = asyncio.get_running_loop().create_task(_poke_every(released, LOCK_RECHECK_S))
            try:
                yield released
            finally:
                poke.cancel()


def _keep(task: asyncio.Future) -> None:
    """Hold a fire-and-forget task until it ends (the loop keeps only a weak reference)."""
    _pending.add(task)  # type: ignore[arg-type]
    task.add_done_callback(_pending.discard)  # type: ignore[arg-type]


async def _poke_every(event: asyncio.Event, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        event.set()


def install() -> None:
    """Make Reflex create the bounded manager wherever it would create its memory manager, the
    rechecking one where it would create its Redis manager, and let a full snapshot answer for the
    substates a tab has not made (`_snapshot_every_state`); and the patient token managers
    (tab_sockets.py).

    Call before `rx.App(...)` (app.py): the app creates its state manager when it is built.
    """
    from reflex.state import BaseState

    if not getattr(BaseState.dict, "_bbbms_every_state", False):
        BaseState.dict = _snapshot_every_state(BaseState.dict)  # type: ignore[method-assign]
    tab_sockets.install()
    create = reflex_manager.StateManager.create.__func__  # type: ignore[attr-defined]
    if getattr(create, "_bbbms_bounded", False):
        return

    def bounded_create(cls):
        made = create(cls)
        if type(made) is StateManagerMemory:
            return BoundedMemoryManager()
        if type(made) is StateManagerRedis:
            # Same fields, one more method: the instance Reflex configured becomes ours (making a
            # second one would open a second Redis client and maybe its lock task).
            made.__class__ = RecheckingRedisManager
        return made

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
    """Wait for the deletions and lock give-backs under way (tests, and a worker shutting down)."""
    with contextlib.suppress(Exception):
        await asyncio.gather(*list(_pending))
