"""API clients and the token endpoint (issue 19 §1): the CLI registers and revokes a client, the
secret is shown once and stored only as its SHA-256, `POST /oauth/token` follows RFC 6749 §4.4
(HTTP Basic or form, one method only), tokens are opaque, hashed, ≤ 15 minutes, and every
issuance and refusal is audited with the client's name; a per-client rate limit answers 429."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote_plus

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from bbbms_app import cli, db
from bbbms_app.api.rest import rest_api
from bbbms_app.models import ApiClient, ApiToken, AuditEvent
from bbbms_app.services import api_clients


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    api_clients.RATE.reset()
    yield
    api_clients.RATE.reset()


def register(school_id: int, scopes=("roster:read", "gradebook:read"), name="Moodle") -> tuple[str, str, int]:
    with db.session() as s:
        client, secret = api_clients.create_client(s, school_id, name, list(scopes), created_by="test")
    return client.client_id, secret, client.id  # type: ignore[return-value]


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def audit_rows(action: str | None = None) -> list[AuditEvent]:
    with db.session() as s:
        q = select(AuditEvent).where(AuditEvent.entity == "api_client")
        if action:
            q = q.where(AuditEvent.action == action)
        return list(s.exec(q.order_by(AuditEvent.id)))


def test_cli_creates_prints_the_secret_once_lists_and_revokes(school, capsys):
    assert cli.main(["--lang", "ru", "api-client", "create", "--name", "Online school", "--scopes",
                     "roster:read,gradebook:read", "--school", str(school.school_id)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "API-клиент зарегистрирован: Online school" in out and "Секрет показан только сейчас" in out
    number = int(re.search(r"Номер: (\d+)", out).group(1))  # type: ignore[union-attr]
    client_id = re.search(r"client_id: (\S+)", out).group(1)  # type: ignore[union-attr]
    secret = re.search(r"client_secret: (\S+)", out).group(1)  # type: ignore[union-attr]
    assert len(secret) >= 43  # 256 random bits, URL-safe base64
    with db.session() as s:
        row = s.get(ApiClient, number)
    assert row is not None and row.client_id == client_id and row.scopes == "roster:read gradebook:read"
    assert row.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest() and secret not in row.secret_sha256
    assert row.created_by.startswith("cli:") and row.school_id == school.school_id
    assert [e.username for e in audit_rows("create")] == [row.created_by]

    http = TestClient(rest_api)
    assert (
        http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret)
        ).status_code
        == 200
    )

    assert cli.main(["--lang", "en", "api-client", "list"]) == 0
    assert "active  Online school" in capsys.readouterr().out
    assert cli.main(["--lang", "ky", "api-client", "revoke", str(number)]) == 0
    assert "API кардары өчүрүлдү: Online school" in capsys.readouterr().out
    refused = http.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret))
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    with db.session() as s:
        assert all(t.revoked for t in s.exec(select(ApiToken)))


def test_cli_refuses_unknown_scopes_school_and_client_in_the_language(school, capsys):
    assert cli.main(["--lang", "ky", "api-client", "create", "--name", "X", "--scopes", "tests:read",
                     "--school", str(school.school_id)]) == 2  # fmt: skip
    assert "Белгисиз же берилбеген уруксат: tests:read" in capsys.readouterr().err
    assert cli.main(["--lang", "ru", "api-client", "create", "--name", "X", "--scopes", "roster:read",
                     "--school", "999"]) == 2  # fmt: skip
    assert "Школы с номером 999 нет" in capsys.readouterr().err
    assert cli.main(["--lang", "en", "api-client", "revoke", "4242"]) == 2
    assert "There is no API client 4242" in capsys.readouterr().err
    with db.session() as s:
        assert s.exec(select(ApiClient)).first() is None


def test_token_by_basic_and_by_form_is_opaque_hashed_short_and_audited(school):
    client_id, secret, number = register(school.school_id)
    http = TestClient(rest_api)
    by_basic = http.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret))
    assert by_basic.status_code == 200, by_basic.text
    body = by_basic.json()
    assert body["token_type"] == "Bearer" and 0 < body["expires_in"] <= 900
    assert body["scope"] == "roster:read gradebook:read"
    assert by_basic.headers["cache-control"] == "no-store" and by_basic.headers["pragma"] == "no-cache"
    by_form = http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "scope": "roster:read",
        },
    )
    assert by_form.status_code == 200 and by_form.json()["scope"] == "roster:read"
    with db.session() as s:
        tokens = list(s.exec(select(ApiToken).order_by(ApiToken.id)))
    assert [t.token_sha256 for t in tokens] == [
        hashlib.sha256(b["access_token"].encode()).hexdigest() for b in (body, by_form.json())
    ]
    assert all((t.expires_at - t.issued_at).total_seconds() == 900 for t in tokens)
    assert tokens[0].audience.endswith("/api/v1")
    issued = audit_rows("api_token")
    assert [(e.username, e.entity_id, e.school_id) for e in issued] == [("api:Moodle", number, school.school_id)] * 2


@pytest.mark.parametrize(
    ("form", "headers_of", "status", "code"),
    [
        ({"grant_type": "client_credentials"}, lambda cid, sec: basic(cid, sec + "x"), 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, lambda cid, sec: basic("bbbms_nobody", sec), 401, "invalid_client"),
        ({"grant_type": "password"}, basic, 400, "unsupported_grant_type"),
        ({"grant_type": "client_credentials", "scope": "gradebook:write"}, basic, 400, "invalid_scope"),
        ({}, basic, 400, "invalid_request"),
        ({"grant_type": "client_credentials", "client_secret": "s"}, basic, 400, "invalid_request"),
    ],
)
def test_token_refusals_follow_rfc6749_and_are_audited(school, form, headers_of, status, code):
    client_id, secret, _ = register(school.school_id, scopes=("roster:read",))
    answer = TestClient(rest_api).post("/oauth/token", data=form, headers=headers_of(client_id, secret))
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == code and answer.json()["error_description"]
    assert answer.headers["cache-control"] == "no-store"
    if code == "invalid_client":
        assert answer.headers["www-authenticate"].startswith("Basic")
    if status == 401 or code in ("unsupported_grant_type", "invalid_scope"):
        denied = audit_rows("denied")
        assert len(denied) == 1 and denied[0].reason.startswith("token:")
        assert denied[0].username in ("api:Moodle", "api:bbbms_nobody")
    with db.session() as s:
        assert s.exec(select(ApiToken)).first() is None


def test_the_token_endpoint_wants_a_form(school):
    client_id, secret, _ = register(school.school_id)
    answer = TestClient(rest_api).post(
        "/oauth/token", json={"grant_type": "client_credentials"}, headers=basic(client_id, secret)
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"


def test_token_requests_are_rate_limited_per_client(school, monkeypatch):
    monkeypatch.setattr(api_clients, "TOKEN_REQUESTS_PER_MINUTE", 3)
    a = register(school.school_id, name="A")
    b = register(school.school_id, name="B")
    http = TestClient(rest_api)
    answers = [
        http.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(a[0], a[1]))
        for _ in range(4)
    ]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["error"] == "slow_down" and answers[-1].headers["retry-after"] == "60"
    # Another client is not slowed down by the first one's traffic.
    assert (
        http.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(b[0], b[1])).status_code
        == 200
    )
    assert [e.reason for e in audit_rows("denied")] == ["token: rate limit"]


def test_failed_attempts_under_a_known_client_id_do_not_use_up_the_clients_allowance(school, monkeypatch):
    monkeypatch.setattr(api_clients, "TOKEN_REQUESTS_PER_MINUTE", 2)
    client_id, secret, _ = register(school.school_id)
    http = TestClient(rest_api)
    wrong = [
        http.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, "guess"))
        for _ in range(3)
    ]
    assert [r.status_code for r in wrong] == [401, 401, 429]
    # The real client still gets its tokens.
    right = [
        http.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret))
        for _ in range(3)
    ]
    assert [r.status_code for r in right] == [200, 200, 429]
    assert [e.reason for e in audit_rows("denied")] == ["token: bad client credentials"] * 2 + [
        "token: too many failed attempts",
        "token: rate limit",
    ]


def test_expired_tokens_are_cleaned_up_by_the_periodic_job(school, tmp_path, monkeypatch):
    from bbbms_app import jobs, settings
    from bbbms_app.jobs import tasks

    monkeypatch.setenv("BBBMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BBBMS_QUEUE_URL", raising=False)
    monkeypatch.setenv("BBBMS_QUEUE_NAME", "test-api-tokens")
    settings.reload()
    jobs.reload()
    client_id, secret, _ = register(school.school_id)
    now = datetime.now(UTC)
    with db.session() as s:
        for minutes_ago in (120, 76, 30, 0):  # expired 105 and 61 min ago (removed), 15 min ago, valid
            api_clients.issue_token(s, client_id, secret, "client_credentials", None,
                                    now=now - timedelta(minutes=minutes_ago))  # fmt: skip
    try:
        assert tasks.api_tokens.call_local() == 2
        assert jobs.status("api_tokens")["message"] == "expired tokens removed: 2"  # type: ignore[index]
    finally:
        jobs.huey.storage.close()
    with db.session() as s:
        left = sorted(t.expires_at.replace(tzinfo=UTC) - now for t in s.exec(select(ApiToken)))
    assert [round(x.total_seconds() / 60) for x in left] == [-15, 15]
