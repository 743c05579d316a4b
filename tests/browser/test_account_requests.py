"""Issue 10 #1 in real Chromium: the administrator's reset of a deputy's password waits for the
director, who confirms it on /account-requests (desktop, Kyrgyz and Russian; a phone by taps)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from bbbms_app import db
from tests.browser.conftest import PHONE
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)
SHOTS = Path(os.environ.get("BBBMS_SCREENSHOTS", Path(__file__).resolve().parents[2] / "screenshots"))
NEW_PASSWORD = "Ысык-Көл жээги 2026"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"requests-{name}.png"), full_page=True)


def _pending(url: str) -> int:
    with db.make_engine(url).connect() as conn:
        return conn.execute(text("SELECT count(*) FROM accountrequest WHERE status = 'pending'")).scalar()


def _sign_out(page: Page) -> None:
    page.get_by_test_id("sidebar").get_by_test_id("logout").click()
    # Sign-out reloads /login with a new tab token: wait for that load before going anywhere.
    page.wait_for_url(re.compile(r"/login/?$"), wait_until="load")
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    page.wait_for_timeout(500)


def _file_request(page: Page) -> None:
    sign_in(page, "admin")
    page.goto("/users")
    page.get_by_test_id("search").fill("deputy")
    rows = page.get_by_test_id("users-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_test_id("open-row").click()
    page.get_by_test_id("reset-password").fill(NEW_PASSWORD)
    page.get_by_test_id("reset-password-submit").click()
    expect(page.get_by_text("Өтүнүч директорго жөнөтүлдү")).to_be_visible()
    _sign_out(page)


@pytest.fixture
def deputy_back(browser_db_url):
    """The demo deputy is shared by the session's other tests: his demo password comes back."""
    yield
    from sqlmodel import select

    from bbbms_app.demo import DEMO_PASSWORD
    from bbbms_app.models import User
    from bbbms_app.services import accounts

    with db.session(browser_db_url, write=True) as s:
        deputy = s.exec(select(User).where(User.username == "deputy")).one()
        accounts.set_password(s, deputy, DEMO_PASSWORD)


def test_the_director_confirms_a_deputys_password_reset(page: Page, browser, app_url, browser_db_url, deputy_back):
    before = _pending(browser_db_url)
    _file_request(page)
    assert _pending(browser_db_url) == before + 1
    sign_in(page, "director")
    page.goto("/account-requests")
    card = page.get_by_test_id("account-request").last
    expect(card).to_contain_text("deputy")
    expect(card).to_contain_text("Жаңы сырсөз")
    _shot(page, "1280-ky")
    page.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    expect(card).to_contain_text("Новый пароль")
    _shot(page, "1280-ru")
    page.get_by_test_id("lang-switch").get_by_role("radio", name="КЫР").click()

    # On a phone, by taps.
    context = browser.new_context(viewport=PHONE, base_url=app_url, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.set_default_timeout(20000)
    sign_in(phone, "director")
    phone.goto("/account-requests")
    card = phone.get_by_test_id("account-request").last
    expect(card).to_be_visible()
    _shot(phone, "375-ky")
    card.get_by_test_id("request-approve").tap()
    expect(phone.get_by_text("Өтүнүч ырасталды")).to_be_visible()
    assert _pending(browser_db_url) == before
    context.close()
    # The deputy now signs in with the password the administrator chose, and must replace it.
    _sign_out(page)
    page.locator("#username").fill("deputy")
    page.locator("#password").fill(NEW_PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("must-change-password")).to_be_visible()
