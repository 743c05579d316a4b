"""The year-end wizard in real Chromium (1280 px): the clerk sees per class who goes where, keeps one
pupil of the 9th grade down and lets one leave, writes the order, and the demo school is in the
next year with its classes, terms and a contingent report that reconciles; then she reverses the
order by a correcting one and the demo school is as it was. Screenshots in Kyrgyz and Russian at
1280 and 375 px."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from bbbms_app import db
from bbbms_app.services import movement_report
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("BBBMS_SHOTS_DIR", "/tmp/movement2-shots"))


# The demo school's current year: a test of another file may have added a school with its own
# (test_schools.py), and the browser tests' files share their process's server in any order.
DEMO_YEAR = (
    "SELECT school_id, id, ends_on FROM academicyear"
    " WHERE is_current AND school_id = (SELECT school_id FROM \"user\" WHERE username = 'clerk')"
)


def _db(url: str, sql: str, **params):
    with db.make_engine(url).begin() as conn:
        result = conn.execute(text(sql), params)
        return result.all() if result.returns_rows else None


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _language(page: Page, label: str) -> None:
    page.get_by_test_id("lang-switch").get_by_role("radio", name=label).click()
    expect(page.get_by_test_id("nav-pupils")).to_have_text({"РУС": "Ученики", "КЫР": "Окуучулар"}[label])


def test_the_clerk_promotes_the_demo_school_and_reverses_it(page: Page, phone: Page, browser_db_url):
    [(school_id, year_id, ends_on)] = _db(browser_db_url, DEMO_YEAR)
    ends_on = date.fromisoformat(str(ends_on))
    on_lists = _db(
        browser_db_url,
        "SELECT c.grade || '-' || c.letter, count(*) FROM enrollment e JOIN schoolclass c ON c.id = e.class_id"
        " WHERE c.academic_year_id = :y AND e.ends_on IS NULL GROUP BY c.grade, c.letter ORDER BY c.grade, c.letter",
        y=year_id,
    )
    assert any(name.startswith("9-") for name, _n in on_lists) and any(name.startswith("11-") for name, _n in on_lists)
    total = sum(n for _name, n in on_lists)

    sign_in(page, "clerk")
    page.goto("/promotion")
    rows = page.get_by_test_id("pm-class")
    expect(rows).to_have_count(len(on_lists))
    nine_name, nine_n = next((name, n) for name, n in on_lists if name.startswith("9-"))
    eleven_name, eleven_n = next((name, n) for name, n in on_lists if name.startswith("11-"))
    nine = rows.filter(has=page.get_by_test_id("pm-name").get_by_text(nine_name, exact=True))
    expect(nine.get_by_test_id("pm-target")).to_have_text(f"10-{nine_name[2:]}")
    expect(nine.get_by_test_id("pm-promote")).to_have_text(str(nine_n))
    eleven = rows.filter(has=page.get_by_test_id("pm-name").get_by_text(eleven_name, exact=True))
    expect(eleven.get_by_test_id("pm-graduate")).to_have_text(str(eleven_n))
    expect(eleven.get_by_test_id("pm-target")).to_have_text("—")
    # The 9th grade's pupils: the first kept down, the second leaves with his certificate.
    nine.get_by_test_id("pm-open").click()
    pupils = page.get_by_test_id("pm-pupil")
    expect(pupils).to_have_count(nine_n)
    pupils.nth(0).get_by_test_id("pm-retain-btn").click()
    expect(nine.get_by_test_id("pm-retain")).to_have_text("1")
    pupils.nth(1).get_by_test_id("pm-graduate-btn").click()
    expect(nine.get_by_test_id("pm-graduate")).to_have_text("1")
    expect(nine.get_by_test_id("pm-promote")).to_have_text(str(nine_n - 2))
    _shot(page, "promotion-1280-ky")
    _language(page, "РУС")
    expect(page.get_by_test_id("pm-confirm")).to_have_text("Записать приказ")
    expect(page.get_by_test_id("pm-total")).to_contain_text("оставлены: 1, выпускаются:")
    _shot(page, "promotion-1280-ru")
    _language(page, "КЫР")

    page.get_by_test_id("pm-number").fill("77")
    page.get_by_test_id("pm-date").fill(f"{ends_on:%d.%m.%Y}")
    # Typed, then the button at once, as a clerk does: leaving the fields sends them first.
    page.get_by_test_id("pm-confirm").click()
    expect(page.get_by_test_id("pm-done")).to_be_visible(timeout=60000)
    expect(page.get_by_test_id("pm-none")).to_be_visible()
    _shot(page, "promotion-1280-done")

    [(order_id, signed)] = _db(
        browser_db_url, "SELECT id, signed_by_id FROM \"order\" WHERE number = '77' AND school_id = :s", s=school_id
    )
    assert signed is not None
    kinds = dict(
        _db(
            browser_db_url,
            "SELECT kind, count(*) FROM movementrecord WHERE order_id = :o AND deleted_at IS NULL GROUP BY kind",
            o=order_id,
        )
    )
    graduates = sum(n for name, n in on_lists if name.startswith("11-")) + 1
    assert kinds == {"graduation": graduates, "retention": 1, "promotion": total - graduates - 1}
    [(new_year, starts)] = _db(
        browser_db_url, "SELECT id, starts_on FROM academicyear WHERE school_id = :s AND starts_on > :e", s=school_id,
        e=ends_on,
    )  # fmt: skip
    assert len(_db(browser_db_url, "SELECT id FROM term WHERE academic_year_id = :y", y=new_year)) == 4
    new_classes = {n for (n,) in _db(
        browser_db_url,
        "SELECT grade || '-' || letter FROM schoolclass WHERE academic_year_id = :y AND deleted_at IS NULL",
        y=new_year,
    )}  # fmt: skip
    assert f"10-{nine_name[2:]}" in new_classes and nine_name in new_classes and "1-А" not in new_classes
    # The contingent report across the transition: every row reconciles, the end is the roll.
    starts = date.fromisoformat(str(starts))
    with db.make_engine(browser_db_url).connect() as conn:
        from sqlmodel import Session

        with Session(bind=conn) as s:
            rep = movement_report.contingent(s, school_id, date(ends_on.year, 5, 1), date(starts.year, 9, 30), "ru")
            assert all(r.balance() == 0 for r in rep.all_rows())
            assert rep.school.total("end") == movement_report.on_roll(s, school_id, date(starts.year, 9, 30))
            assert rep.school.total("end") == total - graduates

    # The phone: the same screen at 375 px, the undo's form reached by taps.
    sign_in(phone, "clerk")
    phone.goto("/promotion")
    expect(phone.get_by_test_id("pm-undo")).to_be_visible()
    _shot(phone, "promotion-375-ky")

    # Last year's order (the demo's promotions into this year) cannot be reversed: this year has marks.
    expect(page.get_by_test_id("pm-undo-order")).to_contain_text("№ 77")
    page.get_by_test_id("pm-undo-order").click()
    page.get_by_role("option").filter(has_not_text="№ 77").first.click()
    page.get_by_test_id("pm-undo-number").fill("78")
    page.get_by_test_id("pm-undo-date").fill(f"{ends_on:%d.%m.%Y}")
    page.get_by_test_id("pm-undo").click()
    expect(page.get_by_test_id("pm-undo-message")).to_contain_text("баалар же катышуу жазылган")
    page.get_by_test_id("pm-undo-order").click()
    page.get_by_role("option").filter(has_text="№ 77").click()
    page.get_by_test_id("pm-undo-number").fill("79")
    page.get_by_test_id("pm-undo-date").fill(f"{ends_on:%d.%m.%Y}")
    page.get_by_test_id("pm-undo").click()
    expect(page.get_by_test_id("pm-undo-message")).to_contain_text(str(total))
    expect(page.get_by_test_id("pm-class")).to_have_count(len(on_lists))
    left = _db(
        browser_db_url,
        "SELECT count(*) FROM enrollment e JOIN schoolclass c ON c.id = e.class_id"
        " WHERE c.academic_year_id = :y AND e.ends_on IS NULL",
        y=year_id,
    )
    assert left == [(total,)]


def test_the_clerk_moves_a_pupil_to_another_class_from_his_card_on_a_phone(phone: Page, browser_db_url):
    [(_school, year_id, _ends)] = _db(browser_db_url, DEMO_YEAR)
    [(pupil_id, pin, from_class, school_id)] = _db(
        browser_db_url,
        "SELECT p.id, p.pin, c.grade || '-' || c.letter, p.school_id FROM pupil p"
        " JOIN enrollment e ON e.pupil_id = p.id JOIN schoolclass c ON c.id = e.class_id"
        " WHERE c.academic_year_id = :y AND c.grade = 7 AND e.ends_on IS NULL AND p.pin IS NOT NULL"
        " ORDER BY c.letter, p.sort_key LIMIT 1",
        y=year_id,
    )
    [(to_class,)] = _db(
        browser_db_url,
        "SELECT grade || '-' || letter FROM schoolclass WHERE academic_year_id = :y AND grade = 7"
        " AND grade || '-' || letter != :c ORDER BY letter LIMIT 1",
        y=year_id,
        c=from_class,
    )
    signed = date.today() - timedelta(days=1)
    _db(
        browser_db_url,
        'INSERT INTO "order" (school_id, number, date, kind, summary, note, search_key, deleted_reason, version)'
        " VALUES (:s, '301-к', :d, 'transfer', 'Которуу жөнүндө', '', '301-к', '', 1)",
        s=school_id,
        d=signed,
    )
    sign_in(phone, "clerk")
    phone.goto("/pupils")
    phone.get_by_test_id("search").fill(pin)
    rows = phone.get_by_test_id("pupils-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_test_id("open-row").tap()
    card = phone.get_by_test_id("card-movement")
    expect(card.get_by_test_id("card-arrival")).to_have_count(0)  # he is on a list already
    card.get_by_test_id("card-transfer").tap()
    expect(card.get_by_test_id("card-mv-title")).to_have_text("Башка класска которулду")
    expect(card.get_by_test_id("card-mv-date")).to_have_value(f"{date.today():%d.%m.%Y}")
    card.get_by_test_id("card-mv-order").tap()
    phone.get_by_role("option").filter(has_text="№ 301-к").tap()
    card.get_by_test_id("card-mv-class").tap()
    phone.get_by_role("option").filter(has_text=to_class).first.tap()
    _shot(phone, "card-movement-375-ky")
    card.get_by_test_id("card-mv-save").tap()
    expect(card.get_by_test_id("card-transfer")).to_be_visible()
    movements = phone.get_by_test_id("related-movements")
    expect(movements).to_contain_text(to_class)
    expect(movements).to_contain_text("№ 301-к")
    rows = _db(
        browser_db_url,
        "SELECT c.grade || '-' || c.letter, e.starts_on FROM enrollment e JOIN schoolclass c ON c.id = e.class_id"
        " WHERE e.pupil_id = :p AND e.ends_on IS NULL",
        p=pupil_id,
    )
    assert [(c, str(d)) for c, d in rows] == [(to_class, date.today().isoformat())]
    phone.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").tap()
    card.get_by_test_id("card-departure").tap()
    expect(card.get_by_test_id("card-mv-title")).to_have_text("Выбыл")
    _shot(phone, "card-movement-375-ru")
    card.get_by_role("button", name="Отмена").tap()
    phone.get_by_test_id("lang-switch").get_by_role("radio", name="КЫР").tap()


def test_the_clerk_imports_movements_on_screen_all_or_nothing(page: Page, browser_db_url, tmp_path):
    from tests.test_admin_import import xlsx
    from tests.test_movement_import import KY

    [(_school, year_id, _ends)] = _db(browser_db_url, DEMO_YEAR)
    [(pin, school_id)] = _db(
        browser_db_url,
        "SELECT p.pin, p.school_id FROM pupil p JOIN enrollment e ON e.pupil_id = p.id"
        " JOIN schoolclass c ON c.id = e.class_id WHERE c.academic_year_id = :y AND c.grade = 8"
        " AND e.ends_on IS NULL AND p.pin IS NOT NULL ORDER BY p.sort_key LIMIT 1",
        y=year_id,
    )
    signed = date.today() - timedelta(days=1)
    _db(
        browser_db_url,
        'INSERT INTO "order" (school_id, number, date, kind, summary, note, search_key, deleted_reason, version)'
        " VALUES (:s, '302-ч', :d, 'departure', 'Чыгаруу жөнүндө', '', '302-ч', '', 1)",
        s=school_id,
        d=signed,
    )
    day = f"{date.today():%d.%m.%Y}"
    good = ["" if v is None else v for v in [pin, "Кетти", day, "302-ч", "", "", ""]]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(KY, [good, ["99999999999999", "Кетти", day, "302-ч", "", "", ""]]))
    ok = tmp_path / "ok.xlsx"
    ok.write_bytes(xlsx(KY, [good]))

    sign_in(page, "clerk")
    page.goto("/movement-import")
    with page.expect_download() as got:
        page.get_by_test_id("mi-template").click()
    assert got.value.suggested_filename.endswith(".xlsx")
    page.locator("#movement-import input[type=file]").set_input_files(str(bad))
    page.get_by_test_id("mi-check").click()
    expect(page.get_by_test_id("mi-error")).to_have_count(1)
    expect(page.get_by_test_id("mi-error")).to_contain_text("99999999999999")
    expect(page.get_by_test_id("mi-commit")).to_have_count(0)
    _shot(page, "import-1280-ky")
    _language(page, "РУС")
    _shot(page, "import-1280-ru")
    _language(page, "КЫР")
    assert _db(
        browser_db_url,
        "SELECT count(*) FROM movementrecord WHERE order_id IN (SELECT id FROM \"order\" WHERE number = '302-ч')",
    ) == [(0,)]
    page.locator("#movement-import input[type=file]").set_input_files(str(ok))
    page.get_by_test_id("mi-check").click()
    page.get_by_test_id("mi-commit").click()
    expect(page.get_by_test_id("mi-message")).to_be_visible()
    expect(page.get_by_test_id("mi-commit")).to_have_count(0)
    page.set_viewport_size(PHONE)
    _shot(page, "import-375-ky")
    page.set_viewport_size(DESKTOP)
    [(kind,)] = _db(
        browser_db_url,
        "SELECT m.kind FROM movementrecord m JOIN \"order\" o ON o.id = m.order_id WHERE o.number = '302-ч'",
    )
    assert kind == "departure"
