"""Browser tests: the production build served like `make run`, driven by Playwright in Debian's Chromium.

The server gets its own database (a SQLite file, or a PostgreSQL database next to the test one)
loaded with a small demo school. With BBBMS_TEST_REDIS_URL set it runs the district way: Redis
state manager and two workers, so events of one tab can land on either worker.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# `make test` runs the browser tests in two processes (pytest-xdist), each with its own server and
# database. They serve one build folder at the same port, each on a loopback address of its own
# (Linux routes all of 127.0.0.0/8 to the loopback): the frontend names the port it was built for,
# and Reflex's getBackendURL calls it on the host the page came from when the build says
# «localhost». So a clean clone builds the frontend once, not once per process (~1 min each, at
# the same time on two cores). The first process keeps «localhost».
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_INDEX = int(_WORKER[2:]) if _WORKER[2:].isdigit() else 0
HOST = f"127.0.0.{WORKER_INDEX + 1}"
WEB_DIR = os.environ.get("BBBMS_TEST_WEB_DIR", ".web-test")
DEMO_PUPILS = 200


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def site(host: str, port: int) -> str:
    """The address a browser uses for a server on `host` (the first process's is «localhost»)."""
    return f"http://{'localhost' if host == '127.0.0.1' else host}:{port}"


def serving_address(host: str) -> tuple[str, int]:
    """(build folder, port) of a test server on `host`: the shared build at its port — the same for
    every run of this checkout, so the next run (the PostgreSQL half of CI, a developer's second
    run) reuses the frontend built for it — while that port is free on `host`; else a free port
    with a build folder of its own. Below Linux's ephemeral range (32768–60999)."""
    digest = hashlib.sha256(f"{ROOT}|{WEB_DIR}".encode()).digest()
    port = 15000 + int.from_bytes(digest[:4], "big") % 15000
    with socket.socket() as s:
        # As the server binds: the last run's connections in TIME_WAIT (a minute) do not make the
        # port taken — only a server listening on it does.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            port = _free_port(host)
            return f"{WEB_DIR}-p{port}", port
    return WEB_DIR, port


def build_frontend(web_dir: str, port: int, env: dict[str, str]) -> None:
    """Build the production frontend for `port` unless it is current; one process at a time (the
    others wait, then find it current)."""
    lock = Path(tempfile.gettempdir()) / f"bbbms-build-{hashlib.sha256(str(ROOT / web_dir).encode()).hexdigest()[:16]}"
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        build = [sys.executable, "-m", "bbbms_app.toolchain", "build", "--port", str(port)]
        subprocess.run(build, cwd=ROOT, env={**env, "REFLEX_WEB_WORKDIR": web_dir}, check=True)


def _browser_db_url(tmp_path_factory) -> str:
    pg = os.environ.get("BBBMS_TEST_DATABASE_URL", "").replace("postgresql://", "postgresql+psycopg://")
    if not pg:
        return f"sqlite:///{tmp_path_factory.mktemp('browser') / 'bbbms.db'}"
    from bbbms_app import db

    url = make_url(pg)
    name = f"{url.database}_browser"
    admin = db.make_engine(url.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if exists:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))  # our own database, made below
        conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def oidc_provider():
    """The test OpenID Connect provider (tests/oidc_provider.py) the server signs in with."""
    from tests.oidc_provider import OidcProvider

    provider = OidcProvider().start()
    yield provider
    provider.stop()


@pytest.fixture(scope="session")
def browser_db_url(tmp_path_factory) -> str:
    """The database of the browser tests' server."""
    return _browser_db_url(tmp_path_factory)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory, browser_db_url, oidc_provider):
    """Base URL of a running production build with the demo school loaded."""
    web_dir, port = serving_address(HOST)
    base = site(HOST, port)
    env = dict(os.environ)
    env["DATABASE_URL"] = browser_db_url
    # SSO through the test provider; the server's address is what the provider sends people back to.
    env.update(oidc_provider.app_env())
    env["BBBMS_PUBLIC_URL"] = base
    oidc_provider.redirect_uris.add(f"{base}/auth/callback")
    # Consent scans and exports of the test server stay out of the project's own data folder. The
    # server shares this process's (a temporary one, tests/conftest.py) as a school's console shares
    # the server's: what the tests change in accounts is told to it (`set_language`).
    env["BBBMS_DATA_DIR"] = os.environ["BBBMS_DATA_DIR"]
    env["REFLEX_WEB_WORKDIR"] = web_dir
    env["REFLEX_STATES_WORKDIR"] = f"{web_dir}-states-{HOST}"
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env.pop("PYTEST_CURRENT_TEST", None)
    run = {"cwd": ROOT, "env": env, "check": True}
    subprocess.run([sys.executable, "-m", "bbbms_app", "demo", "--pupils", str(DEMO_PUPILS)], **run)
    build_frontend(web_dir, port, env)
    redis = os.environ.get("BBBMS_TEST_REDIS_URL")
    if redis:
        env["REFLEX_REDIS_URL"] = redis
        env["GRANIAN_WORKERS"] = "2"
    log = open(tmp_path_factory.mktemp("server") / "server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "bbbms_app.toolchain", "serve", "--port", str(port), "--host", HOST],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    # Starting compiles the app's pages in Python: about a minute alone, several on a machine
    # shared by parallel builds. Waiting longer costs nothing when it starts sooner.
    deadline = time.time() + float(os.environ.get("BBBMS_TEST_SERVER_WAIT", "300"))
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/ping", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        os.killpg(proc.pid, 9)  # the whole group: its workers would outlive the parent
        raise RuntimeError(f"server did not start; see {log.name}")
    yield base
    os.killpg(proc.pid, 15)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError("Debian's chromium is missing: run `make chromium`")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield b
        b.close()


DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


_SECRETS = (
    (re.compile(r'(password"?\s*[,:]\s*")[^"]*'), r"\1***"),
    (re.compile(r'(session_token[^"]*"\s*:\s*")[^"]*'), r"\1***"),
    (re.compile(r"(bbbms_session=)[^;\"\s]*"), r"\1***"),
)


def _ends(frame: str) -> str:
    """A trace line's start (which event, which state) and end (an update's `final` flag, an event's router data)."""
    return frame if len(frame) <= 260 else f"{frame[:180]} … {frame[-70:]}"


def _traced(pg, name: str, request) -> None:
    """Keep the page's last console messages and websocket frames; a failing test prints them
    (`pytest_runtest_makereport`). A page left on its spinner on PostgreSQL + Redis said nothing in
    the server's log; its frames showed the hydrate sent and never answered, which led to the lock a
    cancelled event left behind (tab_states.RecheckingRedisManager)."""
    lines: list[str] = []
    started = time.monotonic()

    def add(text: str) -> None:
        for secret, keep in _SECRETS:  # the test accounts' password and sessions stay out of CI's log
            text = secret.sub(keep, text)
        # Masked whole, then shortened: a cut could split a secret from the word that finds it.
        lines.append(_ends(f"{time.monotonic() - started:7.2f}s {name} {text}"))
        del lines[:-80]

    def websocket(ws) -> None:
        add(f"ws open {ws.url}")
        ws.on("framesent", lambda p: add(f"ws > {p!s}"))
        ws.on("framereceived", lambda p: add(f"ws < {p!s}"))
        ws.on("close", lambda _ws: add("ws close"))

    pg.on("console", lambda m: add(f"console.{m.type}: {m.text}"))
    pg.on("pageerror", lambda e: add(f"page error: {e}"))
    pg.on("framenavigated", lambda f: add(f"navigated {f.url}") if f == pg.main_frame else None)
    pg.on("websocket", websocket)
    request.node.__dict__.setdefault("_browser_traces", []).append(lines)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        for lines in item.__dict__.get("_browser_traces", []):
            report.sections.append(("browser trace (last console messages and websocket frames)", "\n".join(lines)))


@pytest.fixture
def page(browser, app_url, request):
    context = browser.new_context(viewport=DESKTOP, base_url=app_url, locale="ky-KG")
    pg = context.new_page()
    pg.set_default_timeout(20000)
    _traced(pg, "page", request)
    yield pg
    context.close()


@pytest.fixture
def phone(browser, app_url, request):
    context = browser.new_context(viewport=PHONE, base_url=app_url, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(20000)
    _traced(pg, "phone", request)
    yield pg
    context.close()


@pytest.fixture(autouse=True)
def accounts_back_in_kyrgyz(app_url, browser_db_url):
    """The demo accounts are shared by every test of the session and remember their language: a
    test that switches one to Russian must not decide what the next test sees. After each test
    every account is back in Kyrgyz, the interface's first language."""
    yield
    set_language(browser_db_url, None, "ky")


def set_language(db_url: str, username: str | None, lang: str) -> None:
    """Set the interface language of one account (or of all) in the server's database, and tell the
    server's processes, as any change of accounts tells them (they keep signed-in sessions cached)."""
    from bbbms_app import db
    from bbbms_app.services import revocations

    engine = db.make_engine(db_url)
    with engine.begin() as conn:
        if username is None:
            conn.execute(text('UPDATE "user" SET language = :lang WHERE language <> :lang'), {"lang": lang})
        else:
            conn.execute(text('UPDATE "user" SET language = :lang WHERE username = :u'), {"lang": lang, "u": username})
    engine.dispose()
    revocations.announce()


DISTRICT = "raion_browser"


@pytest.fixture
def district_account(browser_db_url):
    """The district account (a director with no school), made once per session's database."""
    from sqlmodel import select

    from bbbms_app import db
    from bbbms_app.demo import DEMO_PASSWORD
    from bbbms_app.models import User
    from bbbms_app.services import accounts

    with db.session(browser_db_url, write=True) as s:
        if s.exec(select(User.id).where(User.username == DISTRICT)).first() is None:
            accounts.create_user(s, DISTRICT, "director", DEMO_PASSWORD, full_name="Аламүдүн район билим берүү бөлүмү")
    return DISTRICT
