"""Marks entered over Reflex's websocket: bytes and round trip of one mark, and 50 teachers at once.

Drives the real production server (one worker, memory state manager) with python-socketio, as the
browser does (research/performance.md §5): each virtual teacher has its own tab token, signs in
with AuthState.login, opens the 40 × 70 benchmark journal (JournalState.load / set_class) and then
sends JournalState.key("row:column", mark) events with a think time, each into its own cells and
each a value the cell does not hold (a save that changes nothing writes nothing).
The round trip is emit → the first message whose delta carries the changed row var.

Baseline in the same run and with the same clients: a trivial event of the same page
(JournalState.set_kind, which flips one string var; same guard, same session lookup). Reported:
p50/p95/p99, events/s, bytes per message, errors; ratio = mark p95 / trivial p95; and the server's
CPU per event of each phase (its processes' user + system time over the events answered), the
steadier figure: the teachers send in near lock-step, so a p95 is the queue behind ~47 events.

    .venv/bin/python bench/journal_ws.py                       # builds and serves the app on a free port
    .venv/bin/python bench/journal_ws.py --url http://localhost:3817 --db /tmp/bbbms-bench/journal.db
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BBBMS_ENV", "test")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

import socketio  # noqa: E402

from bench.journal_data import BENCH_USERS, build  # noqa: E402
from bench.server_harness import cpu_seconds, tree  # noqa: E402

MARK = "_rx_state_"
ROUTER = {"pathname": "/journal", "query": {}, "asPath": "/journal"}


def _names() -> tuple[str, str]:
    import bbbms_app.app  # noqa: F401  (registers the states)
    from bbbms_app.auth.state import AuthState
    from bbbms_app.pages.journal import JournalState

    return AuthState.get_full_name(), JournalState.get_full_name()


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] if values else float("nan")


class Tab:
    """One virtual teacher's browser tab: a socket, a token, the journal's rows as the server sent them."""

    def __init__(self, url: str, auth: str, page: str) -> None:
        self.url, self.auth, self.page = url, auth, page
        self.sio = socketio.AsyncClient(reconnection=False)
        self.queue: asyncio.Queue = asyncio.Queue()
        self.rows: dict[int, list[str]] = {}  # cells packed «text|classes|token»

        @self.sio.on("event", namespace="/_event")
        async def on_event(data):
            await self.queue.put((time.perf_counter(), data, len(json.dumps(data, ensure_ascii=False).encode())))

    async def connect(self) -> None:
        await self.sio.connect(
            f"{self.url}?token={uuid.uuid4()}",
            transports=["websocket"],
            namespaces=["/_event"],
            socketio_path="/_event",
        )

    async def call(self, state: str, handler: str, payload: dict, want: str, timeout: float = 30) -> tuple[float, int]:
        """Send an event; wait for the message whose delta has var `want`. Returns (ms, bytes received)."""
        while not self.queue.empty():
            self.queue.get_nowait()
        t0 = time.perf_counter()
        await self.sio.emit(
            "event", {"name": f"{state}.{handler}", "payload": payload, "router_data": ROUTER}, namespace="/_event"
        )
        received = 0
        deadline = t0 + timeout
        while True:
            at, data, size = await asyncio.wait_for(self.queue.get(), max(0.01, deadline - time.perf_counter()))
            received += size
            for substate in data.get("delta", {}).values():
                for key, value in substate.items():
                    if key.startswith("r") and key.endswith(MARK) and key[1 : -len(MARK)].isdigit():
                        self.rows[int(key[1 : -len(MARK)])] = value
                if want + MARK in substate:
                    return (at - t0) * 1000, received

    async def close(self) -> None:
        await self.sio.disconnect()


async def open_tab(url: str, names: tuple[str, str], username: str, class_id: int, term_id: int) -> Tab:
    auth, page = names
    tab = Tab(url, auth, page)
    await tab.connect()
    await tab.call(auth, "login", {"form_data": {"username": username, "password": "bbbms-demo"}}, "signed_in")
    await tab.call(page, "load", {}, "class_options")
    await tab.call(page, "set_term", {"value": str(term_id)}, "term_id")
    await tab.call(page, "set_class", {"value": str(class_id)}, "n_rows")
    assert len(tab.rows) >= 40, f"{username}: the journal did not open ({len(tab.rows)} rows)"
    return tab


def targets(tab: Tab, i: int, n: int, users: int) -> list[str]:
    """Cells of teacher i: his row, his share of its columns (a row is shared by every 40th teacher),
    none with an absence (a mark there is refused)."""
    row = i % 40
    cells = tab.rows[row]
    width = len(cells) // -(-users // 40)
    first = (i // 40) * width
    return [
        f"{row}:{c}"
        for c in range(first, min(first + width, len(cells)))
        if cells[c].split("|", 1)[0] not in ("н", "б", "у", "п")
    ][:n]


def server_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) the server's processes have used so far; 0 when it is not ours to see."""
    return cpu_seconds(tree(pid)) if pid is not None else 0.0


async def phase(
    tabs: list[Tab], kind: str, per_user: int, think: float, start: asyncio.Event, server_pid: int | None = None
) -> dict:
    cpu0 = server_cpu(server_pid)
    lat: list[float] = []
    sizes: list[int] = []
    errors = [0]

    async def user(i: int, tab: Tab) -> None:
        cells = targets(tab, i, per_user, len(tabs))
        await start.wait()
        for j in range(per_user):
            try:
                if kind == "mark":
                    cell = cells[j % len(cells)]
                    row, col = (int(x) for x in cell.split(":"))
                    # Always a change: a value the cell does not hold (the same one would write nothing,
                    # and the bench database keeps the marks of earlier runs).
                    held = tab.rows[row][col].split("|", 1)[0]
                    value = next(str(2 + (i + j + k) % 4) for k in range(4) if str(2 + (i + j + k) % 4) != held)
                    ms, size = await tab.call(tab.page, "key", {"cell": cell, "key": value}, f"r{row}")
                    # A packed cell «text|classes|token» (pages/journal/state.pack).
                    if "err" in tab.rows[row][col].split("|", 2)[1].split():
                        errors[0] += 1
                else:
                    flip = ("home", "class")[j % 2]
                    ms, size = await tab.call(tab.page, "set_kind", {"value": flip}, "kind")
                lat.append(ms)
                sizes.append(size)
            except TimeoutError:
                errors[0] += 1
            await asyncio.sleep(think)

    t0 = time.perf_counter()
    tasks = [asyncio.create_task(user(i, tab)) for i, tab in enumerate(tabs)]
    start.set()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - t0
    # The server's CPU per event: what the lock-step p95 measures through the queue, without the noise
    # of the two cores the clients share (it includes Granian's socket work and the idle poll of the rest).
    cpu_ms = (server_cpu(server_pid) - cpu0) * 1000 / max(1, len(lat)) if server_pid else float("nan")
    return {"lat": lat, "sizes": sizes, "errors": errors[0], "rate": len(lat) / wall, "cpu_ms": cpu_ms}


def line(name: str, r: dict) -> str:
    lat = r["lat"]
    return (
        f"  {name:<26} p50 {statistics.median(lat):7.1f} ms  p95 {pct(lat, 0.95):7.1f} ms  p99 {pct(lat, 0.99):7.1f} ms"
        f"  {r['rate']:6.0f} ev/s  max msg {max(r['sizes']) / 1024:5.2f} KiB  errors {r['errors']}"
        f"  server CPU {r['cpu_ms']:4.2f} ms/event"
    )


async def run(url: str, db_path: Path, users: int, per_user: int, think: float, pid: int | None = None) -> None:
    big = build(db_path)
    names = _names()
    # One teacher: bytes and round trip of one mark, against the trivial event.
    one = [await open_tab(url, names, "bench01", big.class_id, big.term_id)]
    solo_trivial = await phase(one, "trivial", 40, 0.05, asyncio.Event(), pid)
    solo_mark = await phase(one, "mark", 30, 0.05, asyncio.Event(), pid)
    await one[0].close()
    print(f"One teacher (40 × 70 journal open), one event at a time; load average {os.getloadavg()[0]:.1f}")
    print(line("trivial event (set_kind)", solo_trivial))
    print(line("one mark saved (key)", solo_mark))
    print(
        f"  bytes sent to the browser per mark: median {statistics.median(solo_mark['sizes'])} B,"
        f" max {max(solo_mark['sizes'])} B (the whole grid on opening is ~73 KiB)"
    )
    print(f"  ratio mark p95 / trivial p95: {pct(solo_mark['lat'], 0.95) / pct(solo_trivial['lat'], 0.95):.2f}")
    # Fifty teachers at once.
    tabs = []
    for i in range(users):
        tabs.append(await open_tab(url, names, f"bench{i % BENCH_USERS + 1:02d}", big.class_id, big.term_id))
    trivial = await phase(tabs, "trivial", per_user, think, asyncio.Event(), pid)
    marks = await phase(tabs, "mark", per_user, think, asyncio.Event(), pid)
    for tab in tabs:
        await tab.close()
    print(f"{users} teachers at once, {per_user} events each, think time {think} s, one worker")
    print(line("trivial event (set_kind)", trivial))
    print(line("mark (key)", marks))
    print(f"  ratio mark p95 / trivial p95: {pct(marks['lat'], 0.95) / pct(trivial['lat'], 0.95):.2f}")
    print(f"  ratio of the server's CPU per event, mark / trivial: {marks['cpu_ms'] / trivial['cpu_ms']:.2f}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--url", default="")
    p.add_argument("--db", default="/tmp/bbbms-bench/journal.db")
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--marks", type=int, default=25)
    p.add_argument("--think", type=float, default=0.5)
    p.add_argument("--server-pid", type=int, default=None, help="with --url: the server's pid, for its CPU per event")
    args = p.parse_args()
    db_path = Path(args.db)
    build(db_path)
    server = None
    url = args.url
    if not url:
        port = _free_port()
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{db_path}", REFLEX_WEB_WORKDIR=".web-bench")
        env["REFLEX_STATES_WORKDIR"] = ".web-bench-states"
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
        # Real argon2id at sign-in, as before; `serve` alone would now run production, which refuses the
        # bench database in a folder others can read.
        env["BBBMS_ENV"] = "dev"
        # The worker alone: a first start's consumer backs the bench database up 30 s after the start
        # (no backup of it yet), 3 s of a core that fell in the middle of the 50 teachers' phase.
        env["BBBMS_JOBS"] = "external"
        cmd = [sys.executable, "-m", "bbbms_app.toolchain"]
        subprocess.run([*cmd, "build", "--port", str(port)], cwd=ROOT, env=env, check=True)
        server = subprocess.Popen(
            [*cmd, "serve", "--port", str(port), "--host", "127.0.0.1"], cwd=ROOT, env=env, start_new_session=True
        )
        url = f"http://localhost:{port}"
        import urllib.request

        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{url}/ping", timeout=2):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.5)
    try:
        pid = server.pid if server is not None else args.server_pid
        asyncio.run(run(url, db_path, args.users, args.marks, args.think, pid))
    finally:
        if server is not None:
            os.killpg(server.pid, 15)
            server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
