"""In Chromium: the deputy adds a holiday on its generated screen at phone width, generates a term's
lessons in the background, and a teacher's journal XLSX comes through the authorized route."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from bbbms_app import db
from tests.browser.test_journal import open_journal, server_db  # noqa: F401  (a fixture)
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=20_000)  # two shared cores
SHOTS = Path(os.environ.get("BBBMS_SCREENSHOT_DIR", "/tmp/shots-timetable"))


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _scalar(url: str, sql: str, **params):
    with db.make_engine(url).connect() as conn:
        return conn.execute(text(sql), params).scalar()


def _choose(page: Page, testid: str, option: str | None = None) -> None:
    page.get_by_test_id(testid).click()
    options = page.get_by_role("option")
    (options.filter(has_text=option).first if option else options.first).click()


def _language(page: Page, label: str) -> None:
    radio = page.get_by_test_id("lang-switch").get_by_role("radio", name=label)
    radio.click()
    expect(radio).to_be_checked()


def test_deputy_adds_a_holiday_at_phone_width(phone: Page, server_db: str):  # noqa: F811
    sign_in(phone, "deputy")
    phone.goto("/admin/holidays")
    table = phone.get_by_test_id("holidays-table")
    expect(table.locator("tbody tr").first).to_be_visible()
    before = _scalar(server_db, "SELECT count(*) FROM holiday")
    _shot(phone, "holidays-list-375-ky")
    phone.get_by_test_id("new-record").click()
    _choose(phone, "field-academic_year_id", "2025")
    _choose(phone, "field-kind", "Майрам күнү")
    phone.get_by_test_id("field-name_ky").fill("Мектептин күнү")
    phone.get_by_test_id("field-name_ru").fill("День школы")
    phone.get_by_test_id("field-starts_on").fill("2026-03-13")
    phone.get_by_test_id("field-ends_on").fill("2026-03-12")  # before the start: refused beside the field
    phone.get_by_test_id("save").click()
    expect(phone.get_by_test_id("error-ends_on")).to_have_text("Аякташы башталышынан кийин болушу керек")
    phone.get_by_test_id("field-ends_on").fill("2026-07-12")  # after the year: refused too
    phone.get_by_test_id("save").click()
    expect(phone.get_by_test_id("error-ends_on")).to_contain_text("Окуу жылынын ичинде болушу керек")
    _shot(phone, "holiday-form-errors-375-ky")
    assert _scalar(server_db, "SELECT count(*) FROM holiday") == before
    phone.get_by_test_id("field-ends_on").fill("2026-03-13")
    phone.get_by_test_id("save").click()
    expect(phone.get_by_test_id("detail-title")).to_contain_text("Мектептин күнү")
    expect(phone.get_by_test_id("detail-starts_on")).to_have_text("13.03.2026")
    _shot(phone, "holiday-detail-375-ky")
    assert _scalar(server_db, "SELECT count(*) FROM holiday WHERE name_ky = 'Мектептин күнү'") == 1
    assert _scalar(server_db, "SELECT count(*) FROM auditevent WHERE entity = 'holiday' AND action = 'create'") >= 1
    # The same screen in Russian, and the bells beside it.
    _language(phone, "РУС")
    expect(phone.get_by_test_id("page-title")).to_have_text("Каникулы и праздники")
    phone.get_by_test_id("back").click()
    expect(table.locator("tbody tr").first).to_be_visible()
    _shot(phone, "holidays-list-375-ru")
    phone.goto("/admin/bells")
    expect(phone.get_by_test_id("bells-table").locator("tbody tr").first).to_be_visible()
    _shot(phone, "bells-list-375-ru")
    _language(phone, "КЫР")


def test_deputy_screens_at_desktop_width_and_lessons_generated_in_the_background(page: Page):
    sign_in(page, "deputy")
    page.goto("/admin")
    page.get_by_test_id("hub-bell_schedule").click()
    rows = page.get_by_test_id("bells-table").locator("tbody tr")
    expect(rows.first).to_be_visible()
    _shot(page, "bells-list-1280-ky")
    page.get_by_test_id("new-record").click()
    page.get_by_test_id("field-shift").fill("1")
    page.get_by_test_id("field-grade_from").fill("2")
    page.get_by_test_id("field-grade_to").fill("12")
    page.get_by_test_id("field-number").fill("9")
    page.get_by_test_id("field-starts_at").fill("12:00")  # inside an earlier lesson of the shift
    page.get_by_test_id("field-ends_at").fill("12:45")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("error-starts_at")).to_contain_text("сабактар бири-бирине кирбей")
    _shot(page, "bell-form-error-1280-ky")
    _language(page, "РУС")
    expect(page.get_by_test_id("error-starts_at")).to_be_visible()
    _shot(page, "bell-form-error-1280-ru")
    page.goto("/admin/holidays")
    expect(page.get_by_test_id("holidays-table").locator("tbody tr").first).to_be_visible()
    _shot(page, "holidays-list-1280-ru")
    _language(page, "КЫР")
    expect(page.get_by_test_id("page-title")).to_have_text("Каникулдар жана майрамдар")
    # Lesson generation runs as a background task and ends with what it did.
    page.goto("/timetable")
    button = page.get_by_test_id("tt-generate")
    expect(button).to_be_enabled()
    button.click()
    notice = page.get_by_test_id("tt-notice")
    expect(notice).to_contain_text("жаңы сабак түзүлдү", timeout=120_000)
    expect(notice).to_contain_text("класс-күн өткөрүлдү")
    expect(button).to_be_enabled()
    _shot(page, "timetable-generated-1280-ky")
    # The result follows the language switch without another round of generation.
    _language(page, "РУС")
    expect(notice).to_contain_text("Создано уроков: ")
    _shot(page, "timetable-generated-1280-ru")
    page.set_viewport_size({"width": 375, "height": 740})
    expect(page.get_by_test_id("tt-calendar-links")).to_be_visible()
    _shot(page, "timetable-generated-375-ru")
    _language(page, "КЫР")


def test_the_journal_xlsx_comes_through_the_authorized_route(page: Page):
    sign_in(page, "teacher")
    rows, _cols = open_journal(page)
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    assert re.search(r"/journal-files/[0-9a-f]{32}$", download.value.url)
    ws = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    names = [page.locator(".jg tbody th.nm").nth(r).get_attribute("title") for r in range(rows)]
    assert [str(ws.cell(4 + r, 2).value).split(" — ")[0] for r in range(rows)] == names
    # Another browser without the teacher's session gets nothing: the one answer of every refusal.
    answer = page.context.browser.new_context().request.get(download.value.url)  # type: ignore[union-attr]
    assert answer.status == 404
