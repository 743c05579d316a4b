"""The district summary (`/district`, issue 16) in real Chromium: at the desk (1280 px, Kyrgyz) the
district account opens it from its menu, reads each school's row and the totals as the service
counts them, and downloads the XLSX whose numbers are the screen's; on a phone (375 px, Russian,
taps) the figures sit under each school's name, nothing runs sideways, and the download works by a
tap. A school's director has no such page in his menu and is refused there."""

from __future__ import annotations

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from bbbms_app import db
from bbbms_app.i18n import t
from bbbms_app.services.reports import district as district_report
from bbbms_app.services.reports import sheets
from tests.browser.conftest import set_language
from tests.browser.test_schools import _shots
from tests.browser.test_shell import sign_in
from tests.factories import principal_of

pytestmark = pytest.mark.browser


def _expected(db_url: str, username: str, lang: str) -> list[list[str]]:
    """Each row (the schools', then the totals) as the screen should show it: school, then the figures."""
    with db.session(db_url) as s:
        found = district_report.summary(s, principal_of(username, s))
    out = []
    for row in [*found.rows, found.total]:
        v = district_report.values(row, lang)
        out.append([str(v["school"]), *(sheets.display(k, v[k], lang) for k in ("success", "quality"))])
        out[-1] += [str(v[k]) for k in ("pupils", "classes", "teachers", "missed")]
    return out


def _check_download(page: Page, tap: bool, lang: str, expected: list[list[str]]) -> None:
    with page.expect_download() as download:
        button = page.get_by_test_id("district-download")
        button.tap() if tap else button.click()
    assert download.value.suggested_filename.startswith("district-")
    frame = pd.read_excel(download.value.path(), sheet_name=t("district.summary.sheet", lang))
    frame = frame[frame[t("district.summary.col.school", lang)].notna()]  # the heading's line under the table
    assert len(frame) == len(expected)
    col = {k: t(f"district.summary.col.{k}", lang) for k in district_report.COLUMNS}
    for (_, got), want in zip(frame.iterrows(), expected, strict=True):
        school, success, quality, *counts = want
        assert got[col["school"]] == school
        assert sheets.display("success", None if pd.isna(got[col["success"]]) else got[col["success"]], lang) == success
        assert sheets.display("quality", None if pd.isna(got[col["quality"]]) else got[col["quality"]], lang) == quality
        assert [str(int(got[col[k]])) for k in ("pupils", "classes", "teachers", "missed")] == counts


def test_the_district_reads_its_summary_at_the_desk_and_downloads_it(page: Page, browser_db_url, district_account):
    sign_in(page, district_account)
    page.get_by_test_id("sidebar").get_by_test_id("nav-district").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Район боюнча жыйынтык")
    expected = _expected(browser_db_url, district_account, "ky")
    rows = page.get_by_test_id("district-row")
    expect(rows).to_have_count(len(expected) - 1, timeout=20000)  # a cold cache counts every school
    total = page.get_by_test_id("district-total")
    expect(total).to_contain_text("Район боюнча бардыгы")
    for row, want in zip([*(rows.nth(i) for i in range(len(expected) - 1)), total], expected, strict=True):
        school, success, quality, pupils, classes, teachers, missed = want
        expect(row).to_contain_text(school)
        for key, value in (("success", success), ("quality", quality), ("pupils", pupils), ("missed", missed)):
            # The screen groups thousands with a (narrow) space: compare the digits.
            cell = row.get_by_test_id(f"cell-{key}")
            expect(cell).to_be_visible()
            assert cell.inner_text().replace("\u202f", "").replace("\xa0", "").replace(" ", "") == value
        for key, value in (("classes", classes), ("teachers", teachers)):
            assert row.get_by_test_id(f"cell-{key}").inner_text() == value
    expect(page.get_by_test_id("district-heading")).to_contain_text("Мектептер боюнча жыйынтык")
    expect(page.get_by_test_id("figures-on-phone").first).to_be_hidden()  # the columns show them at the desk
    page.screenshot(path=str(_shots() / "district-summary-1280-ky.png"), full_page=True)
    _check_download(page, False, "ky", expected)


def test_on_a_phone_the_figures_sit_under_the_names(phone: Page, browser_db_url, district_account):
    set_language(browser_db_url, district_account, "ru")
    sign_in(phone, district_account)
    phone.get_by_test_id("menu-button").tap()
    phone.get_by_test_id("mobile-menu").get_by_test_id("nav-district").tap()
    expect(phone.get_by_test_id("page-title")).to_have_text("Сводка по району")
    expected = _expected(browser_db_url, district_account, "ru")
    under = phone.get_by_test_id("figures-on-phone")
    expect(under).to_have_count(len(expected), timeout=20000)
    expect(under.first).to_be_visible()
    expect(under.last).to_contain_text("Успеваемость")
    expect(phone.get_by_test_id("cell-success").first).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(_shots() / "district-summary-375-ru.png"), full_page=True)
    _check_download(phone, True, "ru", expected)


def test_a_schools_director_has_no_district_summary(page: Page):
    sign_in(page, "director")
    expect(page.get_by_test_id("sidebar").get_by_test_id("nav-home")).to_be_visible()
    expect(page.get_by_test_id("sidebar").get_by_test_id("nav-district")).to_have_count(0)
    page.goto("/district")
    expect(page.get_by_text(t("error.forbidden", "ky")).first).to_be_visible()
    expect(page.get_by_test_id("district-row")).to_have_count(0)
