"""The school's words on real screens (issue 13): the Kyrgyz summary sheet, journal and pupil card
of the demo school use none of the rejected words, and the summary sheet explains «н/а» and «осв»."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bbbms_app.services.school_calendar import academic_year_of, calendar_for
from tests.browser.test_shell import sign_in
from tests.test_words import REJECTED_KY

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
# Whole-string patterns (a catalog entry that is just «Сабак») have no meaning in a page's text.
ON_PAGE = {p: why for p, why in REJECTED_KY.items() if not p.startswith("^")}


def _rejected(text: str) -> list[str]:
    return [f"{m.group(0)!r}: {why}" for p, why in ON_PAGE.items() for m in re.finditer(p, text, re.IGNORECASE)]


def test_the_kyrgyz_summary_journal_and_pupil_card_use_the_schools_words(page: Page):
    sign_in(page, "deputy")
    page.goto("/summary")
    expect(page.get_by_test_id("summary-sheet")).to_be_visible()
    # The first quarter of the demo's year is over: a 5th grade's sheet holds the quarter marks.
    page.get_by_test_id("summary-class").click()
    page.get_by_role("option", name="5-А", exact=True).click()
    page.get_by_test_id("summary-period").click()
    page.get_by_role("option").first.click()
    expect(page.get_by_test_id("summary-row").first).to_be_visible()
    if calendar_for(academic_year_of(date.today())).quarters[0][2] < date.today():
        expect(page.get_by_test_id("summary-sheet")).to_contain_text(re.compile(r"\b[2345]\b"))
    body = page.locator("body").inner_text()
    assert "н/а — аттестацияланган жок, осв — бошотулган" in body
    assert "Жыйынды ведомость" in body
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "words-summary-ky-1280.png"), full_page=True)
    texts = {"summary": body}

    page.goto("/journal")
    expect(page.get_by_test_id("grade-grid").locator("td[data-r]").first).to_be_visible()
    texts["journal"] = page.locator("body").inner_text()

    page.goto("/pupils")
    page.get_by_test_id("open-row").first.click()
    expect(page.get_by_test_id("detail-card")).to_be_visible()
    texts["pupil card"] = page.locator("body").inner_text()
    assert "Алфавиттик китеп боюнча №" in texts["pupil card"]

    assert {name: _rejected(text) for name, text in texts.items()} == {name: [] for name in texts}


def test_the_russian_summary_on_a_phone_explains_the_marks(phone: Page):
    sign_in(phone, "deputy")
    phone.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    # The switch is answered by the server (it remembers the choice on the account): wait for it.
    expect(phone.get_by_test_id("lang-switch").get_by_role("radio", name="РУС")).to_be_checked()
    phone.goto("/summary")
    expect(phone.get_by_test_id("summary-sheet")).to_be_visible()
    phone.get_by_test_id("summary-class").click()
    phone.get_by_role("option", name="5-А", exact=True).click()
    phone.get_by_test_id("summary-period").click()
    phone.get_by_role("option").first.click()
    expect(phone.get_by_test_id("summary-row").first).to_be_visible()
    # The language switch re-renders the page: wait for the Russian legend before reading it.
    expect(phone.locator("body")).to_contain_text("н/а — не аттестован, осв — освобождён")
    assert not re.search(r"(?<!Б)ББМС", phone.locator("body").inner_text())
    SHOTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(SHOTS / "words-summary-ru-375.png"), full_page=True)
