"""A password someone else chose, in real Chromium: the user lands on his profile, is told why, and
reaches the school's pages only with a password of his own."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import School, User
from bbbms_app.services import accounts
from tests.browser.conftest import PHONE
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

GIVEN = "Ала-Тоо көлү 2025"
OWN = "менин өз сырсөзүм 7"


@pytest.fixture
def given_account(browser_db_url):
    with db.session(browser_db_url, write=True) as s:
        school = s.exec(select(School)).first()
        assert school is not None
        accounts.create_user(
            s,
            "slip_teacher",
            "teacher",
            GIVEN,
            school_id=school.id,
            full_name="Жаңы Мугалим",
            must_change_password=True,
        )
    yield "slip_teacher"
    with db.session(browser_db_url, write=True) as s:
        user = s.exec(select(User).where(User.username == "slip_teacher")).one()
        accounts.set_active(s, user, False)


def _password_form(page: Page):
    """The password form of /profile (the notification settings below it have a «Сактоо» of their own)."""
    return page.locator("form").filter(has=page.locator("input[name=new]"))


def test_a_given_password_leads_to_the_profile_until_replaced(browser, app_url, given_account):
    context = browser.new_context(viewport=PHONE, base_url=app_url, is_mobile=True, has_touch=True)
    page: Page = context.new_page()
    page.set_default_timeout(20000)
    sign_in(page, given_account, GIVEN)
    expect(page).to_have_url(re.compile(r"/profile/?$"))
    expect(page.get_by_test_id("must-change-password")).to_be_visible()
    shots = Path(os.environ.get("BBBMS_SCREENSHOTS", "/tmp/shots-password"))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "must-change-375-ky.png"), full_page=True)
    # Another page sends him back.
    page.goto("/timetable")
    expect(page).to_have_url(re.compile(r"/profile/?$"))
    # Keeping the given password is refused beside the form.
    page.locator("input[name=current]").fill(GIVEN)
    page.locator("input[name=new]").fill(GIVEN)
    _password_form(page).get_by_role("button", name="Сактоо").click()
    expect(page.get_by_text("Жаңы сырсөз сизге берилгенден башка болушу керек.")).to_be_visible()
    # His own one: signed out, he signs in with it and reaches the school's pages.
    page.locator("input[name=current]").fill(GIVEN)
    page.locator("input[name=new]").fill(OWN)
    _password_form(page).get_by_role("button", name="Сактоо").click()
    expect(page).to_have_url(re.compile(r"/login/?$"))
    sign_in(page, given_account, OWN)
    page.goto("/timetable")
    expect(page).to_have_url(re.compile(r"/timetable/?$"))
    expect(page.get_by_test_id("must-change-password")).to_have_count(0)
    context.close()
