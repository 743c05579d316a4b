"""Consent in real Chromium: the clerk records a consent with a scanned PDF; another family cannot open it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from bbbms_app import db
from bbbms_app.models import Pupil, PupilGuardian, User
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _shots(tmp_path: Path) -> Path:
    # Screenshots to look at: BBBMS_SCREENSHOT_DIR keeps them after the run.
    path = Path(os.environ.get("BBBMS_SCREENSHOT_DIR") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pupil_of_another_family(db_url: str) -> tuple[str, set[int]]:
    """The PIN of a pupil who is not the demo parent's child (and who has a guardian to sign)."""
    eng = db.make_engine(db_url)
    try:
        with Session(eng) as s:
            parent = s.exec(select(User).where(User.username == "parent")).one()
            own = set(s.exec(select(PupilGuardian.pupil_id).where(PupilGuardian.guardian_id == parent.guardian_id)))
            pin = s.exec(
                select(Pupil.pin)
                .join(PupilGuardian, PupilGuardian.pupil_id == Pupil.id)  # type: ignore[arg-type]
                .where(Pupil.id.not_in(own), Pupil.school_id == parent.school_id)  # type: ignore[union-attr]
                .order_by(Pupil.id)
            ).first()
    finally:
        eng.dispose()
    assert pin and own
    return pin, own


def test_clerk_records_a_consent_with_a_scan_and_another_family_cannot_open_it(
    page: Page, browser, app_url, browser_db_url, tmp_path
):
    shots = _shots(tmp_path)
    pin, _own = _pupil_of_another_family(browser_db_url)
    scan = tmp_path / "consent.pdf"
    scan.write_bytes(PDF)

    sign_in(page, "clerk")
    page.get_by_test_id("sidebar").get_by_test_id("nav-consents").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Макулдуктар")
    expect(page.get_by_test_id("consent-table")).to_be_visible()
    page.screenshot(path=str(shots / "consents-1280.png"), full_page=True)
    page.get_by_test_id("search").fill(pin)
    rows = page.get_by_test_id("consent-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_test_id("consent-status")).to_have_text("Макулдук жок")
    rows.first.get_by_test_id("consent-person").click()
    dialog = page.get_by_test_id("person-dialog")
    card = dialog.get_by_test_id("consent-card")
    expect(card.get_by_test_id("consent-status")).to_have_text("Макулдук жок")
    dialog.locator("#consent-scan input[type=file]").set_input_files(str(scan))
    expect(dialog.get_by_test_id("scan-staged")).to_contain_text("PDF")
    dialog.get_by_test_id("cat-photo").click()
    dialog.get_by_test_id("consent-record").click()
    expect(card.get_by_test_id("consent-status")).to_have_text("Күчүндө")
    expect(dialog.get_by_test_id("consent-error")).to_have_count(0)
    expect(card).to_contain_text("Сүрөтү")
    expect(dialog.get_by_test_id("consent-item")).to_have_count(1)
    page.screenshot(path=str(shots / "consent-dialog-1280.png"))
    href = dialog.get_by_test_id("consent-scan-link").get_attribute("href")
    assert href and href.startswith("/private/consent-scan/")

    # The clerk opens the scan through the authorized route; it is not under the public /_upload.
    got = page.request.get(href)
    assert got.status == 200 and got.body() == PDF
    assert got.headers["content-type"] == "application/pdf"
    name = f"{href.rsplit('/', 1)[-1]}.pdf"
    assert page.request.get(f"/_upload/{name}").body() != PDF

    page.get_by_test_id("person-close").click()
    expect(rows.first.get_by_test_id("consent-status")).to_have_text("Күчүндө")

    # A parent of another family gets the answer of a missing id (ids tell nothing), and so does a
    # browser with no session: every private download refuses with one answer (api/private_files.py).
    parent = browser.new_context(base_url=app_url).new_page()
    sign_in(parent, "parent")
    assert parent.request.get(href).status == 404
    anonymous = browser.new_context(base_url=app_url)
    assert anonymous.request.get(href).status == 404
    anonymous.close()
    parent.context.close()

    # The clerk withdraws it again: the second dialog opens over the person's panel.
    rows.first.get_by_test_id("consent-person").click()
    dialog.get_by_test_id("consent-withdraw").click()
    page.get_by_test_id("withdraw-reason").fill("Ата-энесинин арызы")
    page.screenshot(path=str(shots / "consent-withdraw-1280.png"))
    page.get_by_test_id("withdraw-submit").click()
    expect(card.get_by_test_id("consent-status")).to_have_text("Кайтарылып алынган")
    expect(dialog.get_by_test_id("consent-withdraw")).to_have_count(0)


def test_consent_register_at_phone_width(phone: Page, tmp_path):
    shots = _shots(tmp_path)
    sign_in(phone, "clerk")
    phone.goto("/consents")
    rows = phone.get_by_test_id("consent-table").locator("tbody tr")
    expect(rows.first).to_be_visible()
    phone.screenshot(path=str(shots / "consents-375.png"), full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"the register scrolls sideways at phone width ({width}px)"
    rows.first.get_by_test_id("consent-person").click()
    dialog = phone.get_by_test_id("person-dialog")
    expect(dialog.get_by_test_id("consent-card")).to_be_visible()
    phone.screenshot(path=str(shots / "consent-dialog-375.png"))
    dialog.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(dialog.get_by_test_id("sar-export")).to_be_in_viewport()
    phone.screenshot(path=str(shots / "consent-dialog-375-end.png"))
    box = dialog.bounding_box()
    assert box is not None and box["width"] <= 375
