"""Word to every process of the server that accounts, sessions or rights changed (issue 12 #3).

Each process keeps the sessions it resolved for a while (`accounts.resolve_token`), so that the
guard does not read the database at every event. A commit that ends or changes a session (a
sign-out, a revocation, a disabled account, a new password or role, a change of the rights
matrix) clears its own process's cache at once (the listeners in `accounts`) and tells the others
here, by two ways:

- **the stamp file** `<data dir>/private/sessions.stamp`: one byte is appended at each change.
  Every process of this machine that serves or acts (the app's workers, the job consumer, the
  command line, all with the same data dir) compares the file's identity, size and time at each lookup
  — one `stat`, a microsecond or two — and forgets its cached sessions when they differ. Appends
  only ever grow the file, so a size never comes back while the file is the same; when it grows
  past `ROTATE_BYTES` a new file replaces it (a new inode).
- **a Redis channel** when `REFLEX_REDIS_URL` is set (a district, whose app servers may be on
  several machines with their own data dirs): each process that resolves sessions listens on
  `CHANNEL` on a thread of its own and forgets its cached sessions at each message, and when it
  (re)connects (what was said meanwhile is not heard).

A stamp file removed by hand is made again by the next lookup (`accounts._heard_stamp`): a new file
is a change for every process. A process that cannot be sure to hear every change keeps a session
for `accounts.SESSION_UNHEARD_S` (1 s) only: a stamp file it cannot make, or Redis configured but
its listener not connected. Changes made outside the app (SQL typed into the
database) reach no one: they hold when the session's cache life ends.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from bbbms_app import settings

log = logging.getLogger(__name__)

STAMP_FILE = "sessions.stamp"
ROTATE_BYTES = 64 * 1024  # ~64,000 changes: sign-outs and account changes, months of a school's
CHANNEL = "bbbms_sessions_changed"
RETRY_S = 2.0  # a listener that lost Redis tries again after this
LISTENER_NAME = "bbbms-sessions"  # its Redis client name, + the process id

_paths: tuple[object, str] | None = None  # (the settings object, its stamp path): rebuilt after a reload
_listener: threading.Thread | None = None
_listening_to = ""  # the Redis URL the listener is subscribed to now; "" while it is not
_heard = 0  # messages (and reconnections) the listener passed on: tests wait on it
_lock = threading.Lock()
_warned = False


def stamp_path() -> str:
    """The stamp file of the configured data dir."""
    global _paths
    conf = settings.get()
    if _paths is None or _paths[0] is not conf:
        _paths = (conf, str(conf.private_dir / STAMP_FILE))
    return _paths[1]


def stamp() -> tuple[int, int, int, int] | None:
    """The stamp file's identity, size and time (what a change moves), or None when there is none.

    The time too: a file removed by hand and made again may get the same inode number and size.
    """
    try:
        st = os.stat(stamp_path())
    except OSError:
        return None
    return st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns


def ensure_stamp() -> None:
    """Make the stamp file if it is missing (a process that resolves sessions does it once)."""
    path = Path(stamp_path())
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    except OSError as exc:
        global _warned
        if not _warned:  # once per process: it is tried again every few seconds
            _warned = True
            log.warning("the sessions' stamp file cannot be made (%s): sessions are kept 1 s only", exc.strerror)


def _append() -> None:
    path = stamp_path()
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            # One write of one byte with O_APPEND: atomic against other processes' appends.
            size = os.fstat(fd).st_size
            os.write(fd, b".")
        finally:
            os.close(fd)
        if size + 1 >= ROTATE_BYTES:
            fresh = f"{path}.{os.getpid()}"
            with open(os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb"):
                pass
            os.replace(fresh, path)  # a new inode: every reader sees a change
    except OSError as exc:
        # The others then keep a revoked session until its cache life ends; say so, once per change.
        log.warning("the sessions' stamp file could not be written (%s)", exc.strerror)


def announce() -> None:
    """Tell every other process that accounts changed (called after the commit that changed them)."""
    _append()
    url = settings.get().redis_url
    if not url:
        return
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        try:
            client.publish(CHANNEL, b"1")
        finally:
            client.close()
    except redis.RedisError as exc:
        log.warning("the change of sessions could not be told through Redis (%s)", type(exc).__name__)


def heard_everywhere() -> bool:
    """Whether a change made by any process of the server reaches this one at once."""
    url = settings.get().redis_url
    if not url:
        return True
    _start_listener(url)
    return _listening_to == url


def heard() -> int:
    """How many times the listener told this process to forget (messages and reconnections)."""
    return _heard


def _start_listener(url: str) -> None:
    global _listener, _listening_to
    if _listener is not None and _listener.is_alive():
        return
    with _lock:
        if _listener is None or not _listener.is_alive():
            # A process forked from a listening one has its flag but not its thread: not listening
            # until its own thread has subscribed.
            _listening_to = ""
            _listener = threading.Thread(target=_listen, name="bbbms-sessions-listener", daemon=True)
            _listener.start()


def _forget() -> None:
    global _heard
    from bbbms_app.services import accounts

    accounts.invalidate_sessions()
    _heard += 1


def _listen() -> None:
    """The listener's thread: subscribed to CHANNEL of the configured Redis, for the process's life."""
    global _listening_to
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    while True:
        url = settings.get().redis_url
        if not url:
            _listening_to = ""
            time.sleep(RETRY_S)
            continue
        try:
            # No silent reconnection (redis-py's default re-subscribes quietly, and a message sent in
            # the gap would be lost unnoticed): a lost connection comes here, and the next one forgets.
            client = redis.Redis.from_url(
                url,
                socket_connect_timeout=2,
                socket_keepalive=True,
                health_check_interval=10,
                retry=Retry(NoBackoff(), 0),
                client_name=f"{LISTENER_NAME}-{os.getpid()}",
            )
            pubsub = client.pubsub()
            pubsub.subscribe(CHANNEL)
            deadline = time.monotonic() + 5
            while (msg := pubsub.get_message(timeout=1.0)) is None or msg["type"] != "subscribe":
                if time.monotonic() > deadline:
                    raise redis.TimeoutError("no subscription")
            _forget()  # subscribed: what was said before (or while the connection was down) was not heard
            _listening_to = url
            while settings.get().redis_url == url:
                msg = pubsub.get_message(timeout=1.0)
                if msg is not None and msg["type"] == "message":
                    _forget()
            _listening_to = ""
            pubsub.close()
            client.close()
        except (redis.RedisError, OSError) as exc:
            if _listening_to:
                log.warning("the sessions' Redis channel was lost (%s); sessions are kept 1 s only", type(exc).__name__)
            _listening_to = ""
            time.sleep(RETRY_S)
