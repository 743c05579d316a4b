"""Whole-school exports in real Chromium: the director starts the results workbook of a quarter on
/reports, the server's own job consumer makes it while the card shows its progress, and the
download reads back (pandas) to the numbers on screen; on a phone the deputy starts one by taps."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_reports import _choose, _number, _school_row, _shots
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser


def test_director_exports_the_whole_school_and_downloads_it(page: Page):
    sign_in(page, "director")
    page.goto("/reports")
    expect(page.get_by_test_id("results")).to_be_visible()
    _choose(page, "reports-period", "1-чейрек")
    expect(page.get_by_test_id("reports-period")).to_contain_text("1-чейрек")
    on_screen = _school_row(page)
    card = page.get_by_test_id("exports-card")
    expect(card).to_be_visible()
    card.get_by_test_id("export-start").click()
    job = card.get_by_test_id("export-job").first
    expect(job.get_by_test_id("export-download")).to_be_visible(timeout=120_000)  # the queue made it
    expect(job.get_by_test_id("export-status")).to_have_text("Даяр")
    card.screenshot(path=str(_shots() / "reports-exports-card-1280-ky.png"))
    with page.expect_download() as download:
        job.get_by_test_id("export-download").click()
    assert download.value.suggested_filename == "school-results-quarter1.xlsx"
    book = pd.read_excel(download.value.path(), sheet_name=None)
    assert {"Жыйынтыктар", "Предметтер боюнча", "5-А"} <= set(book)
    frame = book["Жыйынтыктар"]
    row = frame[frame["Класс"] == "Мектеп боюнча"].iloc[0]
    assert int(row["Эсепке алынган окуучулар"]) == int(on_screen["n"])
    assert round(float(row["СОУ, %"]), 1) == _number(on_screen["sou"])
    assert round(float(row["Үлгүрүү, %"]), 1) == _number(on_screen["success"])
    assert "Мугалимдер боюнча" in book  # the results by teacher
    # The year's archive: offered to the director (export.personal), its purpose asked before it starts.
    card.get_by_test_id("export-kind").click()
    page.get_by_role("option", name=re.compile("Окуу жылынын архиви")).click()
    expect(card.get_by_test_id("export-purpose")).to_be_visible()
    card.screenshot(path=str(_shots() / "reports-exports-archive-1280-ky.png"))
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    card.screenshot(path=str(_shots() / "reports-exports-archive-375-ky.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    # The results by teacher: a row per teacher (bold), then his classes × subjects.
    page.get_by_test_id("tab-teachers").click()
    rows = page.get_by_test_id("teachers-row")
    expect(rows.first).to_be_visible()
    assert page.locator("tr.teacher").count() >= 5
    counted = [int(t) for t in page.locator('tr.teacher td[data-col="n"]').all_inner_texts()]
    sheet = book["Мугалимдер боюнча"]
    assert (
        int(
            sheet[sheet["Мугалим / класс, предмет"] == page.locator("tr.teacher td.nm").first.inner_text()].iloc[0][
                "Эсепке алынган окуучулар"
            ]
        )
        == counted[0]
    )
    page.screenshot(path=str(_shots() / "reports-teachers-1280-ky.png"), full_page=False)


def test_deputy_starts_an_export_on_a_phone(phone: Page):
    sign_in(phone, "deputy")
    phone.goto("/reports")
    expect(phone.get_by_test_id("results")).to_be_visible()
    card = phone.get_by_test_id("exports-card")
    card.get_by_test_id("export-kind").tap()
    phone.get_by_role("option", name="Сабакка катышуу", exact=True).tap()
    card.get_by_test_id("export-start").tap()
    job = card.get_by_test_id("export-job").first
    expect(job).to_contain_text("Сабакка катышуу")
    expect(job.get_by_test_id("export-download")).to_be_visible(timeout=120_000)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    expect(phone.locator("[data-sonner-toast]")).to_have_count(0, timeout=20_000)  # the toast has gone
    card.screenshot(path=str(_shots() / "reports-exports-card-375-ky.png"))
    for tab in ("tab-results", "tab-teachers", "tab-attendance"):  # every tab in sight, none scrolled away
        box = phone.get_by_test_id(tab).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, tab
    phone.get_by_test_id("tab-teachers").tap()
    expect(phone.get_by_test_id("teachers-row").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    phone.screenshot(path=str(_shots() / "reports-teachers-375-ky.png"))
