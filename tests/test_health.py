"""`/health` (api/health.py) checked through Starlette's HTTP client on the route itself; the served
app is checked over real HTTP in tests/browser/test_health.py."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from starlette.testclient import TestClient

from bbbms_app import jobs, settings
from bbbms_app.api.health import health_api
from bbbms_app.services import backup


@pytest.fixture
def ops_dirs(school, tmp_path, monkeypatch):
    monkeypatch.setenv("BBBMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BBBMS_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.setenv("BBBMS_QUEUE_NAME", f"test-{secrets.token_hex(3)}")
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    settings.reload()
    jobs.reload()
    yield tmp_path
    jobs.huey.storage.close()


def test_health_fails_without_a_consumer_or_a_backup_then_passes(ops_dirs):
    client = TestClient(health_api)
    first = client.get("/health")
    assert first.status_code == 503
    body = first.json()
    assert body["status"] == "failing" and body["failing"] == ["jobs", "backup"]
    assert body["database"]["ok"] and body["backup"]["last_good_age_h"] is None
    assert "redis" not in body  # not used by a one-school server

    jobs.put_status("heartbeat", ok=True, message="test")
    backup.run()
    second = client.get("/health")
    assert second.status_code == 200, second.json()
    body = second.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert body["jobs"]["storage"] == "sqlite" and body["jobs"]["heartbeat_age_s"] < 60
    assert 0 <= body["backup"]["last_good_age_h"] < 0.1
    assert second.headers["cache-control"] == "no-store"
    assert str(ops_dirs) not in second.text  # no paths for strangers


def test_a_stale_backup_or_heartbeat_fails_health(ops_dirs, monkeypatch):
    client = TestClient(health_api)
    backup.run(now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=26))
    monkeypatch.setattr(jobs, "now", lambda: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=9))
    jobs.put_status("heartbeat", ok=True, message="old")
    body = client.get("/health").json()
    assert body["failing"] == ["jobs", "backup"]
    assert body["backup"]["last_good_age_h"] > 25


def test_redis_is_checked_when_the_district_uses_it(ops_dirs, monkeypatch):
    jobs.put_status("heartbeat", ok=True, message="test")
    backup.run()
    monkeypatch.setenv("REFLEX_REDIS_URL", "redis://127.0.0.1:6379/8")
    assert TestClient(health_api).get("/health").json()["redis"]["ok"] is True
    monkeypatch.setenv("REFLEX_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    answer = TestClient(health_api).get("/health")
    assert answer.status_code == 503 and answer.json()["failing"] == ["redis"]
