"""The director's screen of API clients in real Chromium (issue 19): at his desk he registers a
learning system with two scopes and reads its secret once; the secret works at /oauth/token of the
served app and the client pulls OneRoster users; on his phone, with taps, he revokes it and the
same credentials are refused. Screenshots at 1280 and 375 px in Kyrgyz and Russian."""

from __future__ import annotations

import os
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import set_language
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser


def _shots() -> Path:
    path = Path(os.environ.get("BBBMS_SCREENSHOT_DIR") or "/tmp/roster-shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _token(app_url: str, client_id: str, secret: str) -> httpx2.Response:
    return httpx2.post(f"{app_url}/oauth/token", data={"grant_type": "client_credentials"},
                       auth=(client_id, secret), timeout=30)  # fmt: skip


def test_the_director_registers_and_revokes_a_client(page: Page, phone: Page, app_url, browser_db_url):
    set_language(browser_db_url, "director", "ky")  # whatever an earlier test left
    sign_in(page, "director")
    page.goto("/api-clients")
    expect(page.get_by_test_id("page-title")).to_have_text("API кардарлары")
    page.get_by_test_id("client-name").fill("Moodle сыноо")
    page.get_by_test_id("scope-roster:read").click()
    page.get_by_test_id("scope-gradebook:read").click()
    page.get_by_test_id("client-create").click()
    secret_line = page.get_by_test_id("client-secret")
    expect(secret_line).to_contain_text("client_secret: ")
    expect(page.get_by_test_id("clients-table")).to_contain_text("Moodle сыноо")
    page.screenshot(path=str(_shots() / "api-clients-1280-ky.png"), full_page=True)
    secret = secret_line.inner_text().split("client_secret: ", 1)[1].strip()
    client_id = page.get_by_text("client_id: ").inner_text().split("client_id: ", 1)[1].strip()

    answer = _token(app_url, client_id, secret)
    assert answer.status_code == 200 and answer.json()["scope"] == "roster:read gradebook:read"
    bearer = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    users = httpx2.get(f"{app_url}/ims/oneroster/rostering/v1p2/students?limit=5", headers=bearer, timeout=30)
    assert users.status_code == 200 and len(users.json()["users"]) == 5 and int(users.headers["x-total-count"]) > 100
    page.get_by_test_id("secret-done").click()
    expect(page.get_by_test_id("client-secret")).to_have_count(0)

    # Russian, on the phone: taps, not a keyboard.
    set_language(browser_db_url, "director", "ru")
    sign_in(phone, "director")
    phone.goto("/api-clients")
    expect(phone.get_by_test_id("page-title")).to_have_text("API-клиенты")
    row = phone.get_by_test_id("clients-table").locator("tr", has_text="Moodle сыноо")
    expect(row).to_contain_text("действует")
    phone.screenshot(path=str(_shots() / "api-clients-375-ru.png"), full_page=True)
    row.get_by_test_id("client-revoke").tap()
    phone.get_by_test_id("client-revoke-yes").tap()
    expect(row).to_contain_text("отозван")
    assert _token(app_url, client_id, secret).status_code == 401
    phone.screenshot(path=str(_shots() / "api-clients-375-ru-revoked.png"))

    # The desk in Russian, and the phone in Kyrgyz, for the look of both.
    page.reload()
    expect(page.get_by_test_id("page-title")).to_have_text("API-клиенты")
    page.screenshot(path=str(_shots() / "api-clients-1280-ru.png"), full_page=True)
    # The switch, with a tap (the server's session cache keeps a principal up to 1 s: a language changed
    # behind its back in the database may not show at once).
    phone.get_by_test_id("lang-switch").get_by_role("radio", name="КЫР").tap()
    expect(phone.get_by_test_id("page-title")).to_have_text("API кардарлары")
    phone.screenshot(path=str(_shots() / "api-clients-375-ky.png"), full_page=True)
