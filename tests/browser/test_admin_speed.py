"""Room `speed` in real Chromium: page switches that seek, the printed list's heading (its filter,
date, who printed), and the user-account import with its one-time credentials sheet."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_admin import _scalar
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-speed")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _language(page: Page, label: str) -> None:
    page.get_by_test_id("lang-switch").get_by_role("radio", name=label).click()


def _ids(page: Page) -> list[str]:
    return page.get_by_test_id("pupils-table").locator("tbody tr").all_inner_texts()


def test_pages_step_both_ways_and_a_printed_list_says_how_it_was_filtered(page: Page):
    sign_in(page, "director")
    page.goto("/pupils")
    expect(page.get_by_test_id("pupils-table")).to_be_visible()
    first = _ids(page)
    page.get_by_test_id("next-page").click()
    expect(page.get_by_text(re.compile(r"^2-барак / \d+$"))).to_be_visible()
    second = _ids(page)
    assert second != first
    page.get_by_test_id("next-page").click()
    expect(page.get_by_text(re.compile(r"^3-барак / \d+$"))).to_be_visible()
    page.get_by_test_id("prev-page").click()
    expect(page.get_by_text(re.compile(r"^2-барак / \d+$"))).to_be_visible()
    assert _ids(page) == second
    page.get_by_test_id("prev-page").click()
    expect(page.get_by_text(re.compile(r"^1-барак / \d+$"))).to_be_visible()
    assert _ids(page) == first

    # Narrow the list, then print: on paper the sheet starts with what produced it.
    page.get_by_test_id("filter-class_id").click()
    option = page.get_by_role("option").nth(1)
    class_name = option.inner_text()
    option.click()
    page.get_by_test_id("search").fill("ов")
    expect(page.get_by_test_id("print-note")).to_contain_text("Издөө: «ов»")
    expect(page.get_by_test_id("print-note")).not_to_be_visible()  # on screen: hidden
    page.get_by_test_id("sort-birth_date").click()
    page.get_by_test_id("print").click()
    page.emulate_media(media="print")
    note = page.get_by_test_id("print-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text(f"Класс: {class_name}")
    expect(note).to_contain_text("Иреттелди: Туулган күнү ↑")
    expect(page.get_by_test_id("print-stamp")).to_contain_text(re.compile(r"Басылды: \d\d\.\d\d\.\d{4} \d\d:\d\d"))
    _shot(page, "print-list-ky-1280")
    page.emulate_media(media="screen")
    _language(page, "РУС")
    page.get_by_test_id("print").click()
    page.emulate_media(media="print")
    expect(note).to_contain_text("Поиск: «ов»")
    expect(page.get_by_test_id("print-stamp")).to_contain_text("Напечатано:")
    _shot(page, "print-list-ru-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    _shot(page, "print-list-ru-375")
    page.emulate_media(media="screen")
    _language(page, "КЫР")
    page.get_by_test_id("print").click()
    page.emulate_media(media="print")
    expect(note).to_contain_text("Издөө: «ов»")
    _shot(page, "print-list-ky-375")


def test_the_administrator_imports_accounts_and_downloads_their_passwords_once(page: Page, browser_db_url, tmp_path):
    sign_in(page, "admin")
    page.goto("/users")
    expect(page.get_by_test_id("users-table")).to_be_visible()
    before = _scalar(browser_db_url, 'SELECT count(*) FROM "user"')
    staff = _scalar(
        browser_db_url,
        "SELECT last_name || ' ' || first_name FROM staff WHERE deleted_at IS NULL"
        " GROUP BY last_name, first_name HAVING count(*) = 1 ORDER BY 1 LIMIT 1",
    )
    wb = openpyxl.Workbook()
    wb.active.append(["Колдонуучунун аты (логин)", "Аты-жөнү", "Ролу", "Интерфейс тили", "Кызматкер"])
    wb.active.append(["speed.t1", staff, "Мугалим", "Кыргызча", staff])
    wb.active.append(["speed.boss", "Жаңы Директор", "Директор", "ky", ""])
    bad = tmp_path / "accounts-bad.xlsx"
    wb.save(bad)
    page.get_by_test_id("open-import").click()
    page.locator("#import-users input[type=file]").set_input_files(str(bad))
    page.get_by_test_id("import-check").click()
    expect(page.get_by_test_id("import-errors").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("import-errors")).to_contain_text("Директор")
    _shot(page, "users-import-refused-ky-1280")
    assert _scalar(browser_db_url, 'SELECT count(*) FROM "user"') == before

    wb.active.delete_rows(3)
    good = tmp_path / "accounts.xlsx"
    wb.save(good)
    page.locator("#import-users input[type=file]").set_input_files(str(good))
    page.get_by_test_id("import-check").click()
    page.get_by_test_id("import-commit").click()
    expect(page.get_by_test_id("import-credentials")).to_be_visible()
    assert _scalar(browser_db_url, 'SELECT count(*) FROM "user"') == before + 1
    _shot(page, "users-import-credentials-ky-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    _shot(page, "users-import-credentials-ky-375")
    _language(page, "РУС")
    _shot(page, "users-import-credentials-ru-375")
    page.set_viewport_size({"width": 1280, "height": 800})
    _shot(page, "users-import-credentials-ru-1280")
    with page.expect_download() as sheet:
        page.get_by_test_id("import-credentials").click()
    rows = list(openpyxl.load_workbook(io.BytesIO(Path(sheet.value.path()).read_bytes())).active.values)
    assert (
        rows[0][0] == "Колдонуучунун аты (логин)"
        and rows[1][0] == "speed.t1"
        and re.fullmatch(r"\w{4}-\w{4}-\w{4}", rows[1][3])
    )
    expect(page.get_by_test_id("import-credentials")).to_have_count(0)  # handed over once
    # The password on the sheet signs the new teacher in.
    page.context.clear_cookies()
    sign_in(page, "speed.t1", rows[1][3])
