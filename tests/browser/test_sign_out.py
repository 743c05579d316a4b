"""Issue 10 #2 in real Chromium: on a shared school computer, sign-out on a pupil's card and a
reload of the same tab bring back nothing of the previous user — no name, no PIN in any
websocket frame the browser sends or receives after the sign-out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from bbbms_app import db
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)


def _personal(url: str) -> tuple[set[str], set[str]]:
    with db.engine(url).connect() as conn:
        rows = conn.execute(text("SELECT pin, last_name FROM pupil")).all()
    return {r[0] for r in rows if r[0]}, {r[1] for r in rows if r[1]}


def test_a_reload_after_sign_out_on_the_pupil_card_sends_no_personal_data(page: Page, browser_db_url):
    frames: list[str] = []
    after_sign_out = {"on": False}

    def watch(ws) -> None:
        def keep(payload) -> None:
            if after_sign_out["on"]:
                frames.append(payload if isinstance(payload, str) else payload.decode("utf-8", "replace"))

        ws.on("framereceived", keep)
        ws.on("framesent", keep)

    page.on("websocket", watch)
    sign_in(page, "director")
    page.goto("/pupils")
    rows = page.get_by_test_id("pupils-table").locator("tbody tr")
    expect(rows.first).to_be_visible()
    shown = rows.first.locator("td[data-col=name]").inner_text()
    rows.first.get_by_test_id("open-row").click()
    expect(page.get_by_test_id("detail-title")).to_have_text(shown)
    pins, surnames = _personal(browser_db_url)
    before = page.content()
    assert shown.split()[0] in surnames and shown.split()[0] in before

    after_sign_out["on"] = True
    page.get_by_test_id("sidebar").get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login/?$"))
    page.reload()
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    page.go_back()  # the pupil card's address, as the next person at the computer might try
    expect(page).to_have_url(re.compile(r"/login/?$"))
    page.wait_for_timeout(1500)

    assert frames, "no websocket traffic was seen after the sign-out"
    traffic = "\n".join(frames)
    assert "hydrate" in traffic or "check_session" in traffic or "redirect_if_signed_in" in traffic
    leaked_pins = {p for p in pins if p in traffic}
    leaked_names = {n for n in surnames if len(n) > 3 and n in traffic}
    assert leaked_pins == set() and leaked_names == set(), (leaked_pins, leaked_names)
