"""A substitute teacher in real Chromium: from his week on /timetable to the lesson he taught, and only that one."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import Lesson, Mark, SchoolClass, Subject, TeachingAssignment, Term, User
from bbbms_app.services import accounts, journal
from tests.browser.conftest import PHONE
from tests.browser.test_journal import (
    grid_cell,
    server_db,  # noqa: F401  (fixture)
)
from tests.browser.test_shell import sign_in
from tests.browser.test_subgroups import _shots

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)


@pytest.fixture
def substitution(server_db: str):  # noqa: F811
    """The demo teacher stands in for a colleague at one lesson of his last school day, in a class he does not teach."""
    with db.session(server_db) as s:
        user = s.exec(select(User).where(User.username == "teacher")).one()
        me = user.staff_id
        mine = set(s.exec(select(TeachingAssignment.class_id).where(TeachingAssignment.teacher_id == me)).all())
        # His last school day up to today (the demo plans the rest of the quarter ahead, empty).
        day = s.exec(
            select(Lesson.date).where(Lesson.teacher_id == me, Lesson.date <= date.today()).order_by(Lesson.date.desc())  # type: ignore[attr-defined]
        ).first()
        busy = set(s.exec(select(Lesson.number).where(Lesson.teacher_id == me, Lesson.date == day)).all())
        marked = set(s.exec(select(SchoolClass.id).where(SchoolClass.grade >= 2)).all())  # first graders get no marks
        lesson = next(
            row
            for row in s.exec(select(Lesson).where(Lesson.date == day, Lesson.subgroup == 0).order_by(Lesson.id)).all()
            if row.class_id not in mine and row.class_id in marked and row.number not in busy and not row.cancelled
        )
        original = lesson.teacher_id
        lesson.teacher_id = me  # type: ignore[assignment]
        s.add(lesson)
        s.flush()
        director = accounts.principal_for(s.exec(select(User).where(User.username == "director")).one(), session=s)
        g = journal.grid(s, director, lesson.class_id, lesson.subject_id, lesson.term_id)
        column = [x.id for x in g.lessons].index(lesson.id)  # type: ignore[arg-type]
        other = 0 if column else 1
        rows = [
            i
            for i, p in enumerate(g.pupils)
            if not g.cell(p.id, lesson.id).text() and not g.cell(p.id, g.lessons[other].id).text()  # type: ignore[arg-type]
        ]
        cls = s.get(SchoolClass, lesson.class_id)
        subject = s.get(Subject, lesson.subject_id)
        term = s.get(Term, lesson.term_id)
        facts = {
            "lesson": lesson.id,
            "class_name": f"{cls.grade}-{cls.letter}",  # type: ignore[union-attr]
            "subject": subject.name_ky,  # type: ignore[union-attr]
            "date": f"{day:%d.%m}",  # type: ignore[str-format]
            "column": column,
            "other": other,
            "other_lesson": g.lessons[other].id,
            "row": rows[0],
            "pupil": g.pupils[rows[0]].id,
            "term": term.id,  # type: ignore[union-attr]
        }
    yield facts
    with db.session(server_db) as s:
        for mark in s.exec(select(Mark).where(Mark.lesson_id == facts["lesson"], Mark.pupil_id == facts["pupil"])):
            s.delete(mark)
        row = s.get(Lesson, facts["lesson"])
        row.teacher_id = original  # type: ignore[union-attr]
        s.add(row)
        # The account's language goes back to Kyrgyz even if the test stopped halfway (other tests expect it).
        user = s.exec(select(User).where(User.username == "teacher")).one()
        user.language = "ky"
        s.add(user)


def test_a_substitute_opens_his_lesson_from_his_week_and_writes_only_it(
    page: Page,
    browser,
    app_url,
    server_db: str,  # noqa: F811
    substitution,
):
    f = substitution
    shots = _shots()
    sign_in(page, "teacher")
    page.goto("/timetable")
    card = page.get_by_test_id("tt-lesson").filter(has_text=f["class_name"]).filter(has_text=f["subject"])
    expect(card.first).to_be_visible()
    card.first.get_by_test_id("tt-journal").click()
    expect(page).to_have_url(re.compile(rf"/journal\?lesson={f['lesson']}$"))
    expect(page.get_by_test_id("journal-heading")).to_contain_text(f"{f['class_name']} · {f['subject']}")
    expect(page.get_by_test_id("substitute-notice")).to_contain_text(f["date"])
    expect(page.get_by_test_id("lesson-panel")).to_contain_text(f["date"])
    # His column takes a mark; a colleague's column does not.
    grid_cell(page, f["row"], f["column"]).focus()
    page.keyboard.press("5")
    expect(grid_cell(page, f["row"], f["column"])).to_have_text("5")
    expect(grid_cell(page, f["row"], f["column"])).to_have_class(re.compile(r"\bok\b"))
    grid_cell(page, f["row"], f["other"]).focus()
    page.keyboard.press("4")
    expect(page.get_by_text(re.compile("Бул сабакты сиз өткөргөн эмессиз")).first).to_be_visible()
    expect(grid_cell(page, f["row"], f["other"])).to_have_text("")
    page.screenshot(path=str(shots / "journal-substitute-1280-ky.png"), full_page=True)
    with db.session(server_db) as s:
        assert s.exec(select(Mark).where(Mark.lesson_id == f["lesson"], Mark.pupil_id == f["pupil"])).one().value == 5
        assert s.exec(select(Mark).where(Mark.lesson_id == f["other_lesson"], Mark.pupil_id == f["pupil"])).all() == []

    # The same screen on a phone in Russian.
    context = browser.new_context(viewport=PHONE, base_url=app_url, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.set_default_timeout(20000)
    sign_in(phone, "teacher")
    phone.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    expect(phone.get_by_test_id("page-title")).to_have_text("Главная")  # the choice is saved before we move on
    phone.goto(f"/journal?lesson={f['lesson']}")
    expect(phone.get_by_test_id("substitute-notice")).to_contain_text("на замене")
    phone.screenshot(path=str(shots / "journal-substitute-375-ru.png"), full_page=True)
    phone.get_by_test_id("lang-switch").get_by_role("radio", name="КЫР").click()
    expect(phone.get_by_test_id("page-title")).to_have_text("Класстык журнал")
    context.close()
