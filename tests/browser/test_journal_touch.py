"""The journal on a phone with a touch screen: taps only, never a keyboard (Playwright has_touch, 375 px).

The teacher opens the journal (it opens at today's lesson), taps a cell and the mark pad to fill a
lesson's marks and absences, changes one, undoes one; the database then holds exactly those values.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AcademicYear, Attendance, AuditEvent, Lesson, Mark, SchoolClass, Subject, User
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
        today = date.today()
        cls = s.exec(  # this year's class (the demo keeps last year's classes as history)
            select(SchoolClass)
            .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)  # type: ignore[arg-type]
            .where(SchoolClass.grade == int(grade), SchoolClass.letter == letter)
            .where(AcademicYear.starts_on <= today, AcademicYear.ends_on >= today)
        ).one()
        subject = s.exec(select(Subject).where(Subject.name_ky == subject_name)).one()
        ctx = school_service.context(s, principal, date.today())
        term_id = ctx["term_id"] or journal.year_terms(s, cls.academic_year_id)[0].id
        return journal.grid(s, principal, cls.id, subject.id, term_id)  # type: ignore[arg-type]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _marks(s, lesson_id: int, pupils: list[int]) -> dict[tuple[int, str], int]:
    found = s.exec(select(Mark).where(Mark.lesson_id == lesson_id, Mark.pupil_id.in_(pupils))).all()  # type: ignore[attr-defined]
    return {(m.pupil_id, m.kind): m.value for m in found}


def _marks_before(g: journal.Grid, rows: list[int], lesson_id: int) -> dict[tuple[int, str], int]:
    """The marks of those cells as the grid read them when the page opened (nothing new arrived)."""
    return {
        (g.pupils[r].id, kind): value
        for r in rows
        for kind, (value, _v) in g.cell(g.pupils[r].id, lesson_id).marks.items()
    }


def pad(page: Page, key: str):
    return page.get_by_test_id("mark-pad").locator(f'button[data-key="{key}"]')


def markable_row(page: Page, n_rows: int, col: int) -> int:
    """The first row of column `col` the pupil is in class for and not marked absent or late."""
    return next(
        r
        for r in range(n_rows)
        if grid_cell(page, r, col).get_attribute("data-off") != "1"
        and not set(grid_cell(page, r, col).inner_text()) & set("нбуп")
    )


def tap_a_mark_and_see_it_saved(page: Page, server_db: str, g: journal.Grid, row: int, col: int) -> None:  # noqa: F811
    """Tap cell (row, col) and a mark other than the one it holds on the pad; it shows as saved, and
    the database holds it."""
    cell = grid_cell(page, row, col)
    mark = "4" if cell.inner_text().strip() == "5" else "5"
    cell.tap()
    pad(page, mark).tap()
    expect(cell).to_have_text(mark)
    expect(cell).to_have_class(re.compile(r"\bok\b"))
    with db.session(server_db) as s:
        assert _marks(s, g.lessons[col].id, [g.pupils[row].id])[(g.pupils[row].id, "class")] == int(mark)


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
    # The quarter's first week is out of sight. With one lesson a week the grid scrolls it under the sticky
    # column of names, still inside the grid's box (so "not in viewport" cannot tell): it waits for the
    # first column's right edge to pass under the names' right edge.
    phone.wait_for_function(
        """() => {
            const grid = document.querySelector('[data-testid="grade-grid"]');
            const names = grid && grid.querySelector("tbody th.nm");
            const first = grid && grid.querySelector('td[data-r="0"][data-c="0"]');
            return !!(names && first)
                && first.getBoundingClientRect().right <= names.getBoundingClientRect().right + 0.5;
        }""",
        timeout=15_000,
    )
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
    # The same screen in Russian (a tap on the language switch): the pad and the grid stay.
    phone.get_by_test_id("lang-switch").get_by_role("radio", name="РУС").tap()
    expect(phone.get_by_test_id("page-title")).to_have_text("Классный журнал")
    expect(phone.get_by_test_id("mark-pad")).to_be_visible()
    phone.screenshot(path=str(_shot_dir() / "journal-phone-ru.png"))

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


def test_marks_typed_offline_wait_survive_a_reload_and_are_sent_once(phone: Page, server_db: str):  # noqa: F811
    sign_in(phone, "teacher")
    n_rows, _cols = open_journal(phone)
    g = journal_on_screen(phone, server_db, "teacher")
    col = journal.lesson_of_day(g.lessons, date.today()) - 1  # the lesson before: the other test used today's
    # Five pupils who were there (a mark goes only to a pupil not marked absent).
    rows = [
        r
        for r in range(n_rows)
        if grid_cell(phone, r, col).get_attribute("data-off") != "1"
        and not set(grid_cell(phone, r, col).inner_text()) & set("нбуп")
    ][-5:]
    assert len(rows) == 5
    lesson_id = g.lessons[col].id
    pupils = [g.pupils[r].id for r in rows]
    # What the five cells hold now, and the marks the teacher will type over them (a different one each).
    before = {r: grid_cell(phone, r, col).inner_text().strip() for r in rows}
    typed = {r: ("5" if before[r] != "5" else "4") for r in rows}
    phone.get_by_test_id("lesson-head").nth(col).tap()

    phone.context.set_offline(True)
    typed_from = _utc_now()
    for r in rows:
        grid_cell(phone, r, col).tap()
        pad(phone, typed[r]).tap()
        expect(grid_cell(phone, r, col)).to_have_attribute("data-wait", typed[r])  # shown «waiting»
    expect(phone.get_by_test_id("outbox-status")).to_be_visible()
    with db.session(server_db) as s:  # nothing reached the server
        assert _marks(s, lesson_id, pupils) == _marks_before(g, rows, lesson_id)
    phone.screenshot(path=str(_shot_dir() / "journal-phone-offline.png"))
    typed_to = _utc_now()
    # A reload while the network is down: the browser cannot load the page at all ...
    with pytest.raises(PlaywrightError):
        phone.reload()
    # ... the network comes back and the teacher opens the journal again: the kept marks are sent.
    phone.context.set_offline(False)
    arrived_from = _utc_now()
    open_journal(phone)
    for r in rows:
        expect(grid_cell(phone, r, col)).not_to_have_attribute("data-wait", re.compile(".*"))
        expect(grid_cell(phone, r, col)).to_contain_text(typed[r])
    expect(phone.get_by_test_id("outbox-status")).to_be_hidden()
    assert phone.evaluate("localStorage.getItem('bbbms.journal.outbox')") == "[]"
    arrived_to = _utc_now()
    with db.session(server_db) as s:
        marks = _marks(s, lesson_id, pupils)
        rows_audit = s.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "lesson",
                AuditEvent.entity_id == lesson_id,
                AuditEvent.pupil_id.in_(pupils),  # type: ignore[union-attr]
                AuditEvent.reason.like("offline %"),  # type: ignore[attr-defined]
            )
        ).all()
    for r, pid in zip(rows, pupils, strict=True):
        assert marks[(pid, "class")] == int(typed[r])
    # Audited once per cell, with when it was typed (in the reason) and when it arrived (the row's time).
    assert sorted(a.pupil_id for a in rows_audit) == sorted(pupils)
    for a in rows_audit:
        typed_at = datetime.fromisoformat(a.reason.split(" typed ")[1])
        assert typed_from - timedelta(seconds=2) <= typed_at <= typed_to + timedelta(seconds=2)
        arrived = a.at if a.at.tzinfo else a.at.replace(tzinfo=UTC)
        assert arrived_from - timedelta(seconds=2) <= arrived <= arrived_to + timedelta(seconds=2)
        assert arrived > typed_at


def test_a_dropped_socket_comes_back_with_the_tabs_own_states_and_the_journal_goes_on(
    phone: Page,
    server_db: str,  # noqa: F811
):
    """A phone's websocket drops (a weak connection) while the journal is open; Reflex connects again
    by itself and hydrates the tab: the snapshot then carries the states the tab made (the journal's
    grid with them), not the app's ~50 others the browser holds at their defaults since its first
    connect — in one worker's memory; with Redis (a district) it is Reflex's own, every state
    (bbbms_app/tab_states.py). The journal takes the next tap's mark, and another page opens from
    the menu."""
    sockets: list = []  # the page's side of each websocket
    sent: list[list[str]] = []  # what the server sent, per socket

    def route(ws):
        server = ws.connect_to_server()
        frames: list[str] = []
        sent.append(frames)
        sockets.append(ws)

        def forward(message):
            frames.append(message if isinstance(message, str) else message.decode(errors="replace"))
            ws.send(message)

        server.on_message(forward)

    phone.route_web_socket(re.compile(r".*/_event/.*"), route)
    sign_in(phone, "teacher")
    n_rows, _cols = open_journal(phone)
    g = journal_on_screen(phone, server_db, "teacher")
    col = journal.lesson_of_day(g.lessons, date.today())
    row = markable_row(phone, n_rows, col)
    dropped = len(sockets)
    sockets[-1].close()  # the network drops the socket (both ends see it close)
    deadline = datetime.now(UTC) + timedelta(seconds=30)
    while not any("delta" in frame for frame in (sent[-1] if len(sent) > dropped else [])):
        assert datetime.now(UTC) < deadline, "the socket did not come back"
        phone.wait_for_timeout(200)
    frame = next(frame for frame in sent[-1] if "delta" in frame)
    delta = json.loads(frame[frame.index("[") :])[1]["delta"]  # a socket.io frame: 42/_event,["event", {…}]
    # The reconnect's snapshot: the journal's grid with the tab's other states, not the ~50 states of
    # pages the teacher never opened (Reflex's snapshot of a reconnect holds every state of the app).
    journal_state = next(name for name in delta if name.endswith("journal_state"))
    assert delta[journal_state]["n_rows_rx_state_"] == n_rows
    never_opened = any(name.endswith(("pupil_admin_state", "quiz_state")) for name in delta)
    if os.environ.get("BBBMS_TEST_REDIS_URL"):
        assert never_opened and len(delta) >= 50  # Reflex's snapshot of every state
    else:
        assert not never_opened and len(delta) <= 12, sorted(delta)

    # The journal goes on: a tap and a mark, saved.
    tap_a_mark_and_see_it_saved(phone, server_db, g, row, col)
    # Another page opens from the menu, with its own state.
    phone.get_by_test_id("menu-button").tap()
    phone.get_by_test_id("mobile-menu").get_by_test_id("nav-timetable").tap()
    expect(phone.get_by_test_id("page-title")).to_have_text("Сабак жадыбалы")
    phone.screenshot(path=str(_shot_dir() / "journal-phone-reconnected.png"))
