"""In Chromium at 1280 px and at 375 px with touch: the rights matrix's locked switches, the sidebar
on a long page, the dd.mm.yyyy date field, and the family's term marks with coloured marks."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser

# A page's first rows come with its on_load event: on a machine busy with parallel builds that has
# taken longer than expect's default 5 s.
LOADED = 20_000
SHOTS = Path(os.environ.get("BBBMS_SCREENSHOT_DIR", "/tmp/bbbms-screenshots")) / "families"


def _sign_in(page: Page, username: str) -> None:
    """Sign in; the first page of a freshly started server may take longer than expect's 5 s."""
    try:
        sign_in(page, username)
    except AssertionError:
        expect(page.get_by_test_id("page-title")).to_be_visible(timeout=30_000)


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _track_colour(page: Page, selector: str) -> tuple[int, int, int]:
    """The painted colour of a switch's track (Radix draws it in ::before), once it has settled.

    The track's colour is a CSS transition: a switch that has just flipped (the phone's role chosen,
    the same switch now showing the director's right) reads as a mix of grey and the accent for a
    moment — CI once read rgba(0, 0, 51, …), the grey it started from."""
    page.wait_for_function(
        "el => el.getAnimations({subtree: true}).every(a => a.playState !== 'running')",
        arg=page.locator(selector).element_handle(),
        timeout=5_000,
    )
    css = page.eval_on_selector(selector, "el => getComputedStyle(el, '::before').backgroundColor")
    r, g, b = (int(x) for x in re.findall(r"[\d.]+", css)[:3])
    return r, g, b


def _greyish(rgb: tuple[int, int, int]) -> bool:
    return max(rgb) - min(rgb) < 24


def _switch(scope: str, role: str, permission: str) -> str:
    return f'[data-testid="{scope}"] [data-testid="perm-switch"][data-role="{role}"][data-perm="{permission}"]'


def test_locked_granted_cells_look_switched_on_at_1280(page: Page):
    _sign_in(page, "director")
    page.goto("/rights")
    granted = _switch("rights-grid", "director", "rights.write")  # locked on for the director
    denied = _switch("rights-grid", "teacher", "rights.write")  # locked off for everyone else
    expect(page.locator(granted)).to_be_disabled(timeout=LOADED)
    expect(page.locator(granted)).to_have_attribute("data-state", "checked")
    expect(page.locator(denied)).to_have_attribute("data-state", "unchecked")
    on, off = _track_colour(page, granted), _track_colour(page, denied)
    assert not _greyish(on) and on[1] > on[0], f"locked and granted is drawn in the accent colour, got {on}"
    assert on != off
    _shot(page, "rights-1280")


def test_locked_granted_cells_look_switched_on_on_a_phone(phone: Page):
    _sign_in(phone, "director")
    phone.goto("/rights")
    one_role = phone.get_by_test_id("rights-one-role")
    one_role.get_by_role("combobox").tap()
    phone.get_by_role("option", name="Директор", exact=True).tap()
    granted = _switch("rights-one-role", "director", "audit.read")
    expect(phone.locator(granted)).to_have_attribute("data-state", "checked", timeout=LOADED)
    expect(phone.locator(granted)).to_be_disabled()
    on = _track_colour(phone, granted)
    assert not _greyish(on) and on[1] > on[0], on
    assert phone.evaluate("document.documentElement.scrollWidth") <= 380
    _shot(phone, "rights-375")


def test_the_sidebar_runs_the_whole_height_of_a_long_page(page: Page):
    _sign_in(page, "director")  # the longest menu
    page.goto("/rights")  # a page several screens long
    expect(page.get_by_test_id("rights-grid")).to_be_visible(timeout=LOADED)
    assert page.evaluate("document.documentElement.scrollHeight") > 1.5 * page.viewport_size["height"]
    sidebar = page.get_by_test_id("sidebar")
    height = page.viewport_size["height"]
    for scroll in (0, 900, 100_000):
        page.evaluate(f"window.scrollTo(0, {scroll})")
        page.wait_for_timeout(150)
        box = sidebar.bounding_box()
        assert box is not None and box["y"] == 0 and abs(box["height"] - height) < 1, (scroll, box)
        # Bottom-left of the screen is the sidebar itself (its background), not the page under it.
        inside = page.evaluate(
            f"""() => !!document.elementFromPoint(20, {height - 4}).closest('[data-testid="sidebar"]')"""
        )
        assert inside, f"the sidebar stops short at scroll {scroll}"
    # A menu taller than the screen scrolls inside the sidebar: sign-out is reachable.
    logout = sidebar.get_by_test_id("logout")
    logout.scroll_into_view_if_needed()
    expect(logout).to_be_in_viewport()
    _shot(page, "sidebar-1280")


def test_the_phone_menu_scrolls_to_its_end(phone: Page):
    _sign_in(phone, "director")
    phone.get_by_test_id("menu-button").tap()
    menu = phone.get_by_test_id("mobile-menu")
    expect(menu).to_be_visible()
    assert menu.evaluate("el => getComputedStyle(el).overflowY") == "auto"
    logout = menu.get_by_test_id("logout")
    logout.scroll_into_view_if_needed()
    expect(logout).to_be_in_viewport()
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "menu-375.png"))


def _type_date(page: Page, testid: str, digits: str, tap: bool) -> None:
    field = page.get_by_test_id(testid)
    if tap:
        field.tap()
    else:
        field.click()
    field.press_sequentially(digits, delay=20)


@pytest.mark.parametrize("size", ["1280", "375"])
def test_the_audit_dates_are_typed_and_shown_dd_mm_yyyy(page: Page, phone: Page, size: str):
    pg = page if size == "1280" else phone
    _sign_in(pg, "director")
    pg.goto("/audit")
    rows = pg.get_by_test_id("audit-table").locator("tbody tr")
    expect(rows.first).to_be_visible(timeout=LOADED)
    field = pg.get_by_test_id("audit-from")
    expect(field).to_have_attribute("placeholder", "кк.аа.жжжж")
    assert field.get_attribute("inputmode") == "numeric"  # the phone's digit keypad
    tomorrow = date.today() + timedelta(days=1)
    _type_date(pg, "audit-from", tomorrow.strftime("%d%m%Y"), tap=size == "375")
    expect(field).to_have_value(tomorrow.strftime("%d.%m.%Y"))  # the dots put in as typed
    expect(pg.get_by_test_id("empty-state")).to_be_visible(timeout=LOADED)  # nothing happened after today
    # Typed with dots, one digit for the day: the same field, the school's way.
    field.fill("")
    _type_date(pg, "audit-from", f"1.1.{date.today().year - 1}", tap=size == "375")
    expect(field).to_have_value(f"01.01.{date.today().year - 1}")
    expect(rows.first).to_be_visible(timeout=LOADED)
    if size == "375":
        assert pg.evaluate("document.documentElement.scrollWidth") <= 380
    if size == "1280":  # in Russian the hint is Russian, the format the same
        pg.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
        expect(field).to_have_attribute("placeholder", "дд.мм.гггг")
        expect(field).to_have_value(f"01.01.{date.today().year - 1}")
    _shot(pg, f"audit-dates-{size}")


def test_a_pupils_birth_date_is_shown_and_typed_dd_mm_yyyy(page: Page):
    _sign_in(page, "clerk")
    page.goto("/pupils")
    rows = page.get_by_test_id("pupils-table").locator("tbody tr")
    expect(rows.first).to_be_visible(timeout=LOADED)
    page.get_by_test_id("new-record").click()
    birth = page.get_by_test_id("field-birth_date")
    expect(birth).to_have_attribute("placeholder", "кк.аа.жжжж")
    birth.press_sequentially("12042016", delay=20)
    expect(birth).to_have_value("12.04.2016")
    _shot(page, "pupil-form-date-1280")


def test_a_parent_sees_term_and_year_marks_with_failing_marks_standing_out(page: Page):
    _sign_in(page, "parent")
    page.get_by_test_id("sidebar").get_by_test_id("nav-diary").click()
    page.get_by_test_id("diary-to-marks").click()
    expect(page.get_by_test_id("report-card")).to_be_visible(timeout=LOADED)
    header = page.get_by_test_id("report-card").locator("thead th")
    assert header.first.inner_text() and "Жылдык" in header.last.inner_text()
    expect(page.get_by_test_id("term-switch")).to_be_visible()
    marks = page.get_by_test_id("term-mark-value")
    expect(marks.first).to_be_visible()
    colours = {}
    for i in range(marks.count()):
        value = marks.nth(i).inner_text()
        colours.setdefault(value, marks.nth(i).evaluate("el => getComputedStyle(el).backgroundColor"))
    assert len(set(colours.values())) == len(colours), colours  # one colour per mark value: a «2» is not a «5»
    averages = page.get_by_test_id("term-average").all_inner_texts()
    assert averages and all(re.fullmatch(r"(\d(,\d{1,2})?)?", a) for a in averages), averages  # «4,67»
    _shot(page, "marks-1280")
