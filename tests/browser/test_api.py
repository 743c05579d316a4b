"""The integration API on the served app (issue 19), over real sockets as an LMS meets it: the
console registers a client, authlib's OAuth 2 client gets a token at /oauth/token and pulls the
demo school's whole roster and marks page by page; an unknown /api/ address is a JSON 404, not the
frontend's page; a call without a token is 401. No Chromium: an API client has no browser."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from authlib.integrations.httpx_client import OAuth2Client

from tests.browser.conftest import ROOT


def _register(db_url: str, scopes: str) -> tuple[str, str]:
    env = {**os.environ, "DATABASE_URL": db_url, "BBBMS_ENV": "test"}
    done = subprocess.run(
        [sys.executable, "-m", "bbbms_app", "--lang", "en", "api-client", "create", "--name", "Served LMS",
         "--scopes", scopes, "--school", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    client_id = re.search(r"client_id: (\S+)", done.stdout)
    secret = re.search(r"client_secret: (\S+)", done.stdout)
    assert client_id and secret, done.stdout + done.stderr
    return client_id.group(1), secret.group(1)


def _pull(lms: OAuth2Client, path: str, **params: object) -> list[dict]:
    rows: list[dict] = []
    offset: int | None = 0
    while offset is not None:
        answer = lms.get(path, params={**params, "limit": 500, "offset": offset})
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "no-store"
        body = answer.json()
        rows += body["data"]
        offset = body["paging"]["next_offset"]
    return rows


def test_an_lms_pulls_the_demo_roster_from_the_served_app(app_url, browser_db_url):
    client_id, secret = _register(browser_db_url, "roster:read,gradebook:read")
    with OAuth2Client(
        client_id,
        secret,
        token_endpoint=f"{app_url}/oauth/token",
        token_endpoint_auth_method="client_secret_basic",
        base_url=app_url,
        timeout=30,
    ) as lms:
        token = lms.fetch_token(grant_type="client_credentials")
        assert token["token_type"] == "Bearer" and token["expires_in"] <= 900
        started = time.monotonic()
        classes = _pull(lms, "/api/v1/classes")
        pupils = _pull(lms, "/api/v1/pupils")
        staff = _pull(lms, "/api/v1/staff")
        roster_s = time.monotonic() - started
        # A class pupils are in today (the demo also has last year's) of the middle school (grade 1
        # has no marks).
        today = {p["class_id"] for p in pupils}
        middle = next(c for c in classes if c["grade"] >= 5 and c["id"] in today)
        marks = _pull(lms, "/api/v1/marks", class_id=middle["id"])
        spec = lms.get("/api/v1/openapi.json").json()
    assert len(classes) >= 2 and len(pupils) >= 100 and len(staff) >= 2
    assert {p["class_id"] for p in pupils if p["class_id"] is not None} <= {c["id"] for c in classes}
    assert all("pin" not in p for p in pupils)
    assert marks and {m["class_id"] for m in marks} == {middle["id"]}
    assert set(spec["paths"]) >= {"/api/v1/pupils", "/api/v1/marks"}
    print(f"roster pull (classes, pupils, staff) over HTTP: {roster_s:.2f} s")

    import httpx2

    nobody = httpx2.get(f"{app_url}/api/v1/pupils", timeout=30)
    assert nobody.status_code == 401 and 'error="invalid_token"' in nobody.headers["www-authenticate"]
    unknown = httpx2.get(f"{app_url}/api/v9/nothing", timeout=30)
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"
    # The served app's own headers are on the API's answers too (auth/headers.py).
    assert unknown.headers["x-content-type-options"] == "nosniff"
