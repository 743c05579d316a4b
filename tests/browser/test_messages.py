"""Messages in real Chromium: a parent of the demo class teacher's class marks his week's diary seen
and writes to her on his phone with taps; the unread badge in her sidebar shows it, goes when she
opens it; she answers at her desk; the badge in his phone's header shows the answer and goes when
he opens it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from bbbms_app import db
from bbbms_app.demo import DEMO_PASSWORD
from bbbms_app.models import User
from bbbms_app.services import accounts, messages, notify
from tests.browser.test_announcements import _parent_of_her_class, _shots
from tests.browser.test_shell import open_sign_in, sign_in

pytestmark = pytest.mark.browser


def _name(db_url: str, username: str) -> str:
    eng = db.make_engine(db_url)
    try:
        with Session(eng) as s:
            user = s.exec(select(User).where(User.username == username)).one()
            return user.full_name or user.username
    finally:
        eng.dispose()


def _unread(db_url: str, username: str) -> tuple[int, int]:
    """(unread messages, unread notifications) of an account, as the header's badge adds them up."""
    eng = db.make_engine(db_url)
    try:
        with Session(eng) as s:
            user = s.exec(select(User).where(User.username == username)).one()
            principal = accounts.principal_for(user, session=s)
            return messages.unread_count(s, principal), notify.unread_count(s, principal)
    finally:
        eng.dispose()


def _counted(tab: Page, db_url: str, username: str, badge, path: str = "/messages") -> tuple[int, int]:
    """Open a page and check a badge of unread things against the database. The badge counts
    notifications too, and the job queue may add one (another test's marks of a child, another test's
    announcement to the staff) at any moment: the page is opened again until no notification arrived
    while it loaded."""
    for _ in range(5):
        before = _unread(db_url, username)
        tab.goto(path)
        expect(tab.get_by_test_id("page-title")).to_be_visible()
        if _unread(db_url, username) == before:
            break
    else:
        raise AssertionError("notifications kept arriving while the page loaded")
    _badge_shows(badge, sum(before))
    return before


def _badge_shows(badge, total: int) -> None:
    if total:
        expect(badge).to_have_text(str(total))
    else:
        expect(badge).to_have_count(0)


def _open_messages_counted(phone: Page, db_url: str, username: str) -> tuple[int, int]:
    return _counted(phone, db_url, username, phone.get_by_test_id("unread-header"))


def _fits(phone: Page, what: str) -> None:
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{what} scrolls sideways on a phone ({width} px)"


def test_a_parent_and_a_teacher_exchange_messages_and_the_badge_moves(
    page: Page, phone: Page, browser_db_url, tmp_path
):
    shots = _shots(tmp_path)
    parent, _class_name = _parent_of_her_class(browser_db_url)
    teacher = _name(browser_db_url, "classteacher")
    question = "Саламатсызбы! Эртең балам ооруп калгандыктан келбейт."
    answer = "Түшүндүм, айыгып кетсин. Үй тапшырмасын жиберем."

    # The parent on his phone, with taps.
    open_sign_in(phone)
    phone.locator("#username").tap()
    phone.locator("#username").fill(parent)
    phone.locator("#password").fill(DEMO_PASSWORD)
    phone.get_by_test_id("login-submit").tap()
    expect(phone.get_by_test_id("page-title")).to_be_visible()
    phone.goto("/messages")
    expect(phone.get_by_test_id("page-title")).to_have_text("Билдирүүлөр")
    # His week's «I have seen the diary», with a tap.
    phone.get_by_test_id("diary-child").first.get_by_test_id("diary-ack").tap()
    expect(phone.get_by_test_id("diary-child").first).to_contain_text("Көрүлдү")
    phone.get_by_test_id("msg-to").tap()
    phone.get_by_role("option", name=re.compile(re.escape(teacher))).tap()
    phone.get_by_test_id("msg-body").tap()
    phone.get_by_test_id("msg-body").fill(question)
    phone.get_by_test_id("msg-send").tap()
    expect(phone.get_by_test_id("message")).to_have_count(1)
    expect(phone.get_by_test_id("message")).to_contain_text(question)
    _fits(phone, "the open conversation")
    phone.screenshot(path=str(shots / "messages-375-thread-ky.png"), full_page=True)

    # The class teacher at her desk: the badge beside «Билдирүүлөр», gone once she opens it.
    sign_in(page, "classteacher")
    nav = page.get_by_test_id("sidebar").get_by_test_id("nav-messages")
    unread_messages, _notes = _counted(page, browser_db_url, "classteacher", nav.get_by_test_id("unread-nav"), "/")
    assert unread_messages == 1  # his question
    nav.click()
    expect(page.get_by_test_id("diary-ack-row").filter(has_text="Ата-эне Сыноо")).to_have_count(1)
    conversation = page.get_by_test_id("conversation").filter(has_text="Ата-эне Сыноо")
    expect(conversation.get_by_test_id("conv-unread")).to_have_text("1")
    page.screenshot(path=str(shots / "messages-1280-list-ky.png"), full_page=True)
    conversation.click()
    expect(page.get_by_test_id("message")).to_contain_text(question)
    # Read: the badge lost the message and keeps only her notifications (the sidebar's own count).
    assert _unread(browser_db_url, "classteacher")[0] == 0
    _badge_shows(nav.get_by_test_id("unread-nav"), _unread(browser_db_url, "classteacher")[1])
    page.get_by_test_id("reply-body").fill(answer)
    page.get_by_test_id("reply-send").click()
    expect(page.get_by_test_id("message")).to_have_count(2)
    page.screenshot(path=str(shots / "messages-1280-thread-ky.png"), full_page=True)
    page.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Сообщения")
    expect(page.get_by_test_id("reply-send")).to_have_text("Отправить")
    page.screenshot(path=str(shots / "messages-1280-thread-ru.png"), full_page=True)

    # Back on his phone: the header's badge tells him, and goes once he reads the answer.
    unread_messages, _notes = _open_messages_counted(phone, browser_db_url, parent)
    assert unread_messages == 1  # the answer; his own question is no news to him
    mine = phone.get_by_test_id("conversation").filter(has_text=teacher)
    expect(mine.get_by_test_id("conv-unread")).to_have_text("1")
    _fits(phone, "/messages")
    phone.screenshot(path=str(shots / "messages-375-list-ky.png"), full_page=True)
    mine.tap()
    expect(phone.get_by_test_id("message").nth(1)).to_contain_text(answer)
    assert _open_messages_counted(phone, browser_db_url, parent)[0] == 0  # read: the badge lost it
    mine.tap()
    phone.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").tap()
    expect(phone.get_by_test_id("reply-send")).to_have_text("Отправить")
    _fits(phone, "the open conversation in Russian")
    phone.screenshot(path=str(shots / "messages-375-thread-ru.png"), full_page=True)

    # His notification settings on the profile, on the phone, in Russian then Kyrgyz.
    phone.goto("/profile")
    expect(phone.get_by_test_id("notify-save")).to_be_visible()
    _fits(phone, "/profile")
    phone.screenshot(path=str(shots / "profile-notify-375-ru.png"), full_page=True)
    phone.get_by_test_id("lang-switch").first.get_by_role("radio", name="КЫР").tap()
    expect(phone.get_by_test_id("notify-save")).to_have_text("Сактоо")
    phone.get_by_test_id("notify-link-telegram").tap()
    expect(phone.get_by_test_id("notify-code")).to_contain_text(re.compile(r"/start [0-9A-F]{8}"))
    phone.screenshot(path=str(shots / "profile-notify-375-ky.png"), full_page=True)
