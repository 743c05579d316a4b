"""Grades 10–11 on a phone (375 px, taps only): the journal's period column is the half-year.

The demo lives in today's year (Q1 closed, Q2 under way). The deputy opens a 10th grade's journal:
in Q2 the column is «1-жарым жыл» with the policy's suggestions from the marks of Q1 and Q2 (the
service's grid says which), and a tap opens «Жарым жылдык баа»; in Q1 the same column has nothing
to set, and a tap says the mark is set in the second quarter.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AcademicYear, SchoolClass, Subject, User
from bbbms_app.services import accounts, journal
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_journal import _shot_dir, server_db  # noqa: F401  (a fixture)
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)


# How many lines the first 7 characters («1-жарым») of a header cell's text take.
_LINE_OF_FIRST_WORD = """th => {
  const text = document.createTreeWalker(th, NodeFilter.SHOW_TEXT).nextNode();
  const range = document.createRange();
  range.setStart(text, 0);
  range.setEnd(text, 7);
  return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size;
}"""


def _pick(page: Page, picker: str, option: re.Pattern[str]) -> None:
    page.get_by_test_id(picker).tap()
    page.get_by_role("option", name=option).first.tap()


def _grid_of_screen(page: Page, server_db: str, quarter: int) -> journal.Grid:  # noqa: F811
    """The service's grid of the class × subject the page shows, in quarter `quarter` of this year."""
    class_name, subject_name = page.get_by_test_id("journal-heading").inner_text().split(" · ")[:2]
    grade, letter = class_name.split("-")
    today = date.today()
    with db.session(server_db) as s:
        principal = accounts.principal_for(s.exec(select(User).where(User.username == "deputy")).one(), session=s)
        cls = s.exec(
            select(SchoolClass)
            .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)  # type: ignore[arg-type]
            .where(SchoolClass.grade == int(grade), SchoolClass.letter == letter)
            .where(AcademicYear.starts_on <= today, AcademicYear.ends_on >= today)
        ).one()
        subject = s.exec(select(Subject).where(Subject.name_ky == subject_name)).one()
        term = next(t for t in journal.year_terms(s, cls.academic_year_id) if t.number == quarter)
        return journal.grid(s, principal, cls.id, subject.id, term.id)  # type: ignore[arg-type]


def test_a_10th_grade_journal_shows_the_half_year_column_on_a_phone(phone: Page, server_db: str):  # noqa: F811
    sign_in(phone, "deputy")
    phone.goto("/journal")
    expect(phone.get_by_test_id("grade-grid")).to_be_visible()
    _pick(phone, "pick-class", re.compile(r"^10-"))
    expect(phone.get_by_test_id("journal-heading")).to_contain_text(re.compile(r"^10-"))
    expect(phone.get_by_test_id("pick-term")).to_contain_text("2-чейрек")  # today's quarter
    head = phone.locator(".jg thead th.pc").first
    expect(head).to_have_text("1-жарым жыл")
    # The head wraps inside its column rather than running under the year's.
    assert head.evaluate("th => th.scrollWidth <= th.clientWidth")
    assert head.evaluate(_LINE_OF_FIRST_WORD) == 1  # «1-жарым» stays on one line (not «1-» / «жарым»)
    g = _grid_of_screen(phone, server_db, 2)
    assert g.assessed is not None and (g.assessed.kind, g.assessed.number) == ("half_year", 1)
    period = phone.get_by_test_id("period-cell")
    expect(period).to_have_count(len(g.pupils))
    for r, pupil in enumerate(g.pupils[:5]):  # the policy's suggestion from the marks of Q1 and Q2
        expect(period.nth(r).locator(".s")).to_have_text(g.period[pupil.id].suggestion.text)
    assert any(g.period[p.id].suggestion.value is not None for p in g.pupils)
    phone.screenshot(path=str(_shot_dir() / "journal-half-year-q2-375.png"))
    period.nth(0).tap()
    dialog = phone.get_by_test_id("period-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Жарым жылдык баа")
    expect(phone.get_by_test_id("period-suggestion")).to_contain_text(g.period[g.pupils[0].id].suggestion.text)
    phone.screenshot(path=str(_shot_dir() / "journal-half-year-dialog-375.png"))
    dialog.get_by_role("button", name="Жабуу").tap()
    expect(dialog).to_be_hidden()
    # The first quarter (closed): the same column, nothing to set there; a tap says when it is set.
    _pick(phone, "pick-term", re.compile(r"^1-чейрек"))
    expect(phone.get_by_test_id("pick-term")).to_contain_text("1-чейрек")
    expect(head).to_have_text("1-жарым жыл")
    expect(period.first.locator(".s")).to_have_text("")
    period.nth(0).tap()
    expect(phone.get_by_text("1-жарым жыл: баа 2-чейректе коюлат")).to_be_visible()
    expect(dialog).to_be_hidden()
    phone.screenshot(path=str(_shot_dir() / "journal-half-year-q1-375.png"))
    # Nothing runs sideways off the phone's screen but the grid's own scroll.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The same journal at 1280 px, to look at.
    phone.set_viewport_size(DESKTOP)
    _pick(phone, "pick-term", re.compile(r"^2-чейрек"))
    expect(head).to_have_text("1-жарым жыл")
    phone.screenshot(path=str(_shot_dir() / "journal-half-year-q2-1280.png"))


@pytest.mark.parametrize("size", ["375", "1280"])
def test_a_10th_graders_family_sees_half_year_columns(browser, app_url, server_db: str, size: str):  # noqa: F811
    """The demo parent, linked for this test to a pupil of 10-А as well, opens /marks and taps that child."""
    from bbbms_app.models import Enrollment, Pupil, PupilGuardian

    today = date.today()
    with db.session(server_db, write=True) as s:
        guardian_id = s.exec(select(User.guardian_id).where(User.username == "parent")).one()
        pupil = s.exec(
            select(Pupil)
            .join(Enrollment, Enrollment.pupil_id == Pupil.id)  # type: ignore[arg-type]
            .join(SchoolClass, SchoolClass.id == Enrollment.class_id)  # type: ignore[arg-type]
            .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)  # type: ignore[arg-type]
            .where(SchoolClass.grade == 10, AcademicYear.starts_on <= today, AcademicYear.ends_on >= today)
            .order_by(Pupil.id)
        ).first()
        link = PupilGuardian(pupil_id=pupil.id, guardian_id=guardian_id, relation="father")
        s.add(link)
        s.flush()
        link_id, name = link.id, f"{pupil.last_name} {pupil.first_name}"
    touch = size == "375"
    context = browser.new_context(
        viewport=PHONE if touch else DESKTOP, base_url=app_url, is_mobile=touch, has_touch=touch
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        sign_in(page, "parent")
        page.goto("/marks")
        item = page.get_by_test_id("child-switch").get_by_role("radio", name=name)
        item.tap() if touch else item.click()
        card = page.get_by_test_id("report-card")
        expect(card.locator("thead th").nth(1)).to_contain_text("1-жарым жыл")  # «I» on a phone
        heads = card.locator("thead th").all_inner_texts()
        # The subject, the half-year begun (today is in Q2: only the first), the year.
        assert heads == (["Предмет", "I", "Жыл"] if touch else ["Предмет", "1-жарым жыл", "Жылдык"]), heads
        expect(page.get_by_test_id("marks-table").locator("thead th").last).to_have_text("Жарым жылдык баа")
        expect(page.get_by_text("Жарым жылдык жана жылдык баалар")).to_be_visible()
        page.screenshot(path=str(_shot_dir() / f"marks-half-year-{size}.png"), full_page=True)
    finally:
        context.close()
        with db.session(server_db, write=True) as s:
            s.delete(s.get(PupilGuardian, link_id))
