"""Percentages in the journal of a class assessed by criteria (issue 13), in a real Chromium on the demo
school: the teacher switches the entry to «Пайыз», types a work's result (73) and sees the mark of
the policy's table (4 on the reference 0–39 → 2, 40–64 → 3, 65–84 → 4, 85–100 → 5) with «73%» under
it; the period cell follows as for any mark; 120 and «abc» are refused in the cell with the field's
message and nothing saved. On a phone (375 px, taps only): the pad's digits and ✓, also offline."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import func, select

from bbbms_app import db
from bbbms_app.demo.school import criterion_grades
from bbbms_app.i18n import t
from bbbms_app.models import AcademicYear, AuditEvent, Lesson, Mark, SchoolClass, Staff, User
from bbbms_app.services import accounts, journal
from tests.browser.test_journal import _shot_dir, grid_cell, server_db  # noqa: F401  (a fixture)
from tests.browser.test_journal_touch import pad
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

REFUSED = t("journal.error.percent_range", "ky")  # «Пайыз: 0дөн 100гө чейинки бүтүн сан»


def _criterion_lessons(server_db: str, username: str) -> list[Lesson]:  # noqa: F811
    """The user's lessons held before today in one journal (class × subject) of a grade that this year
    assesses by criteria (the demo's policy: demo.school.criterion_grades), oldest first: the journal
    with the most works the demo wrote as percentages, if he has one."""
    with db.session(server_db) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        staff = s.exec(select(Staff).where(Staff.id == user.staff_id)).one()
        # His school's year: other browser tests add schools (and their years) to the same database.
        year = s.exec(
            select(AcademicYear).where(AcademicYear.is_current, AcademicYear.school_id == staff.school_id)
        ).one()
        grades = criterion_grades(year.starts_on.year)
        rows = s.exec(
            select(Lesson)
            .join(SchoolClass, SchoolClass.id == Lesson.class_id)  # type: ignore[arg-type]
            .where(
                Lesson.teacher_id == staff.id,
                SchoolClass.academic_year_id == year.id,
                SchoolClass.grade.in_(sorted(grades)),  # type: ignore[attr-defined]
                Lesson.date < date.today(),
                Lesson.subgroup == 0,
                Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
            )
            .order_by(Lesson.class_id, Lesson.subject_id, Lesson.date)
        ).all()
        # The journal where the demo wrote the most works as percentages (its tests and control works).
        typed = s.exec(
            select(Lesson.class_id, Lesson.subject_id, func.count())
            .join(Mark, Mark.lesson_id == Lesson.id)  # type: ignore[arg-type]
            .where(Lesson.id.in_([lesson.id for lesson in rows]), Mark.percent.is_not(None))  # type: ignore[attr-defined,union-attr]
            .group_by(Lesson.class_id, Lesson.subject_id)
            .order_by(func.count().desc(), Lesson.class_id, Lesson.subject_id)
        ).first()
    assert rows, f"{username} teaches a criterion grade of {sorted(grades)} in the demo"
    # (a teacher of 1-hour subjects only has no tests there: then his first journal)
    chosen = tuple(typed[:2]) if typed else (rows[0].class_id, rows[0].subject_id)
    return [lesson for lesson in rows if (lesson.class_id, lesson.subject_id) == chosen]


def _open_lesson(page: Page, lesson: Lesson) -> int:
    """Open the journal at `lesson` (the teacher's week links there); its column's index."""
    page.goto(f"/journal?lesson={lesson.id}")
    grid = page.get_by_test_id("grade-grid")
    expect(grid.locator("td[data-r]").first).to_be_visible()
    head = page.locator(f'[data-testid="lesson-head"][data-l="{lesson.id}"]')
    expect(head).to_have_class(re.compile(r"\bsel\b"))
    return int(head.evaluate("h => Array.from(h.parentNode.querySelectorAll('[data-l]')).indexOf(h)"))


def _present_rows(page: Page, col: int, n: int) -> list[int]:
    """`n` rows one under the other whose pupils were in the class that day and are not marked absent."""
    rows = int(page.get_by_test_id("grade-grid").get_attribute("data-rows") or 0)
    ok = [
        grid_cell(page, r, col).get_attribute("data-off") != "1"
        and not set(grid_cell(page, r, col).inner_text()) & set("нбуп")
        for r in range(rows)
    ]
    # Next to each other: after a saved entry the cursor goes to the next row by itself.
    start = next(r for r in range(rows - n + 1) if all(ok[r : r + n]))
    return list(range(start, start + n))


def _pupil_of_row(page: Page, r: int) -> int:
    return int(page.get_by_test_id("grid-row").nth(r).get_attribute("data-p") or 0)


def _mark(server_db: str, lesson_id: int, pupil_id: int, kind: str = "class") -> tuple[int, int | None] | None:  # noqa: F811
    with db.session(server_db) as s:
        m = s.exec(
            select(Mark).where(Mark.lesson_id == lesson_id, Mark.pupil_id == pupil_id, Mark.kind == kind)
        ).first()
        return (m.value, m.percent) if m else None


def _suggestion(server_db: str, username: str, lesson: Lesson, pupil_id: int) -> str:  # noqa: F811
    with db.session(server_db) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        principal = accounts.principal_for(user, session=s)
        g = journal.grid(s, principal, lesson.class_id, lesson.subject_id, lesson.term_id)
        return g.period[pupil_id].suggestion.text


def test_teacher_types_percentages_on_the_desktop(page: Page, server_db: str):  # noqa: F811
    sign_in(page, "teacher")
    lessons = _criterion_lessons(server_db, "teacher")
    lesson = lessons[-3]  # the phone test takes others; the touch tests the last two
    col = _open_lesson(page, lesson)
    expect(page.get_by_test_id("criterion-legend")).to_contain_text("65–84 % → 4")
    page.get_by_test_id("entry-percent").click()
    expect(page.get_by_test_id("grade-grid")).to_have_attribute("data-entry", "percent")
    first, second = _present_rows(page, col, 2)
    p_first, p_second = _pupil_of_row(page, first), _pupil_of_row(page, second)
    before_second = _mark(server_db, lesson.id, p_second)

    cell = grid_cell(page, first, col)
    cell.click()
    page.keyboard.type("73")
    expect(cell).to_have_attribute("data-typing", "73%")  # what is typed shows in the cell
    page.keyboard.press("Enter")
    expect(cell).to_have_class(re.compile(r"\bok\b"))
    expect(cell).to_contain_text("4")
    expect(cell.locator(".pct")).to_have_text("73%")
    assert _mark(server_db, lesson.id, p_first) == (4, 73)
    # The quarter column counts it as any mark: the suggestion the service computes is on the screen.
    period = page.get_by_test_id("grid-row").nth(first).get_by_test_id("period-cell")
    suggestion = _suggestion(server_db, "teacher", lesson, p_first)
    assert suggestion  # a mark or «н/а»: the column shows something to compare
    expect(period).to_contain_text(suggestion)

    # Enter moved the cursor down: 120, then «abc», are refused in the cell with the field named.
    below = grid_cell(page, second, col)
    below.click()
    for typed in ("120", "abc"):
        page.keyboard.type(typed)
        page.keyboard.press("Enter")
        expect(below).to_have_class(re.compile(r"\berr\b"))
        expect(page.locator("[data-sonner-toast]").filter(has_text=REFUSED).first).to_be_visible()
        below.click()
    assert _mark(server_db, lesson.id, p_second) == before_second  # nothing saved
    with db.session(server_db) as s:
        audit = s.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "lesson", AuditEvent.entity_id == lesson.id, AuditEvent.pupil_id == p_first
            )
        ).all()
    assert [a.reason for a in audit if a.field == "mark.class"][-1] == "73 %"
    page.screenshot(path=str(_shot_dir() / "journal-percent-desktop-ky.png"))
    page.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    expect(page.get_by_test_id("pick-entry").get_by_role("radio", name="Процент")).to_be_checked()
    expect(page.get_by_test_id("criterion-legend")).to_contain_text("Критериальное оценивание")
    page.screenshot(path=str(_shot_dir() / "journal-percent-desktop-ru.png"))


def test_teacher_types_percentages_with_taps_on_a_phone_also_offline(phone: Page, server_db: str):  # noqa: F811
    sign_in(phone, "teacher")
    lessons = _criterion_lessons(server_db, "teacher")
    lesson = lessons[-4]
    col = _open_lesson(phone, lesson)
    phone.get_by_test_id("entry-percent").tap()
    expect(pad(phone, "ok")).to_be_visible()
    expect(pad(phone, "н")).to_have_count(0)  # the percent pad: digits, ✓, ⌫, ↶
    rows = _present_rows(phone, col, 3)
    pupils = [_pupil_of_row(phone, r) for r in rows]

    # 8, 8, ✓ → 88 % gives a 5; the cursor goes down; 4, 5, ✓ → 45 % gives a 3.
    grid_cell(phone, rows[0], col).tap()
    for key in ("8", "8", "ok", "4", "5"):
        pad(phone, key).tap()
    expect(grid_cell(phone, rows[1], col)).to_have_attribute("data-typing", "45%")
    pad(phone, "ok").tap()
    for r, (mark, percent) in zip(rows, (("5", "88%"), ("3", "45%")), strict=False):
        expect(grid_cell(phone, r, col)).to_have_class(re.compile(r"\bok\b"))
        expect(grid_cell(phone, r, col)).to_contain_text(mark)
        expect(grid_cell(phone, r, col).locator(".pct")).to_have_text(percent)
    assert _mark(server_db, lesson.id, pupils[0]) == (5, 88)
    assert _mark(server_db, lesson.id, pupils[1]) == (3, 45)
    # 1, 2, 0 is refused (the field named), ⌫ takes a digit back before ✓.
    before = _mark(server_db, lesson.id, pupils[2])
    grid_cell(phone, rows[2], col).tap()
    for key in ("1", "2", "0", "ok"):
        pad(phone, key).tap()
    expect(phone.locator("[data-sonner-toast]").filter(has_text=REFUSED).first).to_be_visible()
    expect(grid_cell(phone, rows[2], col)).to_have_class(re.compile(r"\berr\b"))
    assert _mark(server_db, lesson.id, pupils[2]) == before
    phone.screenshot(path=str(_shot_dir() / "journal-percent-phone-ky.png"))

    # Offline: the percentage waits in the outbox like a mark, shown «61%», and is sent when the network is back.
    phone.context.set_offline(True)
    grid_cell(phone, rows[2], col).tap()
    for key in ("6", "1", "ok"):
        pad(phone, key).tap()
    expect(grid_cell(phone, rows[2], col)).to_have_attribute("data-wait", "61%")
    expect(phone.get_by_test_id("outbox-status")).to_be_visible()
    assert _mark(server_db, lesson.id, pupils[2]) == before
    phone.screenshot(path=str(_shot_dir() / "journal-percent-phone-offline.png"))
    phone.context.set_offline(False)
    expect(grid_cell(phone, rows[2], col).locator(".pct")).to_have_text("61%", timeout=30_000)
    expect(grid_cell(phone, rows[2], col)).to_contain_text("3")
    assert _mark(server_db, lesson.id, pupils[2]) == (3, 61)
    phone.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").tap()
    expect(phone.get_by_test_id("pick-entry").get_by_role("radio", name="Процент")).to_be_checked()
    phone.screenshot(path=str(_shot_dir() / "journal-percent-phone-ru.png"))
