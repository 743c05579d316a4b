"""The pages as data in real Chromium: the sidebar and the /admin hub drawn from the one list of
pages and the registry, the browser tab's title in the user's language, and the reference screens
that used to crash (grading policies, teaching assignments) opening a record."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"pages-{name}.png"), full_page=True)


def _language(page: Page, label: str) -> None:
    page.get_by_test_id("lang-switch").get_by_role("radio", name=label).click()


def test_the_hub_and_the_tab_title_follow_the_language(page: Page):
    sign_in(page, "director")
    page.goto("/admin")
    expect(page.get_by_test_id("page-title")).to_have_text("Маалымдамалар")
    expect(page).to_have_title("Маалымдамалар · BBBMS")
    hub = [
        "school",
        "academic_year",
        "term",
        "subject",
        "teaching_assignment",
        "grading_policy",
        "bell_schedule",
        "holiday",
    ]
    for name in hub:
        expect(page.get_by_test_id(f"hub-{name}")).to_be_visible()
    assert page.get_by_test_id("hub-pupil").count() == 0  # pupils have their own sidebar link
    _shot(page, "hub-1280-ky")
    _language(page, "РУС")
    expect(page.get_by_test_id("page-title")).to_have_text("Справочники")
    expect(page).to_have_title("Справочники · BBBMS")
    expect(page.get_by_test_id("sidebar").get_by_test_id("nav-pupils")).to_have_text("Ученики")
    _shot(page, "hub-1280-ru")
    page.get_by_test_id("nav-pupils").click()
    expect(page).to_have_title("Ученики · BBBMS")


@pytest.mark.parametrize("route", ["/admin/policies", "/admin/assignments"])
def test_a_reference_record_opens_and_edits(page: Page, route: str):
    sign_in(page, "director")
    page.goto(route)
    rows = page.locator("tbody tr")
    expect(rows.first).to_be_visible()
    rows.first.get_by_test_id("open-row").click()
    expect(page.get_by_test_id("detail-title")).not_to_be_empty()
    _shot(page, f"{route.rsplit('/', 1)[-1]}-card-1280-ky")


def test_the_hub_on_a_phone(phone: Page):
    sign_in(phone, "director")
    phone.goto("/admin")
    expect(phone.get_by_test_id("hub-grading_policy")).to_be_visible()
    _shot(phone, "hub-375-ky")
    _language(phone, "РУС")
    expect(phone).to_have_title("Справочники · BBBMS")
    phone.get_by_test_id("hub-grading_policy").tap()
    expect(phone.get_by_test_id("page-title")).to_have_text("Правила оценивания")
    _shot(phone, "policies-375-ru")
