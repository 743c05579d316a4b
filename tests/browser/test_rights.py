"""The director's rights matrix and audit screen in real Chromium, on a desktop and on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser


def _switch(page: Page, role: str, permission: str):
    grid = page.get_by_test_id("rights-grid")
    return grid.locator(f'[data-testid="perm-switch"][data-role="{role}"][data-perm="{permission}"]')


def test_director_changes_a_permission_and_finds_it_in_the_audit(page: Page):
    sign_in(page, "director")
    page.get_by_test_id("sidebar").get_by_test_id("nav-rights").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Ролдор жана укуктар")
    cell = _switch(page, "teacher", "report.read")
    expect(cell).to_have_attribute("data-state", "unchecked")
    expect(_switch(page, "director", "rights.write")).to_be_disabled()  # locked for safety
    expect(_switch(page, "parent", "pupil.write")).to_be_disabled()
    # Typed, then the switch at once: the reason reaches the server before the change it explains.
    page.get_by_test_id("rights-reason").fill("педкеңештин чечими")
    cell.click()
    expect(cell).to_have_attribute("data-state", "checked")
    # The audit screen shows it first, with who, the cell, old → new and the reason.
    page.get_by_test_id("sidebar").get_by_test_id("nav-audit").click()
    first = page.get_by_test_id("audit-table").locator("tbody tr").first
    expect(first).to_contain_text("director", timeout=20_000)  # the page loads its rows on a busy machine
    # In words (services.audit_text): the role and the permission, not "teacher:report.read".
    expect(first).to_contain_text("Укуктар: Мугалим: Жалпы отчетторду көрүү")
    expect(first).to_contain_text("Жок → Ооба")
    expect(first).to_contain_text("педкеңештин чечими")
    # Put it back so the other tests see the default matrix.
    page.goto("/rights")
    cell = _switch(page, "teacher", "report.read")
    expect(cell).to_have_attribute("data-state", "checked")
    cell.click()
    expect(cell).to_have_attribute("data-state", "unchecked")


def test_administrator_sees_the_matrix_read_only_and_a_teacher_not_at_all(page: Page, browser, app_url):
    sign_in(page, "admin")
    page.goto("/rights")
    expect(page.get_by_test_id("rights-read-only")).to_be_visible()
    expect(_switch(page, "teacher", "pupil.read")).to_be_disabled()
    other = browser.new_context(base_url=app_url).new_page()
    sign_in(other, "teacher")
    expect(other.get_by_test_id("sidebar").get_by_test_id("nav-rights")).to_have_count(0)
    other.goto("/rights")
    expect(other.get_by_test_id("page-title")).to_be_visible()
    expect(other.locator('[data-testid="perm-switch"]')).to_have_count(0)  # the handler refused: no grid
    other.context.close()


def test_audit_and_rights_fit_a_phone(phone: Page):
    sign_in(phone, "director")
    phone.goto("/rights")
    one_role = phone.get_by_test_id("rights-one-role")
    expect(one_role).to_be_visible()
    expect(phone.get_by_test_id("rights-grid")).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 380
    phone.goto("/audit")
    expect(phone.get_by_test_id("audit-table")).to_be_visible()
    phone.get_by_test_id("audit-person").fill("director")
    expect(phone.get_by_test_id("audit-table").locator("tbody tr").first).to_contain_text(re.compile("director"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 380
