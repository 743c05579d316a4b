"""Operations in the served app: `/health` over HTTP, and the administrator's backups screen.

The server is the one `make run` starts (tests/browser/conftest.py): its job consumer, a child
process of the server, makes the first backup when it starts, which /health and the screen show.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser


def _health(app_url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{app_url}/health", timeout=10) as r:  # noqa: S310 - our own test server
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.fixture(scope="module")
def first_backup(app_url) -> dict:
    """/health once the consumer's first backup is made (it starts with the server)."""
    deadline = time.monotonic() + 180
    while True:
        status, body = _health(app_url)
        if status == 200 or time.monotonic() > deadline:
            return {"status": status, **body}
        time.sleep(1)


def test_health_over_http_reports_database_queue_and_backup(first_backup):
    body = first_backup
    assert body["status"] == "ok" and body["failing"] == [], body
    assert body["database"]["ok"] and body["database"]["kind"] in ("sqlite", "postgresql")
    assert body["jobs"]["ok"] and body["jobs"]["heartbeat_age_s"] < 300
    assert body["jobs"]["storage"] == "sqlite"
    assert body["backup"]["ok"] and body["backup"]["last_good_age_h"] < 1
    if os.environ.get("BBBMS_TEST_REDIS_URL"):  # the district's set-up: Redis is checked too
        assert body["redis"]["ok"]
    else:
        assert "redis" not in body


def _shots(tmp_path: Path) -> Path:
    path = Path(os.environ.get("BBBMS_SCREENSHOT_DIR") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_administrator_sees_the_backups(page: Page, first_backup, tmp_path):
    shots = _shots(tmp_path)
    sign_in(page, "admin")
    expect(page.get_by_test_id("backup-warning")).to_have_count(0)  # a fresh, good backup exists
    page.get_by_test_id("nav-backups").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Камдык көчүрмөлөр")
    rows = page.get_by_test_id("backups-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("жакшы")
    expect(page.get_by_test_id("backup-summary")).to_contain_text("Акыркы жакшы камдык көчүрмө")
    page.screenshot(path=str(shots / "backups-ky-1280.png"), full_page=True)
    page.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Резервные копии")
    expect(rows.first).to_contain_text("исправна")
    page.screenshot(path=str(shots / "backups-ru-1280.png"), full_page=True)


def test_backups_at_phone_width(phone: Page, first_backup, tmp_path):
    shots = _shots(tmp_path)
    sign_in(phone, "director")
    phone.goto("/backups")
    rows = phone.get_by_test_id("backups-table").locator("tbody tr")
    expect(rows.first).to_be_visible()
    phone.screenshot(path=str(shots / "backups-ky-375.png"), full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"the backups list scrolls sideways at phone width ({width}px)"

    # «Back up now», tapped: the job queue makes the backup, and a refresh lists it.
    before = rows.count()
    phone.get_by_test_id("backup-now").tap()
    expect(phone.get_by_text("Көчүрмө кезекке коюлду")).to_be_visible()
    deadline = time.monotonic() + 120
    while rows.count() == before and time.monotonic() < deadline:
        phone.get_by_test_id("backup-refresh").tap()
        phone.wait_for_timeout(2000)
    assert rows.count() == before + 1, "the backup asked for on the screen never appeared in the list"
    expect(rows.first).to_contain_text("жакшы")
    phone.screenshot(path=str(shots / "backups-now-ky-375.png"), full_page=True)


def test_teacher_has_no_backups_link(page: Page, first_backup):
    sign_in(page, "teacher")
    expect(page.get_by_test_id("nav-backups")).to_have_count(0)
    page.goto("/backups")
    expect(page.get_by_test_id("backups-table")).to_have_count(0)
    expect(page.get_by_test_id("backup-now")).to_have_count(0)
