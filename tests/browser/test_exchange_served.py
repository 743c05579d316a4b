"""Issue 19 §3–4 on the served app in real Chromium: on his phone, with taps, the director registers
a learning system with `resources:read` and `gradebook:read` (the new scope ticked on the screen) and
reads its secret once; over real sockets the client then pulls the demo school's published course
materials as OneRoster resources, a file's bytes only with its token, and a quarter's exchange file
keyed by PIN and OKPO. Screenshots of the screen at 375 and 1280 px."""

from __future__ import annotations

import csv
import io

import httpx2
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import set_language
from tests.browser.test_api_clients import _shots, _token
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
RES = "/ims/oneroster/resources/v1p2"


def test_a_client_with_resources_read_pulls_materials_and_the_exchange_file(
    page: Page, phone: Page, app_url, browser_db_url
):
    set_language(browser_db_url, "director", "ky")
    sign_in(phone, "director")
    phone.goto("/api-clients")
    expect(phone.get_by_test_id("page-title")).to_have_text("API кардарлары")
    expect(phone.get_by_test_id("scope-resources:read")).to_have_accessible_name("Курстардын жарыяланган материалдары")
    phone.get_by_test_id("client-name").tap()
    phone.keyboard.insert_text("Онлайн мектеп")  # the phone's own keyboard types it
    phone.get_by_test_id("scope-resources:read").tap()
    phone.get_by_test_id("scope-gradebook:read").tap()
    phone.get_by_test_id("client-create").tap()
    secret_line = phone.get_by_test_id("client-secret")
    expect(secret_line).to_contain_text("client_secret: ")
    phone.screenshot(path=str(_shots() / "api-clients-375-ky-resources.png"), full_page=True)
    secret = secret_line.inner_text().split("client_secret: ", 1)[1].strip()
    client_id = phone.get_by_text("client_id: ").inner_text().split("client_id: ", 1)[1].strip()

    answer = _token(app_url, client_id, secret)
    assert answer.status_code == 200 and answer.json()["scope"] == "gradebook:read resources:read"
    bearer = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    listed = httpx2.get(f"{app_url}{RES}/resources", params={"limit": 1000}, headers=bearer, timeout=60)
    assert listed.status_code == 200, listed.text
    resources = listed.json()["resources"]
    assert resources and all(r["sourcedId"].startswith("resource-") for r in resources)
    files = [r for r in resources if r["metadata"]["kind"] == "file"]
    if files:  # the demo's file materials: their bytes with the token only
        url = f"{app_url}{files[0]['metadata']['url']}"
        assert httpx2.get(url, timeout=60).status_code == 401
        assert httpx2.get(url, headers=bearer, timeout=60).status_code in (200, 410)
    terms = httpx2.get(f"{app_url}/api/v1/terms", headers=bearer, timeout=60).json()["data"]
    table = httpx2.get(f"{app_url}/api/v1/exchange", params={"term": terms[0]["id"]}, headers=bearer, timeout=120)
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv"), table.text
    rows = list(csv.reader(io.StringIO(table.text)))
    assert rows[0][:2] == ["pin", "okpo"] and all(len(r[0]) == 14 and r[0].isdigit() for r in rows[1:])

    set_language(browser_db_url, "director", "ru")
    sign_in(page, "director")
    page.goto("/api-clients")
    expect(page.get_by_test_id("clients-table")).to_contain_text("resources:read")
    page.screenshot(path=str(_shots() / "api-clients-1280-ru-resources.png"), full_page=True)
