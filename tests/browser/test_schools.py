"""The district's /schools screen in real Chromium (issue 16): at the desk (1280 px, Kyrgyz) the
district account sees the demo school and adds a school in Chui region, Alamudun rayon; the
director's one-time password is shown once and signs him in (to his profile, to change it). On a
phone (375 px, Russian, taps) the district sees the new school and a taken OKPO is refused next to
its field. A school's director has no /schools in his menu and is refused there. The district's own
shell: the district's name and no quarter in the header, a menu of what it can do, and a school's
page opened by its URL says it needs a school (at the desk in Kyrgyz, on a phone in Russian)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from bbbms_app import db
from bbbms_app.i18n import t
from bbbms_app.models import Pupil, School, User
from tests.browser.conftest import set_language
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)


def _shots() -> Path:
    path = Path(os.environ.get("BBBMS_SCREENSHOT_DIR") or Path(__file__).resolve().parents[2] / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _choose(page: Page, testid: str, option: str, *, tap: bool) -> None:
    trigger = page.get_by_test_id(testid)
    trigger.tap() if tap else trigger.click()
    item = page.get_by_role("option", name=option, exact=True)
    item.tap() if tap else item.click()
    expect(trigger).to_contain_text(option)


def test_the_district_adds_a_school_and_its_director_signs_in(
    page: Page, phone: Page, browser_db_url, district_account
):
    sign_in(page, district_account)
    expect(page.get_by_test_id("sidebar").get_by_test_id("nav-schools")).to_be_visible()
    page.goto("/schools")
    expect(page.get_by_test_id("page-title")).to_have_text("Мектептер")
    table = page.get_by_test_id("schools-table")
    with db.session(browser_db_url) as s:
        demo = s.exec(select(School)).first()
    expect(table).to_contain_text(demo.name_ky)
    expect(page.get_by_test_id("schools-summary")).to_contain_text("1 мектеп")

    page.get_by_test_id("form-name").fill("Ала-Арча орто мектеби")
    page.get_by_test_id("form-name_ru").fill("Средняя школа Ала-Арча")
    page.get_by_test_id("form-okpo").fill("20000003")
    _choose(page, "form-region", "Чүй облусу", tap=False)
    _choose(page, "form-rayon", "Аламүдүн району", tap=False)
    page.get_by_test_id("form-director").fill("alaarcha.director")
    page.get_by_test_id("form-director_name").fill("Токтогулова Айнура Бакытовна")
    page.get_by_test_id("school-create").click()
    password_line = page.get_by_test_id("new-password")
    expect(password_line).to_be_visible()
    expect(page.get_by_test_id("new-username")).to_have_text("alaarcha.director")
    row = table.locator("tr", has_text="Ала-Арча орто мектеби")
    expect(row).to_contain_text("Чүй облусу")
    expect(row).to_contain_text("Аламүдүн району")
    expect(page.get_by_test_id("schools-summary")).to_contain_text("2 мектеп")
    page.screenshot(path=str(_shots() / "schools-1280-ky.png"), full_page=True)
    password = password_line.inner_text().strip()
    page.get_by_test_id("password-done").click()
    expect(page.get_by_test_id("new-password")).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("page-title")).to_have_text("Мектептер")
    expect(page.get_by_test_id("new-password")).to_have_count(0)  # shown once, never again

    with db.session(browser_db_url) as s:
        new = s.exec(select(School).where(School.okpo == "20000003")).one()
        assert (new.region, new.rayon) == ("chui", "chui.alamudun")

    # The new director signs in with it, on his phone, and must set his own first.
    sign_in(phone, "alaarcha.director", password)
    expect(phone).to_have_url(re.compile(r"/profile/?$"))
    expect(phone.get_by_test_id("must-change-password")).to_be_visible()


def test_on_a_phone_the_district_reads_the_list_and_a_taken_okpo_is_refused(
    phone: Page, browser_db_url, district_account
):
    set_language(browser_db_url, district_account, "ru")
    sign_in(phone, district_account)
    phone.goto("/schools")
    expect(phone.get_by_test_id("page-title")).to_have_text("Школы")
    with db.session(browser_db_url) as s:
        demo = s.exec(select(School)).first()
    expect(phone.get_by_test_id("schools-table")).to_contain_text(demo.name_ru)
    expect(phone.get_by_test_id("schools-table")).to_contain_text("учеников: ")  # under the name on a phone
    # The table fits the phone: no column runs past its right edge (nothing to scroll sideways).
    fits = (
        "el => el.querySelector('table').getBoundingClientRect().right"
        " <= Math.min(375, el.getBoundingClientRect().right) + 1"
    )
    assert phone.get_by_test_id("schools-table").evaluate(fits)
    phone.screenshot(path=str(_shots() / "schools-375-ru.png"), full_page=True)
    phone.get_by_test_id("form-name").fill("Школа-дубль")
    phone.get_by_test_id("form-okpo").fill(demo.okpo)
    _choose(phone, "form-region", "город Бишкек", tap=True)
    expect(phone.get_by_test_id("form-rayon")).to_contain_text("город Бишкек")  # a city is its own rayon
    phone.get_by_test_id("form-director").fill("dublicate.director")
    phone.get_by_test_id("form-director_name").fill("Асанов Бакыт")
    phone.get_by_test_id("school-create").tap()
    expect(phone.get_by_test_id("error-okpo")).to_have_text(f"Школа с кодом ОКПО {demo.okpo} уже есть")
    expect(phone.get_by_test_id("new-password")).to_have_count(0)
    phone.screenshot(path=str(_shots() / "schools-375-ru-error.png"), full_page=True)
    # The page fits the phone: no sideways scroll.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    with db.session(browser_db_url) as s:
        assert s.exec(select(User.id).where(User.username == "dublicate.director")).first() is None


def test_a_schools_director_has_no_schools_screen(page: Page):
    sign_in(page, "director")
    expect(page.get_by_test_id("sidebar").get_by_test_id("nav-home")).to_be_visible()
    expect(page.get_by_test_id("sidebar").get_by_test_id("nav-schools")).to_have_count(0)
    page.goto("/schools")
    expect(page.get_by_test_id("schools-table")).to_have_count(0)
    expect(page.get_by_text(t("error.forbidden", "ky")).first).to_be_visible()  # the refusal's toast
    expect(page.get_by_test_id("new-password")).to_have_count(0)


DISTRICT_MENU = {"home", "schools", "district", "rights", "audit", "backups", "profile"}
SCHOOL_ROUTES = ("journal", "reports", "timetable", "messages", "admin")


def _menu(container) -> set[str]:
    links = container.locator("[data-testid^='nav-']")
    return {links.nth(i).get_attribute("data-testid").removeprefix("nav-") for i in range(links.count())}


def test_the_district_account_has_its_own_shell(page: Page, phone: Page, browser_db_url, district_account):
    # At the desk, in Kyrgyz: the district's name, no year or quarter, only its own pages.
    sign_in(page, district_account)
    expect(page.get_by_test_id("district-badge")).to_have_text("Билим берүү бөлүмү")
    expect(page.get_by_test_id("term-label")).to_have_count(0)
    expect(page.get_by_test_id("school-name")).not_to_have_text("")
    sidebar = page.get_by_test_id("sidebar")
    expect(sidebar.get_by_test_id("nav-schools")).to_be_visible()
    assert _menu(sidebar) == DISTRICT_MENU
    page.screenshot(path=str(_shots() / "district-home-1280-ky.png"), full_page=True)
    for route in SCHOOL_ROUTES:
        page.goto(f"/{route}")
        notice = page.get_by_test_id("needs-school")
        expect(notice).to_contain_text(t("district.needs_school", "ky"))
        expect(page.get_by_text(t("error.forbidden", "ky"))).to_have_count(0)  # no refusal toast
        expect(page.get_by_text(t("error.reference", "ky", ref="").split(":")[0])).to_have_count(0)
    page.screenshot(path=str(_shots() / "district-needs-school-1280-ky.png"), full_page=True)
    page.get_by_test_id("needs-school-link").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Мектептер")

    # On a phone, in Russian, with taps: the drawer lists the same pages; the journal says it needs a school.
    set_language(browser_db_url, district_account, "ru")
    sign_in(phone, district_account)
    expect(phone.get_by_test_id("district-badge")).to_have_text("Отдел образования")
    phone.get_by_test_id("menu-button").tap()
    drawer = phone.get_by_test_id("mobile-menu")
    expect(drawer.get_by_test_id("nav-schools")).to_be_visible()
    assert _menu(drawer) == DISTRICT_MENU
    phone.screenshot(path=str(_shots() / "district-menu-375-ru.png"), full_page=True)
    drawer.get_by_test_id("nav-schools").tap()
    expect(phone.get_by_test_id("page-title")).to_have_text("Школы")
    phone.goto("/journal")
    expect(phone.get_by_test_id("needs-school")).to_contain_text(t("district.needs_school", "ru"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(_shots() / "district-needs-school-375-ru.png"), full_page=True)
    phone.get_by_test_id("needs-school-link").tap()
    expect(phone.get_by_test_id("page-title")).to_have_text("Школы")


def test_ten_schools_read_on_a_phone(phone: Page, browser_db_url, district_account):
    """A district of ten schools (the demo's one and nine added as the district adds them) on a
    phone in Russian: every school's row with its rayon, pupils and backup age, nothing sideways;
    the rows name schools, rayons and directors only (no pupil of any school)."""
    from bbbms_app.services import district
    from tests.factories import principal_of

    added: list[int] = []
    with db.session(browser_db_url, write=True) as s:
        # Schools another test of the session left (the UI's «add a school» keeps its school).
        before = len(s.exec(select(School.id).where(School.deleted_at.is_(None))).all())
        raion = principal_of(district_account, s)
        for i in range(9):
            new = district.add_school(
                s, raion, name=f"Сынак мектеби № {i + 1}", name_ru=f"Тестовая школа № {i + 1}",
                okpo=f"3100000{i}", region="chui", rayon="chui.alamudun" if i % 2 else "chui.sokuluk",
                director=f"test.director{i}", director_name=f"Директор {i}",
            )  # fmt: skip
            added.append(new.school_id)
    try:
        set_language(browser_db_url, district_account, "ru")
        sign_in(phone, district_account)
        phone.goto("/schools")
        table = phone.get_by_test_id("schools-table")
        expect(table.locator("tbody tr")).to_have_count(before + 9)
        expect(phone.get_by_test_id("schools-summary")).to_contain_text(f"Школ: {before + 9}")
        expect(table).to_contain_text("Тестовая школа № 9")
        expect(table).to_contain_text("Аламудунский район")
        # The backup's column is hidden on a phone; each school's backup shows under its name.
        on_phone = table.get_by_test_id("backup-on-phone")
        expect(on_phone).to_have_count(before + 9)
        expect(on_phone.first).to_be_visible()
        expect(on_phone.last).to_have_text(t("district.no_backup", "ru"))  # an added school: not backed up yet
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        with db.session(browser_db_url) as s:
            some_pupil = s.exec(select(Pupil)).first()
        assert some_pupil.last_name not in table.inner_text()  # no pupil's name on the district's list
        phone.screenshot(path=str(_shots() / "schools-10-375-ru.png"), full_page=True)
    finally:
        with db.session(browser_db_url, write=True) as s:  # the other tests count the schools
            for school in s.exec(select(School).where(School.id.in_(added))).all():
                school.deleted_at = school.created_at
                s.add(school)
