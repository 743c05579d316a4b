"""SSO in Chromium against the test OpenID Connect provider, and the pages under their security headers."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from bbbms_app import db
from bbbms_app.i18n import t
from bbbms_app.models import User
from bbbms_app.services import sso
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_shell import sign_in
from tests.oidc_provider import PROVIDER_KEY

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("BBBMS_SCREENSHOT_DIR", "/tmp/bbbms-screenshots"))
# Listens before any page script runs, so a blocked inline script or eval is caught too.
CSP_PROBE = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
"""


def _link(url: str, username: str, issuer: str, subject: str) -> str:
    with db.session(url) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        sso.link(s, user, issuer, subject)
        return user.full_name


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_sign_in_with_the_provider_lands_home_as_the_linked_user(page: Page, oidc_provider, browser_db_url, app_url):
    oidc_provider.reset()
    full_name = _link(browser_db_url, "teacher", oidc_provider.issuer, oidc_provider.subject)
    page.goto("/login")
    button = page.get_by_test_id(f"sso-{PROVIDER_KEY}")
    expect(button).to_have_text("Mektep ID аркылуу кирүү")
    _shot(page, "sso-login-1280")
    page.set_viewport_size(PHONE)
    _shot(page, "sso-login-375")
    page.set_viewport_size(DESKTOP)
    button.click()
    expect(page.get_by_test_id("page-title")).to_have_text("Башкы бет")
    expect(page).to_have_url(f"{app_url}/")  # the code left the address bar
    expect(page.get_by_test_id("user-name").first).to_have_text(full_name)
    expect(page.get_by_test_id("user-role").first).to_have_text("Мугалим")
    assert len(oidc_provider.token_requests) == 1 and oidc_provider.token_requests[0]["code_verifier"]
    # A normal session: it survives a reload and ends at sign-out.
    page.reload()
    expect(page.get_by_test_id("user-name").first).to_have_text(full_name)
    page.get_by_test_id("sidebar").get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login/?$"))


def test_an_unlinked_identity_gets_a_clear_refusal(page: Page, oidc_provider):
    oidc_provider.reset()
    oidc_provider.subject = "nobody-linked-77"
    page.goto("/login")
    page.get_by_test_id(f"sso-{PROVIDER_KEY}").click()
    error = page.get_by_test_id("sso-error")
    expect(error).to_have_text(t("sso.unlinked", "ky", subject="nobody-linked-77"))
    expect(page.get_by_test_id("page-title")).to_have_count(0)
    _shot(page, "sso-unlinked-1280")
    page.set_viewport_size(PHONE)
    _shot(page, "sso-unlinked-375")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"the refusal scrolls sideways at phone width ({width}px)"
    page.get_by_test_id("sso-back").click()
    expect(page.locator("#username")).to_be_visible()


def test_pages_work_under_the_content_security_policy(page: Page, app_url):
    page.add_init_script(CSP_PROBE)
    response = page.goto("/login")
    assert response is not None
    h = response.headers
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert "'unsafe-inline'" not in h["content-security-policy"].split("script-src")[1].split(";")[0]
    assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "same-origin"
    assert h["x-frame-options"] == "DENY"
    sign_in(page, "parent")
    page.get_by_test_id("nav-marks").first.click()
    expect(page.get_by_test_id("marks-table")).to_be_visible()
    # A refusal answers with a toast the server sends as code for the browser to run: it must show.
    page.goto("/pupils")
    expect(page.locator("[data-sonner-toast]").first).to_contain_text(t("error.forbidden", "ky"))
    page.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Ученики")
    page.get_by_test_id("lang-switch").get_by_role("radio", name="КЫР").click()
    assert page.evaluate("window.__csp") == []
    # Another site cannot frame the app.
    page.goto("about:blank")
    page.set_content(f'<iframe id="f" src="{app_url}/login" width="600" height="400"></iframe>')
    page.wait_for_timeout(1500)
    frame = page.frame_locator("#f")
    expect(frame.locator("#username")).to_have_count(0)
