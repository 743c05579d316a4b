"""The journal on a phone with a touch screen: taps only, never a keyboard (Playwright has_touch, 375 px).

The teacher opens the journal (it opens at today's lesson), taps a cell and the mark pad to fill a
lesson's marks and absences, changes one, undoes one; the database then holds exactly those values.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import Attendance, Lesson, Mark, SchoolClass, Subject, User
from bbbms_app.services import accounts, journal
from bbbms_app.services import school as school_service
from tests.browser.test_journal import _shot_dir, grid_cell, open_journal, server_db  # noqa: F401  (a fixture)
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)


def journal_on_screen(page: Page, server_db: str, username: str) -> journal.Grid:  # noqa: F811
    """The grid the page shows, read by the service from the server's database (class, subject, term)."""
    heading = page.get_by_test_id("journal-heading").inner_text()
    class_name, subject_name = heading.split(" · ")[:2]
    grade, letter = class_name.split("-")
    with db.session(server_db) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        principal = accounts.principal_for(user, session=s)
        cls = s.exec(select(SchoolClass).where(SchoolClass.grade == int(grade), SchoolClass.letter == letter)).one()
        subject = s.exec(select(Subject).where(Subject.name_ky == subject_name)).one()
        ctx = school_service.context(s, principal, date.today())
        term_id = ctx["term_id"] or journal.year_terms(s, cls.academic_year_id)[0].id
        return journal.grid(s, principal, cls.id, subject.id, term_id)  # type: ignore[arg-type]


def pad(page: Page, key: str):
    return page.get_by_test_id("mark-pad").locator(f'button[data-key="{key}"]')


def test_teacher_fills_a_lesson_with_taps_on_a_phone(phone: Page, server_db: str):  # noqa: F811
    sign_in(phone, "teacher")
    n_rows, n_cols = open_journal(phone)
    g = journal_on_screen(phone, server_db, "teacher")
    # It opens at today's lesson (or the last one before today), scrolled into view, not the quarter's first week.
    col = journal.lesson_of_day(g.lessons, date.today())
    assert col > 0 and n_cols == len(g.lessons)
    head = phone.get_by_test_id("lesson-head").nth(col)
    expect(head).to_have_class(re.compile(r"\bsel\b"))
    expect(grid_cell(phone, 0, col)).to_be_in_viewport()
    expect(grid_cell(phone, 0, 0)).not_to_be_in_viewport()
    expect(phone.get_by_test_id("mark-pad")).to_be_visible()

    rows = [r for r in range(n_rows) if grid_cell(phone, r, col).get_attribute("data-off") != "1"][:5]
    assert len(rows) == 5

    # Empty the five cells first: tap the cell, then ⌫ on the pad until nothing is left (one item a tap).
    for r in rows:
        cell = grid_cell(phone, r, col)
        cell.tap()
        for _ in range(4):
            before = cell.inner_text()
            if not before.strip():
                break
            pad(phone, "clear").tap()
            expect(cell).not_to_have_text(before)
        expect(cell).to_have_text("")
    # A mark, a mark, absent, ill: after each tap the cursor moves down the column by itself.
    grid_cell(phone, rows[0], col).tap()
    for key in ("5", "4", "н", "б"):
        pad(phone, key).tap()
    for r, text in zip(rows, ("5", "4", "н", "б"), strict=False):
        expect(grid_cell(phone, r, col)).to_have_text(text)
        expect(grid_cell(phone, r, col)).to_have_class(re.compile(r"\bok\b"))
    # Change one (5 → 3), enter a 2 for the fifth pupil and take it back with the pad's undo.
    grid_cell(phone, rows[0], col).tap()
    pad(phone, "3").tap()
    expect(grid_cell(phone, rows[0], col)).to_have_text("3")
    grid_cell(phone, rows[4], col).tap()
    pad(phone, "2").tap()
    expect(grid_cell(phone, rows[4], col)).to_have_text("2")
    pad(phone, "undo").tap()
    expect(grid_cell(phone, rows[4], col)).to_have_text("")
    phone.screenshot(path=str(_shot_dir() / "journal-phone-taps.png"))

    # The database holds exactly what was tapped.
    lesson_id = g.lessons[col].id
    pupils = [g.pupils[r].id for r in rows]
    with db.session(server_db) as s:
        lesson = s.get(Lesson, lesson_id)
        assert lesson is not None
        marks = {
            (m.pupil_id, m.kind): m.value
            for m in s.exec(select(Mark).where(Mark.lesson_id == lesson_id, Mark.pupil_id.in_(pupils))).all()  # type: ignore[attr-defined]
        }
        codes = {
            a.pupil_id: a.code
            for a in s.exec(
                select(Attendance).where(Attendance.lesson_id == lesson_id, Attendance.pupil_id.in_(pupils))  # type: ignore[attr-defined]
            ).all()
        }
    assert marks == {(pupils[0], "class"): 3, (pupils[1], "class"): 4}
    assert codes == {pupils[2]: "н", pupils[3]: "б"}
