"""A tab's link to its websocket: a reload keeps its state token when the old socket is on its way out.

Reflex 0.10.1 links each tab's state token to the socket that brought it (its token manager). A
new socket presenting a token that is still linked to another socket is taken for a duplicated tab
(the browser's «Duplicate tab» copies sessionStorage, and two tabs must not share one state): it
gets a new token, and with it a fresh state.

A reload is not a duplicate, but it looks like one for a moment: the old page's socket closes while
the new page's socket opens, and the close is handled by whichever worker held the old socket
(another process in a district, where the proxy or the kernel hands each new socket to any
worker). When the new socket gets there first, the tab loses its screen choices — the summary's
class, the journal's subject — though it stays signed in (tests/browser/test_two_workers.py, which
failed this way in CI on a loaded machine: the other worker dropped the old link ~0.3 s after a
reload here, later under load).

So a new socket whose token is linked elsewhere waits up to `RELINK_WAIT_S` for that link to go
before Reflex decides; a reload's old link is gone within it, a really duplicated tab (or a phone
reconnecting before the server noticed its old socket die) gets its new token that much later.
"""

from __future__ import annotations

import abc
import asyncio
import os
from typing import Any

from reflex.utils import token_manager as reflex_tokens

RELINK_WAIT_S = 2.0  # a reload's old socket is dropped within ~0.3 s here; generous for a loaded worker
_POLL_S = 0.05


def relink_wait_s() -> float:
    """How long a new socket waits for its token's other link to go (BBBMS_RELINK_WAIT_S)."""
    try:
        return max(0.0, float(os.environ.get("BBBMS_RELINK_WAIT_S", RELINK_WAIT_S)))
    except ValueError:
        return RELINK_WAIT_S


class _PatientLink(abc.ABC):
    """Wait for a token's link to another socket to go before Reflex links the token (see above)."""

    relink_wait_s: float

    @abc.abstractmethod
    async def _linked_elsewhere(self, token: str, sid: str) -> bool:
        """Whether `token` is still linked to a socket other than `sid` (each manager its own way)."""

    async def link_token_to_sid(self, token: str, sid: str) -> str | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.relink_wait_s
        while await self._linked_elsewhere(token, sid) and loop.time() < deadline:
            await asyncio.sleep(_POLL_S)
        return await super().link_token_to_sid(token, sid)  # type: ignore[misc]


class PatientLocalTokenManager(_PatientLink, reflex_tokens.LocalTokenManager):
    """One worker: the link lives in this process."""

    def __init__(self) -> None:
        super().__init__()
        self.relink_wait_s = relink_wait_s()

    async def _linked_elsewhere(self, token: str, sid: str) -> bool:
        record = self.token_to_socket.get(token)
        return record is not None and record.sid != sid


class PatientRedisTokenManager(_PatientLink, reflex_tokens.RedisTokenManager):
    """Several workers: the link lives in Redis, where the old socket's worker deletes it."""

    def __init__(self, redis: Any) -> None:
        super().__init__(redis)
        self.relink_wait_s = relink_wait_s()

    async def _linked_elsewhere(self, token: str, sid: str) -> bool:
        record = self.token_to_socket.get(token)
        if record is not None and record.sid == sid:
            return False  # this very socket reconnecting
        try:
            return bool(await self.redis.exists(self._get_redis_key(token)))
        except Exception:  # Reflex's own check then logs the Redis error and falls back
            return False


def install() -> None:
    """Make Reflex create the patient token managers (call before `rx.App(...)`, as app.py does)."""
    create = reflex_tokens.TokenManager.create.__func__  # type: ignore[attr-defined]
    if getattr(create, "_bbbms_patient", False):
        return

    def patient_create(cls: type) -> reflex_tokens.TokenManager:
        made = create(cls)
        if type(made) is reflex_tokens.RedisTokenManager:
            return PatientRedisTokenManager(made.redis)
        if type(made) is reflex_tokens.LocalTokenManager:
            return PatientLocalTokenManager()
        return made

    patient_create._bbbms_patient = True  # type: ignore[attr-defined]
    reflex_tokens.TokenManager.create = classmethod(patient_create)  # type: ignore[method-assign]
