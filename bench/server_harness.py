"""What the server benches share: start the production server as `make run` does (one worker, or
several with Redis), read its processes' memory and CPU from /proc, and drive tabs over Reflex's
websocket with python-socketio as a browser does (research/performance.md §5).

Traffic goes to 127.0.0.1 only; every server started here is stopped when its `with` block ends.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BBBMS_ENV", "test")  # the bench process itself: cheap hashes for its own data
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

MARK = "_rx_state_"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
WEB_DIR = ".web-bench"
DEFAULT_PORT = 3871  # fixed, so that the bench build is made once and reused


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] if values else float("nan")


def machine() -> str:
    """One line naming the machine and its load, printed by every bench."""
    cpus = os.cpu_count()
    mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    gib = int(mem.split()[1]) / 1024 / 1024
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {cpus} cores, {gib:.0f} GiB; load average {load}"


# ---------------------------------------------------------------- processes


def _children(pid: int) -> list[int]:
    # Each thread lists the children it started (Granian starts its workers from another thread).
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(_children(p))
    return found


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for p in pids:
        with suppress(OSError):
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * PAGE_SIZE
    return total


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    port: int

    def pids(self) -> list[int]:
        return tree(self.proc.pid)

    def workers(self) -> list[int]:
        """Granian's worker processes (the children of the supervisor), or the supervisor alone."""
        kids = list(_children(self.proc.pid))
        return kids or [self.proc.pid]

    def rss(self) -> int:
        return rss_bytes(self.pids())

    def cpu(self) -> float:
        return cpu_seconds(self.pids())


def bench_env(
    db_path: Path,
    *,
    workers: int = 1,
    redis: str = "",
    cheap_hashes: bool = False,
    database_url: str = "",
    oplock: bool = True,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The server's environment: `make run`'s (production, nothing else set) on the bench database.

    `cheap_hashes` runs it as the tests do (BBBMS_ENV=test: argon2id at t=1, 8 KiB), for benches that
    sign in a thousand tabs and measure something else than sign-in.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BBBMS_", "REFLEX_", "GRANIAN", "DATABASE_URL"))}
    # The bench database's folder is private, as a school's data folder is (production checks it).
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db_path.parent.chmod(0o700)
    env.update(
        # `database_url`: another database (the district's PostgreSQL); the data folder stays by db_path.
        DATABASE_URL=database_url or f"sqlite:///{db_path}",
        BBBMS_DATA_DIR=str(db_path.parent / "data"),
        REFLEX_WEB_WORKDIR=WEB_DIR,
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_USE_NPM="1",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    )
    if redis:
        env.update(REFLEX_REDIS_URL=redis, GRANIAN_WORKERS=str(workers))
        if oplock:  # docs/operations.md's district settings; off: every event reads and writes Redis
            env["REFLEX_OPLOCK_ENABLED"] = "1"
    if cheap_hashes:
        env["BBBMS_ENV"] = "test"
    env.update(extra or {})  # a bench's own switch, e.g. the baseline's Socket.IO ping interval
    return env


def build(port: int, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "bbbms_app.toolchain", "build", "--port", str(port)], cwd=ROOT, env=env, check=True
    )


def wait_served(url: str, proc: subprocess.Popen | None = None, timeout: float = 120) -> float:
    """Seconds until GET /login/ answers a page; raises when the server does not come up."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {proc.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=5) as r:  # noqa: S310
                if r.status == 200 and b"<html" in r.read().lower():
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not serve within {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


@contextmanager
def serving(
    db_path: Path,
    *,
    port: int = DEFAULT_PORT,
    workers: int = 1,
    redis: str = "",
    cheap_hashes=False,
    database_url: str = "",
    oplock: bool = True,
    extra: dict[str, str] | None = None,
):
    """Build (only when needed) and serve; yields a Server; stops it afterwards."""
    env = bench_env(
        db_path,
        workers=workers,
        redis=redis,
        cheap_hashes=cheap_hashes,
        database_url=database_url,
        oplock=oplock,
        extra=extra,
    )
    if redis:
        import redis as redis_lib

        redis_lib.Redis.from_url(redis).flushdb()  # the bench's own Redis database index
    build(port, env)
    # BBBMS_BENCH_SERVER_LOG=FILE keeps the server's own output (a worker's restart, a traceback).
    log_path = os.environ.get("BBBMS_BENCH_SERVER_LOG", "")
    out = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "bbbms_app.toolchain", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT if log_path else subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://localhost:{port}"
    try:
        wait_served(url, proc)
        yield Server(url, proc, port)
    finally:
        stop(proc)
        if log_path:
            out.close()


# ---------------------------------------------------------------- tabs


def state_names() -> dict[str, str]:
    import bbbms_app.app  # noqa: F401  (registers the states)
    from bbbms_app.auth.state import AuthState
    from bbbms_app.pages.diary import DiaryState
    from bbbms_app.pages.home import HomeState
    from bbbms_app.pages.journal import JournalState

    return {
        "auth": AuthState.get_full_name(),
        "diary": DiaryState.get_full_name(),
        "home": HomeState.get_full_name(),
        "journal": JournalState.get_full_name(),
    }


@functools.cache
def initial_state_hashes() -> list[str]:
    """The hashes of the compiled defaults the built frontend sends with its first hydrate."""
    text = (ROOT / WEB_DIR / "utils" / "context.jsx").read_text(encoding="utf-8")
    found = re.search(r"export const initialStateHashes = (\[[^\]]*\])", text)
    if found is None:
        raise RuntimeError(f"no initialStateHashes in {WEB_DIR}/utils/context.jsx: build the bench frontend first")
    return json.loads(found.group(1))


@dataclass
class Tab:
    """One browser tab: its own token and socket; `call` sends an event and times its answer."""

    url: str
    pathname: str = "/"
    sio: object = None
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)
    received: int = 0
    last: dict = field(default_factory=dict)

    async def connect(self, timeout: float = 60) -> None:
        import socketio

        self.sio = sio = socketio.AsyncClient(reconnection=False)

        @sio.on("event", namespace="/_event")
        async def on_event(data):
            size = len(json.dumps(data, ensure_ascii=False).encode())
            self.received += size
            await self.queue.put((time.perf_counter(), data, size))

        await sio.connect(
            f"{self.url}?token={uuid.uuid4()}",
            transports=["websocket"],
            namespaces=["/_event"],
            socketio_path="/_event",
            wait_timeout=timeout,
        )

    async def call(self, name: str, payload: dict, want: str | None, timeout: float = 60) -> float:
        """Emit `name` and wait for the answer whose delta carries var `want` (None: any answer); ms."""
        while not self.queue.empty():
            self.queue.get_nowait()
        router = {"pathname": self.pathname, "query": {}, "asPath": self.pathname}
        t0 = time.perf_counter()
        await self.sio.emit("event", {"name": name, "payload": payload, "router_data": router}, namespace="/_event")
        deadline = t0 + timeout
        while True:
            at, data, _size = await asyncio.wait_for(self.queue.get(), max(0.01, deadline - time.perf_counter()))
            if want is None or any(want + MARK in sub for sub in data.get("delta", {}).values()):
                self.last = data  # the answer, for a bench that checks what it says
                return (at - t0) * 1000

    async def hydrate(self, quiet_s: float = 0.5) -> float:
        """The browser's first event on a socket: the snapshot, then the page's on_load; ms to the
        snapshot. Waits until the server has been silent for `quiet_s` (the on_load's answers).

        On a page's first connect the browser still holds the compiled defaults and sends their
        hashes, and the server answers with the vars that differ (Reflex 0.10.1,
        `State.hydrate_and_load`; a reconnect sends none and gets every var of every state)."""
        payload = {"hashes": initial_state_hashes()}
        ms = await self.call("reflex___state____state.hydrate_and_load", payload, None)
        await self.settle(quiet_s)
        return ms

    async def settle(self, quiet_s: float = 0.3) -> None:
        """Read what the last event still sends (a page's on_load answers) until `quiet_s` of silence."""
        while True:
            try:
                await asyncio.wait_for(self.queue.get(), quiet_s)
            except TimeoutError:
                return

    async def close(self) -> None:
        if self.sio is not None:
            await self.sio.disconnect()


async def signed_in_tab(
    url: str, names: dict[str, str], username: str, pathname: str = "/", hydrate: bool = False
) -> tuple[Tab, float]:
    """A tab that has signed in (the sign-in form's event); returns it and the sign-in's ms. With
    `hydrate`, the sign-in page's hydrate first, as a browser sends it on connecting."""
    tab = Tab(url, pathname="/login")
    await tab.connect()
    if hydrate:
        await tab.hydrate()
    ms = await tab.call(
        f"{names['auth']}.login", {"form_data": {"username": username, "password": "bbbms-demo"}}, "signed_in"
    )
    tab.pathname = pathname
    return tab, ms
