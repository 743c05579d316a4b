"""Families' /marks on a phone (375 px, taps only) with three children: the children switch stays
inside the screen (it scrolls in its own strip, the page never sideways) and a tap on the third child
opens that child's report card.

The demo parent is linked, for this test, to as many more pupils (those with the longest names) as
make three children; the links are removed afterwards.
"""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import func
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AcademicYear, Enrollment, Pupil, PupilGuardian, SchoolClass, User
from bbbms_app.services import accounts, diary
from bbbms_app.services import school as school_service
from tests.browser.conftest import PHONE
from tests.browser.test_journal import _shot_dir, server_db  # noqa: F401  (a fixture)
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)


def test_three_children_fit_a_phone_and_a_tap_on_the_third_switches(browser, app_url, server_db: str):  # noqa: F811
    today = date.today()
    with db.session(server_db, write=True) as s:
        guardian_id = s.exec(select(User.guardian_id).where(User.username == "parent")).one()
        own = set(s.exec(select(PupilGuardian.pupil_id).where(PupilGuardian.guardian_id == guardian_id)).all())
        longest = s.exec(
            select(Pupil)
            .join(Enrollment, Enrollment.pupil_id == Pupil.id)  # type: ignore[arg-type]
            .join(SchoolClass, SchoolClass.id == Enrollment.class_id)  # type: ignore[arg-type]
            .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)  # type: ignore[arg-type]
            .where(SchoolClass.grade >= 5, AcademicYear.starts_on <= today, AcademicYear.ends_on >= today)
            .where(Pupil.id.not_in(own or {-1}), Enrollment.ends_on.is_(None))  # type: ignore[union-attr]
            .order_by(func.length(Pupil.last_name + Pupil.first_name).desc(), Pupil.id)
            .limit(max(0, 3 - len(own)))
        ).all()
        links = [PupilGuardian(pupil_id=p.id, guardian_id=guardian_id, relation="mother") for p in longest]
        s.add_all(links)
        s.flush()
        link_ids = [link.id for link in links]
        parent = accounts.principal_for(s.exec(select(User).where(User.username == "parent")).one(), session=s)
        children = school_service.own_children(s, parent, today)
        assert len(children) >= 3
        third = children[2]
        card = diary.report_card(s, parent, int(third["id"]), today)
    context = browser.new_context(viewport=PHONE, base_url=app_url, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        sign_in(page, "parent")
        page.goto("/marks")
        switch = page.get_by_test_id("child-switch")
        expect(switch.get_by_role("radio")).to_have_count(len(children))
        # The names are wider than the phone: the strip scrolls, the page does not.
        assert switch.evaluate("e => e.scrollWidth") > PHONE["width"]
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(_shot_dir() / "marks-three-children-375.png"), full_page=True)
        item = switch.get_by_role("radio", name=third["name"])
        item.tap()
        expect(item).to_have_attribute("aria-checked", "true")
        # The report card is the third child's: his subjects and the marks set for them.
        rows = page.get_by_test_id("report-card").get_by_test_id("card-row")
        expect(rows).to_have_count(len(card["rows"]))
        expect(rows.locator("th")).to_have_text([r["subject_ky"] for r in card["rows"]])
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(_shot_dir() / "marks-third-child-375.png"), full_page=True)
    finally:
        context.close()
        with db.session(server_db, write=True) as s:
            for link_id in link_ids:
                s.delete(s.get(PupilGuardian, link_id))
