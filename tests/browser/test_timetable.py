"""The timetable in Chromium: the deputy edits a cell and a clash is refused; other roles read their week."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.demo_facts import facts
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("BBBMS_SCREENSHOT_DIR", "/tmp/bbbms-screenshots")) / "timetable"


def _shot(page: Page, name: str, *, full: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def _pick(page: Page, testid: str, option: str) -> None:
    page.get_by_test_id(testid).click()
    page.get_by_role("option", name=option, exact=True).click()


def _open_class(page: Page, name: str) -> None:
    page.goto("/timetable")
    expect(page.get_by_test_id("page-title")).to_have_text("Сабак жадыбалы")
    _pick(page, "tt-view", name)
    expect(page.get_by_test_id("tt-view")).to_contain_text(name)


def test_deputy_edits_a_cell_and_a_clash_is_refused(page: Page):
    f = facts()
    sign_in(page, "deputy")
    page.get_by_test_id("sidebar").get_by_test_id("nav-timetable").click()
    expect(page.get_by_test_id("tt-grid")).to_be_visible()
    # A clash: the teacher of the chosen subject is in another class at that very time.
    _open_class(page, f.clash.class_name)
    _shot(page, "deputy-grid-1280")
    cell = page.get_by_test_id(f"tt-cell-{f.clash.weekday}-{f.clash.number}")
    before = cell.inner_text()
    cell.click()
    _pick(page, "tt-choice", f.clash.choice_ky)
    page.get_by_test_id("tt-save").click()
    error = page.get_by_test_id("tt-edit-error")
    expect(error).to_contain_text("бул убакта бош эмес")
    expect(error).to_contain_text(f.clash.other_class)
    _shot(page, "deputy-clash-1280", full=False)
    page.get_by_role("button", name="Жабуу").click()
    expect(page.get_by_test_id("tt-edit-error")).to_have_count(0)
    assert cell.inner_text() == before
    # A free cell takes the lesson, and the grid shows it at once.
    _open_class(page, f.free.class_name)
    cell = page.get_by_test_id(f"tt-cell-{f.free.weekday}-{f.free.number}")
    cell.click()
    _pick(page, "tt-choice", f.free.choice_ky)
    page.get_by_test_id("tt-room").fill("305")
    page.get_by_test_id("tt-save").click()
    expect(page.get_by_text("Жадыбал сакталды")).to_be_visible()
    subject = f.free.choice_ky.split(" — ")[0]
    expect(cell).to_contain_text(subject)
    expect(cell).to_contain_text("305")


def test_deputy_grid_and_editor_at_phone_width(phone: Page):
    f = facts()
    sign_in(phone, "deputy")
    _open_class(phone, f.clash.class_name)
    expect(phone.get_by_test_id("tt-grid")).to_be_hidden()
    expect(phone.get_by_test_id("tt-days")).to_be_visible()
    _shot(phone, "deputy-days-375")
    phone.get_by_test_id(f"tt-line-{f.clash.weekday}-{f.clash.number}").click()
    _pick(phone, "tt-choice", f.clash.choice_ky)
    phone.get_by_test_id("tt-save").click()
    expect(phone.get_by_test_id("tt-edit-error")).to_contain_text(f.clash.other_class)
    _shot(phone, "deputy-clash-375", full=False)


def test_teacher_sees_his_week_and_lessons_and_parent_the_class_timetable(page: Page, phone: Page):
    sign_in(page, "teacher")
    page.goto("/timetable")
    expect(page.get_by_test_id("tt-view")).to_contain_text("Менин жумам")
    expect(page.get_by_test_id("tt-grid")).to_be_visible()
    expect(page.get_by_test_id("tt-generate")).to_have_count(0)
    expect(page.get_by_test_id("tt-lesson").first).to_be_visible()
    _shot(page, "teacher-week-1280")
    sign_in(phone, "parent")
    phone.goto("/timetable")
    expect(phone.get_by_test_id("tt-days")).to_be_visible()
    expect(phone.get_by_test_id("tt-child-switch")).to_be_visible()
    expect(phone.get_by_test_id("tt-view")).to_have_count(0)
    _shot(phone, "parent-timetable-375")
