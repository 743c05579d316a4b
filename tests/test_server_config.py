"""What `make run` starts: the safe configuration by default, the compile skipped when the build is
current, a state manager chosen on purpose, check-config's new findings, and the HTTP middlewares
of bbbms_app/serving.py (Cache-Control, the /_upload gate). The same behaviours over a real socket
against the served app are in tests/browser/test_server.py."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from bbbms_app import db, serving, settings
from bbbms_app.services import accounts
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
ALL_INTERFACES = ".".join(["0"] * 4)  # what a server on the network listens on

# `toolchain serve` in a fresh process with Reflex's server replaced by a probe that reports what
# the server would have been started with (Reflex's own reading of its switches, rxconfig's result).
SERVE_PROBE = """
import json, os, sys
from pathlib import Path
from reflex.utils import exec as rx_exec
from bbbms_app import toolchain

seen = {}

def probe(host, port, loglevel, mount_frontend_compiled_app=False):
    from reflex_base.environment import environment
    import rxconfig
    mask = os.umask(0); os.umask(mask)
    seen.update(host=host, port=port, skip_compile=environment.REFLEX_SKIP_COMPILE.get(),
                bbbms_env=os.environ["BBBMS_ENV"], origins=list(rxconfig.config.cors_allowed_origins),
                manager=str(rxconfig.config.state_manager_mode.value),
                expiry=rxconfig.config.redis_token_expiration, umask=mask, mounted=mount_frontend_compiled_app,
                ping=[environment.REFLEX_SOCKET_INTERVAL.get().total_seconds(),
                      environment.REFLEX_SOCKET_TIMEOUT.get().total_seconds()])

rx_exec.run_backend_prod = probe
web = toolchain.web_dir()
(web / "build" / "client").mkdir(parents=True, exist_ok=True)
sources = toolchain.sources_hash() if sys.argv[1] == "current" else "an-older-build"
(web / ".bbbms-build-stamp").write_text(f"inputs=x\\nsources={sources}\\n")
code = toolchain.main(["serve", "--port", "3456", *sys.argv[2:]])
print(json.dumps({"code": code, **seen}))
"""


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BBBMS_", "REFLEX_", "DATABASE_URL", "GRANIAN"))}
    env.update(
        BBBMS_DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'data' / 'bbbms.db'}",
        REFLEX_WEB_WORKDIR=str(tmp_path / "web"),
        REFLEX_STATES_WORKDIR=str(tmp_path / "states"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def _serve(tmp_path: Path, build: str = "current", *args: str, **extra: str) -> tuple[dict, str]:
    result = subprocess.run(
        [sys.executable, "-c", SERVE_PROBE, build, *args],
        cwd=ROOT,
        env=_clean_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stdout


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_make_run_starts_safe_by_default_and_skips_the_compile_of_a_current_build(tmp_path):
    # An older start's pickled tabs (session tokens, PINs) are in the state folder.
    (tmp_path / "states").mkdir()
    (tmp_path / "states" / "0123.pkl").write_bytes(b"pickled tab")
    (tmp_path / "data").mkdir(mode=0o755)
    (tmp_path / "data").chmod(0o755)
    seen, out = _serve(tmp_path)
    assert seen["code"] == 0
    # Production unless asked; listening on the loopback as the public address is this machine's.
    assert seen["bbbms_env"] == "prod"
    assert seen["host"] == "127.0.0.1" and seen["port"] == 3456 and seen["mounted"] is True
    # Only the server's own address may drive a tab (CORS and the websocket's Origin check).
    assert seen["origins"] == ["http://localhost:3456", "http://127.0.0.1:3456"]
    # The build is current: Reflex's own reading of its switch says the compile is skipped.
    assert seen["skip_compile"] is True
    # In memory, expiring with the session idle time; nothing pickled on disk, the old folder gone.
    assert seen["manager"] == "memory" and seen["expiry"] == 3600
    # Socket.IO pings an idle tab once a minute (not every 25 s) and gives it 90 s to answer.
    assert seen["ping"] == [60.0, 90.0]
    assert not (tmp_path / "states").exists()
    # The secret is made once, private; the data folder becomes private; new files are private.
    secret = tmp_path / "data" / "private" / settings.SECRET_FILE
    assert _mode(secret) == 0o600 and _mode(secret.parent) == 0o700 and _mode(tmp_path / "data") == 0o700
    key = secret.read_text().strip()
    assert len(key) >= 48
    assert seen["umask"] == 0o077
    assert "127.0.0.1:3456" in out
    # A second start keeps the same secret.
    _serve(tmp_path)
    assert secret.read_text().strip() == key


def test_a_stale_build_is_compiled_at_start(tmp_path):
    seen, out = _serve(tmp_path, "stale")
    assert seen["skip_compile"] is False
    assert "older than the sources" in out


def test_redis_runs_the_district_way_and_dev_mode_only_when_asked(tmp_path):
    seen, _ = _serve(tmp_path, "current", REFLEX_REDIS_URL="redis://127.0.0.1:6379/3", BBBMS_ENV="dev")
    assert seen["manager"] == "redis" and seen["bbbms_env"] == "dev"
    assert seen["origins"] == ["*"]  # development on purpose: a demo opened by the server's LAN address


def test_an_operators_keep_alive_wins_over_rxconfigs(tmp_path):
    seen, _ = _serve(tmp_path, "current", REFLEX_SOCKET_INTERVAL="30", REFLEX_SOCKET_TIMEOUT="2m")
    assert seen["ping"] == [30.0, 120.0]


def test_a_public_address_on_the_network_listens_on_every_interface(tmp_path):
    seen, _ = _serve(
        tmp_path,
        "current",
        BBBMS_PUBLIC_URL="http://10.0.0.5:3456",
        BBBMS_ALLOW_HTTP="1",
    )
    assert seen["host"] == ALL_INTERFACES and seen["origins"] == ["http://10.0.0.5:3456"]


def test_serve_refuses_plain_http_on_the_network_and_a_short_secret(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SERVE_PROBE, "current"],
        cwd=ROOT,
        env=_clean_env(tmp_path, BBBMS_PUBLIC_URL="http://10.0.0.5:3000", BBBMS_SECRET_KEY="short"),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert "BBBMS_PUBLIC_URL is not https" in result.stderr
    assert "BBBMS_SECRET_KEY is shorter than 32" in result.stderr
    assert '"code": 2' in result.stdout and '"host"' not in result.stdout


# ---------------------------------------------------------------- settings and check-config


@pytest.fixture
def safe_env(tmp_path, monkeypatch):
    """A private data folder, production, the secret from the data folder; states kept in tmp."""
    for name in list(os.environ):
        if name.startswith(("BBBMS_", "DATABASE_URL", "REFLEX_")):
            monkeypatch.delenv(name)
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    monkeypatch.setenv("BBBMS_ENV", "prod")
    monkeypatch.setenv("BBBMS_DATA_DIR", str(data))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{data / 'bbbms.db'}")
    monkeypatch.setenv("REFLEX_STATES_WORKDIR", str(tmp_path / "states"))
    settings.ensure_secret_key(data)
    yield data
    monkeypatch.undo()
    settings.reload()


def test_the_generated_secret_is_read_and_localhost_needs_no_https(safe_env):
    s = settings.load()
    assert s.secret_key == settings.read_secret_file(safe_env) and len(s.secret_key) >= 48
    assert s.site_url == "http://localhost:3000" and s.bind_host == "127.0.0.1"
    assert settings.check_production(s) == []


@pytest.mark.parametrize(
    "change,expected",
    [
        ({"BBBMS_HOST": ALL_INTERFACES}, f"BBBMS_HOST={ALL_INTERFACES} listens on the network"),
        ({"REFLEX_ADD_ALL_ROUTES_ENDPOINT": "1"}, "REFLEX_ADD_ALL_ROUTES_ENDPOINT=1 publishes every route"),
        ({"REFLEX_STATE_MANAGER_MODE": "disk"}, "REFLEX_STATE_MANAGER_MODE=disk would write every tab's state"),
        ({"BBBMS_PUBLIC_URL": "http://192.168.1.10:3000"}, "BBBMS_PUBLIC_URL is not https"),
    ],
)
def test_check_config_names_unsafe_server_settings(safe_env, monkeypatch, change, expected):
    for k, v in change.items():
        monkeypatch.setenv(k, v)
    problems = settings.check_production(settings.load())
    assert any(expected in p for p in problems), problems


def test_check_config_refuses_open_private_files_and_a_state_folder(safe_env, tmp_path, capsys):
    from bbbms_app.cli import main

    settings.reload()
    assert main(["check-config"]) == 0
    secret = safe_env / "private" / settings.SECRET_FILE
    secret.chmod(0o644)
    (safe_env / "private").chmod(0o755)
    (tmp_path / "states").mkdir()
    settings.reload()
    assert main(["check-config"]) == 1
    out = capsys.readouterr().out
    assert f"{secret} is readable by other users (chmod 600" in out
    assert "open to other users (chmod 700" in out
    assert "holds tabs' states pickled by an older start" in out


def test_secure_data_dir_tightens_its_own_folders(tmp_path):
    data = tmp_path / "data"
    (data / "private").mkdir(parents=True)
    data.chmod(0o755)
    (data / "private").chmod(0o755)
    changed = settings.secure_data_dir(data)
    assert len(changed) == 2 and _mode(data) == 0o700 and _mode(data / "private") == 0o700
    assert settings.secure_data_dir(data) == []


# ---------------------------------------------------------------- HTTP middlewares


def _static_app(tmp_path: Path) -> TestClient:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app-Dfwd_i3.js").write_text("console.log(1)")
    (tmp_path / "index.html").write_text("<html></html>")
    (tmp_path / "styles.css").write_text("body{}")

    def private(_request: Request) -> Response:
        return PlainTextResponse("x", headers={"Cache-Control": "no-store"})

    app = Starlette(
        routes=[Route("/private", private), Mount("/", StaticFiles(directory=tmp_path, html=True))],
    )
    return TestClient(serving.static_cache(app))


def test_hashed_assets_are_immutable_and_pages_revalidate(tmp_path):
    client = _static_app(tmp_path)
    asset = client.get("/assets/app-Dfwd_i3.js")
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    page = client.get("/")
    assert page.headers["cache-control"] == "no-cache" and "etag" in page.headers
    again = client.get("/", headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == "no-cache"
    assert client.get("/styles.css").headers["cache-control"] == "no-cache"
    assert client.get("/private").headers["cache-control"] == "no-store"  # a route's own choice stays
    assert "cache-control" not in client.get("/assets/missing.js").headers


class _Recorder:
    """The app behind the gate: records whether a request reached it and what body it read."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope, receive, send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.bodies.append(body)
        await PlainTextResponse("handled")(scope, receive, send)


def test_upload_gate_refuses_before_reading(school):
    inner = _Recorder()
    client = TestClient(serving.UploadGate(inner, max_bytes=1024))
    url = "/_upload"
    client.cookies.set("bbbms_session", "whatever")
    assert client.post(url, content=b"x" * 2048).status_code == 413
    client.cookies.clear()

    def chunks():
        yield b"x" * 10

    assert client.post(url, content=chunks()).status_code == 411  # no Content-Length: chunked
    assert client.post(url, content=b"x" * 10).status_code == 401
    client.cookies.set("bbbms_session", "forged")
    assert client.post(url, content=b"x" * 10).status_code == 401
    with db.session() as s:
        token = accounts.authenticate(s, "t_clerk", PASSWORD).token
    assert token
    client.cookies.set("bbbms_session", token)
    ok = client.post(url, content=b"x" * 10)
    assert ok.status_code == 200 and ok.text == "handled"
    with db.session() as s:
        accounts.revoke(s, token)
    assert client.post(url, content=b"x" * 10).status_code == 401
    assert inner.bodies == [b"x" * 10]  # only the signed-in, sized request was read
    # Everything else passes untouched.
    assert client.get("/_upload/file.txt").status_code == 200
    client.cookies.clear()
    assert client.post("/other", content=b"x" * 4096).status_code == 200


# ---------------------------------------------------------------- the tabs' states in one worker


def test_tab_states_are_kept_in_memory_bounded_in_number():
    import asyncio

    from reflex.istate.manager import StateManager
    from reflex.istate.manager.token import BaseStateToken
    from reflex.state import State
    from reflex_base.config import get_config

    import bbbms_app.app  # noqa: F401  (installs the bounded manager before the app is built)
    from bbbms_app.tab_states import BoundedMemoryManager

    if get_config().state_manager_mode.value == "memory":
        assert type(StateManager.create()) is BoundedMemoryManager

    async def scenario() -> set[str]:
        manager = BoundedMemoryManager(max_states=10)
        tokens = [BaseStateToken(ident=f"tab{i}", cls=State) for i in range(12)]
        for token in tokens[:10]:
            await manager.get_state(token)
        async with manager.modify_state(tokens[0]):  # an event is running in the oldest tab
            for token in tokens[10:]:
                await manager.get_state(token)
            kept = set(manager.states)
        await manager.close()
        return kept

    kept = asyncio.run(scenario())
    # The 11th tab went over 10: the two idlest unlocked tabs went (down to 9), the busy one stayed.
    assert kept == {"tab0", *(f"tab{i}" for i in range(3, 12))}


def test_the_events_websocket_goes_straight_to_reflexs_app_and_the_rest_through_the_layers():
    """The shortcut's two transformers around layers like the app's (a mounted API app, a middleware):
    the /_event websocket meets none of them, an HTTP request and another websocket pass all."""
    from starlette.routing import WebSocketRoute
    from starlette.websockets import WebSocket

    passed: list[str] = []

    async def events(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text(",".join(passed) or "direct")
        await ws.close()

    async def page(_request: Request) -> Response:
        return PlainTextResponse(",".join(passed))

    reflex_app = Starlette(
        routes=[
            Route("/page", page),
            WebSocketRoute(serving.EVENT_PATH + "/", events),
            WebSocketRoute("/other", events),
        ]
    )

    def layer(name: str):
        def wrap(app):
            async def seen(scope, receive, send):
                passed.append(f"{name}:{scope['type']}")
                await app(scope, receive, send)

            return seen

        return wrap

    async def api_route(_request: Request) -> Response:
        return PlainTextResponse("api")

    note, shortcut = serving.event_socket_shortcut()
    app = note(reflex_app)
    api = Starlette(routes=[Route("/api/v1/x", api_route), Mount("", app)])  # as rx mounts an API app
    app = layer("headers")(layer("api")(api))
    app = shortcut(app)
    client = TestClient(app)

    with client.websocket_connect(serving.EVENT_PATH + "/?EIO=4&transport=websocket") as ws:
        assert ws.receive_text() == "direct"
    passed.clear()
    assert client.get("/page").text == "headers:http,api:http"
    passed.clear()
    with client.websocket_connect("/other") as ws:
        assert ws.receive_text() == "headers:websocket,api:websocket"
    passed.clear()
    assert client.get("/api/v1/x").text == "api" and passed == ["headers:http", "api:http"]


def test_the_app_routes_its_events_websocket_past_the_mounted_apis():
    """The app's own transformer list: the shortcut outermost, the note of Reflex's app innermost."""
    import bbbms_app.app as bbbms

    transformers = bbbms.app.api_transformer
    assert transformers[0] is bbbms._note_reflex_app
    assert transformers[-1] is bbbms._event_socket_shortcut
