"""The pupil's diary in Chromium: a parent sees marks and homework, turns the weeks and switches children."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.demo_facts import facts
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("BBBMS_SCREENSHOT_DIR", "/tmp/bbbms-screenshots")) / "timetable"


def _expected(week: dict) -> tuple[list[str], list[str]]:
    lessons = [x for day in week["lessons"] for x in day]
    marks = [m for x in lessons for m in x["marks"].split()]
    homework = [x["homework"] for x in lessons if x["homework"]]
    return marks, homework


def _check_week(page: Page, week: dict) -> None:
    marks, homework = _expected(week)
    expect(page.get_by_test_id("diary-week")).to_have_text(week["label"])
    expect(page.get_by_test_id("diary-lesson")).to_have_count(sum(len(day) for day in week["lessons"]))
    expect(page.get_by_test_id("diary-mark")).to_have_count(len(marks))
    assert page.get_by_test_id("diary-mark").all_inner_texts() == marks
    assert page.get_by_test_id("diary-homework").all_inner_texts() == [f"Үй тапшырмасы: {h}" for h in homework]


def test_parent_sees_marks_and_homework_and_switches_children(page: Page):
    f = facts()
    assert len(f.children) >= 2
    first, second = f.children[0], f.children[1]
    assert _expected(f.weeks[first["id"]])[0], "the parent's first child has marks in the week the diary opens on"
    sign_in(page, "parent")
    page.get_by_test_id("sidebar").get_by_test_id("nav-diary").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Күндөлүк")
    _check_week(page, f.weeks[first["id"]])
    # The autumn break closes the rest of the week the quarter ends in.
    if any(d["holiday_ky"] for d in f.weeks[first["id"]]["days"]):
        expect(page.get_by_text("Күзгү каникул").first).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "diary-1280.png"), full_page=True)
    page.get_by_test_id("diary-child-switch").get_by_role("radio", name=second["name"]).click()
    _check_week(page, f.weeks[second["id"]])
    # A week back, and forward again.
    label = page.get_by_test_id("diary-week").inner_text()
    page.get_by_test_id("diary-prev").click()
    expect(page.get_by_test_id("diary-week")).not_to_have_text(label)
    expect(page.get_by_test_id("diary-lesson").first).to_be_visible()
    page.get_by_test_id("diary-next").click()
    expect(page.get_by_test_id("diary-week")).to_have_text(label)
    page.get_by_test_id("diary-to-marks").click()
    expect(page.get_by_test_id("marks-table")).to_be_visible()


def test_diary_at_phone_width(phone: Page):
    f = facts()
    first = f.children[0]
    sign_in(phone, "parent")
    phone.goto("/diary")
    _check_week(phone, f.weeks[first["id"]])
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the diary scrolls sideways on a phone ({width} px)"
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "diary-375.png"), full_page=True)
