"""The class journal in real Chromium: keyboard entry on a phone, the policy's suggestion, a closed term, scope."""

from __future__ import annotations

import os
import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import make_url
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AcademicYear, SchoolClass, Subject, User
from bbbms_app.services import accounts, journal
from bbbms_app.services import school as school_service
from tests.browser.test_shell import sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)  # two shared cores: a save or a reload may take a few seconds under load


@pytest.fixture(scope="module")
def server_db(app_url, tmp_path_factory) -> str:
    """The URL of the database the browser's server runs on (made by tests/browser/conftest.py)."""
    pg = os.environ.get("BBBMS_TEST_DATABASE_URL", "").replace("postgresql://", "postgresql+psycopg://")
    if pg:
        url = make_url(pg)
        return url.set(database=f"{url.database}_browser").render_as_string(hide_password=False)
    found = sorted(tmp_path_factory.getbasetemp().glob("browser*/bbbms.db"))
    assert found, "the browser server's database file"
    return f"sqlite:///{found[-1]}"


def grid_cell(page: Page, r: int, c: int):
    return page.get_by_test_id("grade-grid").locator(f'td[data-r="{r}"][data-c="{c}"]')


def focused(page: Page) -> str:
    """ "row:column" of the focused grid cell."""
    return page.evaluate("(() => { const d = document.activeElement?.dataset || {}; return d.r + ':' + d.c; })()")


def open_journal(page: Page) -> tuple[int, int]:
    page.goto("/journal")
    grid = page.get_by_test_id("grade-grid")
    expect(grid).to_be_visible()
    expect(grid.locator("td[data-r]").first).to_be_visible()
    return int(grid.get_attribute("data-rows") or 0), int(grid.get_attribute("data-cols") or 0)


def test_teacher_fills_a_lesson_with_the_keyboard_on_a_phone(phone: Page):
    sign_in(phone, "teacher")
    rows, cols = open_journal(phone)
    # The journal opens today's quarter, filled up to yesterday: a few weeks of lessons at least.
    assert rows >= 4 and cols >= 3
    last = cols - 1
    # Keyboard only from here on: the cursor starts in the first cell, End jumps to the last lesson.
    grid_cell(phone, 0, 0).focus()
    phone.keyboard.press("End")
    assert focused(phone) == f"0:{last}"
    # Empty the first four cells of the column (Backspace takes one entry at a time), going down.
    for r in range(4):
        for _ in range(3):
            phone.keyboard.press("Backspace")
        expect(grid_cell(phone, r, last)).to_have_text("")
        phone.keyboard.press("ArrowDown")
    for _ in range(4):
        phone.keyboard.press("ArrowUp")
    assert focused(phone) == f"0:{last}"
    # A mark, a mark, absent, ill: the cursor walks down the column by itself (n and b are the Latin keys
    # for н and б).
    for key in ("5", "4", "n", "b"):
        phone.keyboard.press(key)
    for r, text in enumerate(("5", "4", "н", "б")):
        expect(grid_cell(phone, r, last)).to_have_text(text)
        expect(grid_cell(phone, r, last)).to_have_class(re.compile(r"\bok\b"))  # saved, shown green
    assert focused(phone) == f"4:{last}"
    # A Kyrgyz keyboard sends «у» itself (Playwright's keyboard has no Cyrillic keys, so the key event is sent
    # as the browser would): excused instead of ill.
    grid_cell(phone, 3, last).focus()
    grid_cell(phone, 3, last).dispatch_event("keydown", {"key": "у", "bubbles": True})
    expect(grid_cell(phone, 3, last)).to_have_text("у")
    # Undo (Ctrl+Z) brings «б» back; arrows, Tab and Enter only move.
    phone.keyboard.press("Control+z")
    expect(grid_cell(phone, 3, last)).to_have_text("б")
    assert focused(phone) == f"4:{last}"  # «у» moved the cursor on, as every entry does
    phone.keyboard.press("Enter")
    assert focused(phone) == f"{min(5, rows - 1)}:{last}"
    # The grid scrolls sideways under a sticky first column: the names stay at the left edge.
    wrap = phone.locator(".jg-wrap")
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    name = phone.locator(".jg tbody th.nm").first
    assert abs(name.bounding_box()["x"] - wrap.bounding_box()["x"]) < 3
    assert wrap.evaluate("w => w.scrollLeft") > 0
    # Saved for real: opened again, the column is as typed.
    phone.goto("/")
    open_journal(phone)
    for r, text in enumerate(("5", "4", "н", "б")):
        expect(grid_cell(phone, r, last)).to_have_text(text)
    phone.screenshot(path=str(_shot_dir() / "journal-phone.png"))


def _shot_dir():
    from pathlib import Path

    out = Path(os.environ.get("BBBMS_SCREENSHOTS", "/tmp/bbbms-screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def _expected_suggestions(server_db: str, heading: str, names: list[str]) -> dict[str, tuple[str, str]]:
    """(suggestion, average) per pupil name, computed by the service on the server's database."""
    class_name, subject_name = heading.split(" · ")[:2]
    grade, letter = class_name.split("-")
    with db.session(server_db) as s:
        user = s.exec(select(User).where(User.username == "teacher")).one()
        principal = accounts.principal_for(user, session=s)
        cls = s.exec(
            select(SchoolClass)
            .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)  # type: ignore[arg-type]
            .where(SchoolClass.grade == int(grade), SchoolClass.letter == letter, AcademicYear.is_current)
        ).one()
        subject = s.exec(select(Subject).where(Subject.name_ky == subject_name.split(" · ")[0])).one()
        # The journal opened today's quarter (the demo lives in today's year).
        year = s.get(AcademicYear, cls.academic_year_id)
        term = school_service.current_term(s, year, date.today())  # type: ignore[arg-type]
        assert term is not None
        g = journal.grid(s, principal, cls.id, subject.id, term.id)  # type: ignore[arg-type]
    out = {}
    for pupil in g.pupils:
        if pupil.name in names:
            sug = g.period[pupil.id].suggestion
            avg = "" if sug.average is None else f"{sug.average:g}".replace(".", ",")
            out[pupil.name] = (sug.text, avg)
    return out


def test_a_lessons_topic_and_homework_are_saved_and_shown_in_the_list_and_the_column_head(page: Page):
    """The lesson panel at 1280 px: a head picks the lesson, its topic and homework are saved, the
    topics list and the head's tooltip («date — topic») show them at once and after a reload; the
    same screen in Russian, and on a phone."""
    sign_in(page, "teacher")
    _rows, cols = open_journal(page)
    col = cols - 2  # a lesson given already: the journal opens at today's
    head = page.get_by_test_id("lesson-head").nth(col)
    head.click()
    expect(head).to_have_class(re.compile(r"\bsel\b"))
    topic, homework = "Бөлчөктөрдү кошуу", "§12, 3–5-көнүгүүлөр"
    page.get_by_test_id("topic-input").fill(topic)
    page.get_by_test_id("homework-input").fill(homework)
    page.get_by_test_id("save-lesson").click()
    listed = page.get_by_test_id("topics-table").locator("tbody tr").nth(col)
    expect(listed).to_contain_text(topic)
    expect(listed).to_contain_text(homework)
    day = listed.locator("td").first.inner_text().strip()
    assert re.fullmatch(r"\d\d\.\d\d", day), day
    expect(head).to_have_attribute("title", f"{day} — {topic}")
    page.screenshot(path=str(_shot_dir() / "journal-topic-ky.png"), full_page=True)
    page.reload()
    expect(page.get_by_test_id("lesson-head").nth(col)).to_have_attribute("title", f"{day} — {topic}")
    page.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Классный журнал")
    expect(page.get_by_test_id("topics-table").locator("tbody tr").nth(col)).to_contain_text(topic)
    page.screenshot(path=str(_shot_dir() / "journal-topic-ru.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 740})
    page.get_by_test_id("lesson-head").nth(col).click()
    expect(page.get_by_test_id("topic-input")).to_have_value(topic)
    page.screenshot(path=str(_shot_dir() / "journal-topic-375-ru.png"), full_page=True)


def test_quarter_suggestion_follows_the_policy_and_is_confirmed(page: Page, server_db: str):
    sign_in(page, "teacher")
    rows, cols = open_journal(page)
    heading = page.get_by_test_id("journal-heading").inner_text()
    names = [page.locator(".jg tbody th.nm").nth(r).get_attribute("title") or "" for r in range(rows)]
    period = page.get_by_test_id("period-cell")

    def check() -> None:
        want = _expected_suggestions(server_db, heading, names)
        for r, name in enumerate(names):
            sug, avg = want[name]
            cell = period.nth(r)
            expect(cell.locator(".av")).to_have_text(avg)
            if cell.locator(".v").count() == 0:
                expect(cell.locator(".s")).to_have_text(sug)

    check()
    # At 1280 px no pupil's name is cut off (the name column takes the width it needs, up to 320 px).
    cut = page.evaluate(
        "Array.from(document.querySelectorAll('.jg tbody th.nm')).filter(th => th.scrollWidth > th.clientWidth)"
        ".map(th => th.title)"
    )
    assert cut == []
    # Three more marks for the second pupil in the last lessons: the suggestion moves with them.
    grid_cell(page, 1, cols - 3).focus()
    for c in range(cols - 3, cols):
        grid_cell(page, 1, c).focus()
        page.keyboard.press("Backspace")
        page.keyboard.press("Backspace")
        page.keyboard.press("5")
        expect(grid_cell(page, 1, c)).to_contain_text("5")
    check()
    sug_text = period.nth(1).locator(".s").inner_text()
    assert sug_text in {"5", "4", "3", "2", "н/а"}
    # Enter on the period cell opens the dialog; the teacher confirms the suggestion.
    period.nth(1).focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_test_id("period-dialog")
    expect(dialog).to_be_visible()
    expect(page.get_by_test_id("period-suggestion")).to_contain_text(sug_text)
    page.get_by_test_id("period-confirm").click()
    expect(dialog).to_be_hidden()
    expect(period.nth(1).locator(".v")).to_have_text(sug_text)
    page.screenshot(path=str(_shot_dir() / "journal-desktop.png"))


def test_a_closed_term_refuses_an_edit(browser, app_url):
    teacher = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=app_url).new_page()
    deputy = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=app_url).new_page()
    for pg in (teacher, deputy):
        pg.set_default_timeout(20000)
    try:
        sign_in(teacher, "teacher")
        rows, _cols = open_journal(teacher)
        sign_in(deputy, "deputy")
        open_journal(deputy)
        # Closing asks first: who still lacks a quarter mark, per class and subject, for the chosen scope.
        # (The deputy reads Russian: the check is in her language.)
        deputy.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").click()
        expect(deputy.get_by_test_id("page-title")).to_have_text("Классный журнал")
        deputy.get_by_test_id("close-term").click()
        dialog = deputy.get_by_test_id("close-dialog")
        expect(dialog).to_be_visible()
        expect(deputy.get_by_test_id("closed-notice")).to_have_count(0)  # nothing closed by opening it
        expect(deputy.get_by_test_id("close-summary")).to_contain_text("Будет закрыто классов")
        expect(deputy.get_by_test_id("close-missing-row").first).to_be_visible()
        deputy.screenshot(path=str(_shot_dir() / "journal-close-check-ru.png"))
        deputy.get_by_test_id("close-confirm").click()
        expect(dialog).to_be_hidden()
        expect(deputy.get_by_test_id("closed-notice")).to_be_visible()
        # The teacher's tab was opened before the close: his entry is refused, the cell turns red.
        target = grid_cell(teacher, rows - 1, 0)
        before = target.inner_text()
        target.focus()
        teacher.keyboard.press("4" if before == "5" else "5")
        expect(target).to_have_class(re.compile(r"\berr\b"))
        expect(teacher.get_by_text(re.compile("Чейрек жабылган"))).to_be_visible()
        teacher.goto("/")
        open_journal(teacher)
        expect(teacher.get_by_test_id("closed-notice")).to_be_visible()
        expect(grid_cell(teacher, rows - 1, 0)).to_have_text(before)
        # Read-only now: keys do nothing, and the mark pad and kind picker are gone.
        grid_cell(teacher, rows - 1, 0).focus()
        teacher.keyboard.press("5")
        expect(grid_cell(teacher, rows - 1, 0)).to_have_text(before)
        expect(teacher.get_by_test_id("pick-kind")).to_have_count(0)
    finally:
        deputy.get_by_test_id("correction-reason").fill("Тест аяктады")
        deputy.get_by_test_id("reopen-term").click()  # at once: the reason is sent as the field is left
        expect(deputy.get_by_test_id("closed-notice")).to_have_count(0)
        teacher.context.close()
        deputy.context.close()


def test_another_teachers_journal_cannot_be_opened(page: Page, server_db: str):
    sign_in(page, "teacher")
    open_journal(page)
    page.get_by_test_id("pick-class").click()
    offered = {o.inner_text().strip() for o in page.get_by_role("option").all()}
    page.keyboard.press("Escape")
    with db.session(server_db) as s:
        user = s.exec(select(User).where(User.username == "teacher")).one()
        principal = accounts.principal_for(user, session=s)
        year = s.exec(select(SchoolClass.academic_year_id)).first()
        own = {c["name"] for c in journal.journal_classes(s, principal, year)}
        every = {f"{c.grade}-{c.letter}" for c in s.exec(select(SchoolClass)).all()}
    assert offered == own and own < every  # only the classes he teaches, not the school's
    # The summary sheet is not his either: no link, and the page refuses to load.
    expect(page.get_by_test_id("nav-summary")).to_have_count(0)
    page.goto("/summary")
    expect(page.get_by_text(re.compile("укугуңуз жок")).first).to_be_visible()
    expect(page.get_by_test_id("summary-sheet")).to_have_count(0)
