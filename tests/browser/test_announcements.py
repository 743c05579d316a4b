"""Announcements in real Chromium: the demo class teacher posts to her class's parents at her desk; a
parent of her class opens it on his phone with taps; she then reads «read: 1» and his name."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from bbbms_app import db
from bbbms_app.demo import DEMO_PASSWORD
from bbbms_app.models import Enrollment, PupilGuardian, User
from bbbms_app.models.communication import Announcement
from bbbms_app.services import accounts, announcements
from tests.browser.test_shell import open_sign_in, sign_in

pytestmark = pytest.mark.browser
PARENT = "parent_of_her_class"


def _shots(tmp_path: Path) -> Path:
    path = Path(os.environ.get("BBBMS_SCREENSHOT_DIR") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _parent_of_her_class(db_url: str) -> tuple[str, str]:
    """An account for a guardian of a pupil of the demo class teacher's class (the demo parent's
    children are in other classes), and that class's name."""
    eng = db.make_engine(db_url)
    try:
        with Session(eng) as s:
            teacher = s.exec(select(User).where(User.username == "classteacher")).one()
            cls = announcements.led_classes(s, accounts.principal_for(teacher, session=s))[0]
            today = date.today()
            guardian_id = s.exec(
                select(PupilGuardian.guardian_id)
                .join(Enrollment, col(Enrollment.pupil_id) == PupilGuardian.pupil_id)
                .where(
                    Enrollment.class_id == cls.id,
                    Enrollment.starts_on <= today,
                    (col(Enrollment.ends_on).is_(None)) | (col(Enrollment.ends_on) >= today),
                )
                .order_by(PupilGuardian.guardian_id)
            ).first()
            assert guardian_id is not None
            if s.exec(select(User.id).where(User.username == PARENT)).first() is None:
                accounts.create_user(
                    s,
                    PARENT,
                    "parent",
                    DEMO_PASSWORD,
                    school_id=cls.school_id,
                    full_name="Ата-эне Сыноо",
                    guardian_id=guardian_id,
                )
                s.commit()
            return PARENT, f"{cls.grade}-{cls.letter}"
    finally:
        eng.dispose()


def _stored(db_url: str, title: str) -> list[tuple[str, str]]:
    eng = db.make_engine(db_url)
    try:
        with Session(eng) as s:
            return [(a.audience, a.reach) for a in s.exec(select(Announcement).where(Announcement.title == title))]
    finally:
        eng.dispose()


def test_a_class_teacher_posts_to_her_class_parents_and_sees_who_read(
    page: Page, phone: Page, browser_db_url, tmp_path
):
    shots = _shots(tmp_path)
    parent, class_name = _parent_of_her_class(browser_db_url)
    title = "Ата-энелер чогулушу 5-декабрда"

    sign_in(page, "classteacher")
    page.get_by_test_id("sidebar").get_by_test_id("nav-announcements").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Кулактандыруулар")
    expect(page.get_by_test_id("ann-class")).to_contain_text(class_name)  # her class, already chosen
    page.get_by_test_id("ann-title").fill(title)
    page.get_by_test_id("ann-body").fill("Саат 17:00дө, 12-кабинетте.\n<b>Келиңиздер!</b>")
    page.get_by_test_id("ann-reach").click()
    page.get_by_role("option", name="Ата-энелер", exact=True).click()
    expect(page.get_by_test_id("ann-reach")).to_have_text("Ата-энелер")
    page.get_by_test_id("ann-send").click()
    written = page.get_by_test_id("ann-written").filter(has_text=title)
    expect(written).to_be_visible()
    expect(written.get_by_test_id("ann-read-count")).to_have_text("Окуган: 0")
    expect(written.get_by_test_id("ann-to")).to_have_text(f"Класска · {class_name} · Ата-энелер")
    assert _stored(browser_db_url, title) == [("class", "parents")]
    page.screenshot(path=str(shots / "announcements-1280-ky.png"), full_page=True)

    # The parent, on a phone, with taps: the new announcement on his home page, opened.
    open_sign_in(phone)
    phone.locator("#username").tap()
    phone.locator("#username").fill(parent)
    phone.locator("#password").fill(DEMO_PASSWORD)
    phone.get_by_test_id("login-submit").tap()
    card = phone.get_by_test_id("home-announcement").filter(has_text=title)
    expect(card).to_be_visible()
    expect(card.get_by_test_id("ann-unread")).to_be_visible()
    phone.screenshot(path=str(shots / "home-announcement-375-closed.png"), full_page=True)
    card.tap()
    expect(card.get_by_test_id("ann-body-text")).to_have_text("Саат 17:00дө, 12-кабинетте.\n<b>Келиңиздер!</b>")
    expect(card.get_by_test_id("ann-unread")).to_have_count(0)
    assert phone.locator("b", has_text="Келиңиздер").count() == 0  # text, never HTML
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the home page scrolls sideways on a phone ({width} px)"
    phone.screenshot(path=str(shots / "home-announcement-375-open.png"), full_page=True)

    # She reloads her page: «read: 1» and his name.
    page.reload()
    written = page.get_by_test_id("ann-written").filter(has_text=title)
    expect(written.get_by_test_id("ann-read-count")).to_have_text("Окуган: 1")
    expect(written.get_by_test_id("ann-readers")).to_have_text(re.compile("Ата-эне Сыноо"))
    page.screenshot(path=str(shots / "announcements-1280-read-ky.png"), full_page=True)
    # In Russian: the same page follows the switch without a reload.
    page.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Объявления")
    expect(written.get_by_test_id("ann-read-count")).to_have_text("Прочитали: 1")
    expect(written.get_by_test_id("ann-to")).to_have_text(f"Классу · {class_name} · Родители")
    page.screenshot(path=str(shots / "announcements-1280-ru.png"), full_page=True)


def test_the_calendar_on_a_phone_its_feed_and_the_revoked_address(page: Page, phone: Page, browser_db_url, tmp_path):
    shots = _shots(tmp_path)
    parent, class_name = _parent_of_her_class(browser_db_url)
    open_sign_in(phone)
    phone.locator("#username").tap()
    phone.locator("#username").fill(parent)
    phone.locator("#password").fill(DEMO_PASSWORD)
    phone.get_by_test_id("login-submit").tap()
    # The demo class teacher's parent meeting: on his home page, then on the calendar.
    meeting = f"{class_name} классынын ата-энелер чогулушу"
    expect(phone.get_by_test_id("home-event").filter(has_text=meeting)).to_be_visible()
    phone.get_by_test_id("home-event").filter(has_text=meeting).tap()
    expect(phone.get_by_test_id("page-title")).to_have_text("Иш-чаралар")
    card = phone.get_by_test_id("calendar-event").filter(has_text=meeting)
    expect(card).to_contain_text("17:30–18:30")
    expect(card).to_contain_text("Жери: 12-кабинет")
    expect(phone.get_by_test_id("event-add")).to_have_count(0)  # a parent adds no events
    phone.get_by_test_id("feed-new").tap()
    url = phone.get_by_test_id("feed-url").inner_text()
    assert re.fullmatch(r"https?://[^/]+/calendar-feed/[A-Za-z0-9_-]{43}\.ics", url), url
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the calendar scrolls sideways on a phone ({width} px)"
    phone.screenshot(path=str(shots / "calendar-375-ky.png"), full_page=True)
    answer = phone.request.get(url)
    assert answer.status == 200 and "BEGIN:VCALENDAR" in answer.text() and meeting in answer.text()
    phone.get_by_test_id("feed-revoke").tap()
    expect(phone.get_by_test_id("feed-revoke")).to_have_count(0)
    assert phone.request.get(url).status == 404

    # The deputy at her desk, in Russian: the school's calendar and the form.
    sign_in(page, "deputy")
    page.goto("/calendar")
    expect(page.get_by_test_id("event-add")).to_be_visible()
    page.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Календарь событий")
    expect(page.get_by_test_id("calendar-event").filter(has_text=meeting)).to_contain_text("Классу")
    page.screenshot(path=str(shots / "calendar-1280-ru.png"), full_page=True)


@pytest.mark.parametrize("username", ["classteacher", "director"])
def test_the_write_form_fits_a_phone_in_kyrgyz_and_russian(phone: Page, username: str, tmp_path):
    shots = _shots(tmp_path)
    open_sign_in(phone)
    phone.locator("#username").tap()
    phone.locator("#username").fill(username)
    phone.locator("#password").fill(DEMO_PASSWORD)
    phone.get_by_test_id("login-submit").tap()
    expect(phone.get_by_test_id("page-title")).to_be_visible()
    phone.goto("/announcements")
    expect(phone.get_by_test_id("ann-send")).to_be_visible()
    # The audience picker offers the class teacher her class (or its people), the director the whole school.
    phone.get_by_test_id("ann-audience").tap()
    options = phone.get_by_role("option")
    expect(options).to_have_count(2 if username == "classteacher" else 5)  # and named people
    phone.keyboard.press("Escape")
    for lang, title in (("ky", "Кулактандыруулар"), ("ru", "Объявления")):
        if lang == "ru":
            phone.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").tap()
        expect(phone.get_by_test_id("page-title")).to_have_text(title)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"/announcements scrolls sideways on a phone ({width} px)"
        phone.screenshot(path=str(shots / f"announcements-375-{username}-{lang}.png"), full_page=True)
