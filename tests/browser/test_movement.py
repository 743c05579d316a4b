"""The movement book in real Chromium: the clerk records an order and an arrival; the pupil card shows it."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from bbbms_app import db
from bbbms_app.i18n.collation import search_key, sort_key
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("BBBMS_SHOTS_DIR", "/tmp/shots-movement"))


def _db(url: str, sql: str, **params):
    with db.make_engine(url).begin() as conn:
        result = conn.execute(text(sql), params)
        return result.first() if result.returns_rows else None


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _choose(page: Page, testid: str, option: str) -> None:
    page.get_by_test_id(testid).click()
    page.get_by_role("option", name=option, exact=True).click()


def _language(page: Page, label: str) -> None:
    page.get_by_test_id("lang-switch").get_by_role("radio", name=label).click()
    # The sidebar follows once the server has the new language (and has saved it on the account).
    expect(page.get_by_test_id("nav-pupils")).to_have_text({"РУС": "Ученики", "КЫР": "Окуучулар"}[label])


def test_clerk_records_an_arrival_with_an_order_and_the_pupil_card_shows_it(page: Page, browser_db_url):
    # The clerk made the newcomer's card the day he came; he is in no class yet.
    school_id, class_id, grade, letter, year_starts = _db(
        browser_db_url,
        "SELECT c.school_id, c.id, c.grade, c.letter, y.starts_on FROM schoolclass c"
        " JOIN academicyear y ON y.id = c.academic_year_id WHERE c.grade = 7 AND y.is_current"
        " ORDER BY c.letter LIMIT 1",
    )
    # Dates inside the demo's current year (it lives in today's year): the order three days before
    # the arrival, a first try dated the day before the order.
    arrival = date.fromisoformat(str(year_starts)) + timedelta(days=91)
    signed, too_early = arrival - timedelta(days=3), arrival - timedelta(days=4)
    day = f"{arrival:%d.%m.%Y}"
    order_label = f"№ 201-у, {signed:%d.%m.%Y}"
    _db(
        browser_db_url,
        "INSERT INTO pupil (school_id, pin, last_name, first_name, patronymic, birth_date, sex, alpha_book_no,"
        " address, phone, photo, health_notes, search_key, sort_key, deleted_reason, version)"
        " VALUES (:s, '21203201300777', 'Жээнбеков', 'Тынчтык', '', :born, 'm', '', '', '', '', '',"
        " :search, :sort, '', 1)",
        s=school_id,
        born=date(2012, 3, 12),
        search=search_key("Жээнбеков", "Тынчтык", "21203201300777"),
        sort=sort_key("Жээнбеков", "Тынчтык"),
    )
    sign_in(page, "clerk")

    # The director's order.
    page.goto("/orders")
    page.get_by_test_id("new-record").click()
    page.get_by_test_id("field-number").fill("201-у")
    page.get_by_test_id("field-date").fill(signed.isoformat())
    _choose(page, "field-kind", "Кабыл алуу жөнүндө")
    page.get_by_test_id("field-summary").fill("Окуучуну кабыл алуу жөнүндө")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("detail-title")).to_contain_text(order_label)

    # The arrival: the order is required, and one dated after the arrival is refused beside its field.
    page.goto("/movement")
    expect(page.get_by_test_id("movement-table")).to_be_visible()
    page.get_by_test_id("new-record").click()
    _choose(page, "field-kind", "Келди")
    page.get_by_test_id("search-pupil_id").fill("жээнбек")
    page.get_by_test_id("field-pupil_id").click()
    page.get_by_role("option", name="Жээнбеков Тынчтык", exact=True).click()
    page.get_by_test_id("field-date").fill(too_early.isoformat())
    page.get_by_test_id("field-to_class_id").click()
    page.get_by_role("option", name=f"{grade}-{letter}", exact=True).click()
    page.get_by_test_id("field-from_school").fill("Ош ш., № 12 мектеп")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("error-order_id")).to_be_visible()
    page.get_by_test_id("field-order_id").click()
    page.get_by_role("option", name=f"{order_label} Окуучуну кабыл алуу жөнүндө", exact=True).click()
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("error-order_id")).to_contain_text(f"{signed:%d.%m.%Y}")
    page.get_by_test_id("field-date").fill(arrival.isoformat())
    _shot(page, "movement-form-1280-ky")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("detail-title")).to_have_text(f"Келди, {day}")
    row = _db(
        browser_db_url,
        "SELECT e.class_id, e.starts_on, e.ends_on FROM enrollment e JOIN pupil p ON p.id = e.pupil_id"
        " WHERE p.pin = '21203201300777'",
    )
    assert row is not None and (row[0], str(row[1]), row[2]) == (class_id, arrival.isoformat(), None)
    audited = _db(
        browser_db_url,
        "SELECT count(*) FROM auditevent WHERE entity = 'enrollment' AND reason = :reason",
        reason=f"№ 201-у {signed.isoformat()}",
    )
    assert audited is not None and audited[0] == 1

    # The movement book lists it; filtered by kind it is there too.
    page.get_by_test_id("back").click()
    table = page.get_by_test_id("movement-table")
    # By the newcomer's PIN: the demo's book holds other Жээнбеков lines (last year's promotions).
    page.get_by_test_id("search").fill("21203201300777")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr").first).to_contain_text(order_label)
    page.get_by_test_id("search").fill("")
    # The demo's book is there too: last year's graduations, this year's promotions and first graders on
    # the first day, arrivals and departures after.
    # (the book lists the current year's lines: last year's graduations stay in last year's book)
    # The book opens on arrivals and departures (graduations too); class changes and promotions
    # are its other view.
    lines = _db(
        browser_db_url,
        "SELECT count(*) FROM movementrecord WHERE deleted_at IS NULL AND date >= :starts"
        " AND kind IN ('arrival', 'departure', 'graduation')",
        starts=str(year_starts),
    )[0]
    assert lines > 3
    expect(page.get_by_test_id("total")).to_have_text(f"Бардыгы: {lines}")
    _shot(page, "movement-list-1280-ky")
    _language(page, "РУС")
    expect(table.locator("tbody tr").first).to_be_visible()
    _shot(page, "movement-list-1280-ru")
    _language(page, "КЫР")

    # The pupil card's movement section (its rows are made in the language the card was opened in).
    section = _open_card(page)
    expect(section).to_contain_text(day)
    expect(section).to_contain_text("Келди")
    expect(section).to_contain_text(order_label)
    expect(section).to_contain_text("Ош ш., № 12 мектеп")
    expect(section).to_contain_text(f"{grade}-{letter}")
    _shot(page, "pupil-card-1280-ky")
    _language(page, "РУС")
    section = _open_card(page)
    expect(section).to_contain_text("Прибыл")
    expect(section).to_contain_text(f"№ 201-у от {signed:%d.%m.%Y}")
    _shot(page, "pupil-card-1280-ru")

    # At phone width: the card and the book still read.
    page.set_viewport_size(PHONE)
    expect(section).to_contain_text("Прибыл")
    _shot(page, "pupil-card-375-ru")
    _language(page, "КЫР")
    section = _open_card(page)
    expect(section).to_contain_text("Келди")
    _shot(page, "pupil-card-375-ky")
    page.goto("/movement")
    expect(page.get_by_test_id("total")).to_have_text(f"Бардыгы: {lines}")
    _shot(page, "movement-list-375-ky")
    _language(page, "РУС")
    expect(page.get_by_test_id("movement-table").locator("tbody tr").first).to_be_visible()
    _shot(page, "movement-list-375-ru")
    page.set_viewport_size(DESKTOP)
    _language(page, "КЫР")  # the language is saved on the account: leave the clerk as the other tests expect


def _open_card(page: Page):
    page.goto("/pupils")
    page.get_by_test_id("search").fill("21203201300777")
    rows = page.get_by_test_id("pupils-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_test_id("open-row").click()
    return page.get_by_test_id("related-movements")
