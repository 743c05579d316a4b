"""/timetable: the weekly grid. The deputy director edits a class's cells; teachers see their week and
cancel or add lessons; pupils and parents see the class's timetable. Days × lesson numbers on a desktop,
one card per day on a phone.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
from datetime import date, timedelta

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.date_input import date_input
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import LANGUAGES, t, translations
from bbbms_app.services import school as school_service
from bbbms_app.services import timetable
from bbbms_app.services.access import Principal
from bbbms_app.services.errors import OutOfScope

MAX_TEXT = 300
log = logging.getLogger(__name__)
DAY_NAMES = [translations(f"tt.day.{d}") for d in range(1, 6)]


def _int(value: object, lo: int, hi: int) -> int | None:
    """A bounded integer from what a browser sent, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) < 12:
        number = int(value.strip())
    else:
        return None
    return number if lo <= number <= hi else None


def _iso(value: object) -> date | None:
    """A date from the date field (dd.mm.yyyy, components/date_input.py) or state (yyyy-mm-dd)."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    if value[2:3] == "." and value[5:6] == ".":
        value = f"{value[6:]}-{value[3:5]}-{value[:2]}"
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _term_options(terms) -> list[dict[str, str]]:
    return [
        {"id": str(term.id)} | {f"label_{lang}": t(f"term.{term.kind}", lang, number=term.number) for lang in LANGUAGES}
        for term in terms
    ]


def _week_dict(week: timetable.Week) -> dict:
    return {"rows": week.rows, "cells": week.cells, "days": week.days, "clashes": week.clashes, "slots": week.slots}


class TimetableState(rx.State):
    """The grid on screen, what it shows (my week, a class, a child) and the cell editor."""

    mode: str = ""  # "staff", "family" or "" (nothing to show)
    can_edit: bool = False
    view: str = ""  # "me" or a class id (staff); a pupil id (family)
    has_own_week: bool = False
    class_options: list[dict[str, str]] = []
    children: list[dict[str, str]] = []
    terms: list[dict[str, str]] = []
    term_id: str = ""
    on: str = ""  # the timetable in force on this date is shown; edits take effect from it
    term_start: str = ""
    term_end: str = ""
    rows: list[dict[str, str]] = []
    cells: list[list[dict[str, str]]] = []
    days: list[list[dict[str, str]]] = []
    clashes: int = 0
    slots: int = 0
    # the cell editor
    edit_open: bool = False
    edit_day: str = ""
    edit_index: int = 0  # the day's position in DAY_NAMES, for the dialog's title
    edit_number: str = ""
    choices: list[dict[str, str]] = []
    edit_choice: str = ""
    edit_room: str = ""
    edit_error: str = ""
    notice: dict[str, str] = {}  # what the last generation did, per language
    # lesson generation, a background task
    generating: bool = False
    generate_progress: dict[str, str] = {}
    generate_error: dict[str, str] = {}

    # -- loading -------------------------------------------------------------------------

    def _show(self, week: dict) -> None:
        self.rows, self.cells, self.days = week["rows"], week["cells"], week["days"]
        self.clashes, self.slots = week["clashes"], week["slots"]

    def _fetch_staff(self, principal: Principal) -> None:
        on = _iso(self.on) or date.today()
        with db.session() as s:
            if self.view == "me" and principal.staff_id is not None:
                week = timetable.teacher_week(s, principal, principal.staff_id, on)
            elif self.view.isdigit():
                week = timetable.class_week(s, principal, int(self.view), on, editable=self.can_edit)
            else:
                week = timetable.Week()
        self._show(_week_dict(week))

    def _pick_term(self, terms, term_id: int | None) -> None:
        chosen = next((term for term in terms if term.id == term_id), None) or (terms[0] if terms else None)
        self.term_id = str(chosen.id) if chosen else ""
        self.term_start = chosen.starts_on.isoformat() if chosen else ""
        self.term_end = chosen.ends_on.isoformat() if chosen else ""
        self.on = timetable.term_day(chosen, date.today()).isoformat() if chosen else date.today().isoformat()

    @rx.event
    @requires("signed_in")
    def open(self):
        """on_load: only chooses the view the role has (staff or family); each loader checks its own right."""
        principal = current()
        if principal.can("timetable.read"):
            return TimetableState.load_staff
        if principal.can("own.read"):
            return TimetableState.load_family
        self.mode = ""
        return None

    @rx.event
    @requires("timetable.read")
    def load_staff(self):
        principal = current()
        today = date.today()
        with db.session() as s:
            ctx = school_service.context(s, principal, today)
            terms = timetable.year_terms(s, ctx["year_id"])
            self.class_options = timetable.readable_classes(s, principal, ctx["year_id"])
            self.has_own_week = principal.staff_id is not None and bool(
                timetable.teacher_assignments(s, principal, ctx["year_id"])
            )
        self.mode = "staff"
        self.can_edit = principal.can("timetable.write")
        self.terms = _term_options(terms)
        self._pick_term(terms, ctx["term_id"])
        ids = {o["id"] for o in self.class_options}
        if self.view not in ids and not (self.view == "me" and self.has_own_week):
            if self.has_own_week and not self.can_edit:
                self.view = "me"
            else:
                self.view = self.class_options[0]["id"] if self.class_options else ""
        self.edit_open = False
        self._fetch_staff(principal)
        if principal.can("journal.write") and principal.staff_id is not None:
            return MyLessonsState.load
        return None

    @rx.event
    @requires("timetable.read")
    def choose_view(self, value: str):
        if value == "me" and self.has_own_week:
            self.view = "me"
        elif (chosen := inputs.offered(value, self.class_options)) is not None:
            self.view = chosen
        else:
            return None
        self._fetch_staff(current())
        return None

    @rx.event
    @requires("timetable.read")
    def choose_term(self, value: str):
        term_id = _int(value, 1, 2**31 - 1)
        if term_id is None or str(term_id) not in {o["id"] for o in self.terms}:
            return None
        principal = current()
        with db.session() as s:
            ctx = school_service.context(s, principal, date.today())
            terms = timetable.year_terms(s, ctx["year_id"])
        self._pick_term(terms, term_id)
        self._fetch_staff(principal)
        return None

    @rx.event
    @requires("timetable.read")
    def set_on(self, value: str):
        day = _iso(value)
        start, end = _iso(self.term_start), _iso(self.term_end)
        if day is None or start is None or end is None or not start <= day <= end:
            return None
        self.on = day.isoformat()
        self._fetch_staff(current())
        return None

    def _fetch_family(self, principal: Principal, pupil_id: int) -> dict:
        today = date.today()
        with db.session() as s:
            ctx = school_service.context(s, principal, today)
            terms = timetable.year_terms(s, ctx["year_id"])
            term = next((term for term in terms if term.id == ctx["term_id"]), None)
            on = timetable.term_day(term, today) if term else today
            # The child must be the parent's own (or the pupil himself): a forged id stops here.
            if str(pupil_id) not in {c["id"] for c in school_service.own_children(s, principal, today)}:
                raise OutOfScope(f"pupil {pupil_id}")
            class_id = timetable.pupil_class_on(s, pupil_id, on)
            if class_id is None:
                return _week_dict(timetable.Week())
            return _week_dict(timetable.class_week(s, principal, class_id, on))

    @rx.event
    @requires("own.read")
    def load_family(self):
        principal = current()
        with db.session() as s:
            self.children = school_service.own_children(s, principal, date.today())
        self.mode = "family"
        self.can_edit = False
        ids = [c["id"] for c in self.children]
        if self.view not in ids:
            self.view = ids[0] if ids else ""
        self._show(_week_dict(timetable.Week()) if not self.view else self._fetch_family(principal, int(self.view)))

    @rx.event
    @requires("own.read")
    def choose_child(self, value: str | list[str]):
        pupil_id = _int(value, 1, 2**31 - 1) if isinstance(value, str) else None
        if pupil_id is None:
            return None
        week = self._fetch_family(current(), pupil_id)
        self.view = str(pupil_id)
        self._show(week)
        return None

    # -- the cell editor (deputy director) ----------------------------------------------

    @rx.event
    @requires("timetable.write")
    def open_cell(self, day: str, number: str):
        weekday, lesson = _int(day, 1, 5), _int(number, 0, timetable.MAX_NUMBER)
        if weekday is None or lesson is None or not self.view.isdigit():
            return None
        principal = current()
        on = _iso(self.on) or date.today()
        with db.session() as s:
            self.choices = timetable.class_choices(s, principal, int(self.view))
            now = timetable.cell_now(s, int(self.view), weekday, lesson, on)
        self.edit_day, self.edit_index, self.edit_number = str(weekday), weekday - 1, str(lesson)
        self.edit_choice, self.edit_room = now["assignment"], now["room"]
        self.edit_error = ""
        self.edit_open = True
        return None

    @rx.event
    @requires("timetable.write")
    def set_choice(self, value: str):
        value = inputs.offered(value, self.choices)
        if value is not None:
            self.edit_choice = value

    @rx.event
    @requires("timetable.write")
    def set_room(self, value: str):
        self.edit_room = str(value)[: timetable.MAX_ROOM]

    @rx.event
    @requires("timetable.write")
    def toggle_cell(self, is_open: bool):
        if not is_open:
            self.edit_open = False
            self.edit_error = ""

    def _cell_args(self) -> dict | None:
        weekday, lesson = _int(self.edit_day, 1, 5), _int(self.edit_number, 0, timetable.MAX_NUMBER)
        class_id, term_id = _int(self.view, 1, 2**31 - 1), _int(self.term_id, 1, 2**31 - 1)
        on = _iso(self.on)
        if None in (weekday, lesson, class_id, term_id, on):
            return None
        return {"class_id": class_id, "term_id": term_id, "weekday": weekday, "number": lesson, "effective_from": on}

    def _after_write(self, principal: Principal, key: str):
        self.edit_open = False
        self.edit_error = ""
        self._fetch_staff(principal)
        return rx.toast.success(t(key, principal.language))

    @rx.event
    @requires("timetable.write")
    def save_cell(self):
        principal = current()
        args = self._cell_args()
        assignment = _int(self.edit_choice, 1, 2**31 - 1)
        if args is None or assignment is None:
            self.edit_error = t("tt.pick_choice", principal.language)
            return None
        try:
            with db.session(write=True) as s:
                slot = timetable.place(s, principal, assignment_id=assignment, room=self.edit_room, **args)
        except timetable.TimetableError as exc:
            self.edit_error = exc.message(principal.language)
            return rx.toast.error(self.edit_error)
        return self._after_write(principal, "tt.saved" if slot is not None else "tt.unchanged")

    @rx.event
    @requires("timetable.write")
    def clear_cell(self):
        principal = current()
        args = self._cell_args()
        if args is None:
            return None
        try:
            with db.session(write=True) as s:
                timetable.clear(s, principal, **args)
        except timetable.TimetableError as exc:
            self.edit_error = exc.message(principal.language)
            return rx.toast.error(self.edit_error)
        return self._after_write(principal, "tt.cleared")

    @rx.event(background=True)
    @requires("timetable.write")
    async def generate(self):
        """Generate the chosen term's lessons from the timetable without holding the worker (DESIGN
        §6.4): the work runs in a thread, the tab shows how many lessons are written, then the result
        (in all three languages, so the language switch follows it). A second start while one runs (a
        double click, another tab, another deputy on this worker) is refused; the guard has already
        checked timetable.write, the service checks the term's school."""
        principal = current()
        lang = principal.language
        refused = False
        async with self:
            term_id = _int(self.term_id, 1, 2**31 - 1)
            from_date = _iso(self.on)
            if term_id is None:
                return
            if self.generating or not _claim_term(term_id):
                refused = True
            else:
                self.generating = True
                self.generate_error = {}
                self.notice = {}
                self.generate_progress = translations("tt.generating", done=0, total="…")
        if refused:
            yield rx.toast.warning(t("tt.generate_busy", lang))  # outside the lock: a yield there holds the state
            return
        counter = {"done": 0, "total": 0}

        def work() -> timetable.Generation:
            with db.session(write=True) as s:
                return timetable.generate_lessons(
                    s,
                    principal,
                    term_id,
                    from_date=from_date,
                    progress=lambda done, total: counter.update(done=done, total=total),
                )

        outcome: timetable.Generation | None = None
        error: dict[str, str] = {}
        try:
            task = asyncio.ensure_future(asyncio.to_thread(work))
            while not task.done():
                await asyncio.sleep(0.3)
                async with self:
                    total = counter["total"] or "…"
                    self.generate_progress = translations("tt.generating", done=counter["done"], total=total)
            try:
                outcome = task.result()
            except timetable.OutOfScope:
                raise  # not a failure of the generator: the guard audits and answers it
            except timetable.TimetableError as exc:
                error = {code: exc.message(code) for code in LANGUAGES}
            except Exception:
                log.exception("generating the lessons of term %s failed", term_id)
                error = translations("tt.generate_failed")
        finally:
            _release_term(term_id)
            async with self:
                self.generating = False
                self.generate_progress = {}
                self.generate_error = error
                if outcome is not None:
                    self.notice = translations("tt.generate_result", **dataclasses.asdict(outcome))
        if error:
            yield rx.toast.error(error[lang])
        elif outcome is not None:
            yield rx.toast.success(t("tt.generate_result", lang, **dataclasses.asdict(outcome)))


# Terms whose lessons this worker is generating now: a second start of the same term waits its turn.
_GENERATING: set[int] = set()
_GENERATING_LOCK = threading.Lock()


def _claim_term(term_id: int) -> bool:
    with _GENERATING_LOCK:
        if term_id in _GENERATING:
            return False
        _GENERATING.add(term_id)
        return True


def _release_term(term_id: int) -> None:
    with _GENERATING_LOCK:
        _GENERATING.discard(term_id)


class MyLessonsState(rx.State):
    """A teacher's dated lessons of one week: cancel or restore one, add an extra lesson."""

    monday: str = ""
    week_label: str = ""
    lessons: list[dict[str, str]] = []
    assignments: list[dict[str, str]] = []
    # cancelling
    cancel_open: bool = False
    cancel_id: str = ""
    cancel_reason: str = ""
    # an extra lesson
    add_open: bool = False
    add_assignment: str = ""
    add_date: str = ""
    add_number: str = "1"
    add_topic: str = ""
    add_error: str = ""

    def _fetch(self, principal: Principal) -> None:
        monday = _iso(self.monday) or timetable.monday_of(date.today())
        with db.session() as s:
            self.lessons = timetable.teacher_lessons(s, principal, monday)
        self.week_label = f"{monday:%d.%m} – {monday + timedelta(days=4):%d.%m.%Y}"

    @rx.event
    @requires("journal.write")
    def load(self):
        principal = current()
        today = date.today()
        with db.session() as s:
            ctx = school_service.context(s, principal, today)
            self.assignments = timetable.teacher_assignments(s, principal, ctx["year_id"])
            if not self.monday:
                self.monday = timetable.default_teacher_monday(s, principal, today).isoformat()
        self._fetch(principal)

    def _move(self, days: int) -> None:
        monday = _iso(self.monday) or timetable.monday_of(date.today())
        moved = monday + timedelta(days=days)
        if date(2000, 1, 3) <= moved <= date(2100, 1, 1):
            self.monday = moved.isoformat()
        self._fetch(current())

    @rx.event
    @requires("journal.write")
    def prev_week(self):
        self._move(-7)

    @rx.event
    @requires("journal.write")
    def next_week(self):
        self._move(7)

    # -- cancelling one of his lessons --------------------------------------------------

    @rx.event
    @requires("journal.write")
    def ask_cancel(self, lesson_id: str):
        if _int(lesson_id, 1, 2**31 - 1) is None:
            return
        self.cancel_id = str(lesson_id)
        self.cancel_reason = ""
        self.cancel_open = True

    @rx.event
    @requires("journal.write")
    def set_cancel_reason(self, value: str):
        self.cancel_reason = str(value)[:MAX_TEXT]

    @rx.event
    @requires("journal.write")
    def toggle_cancel(self, is_open: bool):
        if not is_open:
            self.cancel_open = False

    @rx.event
    @requires("journal.write")
    def confirm_cancel(self):
        principal = current()
        lesson_id = _int(self.cancel_id, 1, 2**31 - 1)
        if lesson_id is None:
            return None
        try:
            with db.session(write=True) as s:
                timetable.cancel_lesson(s, principal, lesson_id, self.cancel_reason)
        except timetable.TimetableError as exc:
            return rx.toast.error(exc.message(principal.language))
        self.cancel_open = False
        self._fetch(principal)
        return rx.toast.success(t("tt.lesson_cancelled", principal.language))

    @rx.event
    @requires("journal.write")
    def restore(self, lesson_id: str):
        principal = current()
        lesson = _int(lesson_id, 1, 2**31 - 1)
        if lesson is None:
            return None
        try:
            with db.session(write=True) as s:
                timetable.restore_lesson(s, principal, lesson)
        except timetable.TimetableError as exc:
            return rx.toast.error(exc.message(principal.language))
        self._fetch(principal)
        return rx.toast.success(t("tt.lesson_restored", principal.language))

    # -- an extra lesson ----------------------------------------------------------------

    @rx.event
    @requires("journal.write")
    def open_add(self):
        self.add_error = ""
        self.add_topic = ""
        self.add_assignment = self.add_assignment or (self.assignments[0]["id"] if self.assignments else "")
        self.add_date = self.add_date or self.monday
        self.add_open = True

    @rx.event
    @requires("journal.write")
    def toggle_add(self, is_open: bool):
        if not is_open:
            self.add_open = False

    @rx.event
    @requires("journal.write")
    def set_add_assignment(self, value: str):
        value = inputs.offered(value, self.assignments)
        if value is not None:
            self.add_assignment = value

    @rx.event
    @requires("journal.write")
    def set_add_date(self, value: str):
        day = _iso(value)
        if day is not None:
            self.add_date = day.isoformat()

    @rx.event
    @requires("journal.write")
    def set_add_number(self, value: str):
        if _int(value, 0, timetable.MAX_NUMBER) is not None:
            self.add_number = str(value).strip()

    @rx.event
    @requires("journal.write")
    def set_add_topic(self, value: str):
        self.add_topic = str(value)[:MAX_TEXT]

    @rx.event
    @requires("journal.write")
    def submit_add(self):
        principal = current()
        assignment = _int(self.add_assignment, 1, 2**31 - 1)
        on = _iso(self.add_date)
        number = _int(self.add_number, 0, timetable.MAX_NUMBER)
        if assignment is None or on is None or number is None:
            self.add_error = t("error.invalid", principal.language, field=t("tt.class_subject", principal.language))
            return None
        try:
            with db.session(write=True) as s:
                timetable.add_lesson(s, principal, assignment_id=assignment, on=on, number=number, topic=self.add_topic)
        except timetable.TimetableError as exc:
            self.add_error = exc.message(principal.language)
            return rx.toast.error(self.add_error)
        self.add_open = False
        self.monday = timetable.monday_of(on).isoformat()
        self._fetch(principal)
        return rx.toast.success(t("tt.lesson_added", principal.language))


# ---------------------------------------------------------------------------------------------
# Components
# ---------------------------------------------------------------------------------------------


def _in_lang(row: rx.Var, prefix: str) -> rx.Var:
    return rx.match(AuthState.lang, ("ru", row[f"{prefix}_ru"]), ("en", row[f"{prefix}_en"]), row[f"{prefix}_ky"])


def _day_name(index: rx.Var) -> rx.Var:
    return rx.Var.create(DAY_NAMES).to(list)[index].to(dict)[AuthState.lang].to(str)


def _cell_body(cell: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(_in_lang(cell, "subject"), weight="medium", size="2", line_height="1.2"),
        rx.text(cell["detail"], size="1", color_scheme="gray", line_height="1.2"),
        spacing="1",
        align="start",
        width="100%",
    )


def _cell(cell: rx.Var) -> rx.Component:
    clash = cell["clash"] == "1"
    style = {
        "padding": "6px 8px",
        "border_radius": "6px",
        "min_height": "44px",
        "width": "100%",
        "background": rx.cond(clash, rx.color("red", 3), "transparent"),
        "border": rx.cond(clash, f"1px solid {rx.color('red', 8)}", "1px solid transparent"),
    }
    testid = f"tt-cell-{cell['day']}-{cell['number']}"
    shown = rx.cond(cell["empty"] == "1", rx.fragment(), _cell_body(cell))
    editable = rx.box(
        rx.cond(cell["empty"] == "1", rx.icon("plus", size=14, color=rx.color("gray", 8)), _cell_body(cell)),
        cursor="pointer",
        _hover={"background": rx.color("accent", 3)},
        on_click=TimetableState.open_cell(cell["day"], cell["number"]),  # type: ignore[call-arg]
        data_testid=testid,
        **style,
    )
    # Only an editor's cells send events: a click elsewhere must not knock on a refused handler.
    return rx.table.cell(
        rx.cond(TimetableState.can_edit, editable, rx.box(shown, data_testid=testid, **style)),
        padding="2px",
        vertical_align="top",
    )


def _row_head(row: rx.Var) -> rx.Component:
    return rx.table.row_header_cell(
        rx.vstack(
            rx.text(row["number"], weight="bold", size="2"),
            rx.text(row["time"], size="1", color_scheme="gray", white_space="nowrap"),
            rx.cond(
                row["shift"] != "",
                rx.badge(tr("tt.shift_n").replace("{shift}", row["shift"]), size="1", variant="soft"),  # type: ignore[attr-defined]
            ),
            spacing="0",
        ),
        width="72px",
    )


def _grid() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(tr("tt.number"), width="72px"),
                    *[rx.table.column_header_cell(tr(f"tt.day.{d}")) for d in range(1, 6)],
                )
            ),
            rx.table.body(
                rx.foreach(
                    TimetableState.rows,
                    lambda row, i: rx.table.row(_row_head(row), rx.foreach(TimetableState.cells[i], _cell)),
                )
            ),
            variant="surface",
            size="1",
            width="100%",
            layout="fixed",
            data_testid="tt-grid",
        ),
        display=["none", "none", "block"],
        width="100%",
        overflow_x="auto",
    )


def _day_line(cell: rx.Var) -> rx.Component:
    clash = cell["clash"] == "1"
    content = [
        rx.vstack(
            rx.text(cell["number"], weight="bold", size="2"),
            rx.text(cell["time"], size="1", color_scheme="gray", white_space="nowrap"),
            spacing="0",
            min_width="78px",
        ),
        rx.cond(cell["empty"] == "1", rx.icon("plus", size=14, color=rx.color("gray", 8)), _cell_body(cell)),
    ]
    style = {
        "align": "center",
        "spacing": "3",
        "width": "100%",
        "padding": "8px",
        "border_radius": "6px",
        "background": rx.cond(clash, rx.color("red", 3), "transparent"),
        "border_bottom": f"1px solid {rx.color('gray', 4)}",
    }
    testid = f"tt-line-{cell['day']}-{cell['number']}"
    return rx.cond(
        TimetableState.can_edit,
        rx.hstack(
            *content,
            cursor="pointer",
            on_click=TimetableState.open_cell(cell["day"], cell["number"]),  # type: ignore[call-arg]
            data_testid=testid,
            **style,
        ),
        rx.hstack(*content, data_testid=testid, **style),
    )


def _day_cards() -> rx.Component:
    return rx.vstack(
        rx.foreach(
            TimetableState.days,
            lambda items, i: rx.cond(
                items.length() > 0,  # type: ignore[attr-defined]
                rx.card(
                    rx.vstack(
                        rx.heading(_day_name(i), size="3"),
                        rx.foreach(items, _day_line),
                        spacing="1",
                        width="100%",
                    ),
                    width="100%",
                ),
            ),
        ),
        display=["flex", "flex", "none"],
        spacing="3",
        width="100%",
        data_testid="tt-days",
    )


def _label(option: rx.Var) -> rx.Var:
    return _in_lang(option, "label")


def _staff_controls() -> rx.Component:
    return rx.flex(
        rx.select.root(
            rx.select.trigger(
                placeholder=tr("tt.show"),
                min_width="160px",
                data_testid="tt-view",
            ),
            rx.select.content(
                rx.cond(TimetableState.has_own_week, rx.select.item(tr("tt.my_week"), value="me")),
                rx.foreach(TimetableState.class_options, lambda o: rx.select.item(o["name"], value=o["id"])),
            ),
            value=TimetableState.view,
            on_change=TimetableState.choose_view,
        ),
        rx.select.root(
            rx.select.trigger(placeholder=tr("tt.term"), data_testid="tt-term"),
            rx.select.content(rx.foreach(TimetableState.terms, lambda o: rx.select.item(_label(o), value=o["id"]))),
            value=TimetableState.term_id,
            on_change=TimetableState.choose_term,
        ),
        rx.cond(
            TimetableState.can_edit & (TimetableState.view != "me"),
            rx.hstack(
                rx.text(tr("tt.effective_from"), size="2", color_scheme="gray"),
                date_input(TimetableState.on, TimetableState.set_on, testid="tt-on", width="9em"),
                align="center",
                spacing="2",
            ),
        ),
        rx.cond(
            TimetableState.can_edit,
            rx.button(
                rx.cond(TimetableState.generating, rx.spinner(size="2"), rx.icon("calendar-plus", size=16)),
                tr("tt.generate"),
                on_click=TimetableState.generate,
                disabled=TimetableState.generating,
                variant="soft",
                data_testid="tt-generate",
            ),
        ),
        rx.cond(
            TimetableState.can_edit,
            rx.hstack(
                rx.link(
                    rx.hstack(rx.icon("bell", size=14), tr("admin.bells"), spacing="1", align="center"),
                    href="/admin/bells",
                    size="2",
                ),
                rx.link(
                    rx.hstack(rx.icon("calendar-off", size=14), tr("admin.holidays"), spacing="1", align="center"),
                    href="/admin/holidays",
                    size="2",
                ),
                spacing="4",
                align="center",
                data_testid="tt-calendar-links",
            ),
        ),
        gap="8px",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _in_lang_text(texts: rx.Var) -> rx.Var:
    return rx.match(AuthState.lang, ("ru", texts["ru"]), ("en", texts["en"]), texts["ky"])


def _generation_status() -> rx.Component:
    """While lessons are generated: how far it is; then what it did (or why it did nothing)."""
    return rx.fragment(
        _status(TimetableState.generating, TimetableState.generate_progress, "loader", "blue", "tt-generating"),
        _status(TimetableState.notice.length() > 0, TimetableState.notice, "circle-check", "green", "tt-notice"),  # type: ignore[attr-defined]
        _status(
            TimetableState.generate_error.length() > 0,  # type: ignore[attr-defined]
            TimetableState.generate_error,
            "triangle-alert",
            "red",
            "tt-generate-error",
        ),
    )


def _status(shown: rx.Var, texts: rx.Var, icon: str, color: str, testid: str) -> rx.Component:
    """One line of the generation's status, in the tab's language."""
    return rx.cond(
        shown,
        rx.callout(_in_lang_text(texts), icon=icon, color_scheme=color, size="1", width="100%", data_testid=testid),
    )


def _family_controls() -> rx.Component:
    return rx.cond(
        TimetableState.children.length() > 1,  # type: ignore[attr-defined]
        rx.segmented_control.root(
            rx.foreach(TimetableState.children, lambda c: rx.segmented_control.item(c["name"], value=c["id"])),
            value=TimetableState.view,
            on_change=TimetableState.choose_child,
            data_testid="tt-child-switch",
        ),
    )


def _editor() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                _day_name(TimetableState.edit_index),
                ", ",
                tr("tt.lesson_n").replace("{number}", TimetableState.edit_number),  # type: ignore[attr-defined]
            ),
            rx.vstack(
                rx.text(tr("tt.choice"), size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(placeholder=tr("tt.pick_choice"), width="100%", data_testid="tt-choice"),
                    rx.select.content(
                        rx.foreach(TimetableState.choices, lambda o: rx.select.item(_label(o), value=o["id"]))
                    ),
                    value=TimetableState.edit_choice,
                    on_change=TimetableState.set_choice,
                ),
                rx.text(tr("tt.room"), size="2", weight="medium"),
                rx.input(
                    # Sent when the field is left (a click on the button leaves it first): no race
                    # between a debounced keystroke and the save. The dialog mounts afresh each time.
                    default_value=TimetableState.edit_room,
                    on_blur=TimetableState.set_room,
                    max_length=20,
                    width="100%",
                    data_testid="tt-room",
                ),
                rx.text(tr("tt.effective_from"), ": ", TimetableState.on, size="1", color_scheme="gray"),
                rx.cond(
                    TimetableState.edit_error != "",
                    rx.callout(
                        TimetableState.edit_error,
                        icon="triangle-alert",
                        color_scheme="red",
                        width="100%",
                        data_testid="tt-edit-error",
                    ),
                ),
                rx.flex(
                    rx.button(tr("tt.save"), on_click=TimetableState.save_cell, data_testid="tt-save"),
                    rx.button(
                        tr("tt.clear"),
                        on_click=TimetableState.clear_cell,
                        color_scheme="red",
                        variant="soft",
                        data_testid="tt-clear",
                    ),
                    rx.dialog.close(rx.button(tr("tt.close"), variant="soft", color_scheme="gray")),
                    gap="8px",
                    wrap="wrap",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="440px",
        ),
        open=TimetableState.edit_open,
        on_open_change=TimetableState.toggle_cell,
    )


def _lesson_row(lesson: rx.Var) -> rx.Component:
    cancelled = lesson["cancelled"] == "1"
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    rx.text(_in_lang(lesson, "day"), weight="medium", size="2"),
                    rx.badge(lesson["number"], variant="outline"),
                    rx.text(lesson["time"], size="1", color_scheme="gray"),
                    rx.cond(lesson["extra"] == "1", rx.badge(tr("tt.extra"), color_scheme="blue")),
                    rx.cond(cancelled, rx.badge(tr("tt.cancelled"), color_scheme="red")),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.text(
                    lesson["class_name"],
                    " · ",
                    _in_lang(lesson, "subject"),
                    size="2",
                    text_decoration=rx.cond(cancelled, "line-through", "none"),
                ),
                rx.cond(lesson["topic"] != "", rx.text(lesson["topic"], size="1", color_scheme="gray")),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            # Straight to this lesson's column of the journal (a substitution's too).
            rx.cond(
                cancelled,
                rx.fragment(),
                rx.link(
                    rx.button(rx.icon("book-marked", size=14), tr("nav.journal"), size="1", variant="soft"),
                    href="/journal?lesson=" + lesson["id"].to(str),
                    data_testid="tt-journal",
                ),
            ),
            rx.cond(
                lesson["locked"] == "1",
                rx.fragment(),
                rx.cond(
                    cancelled,
                    rx.button(
                        tr("tt.restore_lesson"),
                        on_click=MyLessonsState.restore(lesson["id"]),  # type: ignore[call-arg]
                        size="1",
                        variant="soft",
                        data_testid="tt-restore",
                    ),
                    rx.button(
                        tr("tt.cancel_lesson"),
                        on_click=MyLessonsState.ask_cancel(lesson["id"]),  # type: ignore[call-arg]
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        data_testid="tt-cancel",
                    ),
                ),
            ),
            gap="8px",
            align="center",
            width="100%",
        ),
        width="100%",
        data_testid="tt-lesson",
    )


def _cancel_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("tt.cancel_lesson")),
            rx.vstack(
                rx.text(tr("tt.reason"), size="2"),
                rx.input(
                    # Sent when the field is left (a click on the button leaves it first): no race
                    # between a debounced keystroke and the save. The dialog mounts afresh each time.
                    default_value=MyLessonsState.cancel_reason,
                    on_blur=MyLessonsState.set_cancel_reason,
                    max_length=MAX_TEXT,
                    width="100%",
                    data_testid="tt-cancel-reason",
                ),
                rx.flex(
                    rx.button(
                        tr("tt.cancel_lesson"),
                        on_click=MyLessonsState.confirm_cancel,
                        color_scheme="red",
                        data_testid="tt-cancel-confirm",
                    ),
                    rx.dialog.close(rx.button(tr("tt.close"), variant="soft", color_scheme="gray")),
                    gap="8px",
                ),
                spacing="3",
            ),
            max_width="420px",
        ),
        open=MyLessonsState.cancel_open,
        on_open_change=MyLessonsState.toggle_cancel,
    )


def _add_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("tt.add_lesson")),
            rx.vstack(
                rx.text(tr("tt.class_subject"), size="2"),
                rx.select.root(
                    rx.select.trigger(width="100%", data_testid="tt-add-assignment"),
                    rx.select.content(
                        rx.foreach(MyLessonsState.assignments, lambda o: rx.select.item(_label(o), value=o["id"]))
                    ),
                    value=MyLessonsState.add_assignment,
                    on_change=MyLessonsState.set_add_assignment,
                ),
                rx.hstack(
                    rx.vstack(
                        rx.text(tr("tt.date"), size="2"),
                        date_input(MyLessonsState.add_date, MyLessonsState.set_add_date, testid="tt-add-date"),
                        spacing="1",
                    ),
                    rx.vstack(
                        rx.text(tr("tt.number"), size="2"),
                        rx.input(
                            type="number",
                            min=0,
                            max=12,
                            value=MyLessonsState.add_number,
                            on_change=MyLessonsState.set_add_number,
                            width="72px",
                            data_testid="tt-add-number",
                        ),
                        spacing="1",
                    ),
                    spacing="3",
                ),
                rx.text(tr("tt.topic"), size="2"),
                rx.input(
                    # Sent when the field is left (a click on the button leaves it first): no race
                    # between a debounced keystroke and the save. The dialog mounts afresh each time.
                    default_value=MyLessonsState.add_topic,
                    on_blur=MyLessonsState.set_add_topic,
                    max_length=MAX_TEXT,
                    width="100%",
                    data_testid="tt-add-topic",
                ),
                rx.cond(
                    MyLessonsState.add_error != "",
                    rx.callout(MyLessonsState.add_error, icon="triangle-alert", color_scheme="red", width="100%"),
                ),
                rx.flex(
                    rx.button(tr("tt.add"), on_click=MyLessonsState.submit_add, data_testid="tt-add-submit"),
                    rx.dialog.close(rx.button(tr("tt.close"), variant="soft", color_scheme="gray")),
                    gap="8px",
                ),
                spacing="2",
                width="100%",
            ),
            max_width="440px",
        ),
        open=MyLessonsState.add_open,
        on_open_change=MyLessonsState.toggle_add,
    )


def _my_lessons() -> rx.Component:
    # Only for someone who teaches: a director holds journal.write but may have no class of his own.
    return rx.cond(
        AuthState.perms.contains("journal.write") & (MyLessonsState.assignments.length() > 0),  # type: ignore[attr-defined]
        rx.vstack(
            rx.flex(
                rx.heading(tr("tt.week_lessons"), size="4"),
                rx.spacer(),
                rx.button(
                    rx.icon("plus", size=16),
                    tr("tt.add_lesson"),
                    on_click=MyLessonsState.open_add,
                    variant="soft",
                    data_testid="tt-add-open",
                ),
                width="100%",
                align="center",
                gap="8px",
                wrap="wrap",
            ),
            rx.hstack(
                rx.icon_button(
                    rx.icon("chevron-left"),
                    on_click=MyLessonsState.prev_week,
                    variant="soft",
                    aria_label="prev",
                    data_testid="tt-prev-week",
                ),
                rx.text(MyLessonsState.week_label, weight="medium", data_testid="tt-week-label"),
                rx.icon_button(
                    rx.icon("chevron-right"),
                    on_click=MyLessonsState.next_week,
                    variant="soft",
                    aria_label="next",
                    data_testid="tt-next-week",
                ),
                align="center",
                spacing="3",
            ),
            rx.cond(
                MyLessonsState.lessons.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(rx.foreach(MyLessonsState.lessons, _lesson_row), spacing="2", width="100%"),
                rx.callout(tr("tt.no_lessons_week"), icon="info", color_scheme="gray", width="100%"),
            ),
            _cancel_dialog(),
            _add_dialog(),
            spacing="3",
            width="100%",
            margin_top="16px",
        ),
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.match(
            TimetableState.mode,
            ("staff", _staff_controls()),
            ("family", _family_controls()),
            rx.fragment(),
        ),
        _generation_status(),
        rx.cond(
            TimetableState.can_edit & (TimetableState.view != "me"),
            rx.text(tr("tt.edit_hint"), size="2", color_scheme="gray"),
        ),
        rx.cond(
            TimetableState.clashes > 0,
            rx.callout(tr("tt.clash_hint"), icon="triangle-alert", color_scheme="red", size="1", width="100%"),
        ),
        rx.cond(
            (TimetableState.slots > 0) | (TimetableState.can_edit & (TimetableState.rows.length() > 0)),  # type: ignore[attr-defined]
            rx.fragment(_grid(), _day_cards()),
            rx.callout(tr("tt.empty"), icon="info", color_scheme="gray", width="100%", data_testid="tt-empty"),
        ),
        rx.cond(
            TimetableState.mode == "family",
            rx.link(tr("nav.diary"), href="/diary", data_testid="tt-to-diary"),
        ),
        _editor(),
        _my_lessons(),
        spacing="3",
        width="100%",
    )


timetable_page = page_shell("nav.timetable", _body)
