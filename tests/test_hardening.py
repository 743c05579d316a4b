"""Hardened configuration: the production check names every unsafe setting; startup refuses them;
security headers (CSP with the page's own script hashes, nosniff, Referrer-Policy, HSTS) on every response."""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from bbbms_app import settings
from bbbms_app.auth import headers
from bbbms_app.auth.state import session_cookie

ROOT = Path(__file__).resolve().parent.parent
SAFE = {
    "BBBMS_ENV": "prod",
    "BBBMS_SECRET_KEY": "k" * 48,
    "BBBMS_PUBLIC_URL": "https://mektep.example.kg",
    "BBBMS_ARGON2_TIME_COST": "3",
    "BBBMS_ARGON2_MEMORY_KIB": "65536",
}
SSO = {
    "BBBMS_SSO_PROVIDERS": "google",
    "BBBMS_SSO_GOOGLE_ISSUER": "https://accounts.google.com",
    "BBBMS_SSO_GOOGLE_CLIENT_ID": "1234.apps.googleusercontent.com",
    "BBBMS_SSO_GOOGLE_CLIENT_SECRET": "a-client-secret",
    "BBBMS_SSO_GOOGLE_HOSTED_DOMAIN": "mektep.example.kg",
}


@pytest.fixture
def prod(tmp_path, monkeypatch):
    """Production settings that are safe: a private data folder, a private SQLite file."""
    for name in list(os.environ):
        if name.startswith(("BBBMS_", "DATABASE_URL", "REFLEX_DB_URL")):
            monkeypatch.delenv(name)
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    dbfile = data / "bbbms.db"
    dbfile.write_bytes(b"")
    dbfile.chmod(0o600)
    env = {**SAFE, "DATABASE_URL": f"sqlite:///{dbfile}", "BBBMS_DATA_DIR": str(data)}

    touched: set[str] = set()

    def configure(**changes: str | None) -> list[str]:
        """Production settings = the safe ones with `changes` (None removes a variable)."""
        merged = {**env, **changes}
        for k in touched - merged.keys():
            monkeypatch.delenv(k, raising=False)
        touched.update(merged)
        for k, v in merged.items():
            if v is None:
                monkeypatch.delenv(k, raising=False)
            else:
                monkeypatch.setenv(k, v)
        return settings.check_production(settings.load())

    yield configure
    monkeypatch.undo()
    settings.reload()


def test_a_safe_production_configuration_has_no_problem(prod):
    assert prod() == []
    assert prod(**SSO) == []
    assert prod(BBBMS_ALLOW_HTTP="1", BBBMS_PUBLIC_URL="http://10.0.0.5:3000") == []


@pytest.mark.parametrize(
    "changes,expected",
    [
        ({"BBBMS_SECRET_KEY": None}, "BBBMS_SECRET_KEY is the development default"),
        ({"BBBMS_SECRET_KEY": "short"}, "BBBMS_SECRET_KEY is shorter than 32"),
        ({"BBBMS_CORS_ORIGINS": "*"}, "BBBMS_CORS_ORIGINS allows every origin"),
        ({"BBBMS_CORS_ORIGINS": "mektep.example.kg/path"}, "is not an origin"),
        # Without a public address the server is this machine's own (localhost, loopback bind) and
        # plain http never crosses a network; listening on the network then needs the address.
        ({"BBBMS_PUBLIC_URL": None, "BBBMS_HOST": "0.0.0.0"}, "BBBMS_PUBLIC_URL is not set"),  # noqa: S104
        ({"BBBMS_PUBLIC_URL": "http://mektep.example.kg"}, "BBBMS_PUBLIC_URL is not https"),
        ({"BBBMS_ARGON2_TIME_COST": "1", "BBBMS_ARGON2_MEMORY_KIB": "19456"}, "below OWASP's minimum"),
        ({"BBBMS_ARGON2_TIME_COST": "2", "BBBMS_ARGON2_MEMORY_KIB": "8"}, "below OWASP's minimum"),
        ({"BBBMS_SESSION_ABSOLUTE_HOURS": "72"}, "BBBMS_SESSION_ABSOLUTE_HOURS must be between"),
        ({"BBBMS_SESSION_IDLE_MINUTES": "0"}, "BBBMS_SESSION_IDLE_MINUTES must be between"),
        ({"BBBMS_ENV": "staging"}, "BBBMS_ENV: 'staging' is not one of"),
        ({"BBBMS_TRUSTED_PROXY_HOPS": "two"}, "BBBMS_TRUSTED_PROXY_HOPS is not a whole number"),
        ({**SSO, "BBBMS_PUBLIC_URL": "http://10.0.0.5", "BBBMS_ALLOW_HTTP": "1"}, "SSO needs an https"),
        ({**SSO, "BBBMS_SSO_GOOGLE_ISSUER": "http://accounts.example"}, "BBBMS_SSO_GOOGLE_ISSUER is not https"),
        ({**SSO, "BBBMS_SSO_GOOGLE_CLIENT_SECRET": None}, "BBBMS_SSO_GOOGLE_CLIENT_SECRET is not set"),
        ({**SSO, "BBBMS_SSO_GOOGLE_CLIENT_ID": None}, "BBBMS_SSO_GOOGLE_CLIENT_ID not set"),
        ({**SSO, "BBBMS_SSO_GOOGLE_TOKEN_AUTH": "none"}, "is neither client_secret_basic"),
        ({"BBBMS_SSO_PROVIDERS": "Bad Key!"}, "is not a short name"),
    ],
)
def test_each_unsafe_setting_is_named(prod, changes, expected):
    problems = prod(**changes)
    assert any(expected in p for p in problems), problems


def test_sqlite_in_a_world_writable_or_readable_place_is_named(prod, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    problems = prod(DATABASE_URL=f"sqlite:///{shared / 'bbbms.db'}")
    assert any("is writable by every local user" in p for p in problems), problems
    # pytest's own temporary folders are private (0700), so this one is made directly under /tmp.
    with tempfile.TemporaryDirectory(prefix="bbbms-sso-test-") as folder:
        open_dir = Path(folder)
        open_dir.chmod(0o755)
        open_file = open_dir / "bbbms.db"
        open_file.write_bytes(b"")
        open_file.chmod(0o644)
        problems = prod(DATABASE_URL=f"sqlite:///{open_file}")
        assert any("readable by every local user" in p for p in problems), problems
        open_dir.chmod(0o700)  # others cannot reach the file any more
        assert prod(DATABASE_URL=f"sqlite:///{open_file}") == []
        open_dir.chmod(0o755)
        open_file.chmod(0o600)
        assert prod(DATABASE_URL=f"sqlite:///{open_file}") == []


def test_argon2_owasp_table():
    assert settings.argon2_meets_owasp(2, 19456, 1) and settings.argon2_meets_owasp(1, 47104, 1)
    assert settings.argon2_meets_owasp(3, 65536, 1) and settings.argon2_meets_owasp(5, 7168, 1)
    assert not settings.argon2_meets_owasp(2, 19455, 1) and not settings.argon2_meets_owasp(3, 65536, 0)


def test_production_defaults_hash_at_owasp_strength_and_tests_cheaply(prod, monkeypatch):
    prod(BBBMS_ARGON2_TIME_COST=None, BBBMS_ARGON2_MEMORY_KIB=None, BBBMS_ARGON2_PARALLELISM=None)
    s = settings.load()
    assert (s.argon2_time_cost, s.argon2_memory_kib) == (3, 65536)
    assert settings.argon2_meets_owasp(s.argon2_time_cost, s.argon2_memory_kib, s.argon2_parallelism)
    monkeypatch.setenv("BBBMS_ENV", "test")
    cheap = settings.load()
    assert not settings.argon2_meets_owasp(cheap.argon2_time_cost, cheap.argon2_memory_kib, 1)


def test_refusal_lists_every_problem(prod):
    prod(BBBMS_SECRET_KEY=None, BBBMS_CORS_ORIGINS="*")
    with pytest.raises(settings.UnsafeConfiguration) as exc:
        settings.refuse_unsafe_production(settings.load(), ["Reflex telemetry is on"])
    text = str(exc.value)
    assert "refuses to start in production" in text
    assert "BBBMS_SECRET_KEY" in text and "'*'" in text and "telemetry" in text
    assert len(exc.value.problems) == 3
    # Development never refuses: the demo must start anywhere.
    prod(BBBMS_ENV="dev", BBBMS_SECRET_KEY=None)
    settings.refuse_unsafe_production(settings.load())


def test_effective_reflex_config_is_checked():
    assert settings.check_reflex_config(telemetry_enabled=False, cors_allowed_origins=["https://a.kg"]) == []
    problems = settings.check_reflex_config(telemetry_enabled=True, cors_allowed_origins=("*",))
    assert len(problems) == 2


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BBBMS_", "REFLEX_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_rxconfig_refuses_unsafe_production_and_configures_a_safe_one(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    env = {**SAFE, "DATABASE_URL": f"sqlite:///{data / 'x.db'}", "BBBMS_DATA_DIR": str(data)}
    bad = _python("import rxconfig", {**env, "BBBMS_CORS_ORIGINS": "*", "REFLEX_TELEMETRY_ENABLED": "true"})
    assert bad.returncode != 0
    assert "refuses to start in production" in bad.stderr
    assert "BBBMS_CORS_ORIGINS allows every origin" in bad.stderr and "telemetry is on" in bad.stderr
    good = _python(
        "import rxconfig as r; c = r.config; "
        "print(list(c.cors_allowed_origins), c.trusted_proxy_hops, c.telemetry_enabled)",
        {**env, "BBBMS_TRUSTED_PROXY_HOPS": "1"},
    )
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip() == "['https://mektep.example.kg'] 1 False"


def test_serve_and_build_refuse_unsafe_production(tmp_path):
    # (Without BBBMS_SECRET_KEY the server makes its own: tests/test_server_config.py.)
    env = {
        "BBBMS_ENV": "prod",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "BBBMS_DATA_DIR": str(tmp_path / "data"),
        "BBBMS_SECRET_KEY": "short",
        "BBBMS_HOST": "0.0.0.0",  # noqa: S104
    }
    for command in ("serve", "build"):
        code = f"import sys; from bbbms_app.toolchain import main; sys.exit(main(['{command}', '--port', '1']))"
        result = _python(code, env)
        assert result.returncode == 2, result.stderr
        assert "BBBMS_SECRET_KEY is shorter than 32 characters" in result.stderr
        assert "BBBMS_PUBLIC_URL is not set" in result.stderr


def test_check_config_command(prod, capsys):
    from bbbms_app.cli import main

    prod()
    settings.reload()
    assert main(["check-config"]) == 0
    prod(BBBMS_SECRET_KEY=None)
    settings.reload()
    assert main(["check-config"]) == 1
    assert "BBBMS_SECRET_KEY" in capsys.readouterr().out


def test_session_cookie_is_secure_under_https(prod):
    prod()
    cookie = session_cookie(settings.load())
    assert cookie.secure is True and cookie.same_site == "strict" and cookie.max_age == 12 * 3600
    prod(BBBMS_PUBLIC_URL="http://10.0.0.5:3000", BBBMS_ALLOW_HTTP="1", BBBMS_SESSION_ABSOLUTE_HOURS="8")
    cookie = session_cookie(settings.load())
    assert cookie.secure is False and cookie.max_age == 8 * 3600


def test_the_frontend_is_rebuilt_when_the_site_turns_https(prod):
    # The cookie's Secure flag is compiled into the frontend, so https is an input of the build.
    from bbbms_app import toolchain

    prod()
    settings.reload()
    with_https = toolchain.inputs_hash(3000)
    prod(BBBMS_PUBLIC_URL="http://10.0.0.5:3000", BBBMS_ALLOW_HTTP="1")
    settings.reload()
    assert toolchain.inputs_hash(3000) != with_https


# ---------------------------------------------------------------- security headers

PAGE = (
    b'<!DOCTYPE html><html><head><script src="/assets/app.js"></script>'
    b"<script>console.log('theme')</script></head><body><script type=\"module\">import '/a.js';</script>"
    b"</body></html>"
)


def _sha(body: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"


def _client(https: bool, static: Path) -> TestClient:
    async def page(request):
        return HTMLResponse(PAGE)

    async def zipped(request):
        return Response(gzip.compress(PAGE), media_type="text/html", headers={"content-encoding": "gzip"})

    async def data(request):
        return JSONResponse({"ok": True})

    async def framed(request):
        return Response("x", headers={"content-security-policy": "default-src 'none'"})

    (static / "index.html").write_bytes(PAGE)
    app = Starlette(
        routes=[
            Route("/", page),
            Route("/z", zipped),
            Route("/data", data),
            Route("/own", framed),
            Mount("/static", StaticFiles(directory=static)),
        ]
    )
    return TestClient(headers.SecurityHeaders(app, https=https, connect=["ws://localhost:8000"]))


def test_every_response_carries_the_security_headers(tmp_path):
    client = _client(https=False, static=tmp_path)
    for path in ("/", "/z", "/data"):
        r = client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
        assert r.headers["x-frame-options"] == "DENY"
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "base-uri 'self'" in csp
        assert "connect-src 'self' ws://localhost:8000" in csp
        assert "strict-transport-security" not in r.headers  # not over plain http
    assert client.get("/own").headers["content-security-policy"] == "default-src 'none'"  # a route's own wins


def test_a_not_modified_answer_keeps_the_cached_pages_policy(tmp_path):
    # A 304 carries no page to hash; its headers would replace the cached page's CSP in the browser.
    client = _client(https=False, static=tmp_path)
    etag = client.get("/static/index.html").headers["etag"]
    r = client.get("/static/index.html", headers={"if-none-match": etag})
    assert r.status_code == 304 and "content-security-policy" not in r.headers


def test_csp_allows_exactly_the_pages_own_inline_scripts(tmp_path):
    client = _client(https=True, static=tmp_path)
    for path in ("/", "/z"):
        r = client.get(path)
        assert r.content == PAGE  # the body is passed on unchanged (decoded from gzip by the client)
        script_src = next(d for d in r.headers["content-security-policy"].split("; ") if d.startswith("script-src"))
        hashes = sorted(x for x in script_src.split() if x.startswith("'sha256-"))
        assert hashes == sorted([_sha(b"console.log('theme')"), _sha(b"import '/a.js';")])
        assert "'unsafe-inline'" not in script_src
        assert r.headers["strict-transport-security"] == f"max-age={headers.HSTS_SECONDS}"
    assert "upgrade-insecure-requests" in client.get("/").headers["content-security-policy"]


def test_brotli_is_not_offered_to_the_app_so_pages_can_be_hashed():
    seen = {}

    async def app(scope, receive, send):
        seen["accept"] = dict(scope["headers"]).get(b"accept-encoding")
        await HTMLResponse("<p>x</p>")(scope, receive, send)

    TestClient(headers.SecurityHeaders(app, https=False, connect=[])).get("/", headers={"accept-encoding": "br, zstd"})
    assert seen["accept"] == b"identity"
    TestClient(headers.SecurityHeaders(app, https=False, connect=[])).get("/", headers={"accept-encoding": "br, gzip"})
    assert seen["accept"] == b"gzip"


async def test_a_page_sent_by_path_is_hashed_too(tmp_path):
    # Granian serves static files with the ASGI pathsend extension: no body passes the middleware.
    page = tmp_path / "index.html"
    page.write_bytes(PAGE)

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.pathsend", "path": str(page)})

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "extensions": {"http.response.pathsend": {}}}
    await headers.SecurityHeaders(app, https=False, connect=[])(scope, None, send)
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.pathsend"]
    csp = dict(sent[0]["headers"])[b"content-security-policy"].decode()
    assert _sha(b"console.log('theme')") in csp and _sha(b"import '/a.js';") in csp
