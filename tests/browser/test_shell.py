"""Sign-in, the role-aware shell, language switch and sign-out in real Chromium."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bbbms_app.demo import DEMO_PASSWORD
from tests.browser.demo_facts import facts

pytestmark = pytest.mark.browser

ALL_SECTIONS = ("home", "marks", "diary", "timetable", "pupils", "classes", "staff", "users", "profile")
SIDEBAR = {
    "admin": {"home", "classes", "staff", "users", "profile"},
    "director": {"home", "timetable", "pupils", "classes", "staff", "users", "profile"},
    "deputy": {"home", "timetable", "pupils", "classes", "staff", "profile"},
    "teacher": {"home", "timetable", "pupils", "classes", "staff", "profile"},
    "classteacher": {"home", "timetable", "pupils", "classes", "staff", "profile"},
    "clerk": {"home", "timetable", "pupils", "classes", "staff", "profile"},
    "parent": {"home", "marks", "diary", "timetable", "profile"},
    "pupil": {"home", "marks", "diary", "timetable", "profile"},
}


def open_sign_in(page: Page) -> None:
    """The sign-in page, once it can sign in: its button waits for the page's connection. Typing
    before that raced the page's start on a loaded machine (a press that sent nothing, once in ~600
    sign-ins of a loop on PostgreSQL + Redis)."""
    page.goto("/login")
    expect(page.get_by_test_id("login-submit")).to_be_enabled(timeout=20000)


def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    open_sign_in(page)
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.get_by_test_id("login-submit").click()
    # Sign-in hashes the password in the background (argon2, deliberately slow): a loaded machine takes longer.
    expect(page.get_by_test_id("page-title")).to_be_visible(timeout=20000)


@pytest.mark.parametrize("username", list(SIDEBAR))
def test_each_demo_role_sees_its_own_sidebar_and_signs_out(page: Page, username: str):
    sign_in(page, username)
    sidebar = page.get_by_test_id("sidebar")
    expect(sidebar.get_by_test_id("nav-home")).to_be_visible()
    shown = {s for s in ALL_SECTIONS if sidebar.get_by_test_id(f"nav-{s}").count() > 0}
    assert shown == SIDEBAR[username]
    expect(page.get_by_test_id("page-title")).to_have_text("Башкы бет")
    expect(page.get_by_test_id("term-label")).to_have_text(facts().term_label)  # today's quarter
    sidebar.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login/?$"))
    # The old session is gone: a protected page sends the browser back to sign in.
    page.goto("/staff")
    expect(page).to_have_url(re.compile(r"/login/?$"))


def test_the_sign_in_button_waits_for_the_connection(page: Page):
    """Before the page's websocket is connected a press could not sign in: the browser would post
    the form (with the password) to the static server. A line that never connects keeps the button
    disabled, and neither a press nor Enter sends anything."""
    page.route_web_socket(re.compile(r"/_event"), lambda ws: None)  # opens, never answers
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto("/login")
    button = page.get_by_test_id("login-submit")
    expect(button).to_be_visible()
    page.locator("#username").fill("director")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("#password").press("Enter")
    button.click(force=True)
    page.wait_for_timeout(1500)
    expect(button).to_be_disabled()
    expect(page.get_by_test_id("login-connecting")).to_have_text("Серверге туташууда… · Подключение к серверу…")
    expect(page).to_have_url(re.compile(r"/login/?$"))
    assert posts == []
    page.set_viewport_size({"width": 375, "height": 740})  # what a phone on a weak line shows meanwhile
    shots = Path(os.environ.get("BBBMS_SCREENSHOTS", Path(__file__).resolve().parents[2] / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "login-connecting-375.png"))


def test_wrong_password_gives_a_translated_error(page: Page):
    open_sign_in(page)
    expect(page.get_by_test_id("login-connecting")).to_have_count(0)  # connected: no hint
    page.locator("#username").fill("director")
    page.locator("#password").fill("not-the-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_have_text("Колдонуучунун аты же сырсөз туура эмес")
    page.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_have_text("Неверное имя пользователя или пароль")
    expect(page.get_by_test_id("login-submit")).to_have_text("Войти")
    page.get_by_test_id("lang-switch").get_by_role("radio", name="КЫР").click()


def test_language_switch_is_remembered_for_the_user(page: Page, browser, app_url):
    sign_in(page, "deputy")
    page.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Главная")
    expect(page.get_by_test_id("nav-pupils").first).to_contain_text("Ученики")
    page.get_by_test_id("lang-switch").get_by_role("radio", name="ENG").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Home")
    page.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Главная")
    # Another browser (fresh storage) gets the user's language at sign-in.
    other = browser.new_context(base_url=app_url).new_page()
    sign_in(other, "deputy")
    expect(other.get_by_test_id("page-title")).to_have_text("Главная")
    other.get_by_test_id("lang-switch").get_by_role("radio", name="КЫР").click()
    expect(other.get_by_test_id("page-title")).to_have_text("Башкы бет")
    other.context.close()


def test_phone_width_menu_and_pupil_list(phone: Page):
    sign_in(phone, "classteacher")
    expect(phone.get_by_test_id("sidebar")).to_be_hidden()
    phone.get_by_test_id("menu-button").click()
    menu = phone.get_by_test_id("mobile-menu")
    expect(menu).to_be_visible()
    menu.get_by_test_id("nav-pupils").click()
    expect(phone.get_by_test_id("page-title")).to_have_text("Окуучулар")
    rows = phone.get_by_test_id("pupils-table").locator("tbody tr")
    expect(rows.first).to_be_visible()
    # A class teacher reaches only the classes he leads or teaches, a few of the school's 22.
    classes = {rows.nth(i).locator("td[data-col=class_name]").inner_text() for i in range(rows.count())}
    phone.goto("/classes")
    own = phone.get_by_test_id("classes-table").locator("tbody tr")
    expect(own.first).to_be_visible()
    reachable = {own.nth(i).locator("td[data-col=class_name]").inner_text() for i in range(own.count())}
    assert classes <= reachable and 1 <= len(reachable) < 22
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"the page scrolls sideways at phone width ({width}px)"


def test_parent_sees_only_his_own_children(page: Page):
    sign_in(page, "parent")
    cards = page.get_by_test_id("child-card")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 2
    page.get_by_test_id("nav-marks").first.click()
    expect(page.get_by_test_id("marks-table")).to_be_visible()
    expect(page.get_by_test_id("child-switch")).to_be_visible()
    page.goto("/pupils")  # not his section: the handler refuses, nothing is listed
    expect(page.get_by_test_id("pupils-table")).to_have_count(0)
