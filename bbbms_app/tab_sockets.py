"""A tab's link to its websocket: a reload, and a phone that changed networks, keep the tab's state.

Reflex 0.10.1 links each tab's state token to the socket that brought it (its token manager). A
new socket presenting a token that is still linked to another socket is taken for a duplicated tab
(the browser's «Duplicate tab» copies sessionStorage, and two tabs must not share one state): it
gets a new token, and with it a fresh state — the journal back at its first class, the summary's
class forgotten (the user stays signed in: the session is the cookie's).

Two things that are not a duplicate look like one:

- **A reload**: the old page's socket closes while the new page's socket opens, and the close is
  handled by whichever worker held the old socket (another process in a district). When the new
  socket gets there first, it waits up to `RELINK_WAIT_S` for the old link to go
  (tests/browser/test_two_workers.py failed this way in CI on a loaded machine).
- **A phone whose network changed** (Wi-Fi to mobile data between classrooms, a weak link that
  stalled): the page knows its socket is gone and connects again at once, but the server hears
  nothing of the old one — no close ever arrives — and holds it until Socket.IO's keep-alive gives
  up (`rxconfig.py`: up to 150 s). Waiting is no use there.

So a new socket whose token is linked elsewhere asks the old socket for a sign of life: an
Engine.IO ping, which every client answers at once (protocol v4). An answer within `PROBE_S` is a
live twin — a really duplicated tab — and the new socket gets its own token without waiting out
the rest. A silent old socket is closed by the worker that holds it (in a district, told through
Redis), which drops its link as any disconnect does, and the new socket takes the token with the
tab's state. A link whose socket is not on its worker any more is dropped the same way. A link
left in Redis by a worker that is no longer running (killed: no one listens on its channel) gets
the new socket a new token at once, without the wait: the dead worker may hold the tab's state
lock until it expires.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import enum
import json
import logging
import os
import pickle
import time
from typing import Any

from engineio import async_socket as engine_sockets
from engineio import packet as engine_packet
from reflex.utils import token_manager as reflex_tokens
from reflex.utils.tasks import ensure_task

log = logging.getLogger(__name__)

RELINK_WAIT_S = 2.0  # a reload's old socket is dropped within ~0.3 s here; generous for a loaded worker
# How long an old socket has to answer the ping: a tab on the same device answers within
# milliseconds; a socket still silent after this is gone (a duplicated tab in a frozen background
# tab is the only live one that stays silent, and it then gets a new state when it wakes).
PROBE_S = 1.5
_POLL_S = 0.05
_HEARD = "_bbbms_pong_at"  # monotonic time of the last pong an engine.io socket received
_PROBE_CHANNEL = "bbbms_socket_probe_"  # + the instance id of the worker that holds the socket
_ALIVE_KEY = "bbbms_socket_alive_"  # + the socket id: set by its worker when it answered a probe


def relink_wait_s() -> float:
    """How long a new socket waits for its token's other link to go (BBBMS_RELINK_WAIT_S)."""
    try:
        return max(0.0, float(os.environ.get("BBBMS_RELINK_WAIT_S", RELINK_WAIT_S)))
    except ValueError:
        return RELINK_WAIT_S


class Answer(enum.Enum):
    """What an old socket did when asked for a sign of life."""

    ANSWERED = "answered"  # alive: the new socket is a duplicated tab's
    SILENT = "silent"  # gone (closed now, its link dropped) or not on its worker any more
    UNKNOWN = "unknown"  # could not be asked (no app here, its worker did not say)
    # Its worker is not running (killed: no one listens on its channel). The tab's state may stay
    # locked by that worker for the lock's 60 s (with opportunistic locking it is, as a rule): the
    # new socket gets a fresh state at once rather than a minute's spinner.
    WORKER_GONE = "worker gone"


_app: Any = None  # the running rx.App (serve_from): its Socket.IO server holds this worker's sockets


def serve_from(app: Any) -> None:
    """The app whose sockets the probes ask (app.py, once the app is made)."""
    global _app
    _app = app


async def ask_socket(sid: str, manager: reflex_tokens.TokenManager, token: str) -> Answer:
    """Ask this worker's socket `sid` (linked to `token`) for a sign of life; close it if silent."""
    sio = getattr(_app, "sio", None)
    namespace = getattr(getattr(_app, "event_namespace", None), "namespace", None)
    if sio is None or namespace is None:
        return Answer.UNKNOWN
    eio_sid = sio.manager.eio_sid_from_sid(sid, namespace)
    sock = sio.eio.sockets.get(eio_sid) if eio_sid else None
    if sock is None or sock.closed or sock.closing:
        # The link outlived its socket (its disconnect's clean-up not run yet, or lost): drop it.
        await manager.disconnect_token(token, sid)
        return Answer.SILENT
    asked_at = time.monotonic()
    await sock.send(engine_packet.Packet(engine_packet.PING))
    while time.monotonic() - asked_at < PROBE_S:
        if sock.closed or sock.closing:
            # Its close arrived (a reload's old page, its close handled late): the link goes with it.
            return Answer.SILENT
        if getattr(sock, _HEARD, 0.0) >= asked_at:
            return Answer.ANSWERED
        await asyncio.sleep(_POLL_S)
    log.info("a tab's old socket stayed silent for %.1f s: closed, the tab's new socket takes its state", PROBE_S)
    # Reflex's disconnect handler drops the token's link (and the old page's pending on_load work).
    await sio.disconnect(sid, namespace=namespace)
    return Answer.SILENT


class _PatientLink(abc.ABC):
    """Before Reflex links a token: wait for its other link to go, or ask that socket (see above)."""

    relink_wait_s: float

    @abc.abstractmethod
    async def _other_link(self, token: str, sid: str) -> reflex_tokens.SocketRecord | None:
        """The link of `token` to a socket other than `sid`, if any (each manager its own way)."""

    @abc.abstractmethod
    async def _ask(self, token: str, record: reflex_tokens.SocketRecord) -> Answer:
        """Ask the socket of `record` for a sign of life (each manager its own way)."""

    async def link_token_to_sid(self, token: str, sid: str) -> str | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.relink_wait_s
        # Past the wait, a question still out (or a silent socket's link about to go) is waited for,
        # up to here: on a loaded machine its answer may come later than the wait.
        last = deadline + PROBE_S + 1.0
        asked: asyncio.Task[Answer] | None = None
        while self.relink_wait_s > 0 and (record := await self._other_link(token, sid)) is not None:
            if asked is None:
                # Not awaited here: a reload's old link may go by itself before the answer.
                asked = _spawn(self._ask(token, record))
            answer = _answer_of(asked)
            if answer in (Answer.ANSWERED, Answer.WORKER_GONE):
                break  # a live twin, or a dead worker's socket: Reflex gives this socket a new token
            now = loop.time()
            if now >= last or (now >= deadline and answer is Answer.UNKNOWN):
                break
            await asyncio.sleep(_POLL_S)
        return await super().link_token_to_sid(token, sid)  # type: ignore[misc]


def _answer_of(asked: asyncio.Task[Answer]) -> Answer | None:
    """The answer, once there is one (a question that failed — Redis down — counts as unknown)."""
    if not asked.done():
        return None
    if asked.cancelled() or asked.exception() is not None:
        return Answer.UNKNOWN
    return asked.result()


def _stored_record(stored: bytes) -> reflex_tokens.SocketRecord:
    """Reflex's socket record as its RedisTokenManager stores it (pickled, by a worker of this app)."""
    return pickle.loads(stored)  # noqa: S301  (Reflex's own format, read as Reflex reads it)


class PatientLocalTokenManager(_PatientLink, reflex_tokens.LocalTokenManager):
    """One worker: the link lives in this process."""

    def __init__(self) -> None:
        super().__init__()
        self.relink_wait_s = relink_wait_s()

    async def _other_link(self, token: str, sid: str) -> reflex_tokens.SocketRecord | None:
        record = self.token_to_socket.get(token)
        return record if record is not None and record.sid != sid else None

    async def _ask(self, token: str, record: reflex_tokens.SocketRecord) -> Answer:
        return await ask_socket(record.sid, self, token)

    async def disconnect_token(self, token: str, sid: str) -> None:
        # Reflex 0.10.1 drops the token's link whichever socket closes: an old socket closed after
        # the tab's new one took the token would unlink the new one (its updates then lost).
        record = self.token_to_socket.get(token)
        if record is not None and record.sid == sid:
            self.token_to_socket.pop(token, None)
        self.sid_to_token.pop(sid, None)


class PatientRedisTokenManager(_PatientLink, reflex_tokens.RedisTokenManager):
    """Several workers: the link lives in Redis, where the old socket's worker deletes it.

    The worker holding the old socket is asked through a Redis channel of its own; it pings its
    socket, closes it when silent (which deletes the link), or marks it alive for a few seconds."""

    def __init__(self, redis: Any) -> None:
        super().__init__(redis)
        self.relink_wait_s = relink_wait_s()
        self._probe_task: asyncio.Task | None = None

    async def link_token_to_sid(self, token: str, sid: str) -> str | None:
        # Every worker links its own sockets first: it listens for questions about them from then on.
        ensure_task(
            owner=self,
            task_attribute="_probe_task",
            coro_function=self._answer_probes,
            suppress_exceptions=[Exception],
        )
        return await super().link_token_to_sid(token, sid)

    async def _other_link(self, token: str, sid: str) -> reflex_tokens.SocketRecord | None:
        record = self.token_to_socket.get(token)
        if record is not None and record.sid == sid:
            return None  # this very socket reconnecting
        try:
            stored = await self.redis.get(self._get_redis_key(token))
        except Exception:  # Reflex's own check then logs the Redis error and falls back
            return None
        if not stored:
            return None
        other = _stored_record(stored)
        return other if other.sid != sid else None

    async def _ask(self, token: str, record: reflex_tokens.SocketRecord) -> Answer:
        if record.instance_id == self.instance_id:
            return await ask_socket(record.sid, self, token)
        alive = _ALIVE_KEY + record.sid
        listeners = await self.redis.publish(_PROBE_CHANNEL + record.instance_id, json.dumps([token, record.sid]))
        if not listeners:
            return Answer.WORKER_GONE
        deadline = time.monotonic() + PROBE_S + 0.5
        while time.monotonic() < deadline:
            if await self.redis.exists(alive):
                return Answer.ANSWERED
            await asyncio.sleep(_POLL_S)
        return Answer.UNKNOWN  # a silent socket's worker closes it itself: its link goes with it

    async def _answer_probes(self) -> None:
        """Answer other workers' questions about this worker's sockets (a task per worker)."""
        async with self.redis.pubsub() as pubsub:
            await pubsub.subscribe(_PROBE_CHANNEL + self.instance_id)
            async for message in pubsub.listen():
                if message["type"] != "message":
                    continue
                try:
                    token, sid = json.loads(message["data"])
                except ValueError:
                    continue
                _spawn(self._answer(str(token), str(sid)))

    async def close(self) -> None:
        task = self._probe_task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await super().close()

    async def _answer(self, token: str, sid: str) -> None:
        if await ask_socket(sid, self, token) is Answer.ANSWERED:
            await self.redis.set(_ALIVE_KEY + sid, b"1", ex=10)


_running: set[asyncio.Task] = set()  # questions and answers under way (asyncio keeps weak references only)


def _spawn(coro: Any) -> asyncio.Task:
    task = asyncio.create_task(coro)
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


def _hearing(receive: Any) -> Any:
    # Only a pong counts as an answer: any other packet may be the old page's own close, sent before
    # it unloaded and handled late (a reload in a loaded district), which is no sign of a live twin.
    async def receive_and_note(self: Any, pkt: Any) -> Any:
        if pkt.packet_type == engine_packet.PONG:
            setattr(self, _HEARD, time.monotonic())
        return await receive(self, pkt)

    receive_and_note._bbbms_hearing = True  # type: ignore[attr-defined]
    return receive_and_note


def install() -> None:
    """Make Reflex create the patient token managers, and engine.io sockets note when they last
    heard from their client (call before `rx.App(...)`, as app.py does)."""
    if not getattr(engine_sockets.AsyncSocket.receive, "_bbbms_hearing", False):
        engine_sockets.AsyncSocket.receive = _hearing(engine_sockets.AsyncSocket.receive)  # type: ignore[method-assign]
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
