"""No way around the book, in real Chromium: the clerk admits a pupil from another rayon on the
pupil form with the admission order; he arrives, gets the next number of his letter, is in the
alphabetic book and counted by the contingent report; deleting a pupil on a class list is refused
with a pointer to the departure. Screenshots at 1280 and 375 px in Kyrgyz and Russian."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from bbbms_app import db
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_movement import _choose, _db, _language, _shot
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
PIN = "21505201500888"


def test_the_clerk_admits_a_pupil_through_the_book_and_cannot_delete_one_on_a_list(page: Page, browser_db_url):
    school_id, grade, letter = _db(
        browser_db_url,
        "SELECT c.school_id, c.grade, c.letter FROM schoolclass c JOIN academicyear y ON y.id = c.academic_year_id"
        " WHERE c.grade = 3 AND y.is_current ORDER BY c.letter LIMIT 1",
    )
    order_id, number, signed = _db(
        browser_db_url,
        "SELECT id, number, date FROM \"order\" WHERE school_id = :s AND kind = 'enrollment'"
        " ORDER BY date DESC, id DESC LIMIT 1",
        s=school_id,
    )
    signed = date.fromisoformat(str(signed))
    # The book gives one past the highest «Ы» number (another test may have written «Ы/901» by hand).
    with db.make_engine(browser_db_url).begin() as conn:
        taken = conn.execute(
            text("SELECT alpha_book_no FROM pupil WHERE school_id = :s AND alpha_book_no LIKE 'Ы/%'"), {"s": school_id}
        ).scalars()
        before = max((int(n.split("/")[1]) for n in taken if n.split("/")[1].isdigit()), default=0)
    sign_in(page, "clerk")
    page.goto("/pupils")
    expect(page.get_by_test_id("pupils-table")).to_be_visible()
    page.get_by_test_id("new-record").click()
    page.get_by_test_id("field-last_name").fill("Ыбыраев")
    page.get_by_test_id("field-first_name").fill("Тилек")
    page.get_by_test_id("field-birth_date").fill("2015-05-15")  # what the PIN says (else the form warns first)
    _choose(page, "field-sex", "Эркек")
    page.get_by_test_id("field-pin").fill(PIN)
    page.get_by_test_id("field-class_id").click()
    page.get_by_role("option", name=f"{grade}-{letter}", exact=True).click()
    _choose(page, "field-from_category", "Башка райондон")
    _choose(page, "field-from_place", "Сокулук району")
    page.get_by_test_id("field-from_school").fill("Шопоков ш., № 3 мектеп")
    # The class without the order is refused beside the order's field: nothing is written.
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("error-order_id")).to_have_text("Директордун буйругун тандаңыз")
    assert _db(browser_db_url, "SELECT count(*) FROM pupil WHERE pin = :p", p=PIN)[0] == 0
    page.get_by_test_id("field-order_id").click()
    page.get_by_role("option", name=re_label(number, signed)).first.click()
    _shot(page, "pupil-admission-form-1280-ky")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("detail-title")).to_have_text("Ыбыраев Тилек")
    expect(page.get_by_test_id("detail-alpha_book_no")).to_have_text(f"Ы/{before + 1}")
    section = page.get_by_test_id("related-movements")
    expect(section).to_contain_text("Келди")
    expect(section).to_contain_text("Башка райондон: Сокулук району (Чүй облусу) · Шопоков ш., № 3 мектеп")
    _shot(page, "pupil-admitted-card-1280-ky")
    kind, category, place, order = _db(
        browser_db_url,
        "SELECT m.kind, m.from_category, m.from_place, m.order_id FROM movementrecord m JOIN pupil p"
        " ON p.id = m.pupil_id WHERE p.pin = :p",
        p=PIN,
    )
    assert (kind, category, place, order) == ("arrival", "other_rayon", "chui.sokuluk", order_id)

    # Deleting him now (he is on a class list) is refused with the way to do it.
    page.get_by_test_id("delete").click()
    page.get_by_test_id("delete-reason").fill("Башка мектепке кетти")
    page.get_by_test_id("confirm-delete").click()
    expect(page.get_by_test_id("delete-error")).to_contain_text(f"{grade}-{letter} классынын тизмесинде")
    expect(page.get_by_test_id("delete-error")).to_contain_text("«Кетти»")
    _shot(page, "pupil-delete-refused-1280-ky")
    assert _db(browser_db_url, "SELECT deleted_at FROM pupil WHERE pin = :p", p=PIN)[0] is None

    # The alphabetic book's page of his letter.
    page.goto("/alpha-book")
    page.get_by_test_id("letter").filter(has_text="Ы").click()
    rows = page.get_by_test_id("ab-row")
    expect(rows.filter(has_text="Ыбыраев Тилек")).to_have_count(1)
    expect(rows.filter(has_text="Ыбыраев Тилек")).to_contain_text(f"Ы/{before + 1}")
    _shot(page, "alpha-book-1280-ky")

    # The contingent report counts him: the school's line reconciles.
    page.goto("/contingent")
    lines = page.get_by_test_id("ct-line")
    expect(lines.last).to_contain_text("Мектеп боюнча бардыгы")
    _shot(page, "contingent-1280-ky")
    _language(page, "РУС")
    expect(lines.last).to_contain_text("Итого по школе")
    _shot(page, "contingent-1280-ru")
    page.goto("/alpha-book")
    page.get_by_test_id("letter").filter(has_text="Ы").click()
    expect(page.get_by_test_id("ab-row").filter(has_text="Ыбыраев Тилек")).to_contain_text("Из другого района")
    _shot(page, "alpha-book-1280-ru")

    page.set_viewport_size(PHONE)
    expect(page.get_by_test_id("ab-row").first).to_be_visible()
    _shot(page, "alpha-book-375-ru")
    page.goto("/contingent")
    expect(page.get_by_test_id("ct-line").last).to_contain_text("Итого по школе")
    _shot(page, "contingent-375-ru")
    _language(page, "КЫР")
    expect(page.get_by_test_id("ct-line").last).to_contain_text("Мектеп боюнча бардыгы")
    _shot(page, "contingent-375-ky")
    page.set_viewport_size(DESKTOP)


def re_label(number: str, signed: date):
    import re

    return re.compile(rf"^№ {re.escape(number)}, {signed:%d\.%m\.%Y}")
