"""The one rule of half-year assessment in the browser. The results report says what it counts:
«2-чейрек · 1-жарым жыл» when a Q2 report counts the half-year marks of grades 10–11 and of the
demo's 1-hour subjects beside the quarter marks, «1-чейрек» for Q1 (no half-year closes there), at
1280 px in Kyrgyz and Russian and on a phone (375 px, taps). A 1-hour subject's journal heads its
period column by half-year.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE
from tests.browser.test_journal import server_db  # noqa: F401  (a fixture)
from tests.browser.test_journal_half_year import _grid_of_screen, _pick
from tests.browser.test_reports import _choose, _language, _shots
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
NB = "\u2011"  # the title's non-breaking hyphen: «1-жарым жыл» stays whole on a phone
expect.set_options(timeout=15_000)


def test_the_results_title_names_the_half_year_it_counts(page: Page, phone: Page):
    sign_in(page, "director")
    page.goto("/reports")
    title = page.get_by_test_id("reports-period-title")
    _choose(page, "reports-period", "1-чейрек")
    expect(title).to_have_text(f"Эсептелген баалар: 1{NB}чейрек")
    _choose(page, "reports-period", "2-чейрек")
    expect(title).to_have_text(f"Эсептелген баалар: 2{NB}чейрек · 1{NB}жарым жыл")
    page.screenshot(path=str(_shots() / "reports-results-title-1280-ky.png"))
    sign_in(phone, "deputy")  # another account: the director's language is switched below
    phone.goto("/reports")
    phone.get_by_test_id("reports-period").tap()
    phone.get_by_role("option", name="2-чейрек", exact=True).tap()
    on_phone = phone.get_by_test_id("reports-period-title")
    expect(on_phone).to_have_text(f"Эсептелген баалар: 2{NB}чейрек · 1{NB}жарым жыл")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 375
    phone.screenshot(path=str(_shots() / "reports-results-title-375-ky.png"))
    _language(page, "РУС", "Отчёты", reload=False)
    expect(title).to_have_text(f"Учтены оценки: 2{NB}я четверть · 1{NB}е полугодие")
    page.screenshot(path=str(_shots() / "reports-results-title-1280-ru.png"))


def test_a_1_hour_subject_of_grade_7_has_the_half_year_column_on_a_phone(phone: Page, server_db: str):  # noqa: F811
    """The demo's policy assesses subjects of ≤ 1.5 h/week by half-year: 7th grade music's journal
    heads its period column «1-жарым жыл» with the policy's suggestions in Q2 and nothing to set in
    Q1; the same class's algebra keeps «2-чейрек»."""
    sign_in(phone, "deputy")
    phone.goto("/journal")
    expect(phone.get_by_test_id("grade-grid")).to_be_visible()
    _pick(phone, "pick-class", re.compile(r"^7-"))
    expect(phone.get_by_test_id("journal-heading")).to_contain_text(re.compile(r"^7-"))
    _pick(phone, "pick-subject", re.compile(r"^Алгебра"))
    head = phone.locator(".jg thead th.pc").first
    expect(head).to_have_text("2-чейрек")
    _pick(phone, "pick-subject", re.compile(r"^Музыка"))
    expect(phone.get_by_test_id("journal-heading")).to_contain_text("Музыка")
    expect(head).to_have_text("1-жарым жыл")
    g = _grid_of_screen(phone, server_db, 2)
    assert g.assessed is not None and (g.assessed.kind, g.assessed.number) == ("half_year", 1)
    period = phone.get_by_test_id("period-cell")
    for r, pupil in enumerate(g.pupils[:5]):  # the policy's suggestion from the marks of Q1 and Q2
        expect(period.nth(r).locator(".s")).to_have_text(g.period[pupil.id].suggestion.text)
    phone.screenshot(path=str(_shots() / "journal-music-7-q2-375.png"))
    _pick(phone, "pick-term", re.compile(r"^1-чейрек"))
    expect(phone.get_by_test_id("pick-term")).to_contain_text("1-чейрек")
    expect(head).to_have_text("1-жарым жыл")
    expect(period.first.locator(".s")).to_have_text("")
    period.nth(0).tap()
    expect(phone.get_by_text("1-жарым жыл: баа 2-чейректе коюлат")).to_be_visible()
    expect(phone.get_by_test_id("period-dialog")).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
