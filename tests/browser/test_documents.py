"""The register of internal documents in real Chromium: the director registers a document for the
clerk, approves it and gives it a second version; the old version still downloads for those
allowed (the director, the clerk) and for nobody else (a teacher, no session: 404). A teacher
acknowledges a document on a phone with taps."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bbbms_app.demo import DEMO_PASSWORD
from bbbms_app.demo.documents import docx
from tests.browser.test_shell import open_sign_in, sign_in
from tests.consent_support import PDF

pytestmark = pytest.mark.browser


def _shots(tmp_path: Path) -> Path:
    path = Path(os.environ.get("BBBMS_SCREENSHOT_DIR") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _signed_in(browser: Browser, app_url: str, username: str):
    context = browser.new_context(base_url=app_url)
    sign_in(context.new_page(), username)
    return context


def test_a_second_version_keeps_the_old_one_for_its_readers_only(page: Page, browser: Browser, app_url, tmp_path):
    shots = _shots(tmp_path)
    title = "Иш кагаздарын жүргүзүү боюнча нускама"
    second = docx("Нускама", "2-ред.")
    sign_in(page, "director")
    page.get_by_test_id("sidebar").get_by_test_id("nav-documents").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Документтер")
    expect(page.get_by_test_id("doc-row").filter(has_text="Баалоо жөнүндө жобо")).to_be_visible()  # the demo's
    expect(
        page.get_by_test_id("doc-row").filter(has_text="Кыймыл китебинен").first
    ).to_be_visible()  # the book's orders
    page.get_by_test_id("doc-new").click()
    page.get_by_test_id("doc-f-title").fill(title)
    page.get_by_test_id("doc-f-description").fill("Катталуучу кагаздар жана алардын сакталышы")
    page.get_by_test_id("doc-f-role-clerk").click()
    page.screenshot(path=str(shots / "documents-1280-form-ky.png"), full_page=True)
    page.get_by_test_id("doc-f-save").click()
    card = page.get_by_test_id("doc-card")
    expect(card.get_by_test_id("doc-title")).to_have_text(title)
    page.locator("#document_file input[type=file]").set_input_files(
        files=[{"name": "нускама.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    expect(card.get_by_test_id("doc-version")).to_have_count(1)
    card.get_by_test_id("doc-approve").click()
    expect(card.get_by_test_id("doc-number")).to_have_text(re.compile(r"№ \d+"))
    page.locator("#document_file input[type=file]").set_input_files(
        files=[{"name": "нускама-2.docx", "mimeType": "application/octet-stream", "buffer": second}]
    )
    expect(card.get_by_test_id("doc-version")).to_have_count(2)
    links = card.get_by_test_id("doc-version-link")
    new_url, old_url = links.nth(0).get_attribute("href"), links.nth(1).get_attribute("href")
    assert old_url and new_url and re.fullmatch(r"/private/document/\d+", old_url), (old_url, new_url)
    expect(card.get_by_test_id("doc-not-acked")).to_have_count(1)  # the clerk, not yet
    page.screenshot(path=str(shots / "documents-1280-director-ky.png"), full_page=True)

    # The old version, with the right cookies: the director and the clerk; nobody else.
    answer = page.request.get(old_url)
    assert answer.status == 200 and answer.body() == PDF
    assert page.request.get(new_url).body() == second
    clerk = _signed_in(browser, app_url, "clerk")
    teacher = _signed_in(browser, app_url, "teacher")
    stranger = browser.new_context(base_url=app_url)
    try:
        assert clerk.request.get(old_url).body() == PDF
        for context in (teacher, stranger):
            assert context.request.get(old_url).status == 404
            assert context.request.get(new_url).status == 404
    finally:
        for context in (clerk, teacher, stranger):
            context.close()

    page.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Документы")
    expect(card).to_contain_text("Версии")
    page.screenshot(path=str(shots / "documents-1280-director-ru.png"), full_page=True)


def test_a_teacher_acknowledges_a_document_on_a_phone(phone: Page, tmp_path):
    shots = _shots(tmp_path)
    open_sign_in(phone)
    phone.locator("#username").tap()
    phone.locator("#username").fill("teacher")
    phone.locator("#password").fill(DEMO_PASSWORD)
    phone.get_by_test_id("login-submit").tap()
    expect(phone.get_by_test_id("page-title")).to_be_visible()
    phone.goto("/documents")
    expect(phone.get_by_test_id("page-title")).to_have_text("Документтер")
    expect(phone.get_by_test_id("doc-new")).to_be_visible()
    expect(phone.get_by_test_id("doc-row").filter(has_text="ички көзөмөл планы")).to_have_count(0)  # a draft
    phone.screenshot(path=str(shots / "documents-375-list-ky.png"), full_page=True)
    phone.get_by_test_id("doc-new").tap()
    expect(phone.get_by_test_id("doc-form")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the new-document form scrolls sideways on a phone ({width} px)"
    phone.screenshot(path=str(shots / "documents-375-form-ky.png"), full_page=True)
    phone.get_by_test_id("doc-f-close").tap()
    expect(phone.get_by_test_id("doc-form")).to_have_count(0)
    phone.get_by_test_id("doc-row").filter(has_text="Баалоо жөнүндө жобо").tap()
    card = phone.get_by_test_id("doc-card")
    expect(card.get_by_test_id("doc-title")).to_have_text("Баалоо жөнүндө жобо")
    expect(card.get_by_test_id("doc-version")).to_have_count(2)
    expect(card.get_by_test_id("doc-upload")).to_have_count(0)  # not his document
    phone.screenshot(path=str(shots / "documents-375-card-ky.png"), full_page=True)
    card.get_by_test_id("doc-ack").tap()
    expect(card.get_by_test_id("doc-acked-you")).to_be_visible()
    expect(card.get_by_test_id("doc-ack")).to_have_count(0)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"/documents scrolls sideways on a phone ({width} px)"
    phone.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").tap()
    expect(card.get_by_test_id("doc-acked-you")).to_have_text("Вы ознакомлены")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"/documents scrolls sideways on a phone in Russian ({width} px)"
    phone.screenshot(path=str(shots / "documents-375-card-ru.png"), full_page=True)
    # After a reload the acknowledgement is still there (it is the database's, not the tab's).
    phone.reload()
    phone.get_by_test_id("doc-row").filter(has_text="Баалоо жөнүндө жобо").tap()
    expect(phone.get_by_test_id("doc-card").get_by_test_id("doc-acked-you")).to_be_visible()


def test_an_announcement_to_named_people_with_a_file(
    page: Page, phone: Page, browser: Browser, app_url, browser_db_url, tmp_path
):
    """The director writes to one named teacher with a file; he opens it on his phone and gets the
    file; the class teacher, not named, neither sees it nor gets the file."""
    from sqlmodel import Session, select

    from bbbms_app import db
    from bbbms_app.models import User

    eng = db.make_engine(browser_db_url)
    with Session(eng) as s:
        teacher_name = s.exec(select(User.full_name).where(User.username == "teacher")).one()
    eng.dispose()
    title = "Ачык сабак боюнча сунуштар"
    sign_in(page, "director")
    page.goto("/announcements")
    # Loaded (the picker offers its audiences): the form is drawn anew then, so type after it.
    expect(page.get_by_test_id("ann-audience")).to_have_text("Бүт мектепке")
    page.get_by_test_id("ann-title").fill(title)
    page.get_by_test_id("ann-body").fill("Тиркелген файлды окуп чыгыңыз.")
    page.get_by_test_id("ann-audience").click()
    page.get_by_role("option", name="Аты аталган адамдарга", exact=True).click()
    page.get_by_test_id("ann-person").click()
    page.get_by_role("option", name=teacher_name, exact=True).click()
    expect(page.get_by_test_id("ann-named")).to_have_text(teacher_name)
    page.locator("#announcement_files input[type=file]").set_input_files(
        files=[{"name": "сунуштар.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    expect(page.get_by_test_id("ann-staged")).to_contain_text("сунуштар.pdf")
    page.get_by_test_id("ann-send").click()
    written = page.get_by_test_id("ann-written").filter(has_text=title)
    expect(written.get_by_test_id("ann-to")).to_have_text(f"Аты аталган адамдарга · {teacher_name}")
    url = written.get_by_test_id("ann-file").get_attribute("href")
    assert url and re.fullmatch(r"/private/announcement-file/\d+", url), url
    page.screenshot(path=str(_shots(tmp_path) / "announcements-1280-people-ky.png"), full_page=True)

    open_sign_in(phone)
    phone.locator("#username").tap()
    phone.locator("#username").fill("teacher")
    phone.locator("#password").fill(DEMO_PASSWORD)
    phone.get_by_test_id("login-submit").tap()
    card = phone.get_by_test_id("home-announcement").filter(has_text=title)
    card.tap()
    expect(card.get_by_test_id("ann-file")).to_have_text("сунуштар.pdf")
    assert phone.request.get(url).body() == PDF
    phone.screenshot(path=str(_shots(tmp_path) / "home-announcement-file-375-ky.png"), full_page=True)
    other = _signed_in(browser, app_url, "classteacher")
    try:
        assert other.request.get(url).status == 404
        other_page = other.pages[0]
        other_page.goto("/")
        expect(other_page.get_by_test_id("page-title")).to_be_visible()
        expect(other_page.get_by_test_id("home-announcement").filter(has_text=title)).to_have_count(0)
    finally:
        other.close()
