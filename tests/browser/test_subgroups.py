"""Subgroups in real Chromium: the class teacher splits her class, the group's journal lists only its members."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import or_
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import (
    AcademicYear,
    Enrollment,
    Lesson,
    SchoolClass,
    SubgroupMember,
    Subject,
    TeachingAssignment,
    User,
)
from bbbms_app.services import school as school_service
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_journal import server_db  # noqa: F401  (fixture)
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

SUBJECT_KY = "Англис тили (топтор)"


def _shots() -> Path:
    out = Path(os.environ.get("BBBMS_SCREENSHOTS", "/tmp/shots-journal"))
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture
def english_in_groups(server_db: str):  # noqa: F811
    """English in two groups for the class teacher's class (her group 1, the demo teacher's group 2), one lesson."""
    with db.session(server_db) as s:
        staff = {
            u.username: u.staff_id for u in s.exec(select(User).where(User.username.in_(["classteacher", "teacher"])))
        }  # type: ignore[attr-defined]
        # Her class this year (she kept it from last year) and today's quarter, which the journal opens.
        cls = s.exec(
            select(SchoolClass)
            .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)  # type: ignore[arg-type]
            .where(SchoolClass.class_teacher_id == staff["classteacher"], AcademicYear.is_current)
        ).first()
        assert cls is not None
        term = school_service.current_term(s, s.get(AcademicYear, cls.academic_year_id), date.today())  # type: ignore[arg-type]
        assert term is not None
        subject = Subject(
            school_id=cls.school_id,
            code="EN-G",
            name_ky=SUBJECT_KY,
            name_ru="Английский (группы)",
            name_en="English (groups)",
        )
        s.add(subject)
        s.flush()
        tas = [
            TeachingAssignment(
                school_id=cls.school_id, class_id=cls.id, subject_id=subject.id, teacher_id=staff[u], subgroup=g
            )  # type: ignore[arg-type]
            for g, u in ((1, "classteacher"), (2, "teacher"))
        ]
        day = term.starts_on
        while day.weekday() >= 5:
            day += timedelta(days=1)
        lesson = Lesson(
            school_id=cls.school_id, class_id=cls.id, subject_id=subject.id, teacher_id=staff["classteacher"],  # type: ignore[arg-type]
            term_id=term.id, date=day, number=9, subgroup=1, topic="Unit 1",  # type: ignore[arg-type]
        )  # fmt: skip
        s.add_all([*tas, lesson])
        s.flush()
        ids = {
            "class": cls.id,
            "class_name": f"{cls.grade}-{cls.letter}",
            "subject": subject.id,
            "lesson": lesson.id,
            "term": (term.starts_on, term.ends_on),
        }
    yield ids
    with db.session(server_db) as s:
        for row in s.exec(select(SubgroupMember).where(SubgroupMember.subject_id == ids["subject"])).all():
            s.delete(row)
        s.delete(s.get(Lesson, ids["lesson"]))
        for row in s.exec(select(TeachingAssignment).where(TeachingAssignment.subject_id == ids["subject"])).all():
            s.delete(row)
        s.flush()
        s.delete(s.get(Subject, ids["subject"]))
        # Accounts go back to Kyrgyz even if the test stopped halfway (other tests expect it).
        for user in s.exec(select(User).where(User.username.in_(["classteacher", "deputy"]))).all():  # type: ignore[attr-defined]
            user.language = "ky"
            s.add(user)


def _open_group_journal(page: Page, class_name: str, subject: str = SUBJECT_KY) -> None:
    page.goto("/journal")
    expect(page.get_by_test_id("pick-class")).to_be_visible()
    page.get_by_test_id("pick-class").click()
    page.get_by_role("option", name=class_name, exact=True).click()
    page.get_by_test_id("pick-subject").click()
    page.get_by_role("option", name=re.compile(re.escape(subject) + r" · .* 1 — ")).click()
    expect(page.get_by_test_id("journal-heading")).to_contain_text(subject)


def test_class_teacher_splits_and_the_group_journal_lists_only_its_members(
    page: Page,
    browser,
    app_url,
    server_db: str,  # noqa: F811
    english_in_groups,
):
    ids = english_in_groups
    shots = _shots()
    # Before the split the group's journal lists nobody and says who splits the class.
    sign_in(page, "deputy")
    _open_group_journal(page, ids["class_name"])
    expect(page.get_by_test_id("needs-split")).to_be_visible()
    page.screenshot(path=str(shots / "journal-needs-split-1280-ky.png"), full_page=True)
    expect(page.get_by_test_id("grade-grid")).to_have_count(0)  # no empty grid under the notice

    # The class teacher finds the screen in her sidebar, cuts the list in halves and saves.
    ct_context = browser.new_context(viewport=DESKTOP, base_url=app_url, locale="ky-KG")
    ct = ct_context.new_page()
    ct.set_default_timeout(20000)
    sign_in(ct, "classteacher")
    ct.get_by_test_id("sidebar").get_by_test_id("nav-subgroups").click()
    expect(ct.get_by_test_id("sg-class")).to_have_text(ids["class_name"])
    ct.get_by_test_id("sg-subject").click()
    ct.get_by_role("option", name=SUBJECT_KY, exact=True).click()
    rows = ct.get_by_test_id("sg-row")
    expect(rows.first).to_be_visible()
    n = rows.count()
    assert n >= 4
    expect(ct.get_by_test_id("sg-save")).to_be_disabled()
    ct.get_by_test_id("sg-halves").click()
    expect(ct.get_by_test_id("sg-dirty")).to_be_visible()
    # The last pupil goes to group 1 by hand as well.
    ct.get_by_test_id(f"sg-row-{n - 1}").get_by_role("radio", name="1", exact=True).click()
    ct.get_by_test_id("sg-save").click()
    expect(ct.get_by_test_id("sg-dirty")).to_have_count(0)
    ct.screenshot(path=str(shots / "subgroups-1280-ky.png"), full_page=True)
    ct.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    expect(ct.get_by_test_id("page-title")).to_have_text("Деление классов на подгруппы")
    ct.screenshot(path=str(shots / "subgroups-1280-ru.png"), full_page=True)
    ct.get_by_test_id("lang-switch").get_by_role("radio", name="КЫР").click()
    expect(ct.get_by_test_id("page-title")).to_have_text("Класстарды топторго бөлүү")
    ct_context.close()

    with db.session(server_db) as s:
        groups = {
            m.pupil_id: m.subgroup
            for m in s.exec(select(SubgroupMember).where(SubgroupMember.subject_id == ids["subject"])).all()
        }
    half = (n + 1) // 2
    assert sorted(groups.values()) == [1] * (half + 1) + [2] * (n - half - 1)
    # The quarter-1 grid lists the members who were in the class during quarter 1: the screen
    # splits today's class, and the demo's book has pupils who arrived after the first quarter.
    starts, ends = ids["term"]
    with db.session(server_db) as s:
        in_term = set(
            s.exec(
                select(Enrollment.pupil_id).where(
                    Enrollment.class_id == ids["class"],
                    Enrollment.starts_on <= ends,
                    or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= starts),  # type: ignore[union-attr]
                )
            ).all()
        )
    group_one_in_term = sum(1 for pupil, group in groups.items() if group == 1 and pupil in in_term)
    assert group_one_in_term >= 1

    # The deputy's group-1 journal now lists exactly its members.
    _open_group_journal(page, ids["class_name"])
    expect(page.get_by_test_id("needs-split")).to_have_count(0)
    grid = page.get_by_test_id("grade-grid")
    expect(grid).to_have_attribute("data-rows", str(group_one_in_term))
    page.screenshot(path=str(shots / "journal-group-1280-ky.png"), full_page=True)

    # The same screens on a phone, in Kyrgyz and Russian.
    phone_context = browser.new_context(viewport=PHONE, base_url=app_url, is_mobile=True, has_touch=True)
    phone = phone_context.new_page()
    phone.set_default_timeout(20000)
    sign_in(phone, "classteacher")
    phone.goto("/subgroups")
    phone.get_by_test_id("sg-subject").click()
    phone.get_by_role("option", name=SUBJECT_KY, exact=True).click()
    expect(phone.get_by_test_id("sg-row").first).to_be_visible()
    phone.screenshot(path=str(shots / "subgroups-375-ky.png"), full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, width  # nothing pushes the page sideways on a phone
    phone.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    expect(phone.get_by_test_id("page-title")).to_have_text("Деление классов на подгруппы")
    phone.screenshot(path=str(shots / "subgroups-375-ru.png"), full_page=True)
    phone.get_by_test_id("lang-switch").get_by_role("radio", name="КЫР").click()
    expect(phone.get_by_test_id("page-title")).to_have_text("Класстарды топторго бөлүү")  # saved before we move on
    _open_group_journal(phone, ids["class_name"])
    expect(phone.get_by_test_id("grade-grid")).to_have_attribute("data-rows", str(group_one_in_term))
    phone.screenshot(path=str(shots / "journal-group-375-ky.png"), full_page=True)
    phone.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    expect(phone.get_by_test_id("page-title")).to_have_text("Классный журнал")  # saved before we move on
    _open_group_journal(phone, ids["class_name"], "Английский (группы)")  # the heading is made in the page's language
    phone.screenshot(path=str(shots / "journal-group-375-ru.png"), full_page=True)
    phone.get_by_test_id("lang-switch").get_by_role("radio", name="КЫР").click()
    expect(phone.get_by_test_id("page-title")).to_have_text("Класстык журнал")
    phone_context.close()
