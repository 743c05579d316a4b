"""The exam and final marks screen (/exams) in real Chromium: the teacher of a graduating class
reads the sheet on a desk in Kyrgyz and Russian, and enters an exam mark with taps on a phone."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from bbbms_app import db
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)
SHOTS = os.environ.get("BBBMS_SHOTS", "")  # a folder for screenshots to look at, when set


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _exam_marks(url: str) -> list[tuple[int, int]]:
    with db.engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT pupil_id, value FROM periodmark WHERE kind = 'exam'"))]


def test_the_teacher_reads_the_exam_sheet_in_kyrgyz_and_russian(page: Page):
    sign_in(page, "teacher")
    page.goto("/exams")
    expect(page.get_by_test_id("page-title")).to_have_text("Экзамендик жана жыйынтык баалар (9-, 11-класстар)")
    expect(page.get_by_test_id("exam-class")).to_contain_text("9-А")
    expect(page.get_by_test_id("exam-row").first).to_be_visible()
    expect(page.get_by_test_id("exam-row").first).to_contain_text("Жылдык")
    _shot(page, "exams-ky-1280")
    page.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Экзаменационные и итоговые оценки (9-е, 11-е классы)")
    expect(page.get_by_test_id("exam-row").first).to_contain_text("Годовая")
    _shot(page, "exams-ru-1280")


def test_the_teacher_enters_an_exam_mark_with_taps_on_a_phone(phone: Page, browser_db_url):
    sign_in(phone, "teacher")
    phone.goto("/exams")
    card = phone.get_by_test_id("exam-row").first
    expect(card).to_be_visible()
    before = _exam_marks(browser_db_url)
    card.get_by_test_id("exam-exam").tap()
    phone.get_by_role("option", name="5", exact=True).tap()
    expect(phone.get_by_text("Баа сакталды")).to_be_visible()
    expect(card.get_by_test_id("exam-exam")).to_have_text("5")
    after = _exam_marks(browser_db_url)
    assert len(after) == len(before) + 1 and after[-1][1] == 5
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375  # no sideways scroll
    _shot(phone, "exams-ky-375")
    phone.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").tap()
    expect(phone.get_by_test_id("page-title")).to_contain_text("Экзаменационные")
    _shot(phone, "exams-ru-375")
