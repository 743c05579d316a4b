"""The district's set-up: two app workers behind one address, sharing Redis and the database.

Two production servers (`toolchain serve`, as `make run` starts one) run on their own ports, with
Redis as Reflex's state manager. A small round-robin proxy stands where the reverse proxy would:
each new websocket of the tab goes to the other worker, so after every reload the tab is served
by a different process. The tab's sign-in and its state (the summary sheet's chosen class, which
only the state manager holds) must survive the move; so must a socket whose network goes silent
(a phone that changed networks: the worker holding the old socket hears nothing, the tab's new
socket reaches the other worker, which has the old one asked through Redis); then one worker is
killed and the tab goes on with the other, still signed in.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    CHROMIUM,
    DESKTOP,
    ROOT,
    WORKER_INDEX,
    _free_port,
    build_frontend,
    serving_address,
    site,
)
from tests.browser.test_shell import sign_in
from tests.browser.test_tab_sockets import MutableNetwork

pytestmark = pytest.mark.browser
expect.set_options(timeout=20_000)
# The proxy serves the browser tests' one build, at its port, on a loopback address of its own
# (tests/browser/conftest.py): the frontend calls back the host the page came from.
PROXY_HOST = f"127.0.0.{101 + WORKER_INDEX}"


class RoundRobinProxy:
    """TCP proxy: every websocket (a request for /_event) goes to the next live worker in turn;
    plain HTTP goes to any live worker. Records which worker served each websocket."""

    def __init__(self, host: str, port: int, backends: list[int]) -> None:
        self.host, self.port = host, port
        self.backends = backends
        self.dead: set[int] = set()
        self.websockets: list[int] = []  # the backend port of each websocket, in order
        self._turn = itertools.count()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _shutdown(self) -> None:
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._serve, self.host, self.port))
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    def _next(self) -> int:
        live = [p for p in self.backends if p not in self.dead]
        return live[next(self._turn) % len(live)]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.read(65536)
        except ConnectionError:
            writer.close()
            return
        backend = self._next()
        if b"/_event" in head.split(b"\r\n", 1)[0]:
            self.websockets.append(backend)
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", backend)
        except OSError:
            writer.close()
            return
        up_writer.write(head)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


def _wait_up(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.time() + float(os.environ.get("BBBMS_TEST_SERVER_WAIT", "300"))
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker on {port} exited; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"worker on {port} did not start; see {log}")


@pytest.fixture(scope="module")
def district(tmp_path_factory, browser_db_url):
    """Two workers on one Redis and one database, and the proxy in front of them."""
    (web_dir, proxy_port), ports = serving_address(PROXY_HOST), [_free_port(), _free_port()]
    redis = os.environ.get("BBBMS_TEST_REDIS_URL") or "redis://127.0.0.1:6379/9"
    env = dict(os.environ)
    env.pop("PYTEST_CURRENT_TEST", None)
    env.update(
        {
            "DATABASE_URL": browser_db_url,
            "BBBMS_PUBLIC_URL": site(PROXY_HOST, proxy_port),
            "BBBMS_DATA_DIR": str(tmp_path_factory.mktemp("district-data")),
            "BBBMS_JOBS": "external",  # a district runs its job consumer as its own service
            "REFLEX_WEB_WORKDIR": web_dir,
            "REFLEX_STATES_WORKDIR": f"{web_dir}-states-{PROXY_HOST}",
            "REFLEX_REDIS_URL": redis,
            "REFLEX_OPLOCK_ENABLED": "1",  # as docs/operations.md sets a district up
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
        }
    )
    # The frontend is built to call the address people use: the proxy's.
    build_frontend(web_dir, proxy_port, env)
    procs: dict[int, subprocess.Popen] = {}
    logs = tmp_path_factory.mktemp("district-logs")
    for port in ports:
        log = logs / f"worker-{port}.log"
        procs[port] = subprocess.Popen(
            [sys.executable, "-m", "bbbms_app.toolchain", "serve", "--port", str(port), "--host", "127.0.0.1"],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    for port in ports:
        _wait_up(port, procs[port], logs / f"worker-{port}.log")
    proxy = RoundRobinProxy(PROXY_HOST, proxy_port, ports)
    proxy.start()
    yield proxy, procs
    proxy.stop()
    for proc in procs.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs.values():
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture
def district_page(browser, district):
    proxy, _ = district
    context = browser.new_context(viewport=DESKTOP, base_url=site(proxy.host, proxy.port), locale="ky-KG")
    pg = context.new_page()
    pg.set_default_timeout(30000)
    yield pg
    context.close()


def _class_shown(page: Page) -> str:
    return page.get_by_test_id("summary-class").inner_text().strip()


def test_a_tab_keeps_its_session_and_state_on_either_worker_and_when_one_dies(district, district_page: Page):
    assert Path(CHROMIUM).exists()
    proxy, procs = district
    page = district_page
    network = MutableNetwork(page)
    sign_in(page, "deputy")
    page.goto("/summary")
    expect(page.get_by_test_id("summary-sheet")).to_be_visible()
    default = _class_shown(page)
    page.get_by_test_id("summary-class").click()
    options = [o.strip() for o in page.get_by_role("option").all_inner_texts()]
    chosen = next(o for o in options if o and o != default)  # a class the state would not fall back to
    page.get_by_role("option", name=chosen, exact=True).click()
    expect(page.get_by_test_id("summary-class")).to_have_text(chosen)

    # Each reload opens a new websocket, which the proxy hands to the other worker.
    served_before = len(proxy.websockets)
    for _ in range(3):
        page.reload()
        expect(page.get_by_test_id("summary-sheet")).to_be_visible()
        expect(page.get_by_test_id("summary-class")).to_have_text(chosen)
        assert "/login" not in page.url
    assert set(proxy.websockets[served_before:]) == set(procs), proxy.websockets

    # The tab's network goes silent: its page connects again, through the proxy to the other worker,
    # while the old socket's worker has heard nothing. Asked through Redis, that worker pings its
    # socket, hears nothing either and closes it; the tab keeps its token and its state.
    old = network.go_silent()
    network.wait_for_new_socket(old, page)
    assert proxy.websockets[-1] != proxy.websockets[-2], proxy.websockets
    expect(page.get_by_test_id("summary-class")).to_have_text(chosen)
    assert any(f.startswith("41/_event") for f in network.received[old]), network.received[old][-3:]

    # One worker dies (killed, no clean shutdown): the tab reconnects to the other and goes on,
    # signed in (the session is the database's, the cookie the browser's). Its screen choices start
    # afresh: the dead worker never unregistered the tab's socket in Redis, and may hold the tab's
    # state lock until it expires; no one answers on its channel, so the reconnecting tab gets a new
    # state token at once (tab_sockets.py). Nothing saved is lost.
    victim = proxy.websockets[-1]
    os.killpg(procs[victim].pid, signal.SIGKILL)
    procs[victim].wait(timeout=15)
    proxy.dead.add(victim)
    page.reload()
    expect(page.get_by_test_id("summary-row").first).to_be_visible()
    assert "/login" not in page.url and proxy.websockets[-1] != victim
    expect(page.get_by_test_id("summary-class")).to_have_text(default)
    page.goto("/journal")
    expect(page.get_by_test_id("page-title")).to_be_visible()
    assert "/login" not in page.url
