"""The reports in real Chromium: the director opens the results, filters them and downloads the XLSX,
which reads back to the numbers on screen; a teacher is refused; the summary sheet prints landscape."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=20_000)  # two shared cores: a report may take a few seconds under load

COUNTED = ("n", "n5", "n4", "n3", "n2", "n_na", "success", "quality", "sou", "average")


def _shots() -> Path:
    out = Path(os.environ.get("BBBMS_SCREENSHOTS", "/tmp/bbbms-screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def _choose(page: Page, testid: str, option: str) -> None:
    page.get_by_test_id(testid).click()
    page.get_by_role("option", name=option, exact=True).click()


def _language(page: Page, label: str, title: str, reload: bool = True) -> None:
    """Switch the interface's language (and reload: the figures' decimal marks are the server's)."""
    page.get_by_test_id("lang-switch").get_by_role("radio", name=label).click()
    expect(page.get_by_test_id("page-title")).to_have_text(title)  # saved before the reload
    if reload:
        page.reload()
        expect(page.get_by_test_id("page-title")).to_have_text(title)


def _school_row(page: Page, label: str = "Мектеп боюнча") -> dict[str, str]:
    row = page.get_by_test_id("results-row").filter(has=page.locator("td.nm", has_text=re.compile(f"^{label}$")))
    expect(row).to_have_count(1)
    cells = {c: row.locator(f'td[data-col="{c}"]') for c in ("roll", *COUNTED)}
    # A rate shows ▲ / ▼ against the previous term beside its figure: read the figure.
    return {
        c: (cell.locator(".v") if c in ("success", "quality", "sou") else cell).inner_text()
        for c, cell in cells.items()
    }


def _number(text: str) -> float | None:
    return None if text == "—" else float(text.replace(",", "."))


def test_director_filters_the_results_and_downloads_them(page: Page):
    sign_in(page, "director")
    page.goto("/reports")
    expect(page.get_by_test_id("results")).to_be_visible()
    _choose(page, "reports-period", "1-чейрек")  # the closed quarter: its marks are set
    expect(page.get_by_test_id("reports-period")).to_contain_text("1-чейрек")
    everyone = _school_row(page)
    assert int(everyone["n"]) > 50 and _number(everyone["sou"]) is not None
    page.screenshot(path=str(_shots() / "reports-results-1280-ky.png"), full_page=True)
    # One subject, girls only: fewer pupils counted, the figures change.
    _choose(page, "reports-subject", "Математика")
    _choose(page, "reports-sex", "Кыз балдар")
    expect(page.get_by_test_id("reports-sex")).to_contain_text("Кыз балдар")
    expect(page.get_by_test_id("results-row").last.locator('td[data-col="n"]')).not_to_have_text(everyone["n"])
    girls = _school_row(page)
    assert 0 < int(girls["n"]) < int(everyone["n"])
    with page.expect_download() as download:
        page.get_by_test_id("reports-download").click()
    assert download.value.suggested_filename == "results-quarter1.xlsx"
    frame = pd.read_excel(download.value.path(), sheet_name="Жыйынтыктар")
    row = frame[frame["Класс"] == "Мектеп боюнча"].iloc[0]
    headers = {
        "roll": "Тизмеде",
        "n": "Эсепке алынган окуучулар",
        "n5": "«5»",
        "n4": "«4»",
        "n3": "«3»",
        "n2": "«2»",
        "n_na": "н/а",
        "success": "Үлгүрүү, %",
        "quality": "Билим сапаты, %",
        "sou": "СОУ, %",
        "average": "Орточо балл",
    }
    for key, header in headers.items():
        on_screen = _number(girls[key])
        in_file = None if pd.isna(row[header]) else float(row[header])
        assert in_file == on_screen, (key, on_screen, in_file)
    # Every class of the screen is a row of the file, in the same order.
    on_screen_groups = page.get_by_test_id("results-row").locator("td.nm").all_inner_texts()
    assert list(frame["Класс"].dropna()) == on_screen_groups
    # The attendance tab, and the lists under the results.
    expect(page.get_by_test_id("lists")).to_be_visible()
    page.get_by_test_id("tab-attendance").click()
    expect(page.get_by_test_id("attendance-row").last).to_contain_text("Мектеп боюнча")
    page.screenshot(path=str(_shots() / "reports-attendance-1280-ky.png"), full_page=True)
    _language(page, "РУС", "Отчёты", reload=False)
    expect(page.get_by_test_id("attendance-row").last).to_contain_text("По школе")  # no round trip
    page.reload()
    page.get_by_test_id("tab-results").click()
    _choose(page, "reports-period", "1-я четверть")
    expect(page.get_by_test_id("results-row").last).to_contain_text("По школе")
    page.screenshot(path=str(_shots() / "reports-results-1280-ru.png"), full_page=True)


def test_reports_on_a_phone(phone: Page):
    sign_in(phone, "deputy")
    phone.goto("/reports")
    expect(phone.get_by_test_id("results")).to_be_visible()
    phone.get_by_test_id("reports-period").tap()
    phone.get_by_role("option", name="1-чейрек", exact=True).tap()
    expect(phone.get_by_test_id("results-row").last).to_contain_text("Мектеп боюнча")
    # The table scrolls inside its own box: the page itself is no wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    # The deputy holds report.read but not export.personal: the counts, and no pupil named.
    expect(phone.get_by_test_id("lists-need-right")).to_contain_text("Жеке маалыматтарды топтоп экспорттоо")
    expect(phone.get_by_test_id("lists")).to_have_count(0)
    phone.screenshot(path=str(_shots() / "reports-results-375-ky.png"), full_page=True)
    _language(phone, "РУС", "Отчёты")
    phone.get_by_test_id("tab-attendance").tap()
    expect(phone.get_by_test_id("attendance-row").last).to_contain_text("По школе")
    phone.screenshot(path=str(_shots() / "reports-attendance-375-ru.png"), full_page=True)


def test_a_teacher_cannot_open_the_reports(page: Page):
    sign_in(page, "teacher")
    expect(page.get_by_test_id("nav-reports")).to_have_count(0)
    page.goto("/reports")
    expect(page.get_by_text(re.compile("укугуңуз жок")).first).to_be_visible()
    expect(page.get_by_test_id("results-row")).to_have_count(0)


def test_the_summary_sheet_prints_landscape_with_every_column(page: Page):
    sign_in(page, "director")
    page.goto("/summary")
    _choose(page, "summary-class", "7-А")
    _choose(page, "summary-period", "1-чейрек")
    expect(page.get_by_test_id("summary-row").first).to_be_visible()
    subjects = page.get_by_test_id("summary-sheet").locator("thead th.sub").count()
    assert subjects >= 8
    with page.expect_download() as download:
        page.get_by_test_id("summary-download").click()
    frame = pd.read_excel(download.value.path())
    assert len(frame.columns) == 2 + subjects + 6  # №, pupil, the subjects, the total and five codes
    out = _shots()
    Path(download.value.path()).replace(out / "summary.xlsx")  # looked at through LibreOffice
    page.emulate_media(media="print")
    page.pdf(path=str(out / "summary-print.pdf"), prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="screen")
    pdf = (out / "summary-print.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    # Landscape A4 (842 × 595 pt), and the sheet's last column (о) on the page.
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # the whole class on one sheet of paper
    assert re.search(rb"/MediaBox\s*\[\s*0\s+0\s+84[12](\.\d+)?\s+59[45](\.\d+)?\s*\]", pdf)
