"""/promotion: the year-end wizard (issue 15, item 6) — per class who is promoted, kept in the same
grade or graduates, a preview, one order, then the new year; the undo of such an order by a
correcting one; a whole class moved to another grade in the middle of a year.

The rules are in services/promotion.py; this State holds display-ready rows and the clerk's
choices (pupil id → action), which the service checks again at every preview and at the write.
"""

from __future__ import annotations

import asyncio
from datetime import date

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.date_input import date_input
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import LANGUAGES, format_date, t
from bbbms_app.services import promotion
from bbbms_app.services.engine import listing
from bbbms_app.services.errors import Refused

PERMISSION = "movement.write"
NO_TEACHER = "__none__"


def _typing(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) < 10


class PromotionState(rx.State):
    """The closing year, its classes' preview, the clerk's choices and the order's number and date."""

    year_id: str = ""
    year_label: str = ""
    next_label: str = ""
    classes: list[dict[str, str]] = []
    pupils: list[dict[str, str]] = []  # of the class opened
    opened: str = ""  # the class whose pupils are shown
    opened_name: str = ""
    choices: dict[str, str] = {}  # pupil id → promote / retain / graduate, where not the default
    teachers: dict[str, str] = {}  # old class id → staff id of the new class's class teacher
    teacher_options: list[dict[str, str]] = []
    totals: dict[str, str] = {}  # the counts' line in each UI language (follows a switch at once)
    number: str = ""
    order_date: str = ""  # yyyy-mm-dd
    error: str = ""
    done: str = ""
    # the undo
    orders: list[dict[str, str]] = []
    undo_order: str = ""
    undo_number: str = ""
    undo_date: str = ""
    undo_message: str = ""
    # a class moved mid-year
    move_classes: list[dict[str, str]] = []
    move_class: str = ""
    move_grade: str = ""
    move_day: str = ""
    move_number: str = ""
    move_message: str = ""

    def _preview(self) -> None:
        principal = current()
        self.error = ""
        if not self.year_id:
            self.classes, self.pupils = [], []
            return
        with db.session() as s:
            lines = promotion.preview(s, principal, int(self.year_id), {int(k): v for k, v in self.choices.items()})
        names = {o["id"]: o["label"] for o in self.teacher_options}
        self.classes = [
            {
                "id": str(c.class_id),
                "name": c.name,
                "pupils": str(len(c.pupils)),
                "target": c.target if c.count("promote") else "—",
                "promote": str(c.count("promote")),
                "retain": str(c.count("retain")),
                "graduate": str(c.count("graduate")),
                "teacher": self.teachers.get(str(c.class_id), str(c.teacher_id or NO_TEACHER)),
                "teacher_name": names.get(self.teachers.get(str(c.class_id), str(c.teacher_id or "")), "—"),
            }
            for c in lines
        ]
        totals = {a: sum(c.count(a) for c in lines) for a in promotion.ACTIONS}
        self.totals = {
            code: t(
                "promotion.total",
                code,
                promoted=totals["promote"],
                retained=totals["retain"],
                graduated=totals["graduate"],
            )
            for code in LANGUAGES
        }
        opened = next((c for c in lines if str(c.class_id) == self.opened), None)
        allowed = promotion.actions_for(opened.grade) if opened else ()
        self.opened_name = opened.name if opened else ""
        self.pupils = [
            {
                "id": str(p.pupil_id),
                "name": p.name,
                "action": p.action,
                **{f"can_{a}": "1" if a in allowed else "" for a in promotion.ACTIONS},
            }
            for p in (opened.pupils if opened else [])
        ]

    def _orders(self) -> None:
        principal = current()
        with db.session() as s:
            orders = promotion.year_end_orders(s, principal.school_id or -1)
        lang = principal.language
        self.orders = [
            {"id": str(o.id), "label": t("movement.order_label", lang, number=o.number, date=format_date(o.date, lang))}
            for o in orders
        ]
        if self.undo_order not in {o["id"] for o in self.orders}:
            self.undo_order = self.orders[0]["id"] if self.orders else ""

    @rx.event
    @requires(PERMISSION)
    def load(self):
        principal = current()
        if principal.school_id is None:
            return
        self.done = self.undo_message = self.move_message = ""
        with db.session() as s:
            year = promotion.closing_year(s, principal.school_id, date.today())
            self.teacher_options = listing.picker_options(s, principal, "staff", principal.language)
            self.move_classes = listing.picker_options(s, principal, "schoolclass", principal.language)
            if year is not None:
                name, starts, ends = promotion.next_year_dates(s, year)
                self.year_id = str(year.id)
                self.year_label = year.name
                self.next_label = (
                    f"{name} ({format_date(starts, principal.language)} – {format_date(ends, principal.language)})"
                )
                if not self.order_date:
                    self.order_date = min(year.ends_on, max(date.today(), year.starts_on)).isoformat()
        self.choices, self.teachers, self.opened = {}, {}, ""
        self._preview()
        self._orders()

    @rx.event
    @requires(PERMISSION)
    def open_class(self, class_id: str):
        value = inputs.choice(class_id, [c["id"] for c in self.classes], "class")
        self.opened = "" if value == self.opened else value
        self._preview()

    @rx.event
    @requires(PERMISSION)
    def set_action(self, pupil_id: str, action: str):
        pupil = inputs.choice(pupil_id, [p["id"] for p in self.pupils], "pupil")
        action = inputs.choice(action, promotion.ACTIONS, "action")
        before = dict(self.choices)
        self.choices = {**self.choices, pupil: action}
        try:
            self._preview()
        except Refused:
            self.choices = before
            raise

    @rx.event
    @requires(PERMISSION)
    def set_teacher(self, class_id: str, staff_id: str):
        cls = inputs.choice(class_id, [c["id"] for c in self.classes], "class")
        staff = inputs.choice(staff_id, [NO_TEACHER, *(o["id"] for o in self.teacher_options)], "teacher")
        self.teachers = {**self.teachers, cls: staff}
        self._preview()

    @rx.event
    @requires(PERMISSION)
    def set_number(self, value: str):
        self.number = inputs.text(value, 20, "number")

    @rx.event
    @requires(PERMISSION)
    def set_order_date(self, value: str):
        if _typing(value):
            return
        day = inputs.school_date(value, "date")
        self.order_date = day.isoformat() if day else ""

    @rx.event
    @requires(PERMISSION)
    async def confirm(self):
        """Write the year-end order; the work (one record per pupil of the school) runs in a thread,
        so it holds only this tab, not the server's other users."""
        principal = current()
        lang = principal.language
        self.done = ""
        if not self.year_id or not self.order_date:
            self.error = t("promotion.error.nothing", lang) if not self.year_id else t("admin.error.required", lang)
            return None
        teachers = {int(k): (None if v == NO_TEACHER else int(v)) for k, v in self.teachers.items()}
        year_id, number, day = int(self.year_id), self.number, date.fromisoformat(self.order_date)
        choices = {int(k): v for k, v in self.choices.items()}

        def work() -> promotion.Result:
            with db.session(write=True) as s:
                return promotion.promote(s, principal, year_id, number, day, choices, teachers)

        try:
            result = await asyncio.to_thread(work)
        except Refused as exc:  # shown in place, under the button
            self.error = exc.message(lang)
            return None
        self.done = t(
            "promotion.done",
            lang,
            promoted=result.promoted,
            retained=result.retained,
            graduated=result.graduated,
            classes=result.classes_created,
        )
        self.choices, self.teachers, self.opened, self.number = {}, {}, "", ""
        self._preview()
        self.undo_order = str(result.order_id)  # the one to reverse if it was a mistake
        self._orders()
        return rx.toast.success(self.done)

    # ------------------------------------------------------------------------------ the undo

    @rx.event
    @requires(PERMISSION)
    def set_undo_order(self, value: str):
        self.undo_order = inputs.choice(value, [o["id"] for o in self.orders], "order")

    @rx.event
    @requires(PERMISSION)
    def set_undo_number(self, value: str):
        self.undo_number = inputs.text(value, 20, "number")

    @rx.event
    @requires(PERMISSION)
    def set_undo_date(self, value: str):
        if _typing(value):
            return
        day = inputs.school_date(value, "date")
        self.undo_date = day.isoformat() if day else ""

    @rx.event
    @requires(PERMISSION)
    def undo(self):
        principal = current()
        lang = principal.language
        if not self.undo_order or not self.undo_date:
            self.undo_message = t("admin.error.required", lang)
            return None
        try:
            with db.session(write=True) as s:
                n = promotion.undo(
                    s, principal, int(self.undo_order), self.undo_number, date.fromisoformat(self.undo_date)
                )
        except Refused as exc:
            self.undo_message = exc.message(lang)
            return None
        self.undo_message = t("promotion.undo.done", lang, count=n)
        self.undo_number = ""
        self._preview()
        self._orders()
        return rx.toast.success(self.undo_message)

    # --------------------------------------------------------------- a class moved mid-year

    @rx.event
    @requires(PERMISSION)
    def set_move_class(self, value: str):
        self.move_class = inputs.choice(value, [o["id"] for o in self.move_classes], "class")

    @rx.event
    @requires(PERMISSION)
    def set_move_grade(self, value: str):
        self.move_grade = str(inputs.bounded_int(value, 1, promotion.LAST_GRADE, "grade"))

    @rx.event
    @requires(PERMISSION)
    def set_move_day(self, value: str):
        if _typing(value):
            return
        day = inputs.school_date(value, "date")
        self.move_day = day.isoformat() if day else ""

    @rx.event
    @requires(PERMISSION)
    def set_move_number(self, value: str):
        self.move_number = inputs.text(value, 20, "number")

    @rx.event
    @requires(PERMISSION)
    def move(self):
        principal = current()
        lang = principal.language
        if not (self.move_class and self.move_grade and self.move_day):
            self.move_message = t("admin.error.required", lang)
            return None
        day = date.fromisoformat(self.move_day)
        try:
            with db.session(write=True) as s:
                _order, n = promotion.move_class(
                    s, principal, int(self.move_class), int(self.move_grade), day, self.move_number, day
                )
        except Refused as exc:
            self.move_message = exc.message(lang)
            return None
        self.move_message = t("promotion.move.done", lang, count=n)
        return rx.toast.success(self.move_message)


# ------------------------------------------------------------------------------------ the page

CSS = """
.pm-wrap { overflow: auto; border: 1px solid var(--gray-6); border-radius: 8px; }
.pm { border-collapse: collapse; font-size: 14px; width: 100%; }
.pm th, .pm td { border-bottom: 1px solid var(--gray-5); padding: 6px 8px; text-align: left; vertical-align: middle; }
.pm thead th { background: var(--gray-3); font-size: 12px; }
.pm td.n { text-align: center; }
"""


def _labelled(label_key: str, control: rx.Component) -> rx.Component:
    return rx.flex(rx.text(tr(label_key), size="1", color_scheme="gray"), control, direction="column", spacing="1")


def _teacher_select(row) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(data_testid="pm-teacher", width="100%"),
        rx.select.content(
            rx.select.item("—", value=NO_TEACHER),
            rx.foreach(PromotionState.teacher_options, lambda o: rx.select.item(o["label"], value=o["id"])),
        ),
        value=row["teacher"],
        on_change=lambda v: PromotionState.set_teacher(row["id"], v),
        size="1",
    )


def _class_row(row) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.text(row["name"], weight="bold"), data_testid="pm-name"),
        rx.el.td(row["pupils"], class_name="n"),
        rx.el.td(row["target"], class_name="n", data_testid="pm-target"),
        rx.el.td(row["promote"], class_name="n", data_testid="pm-promote"),
        rx.el.td(row["retain"], class_name="n", data_testid="pm-retain"),
        rx.el.td(row["graduate"], class_name="n", data_testid="pm-graduate"),
        rx.el.td(_teacher_select(row)),
        rx.el.td(
            rx.button(
                rx.icon("users", size=14),
                tr("promotion.show_pupils"),
                size="1",
                variant=rx.cond(PromotionState.opened == row["id"], "solid", "soft"),
                on_click=PromotionState.open_class(row["id"]),
                data_testid="pm-open",
            )
        ),
        data_testid="pm-class",
    )


def _action_button(row, action: str) -> rx.Component:
    return rx.cond(
        row[f"can_{action}"] == "1",
        rx.button(
            tr(f"promotion.action.{action}"),
            size="1",
            variant=rx.cond(row["action"] == action, "solid", "outline"),
            color_scheme={"promote": "green", "retain": "amber", "graduate": "blue"}[action],
            on_click=PromotionState.set_action(row["id"], action),
            data_testid=f"pm-{action}-btn",
        ),
    )


def _pupils() -> rx.Component:
    return rx.cond(
        PromotionState.opened != "",
        rx.vstack(
            rx.text(PromotionState.opened_name, weight="bold", data_testid="pm-opened"),
            rx.foreach(
                PromotionState.pupils,
                lambda p: rx.flex(
                    rx.text(p["name"], size="2", min_width="14em"),
                    rx.flex(*[_action_button(p, a) for a in promotion.ACTIONS], spacing="1"),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                    data_testid="pm-pupil",
                ),
            ),
            spacing="2",
            padding="8px",
            border="1px solid var(--gray-6)",
            border_radius="8px",
            width="100%",
        ),
    )


def _wizard() -> rx.Component:
    return rx.vstack(
        rx.text(tr("promotion.intro"), size="2"),
        rx.flex(
            _labelled("promotion.year", rx.text(PromotionState.year_label, weight="bold", data_testid="pm-year")),
            _labelled("promotion.next_year", rx.text(PromotionState.next_label, weight="bold", data_testid="pm-next")),
            spacing="6",
            wrap="wrap",
        ),
        rx.cond(
            PromotionState.classes.length() == 0,  # type: ignore[attr-defined]
            rx.callout(tr("promotion.none"), icon="info", color_scheme="gray", data_testid="pm-none"),
            rx.vstack(
                rx.box(
                    rx.el.table(
                        rx.el.thead(
                            rx.el.tr(
                                *[
                                    rx.el.th(tr(f"promotion.col.{k}"))
                                    for k in ("class", "pupils", "target", "promote", "retain", "graduate", "teacher")
                                ],
                                rx.el.th(""),
                            )
                        ),
                        rx.el.tbody(rx.foreach(PromotionState.classes, _class_row)),
                        class_name="pm",
                    ),
                    class_name="pm-wrap",
                    width="100%",
                ),
                _pupils(),
                rx.text(
                    rx.match(
                        AuthState.lang,
                        ("ru", PromotionState.totals["ru"]),
                        ("en", PromotionState.totals["en"]),
                        PromotionState.totals["ky"],
                    ),
                    weight="bold",
                    data_testid="pm-total",
                ),
                rx.flex(
                    _labelled(
                        "promotion.order_number",
                        rx.input(
                            value=PromotionState.number,
                            on_change=PromotionState.set_number,
                            width="8em",
                            data_testid="pm-number",
                        ),
                    ),
                    _labelled(
                        "promotion.order_date",
                        date_input(
                            PromotionState.order_date, PromotionState.set_order_date, testid="pm-date", width="9em"
                        ),
                    ),
                    rx.button(
                        rx.icon("check", size=16),
                        tr("promotion.confirm"),
                        on_click=PromotionState.confirm,
                        data_testid="pm-confirm",
                    ),
                    spacing="3",
                    align="end",
                    wrap="wrap",
                ),
                spacing="3",
                width="100%",
                align="stretch",
            ),
        ),
        rx.cond(
            PromotionState.error != "",
            rx.callout(PromotionState.error, icon="triangle-alert", color_scheme="red", data_testid="pm-error"),
        ),
        rx.cond(
            PromotionState.done != "",
            rx.callout(PromotionState.done, icon="circle-check", color_scheme="green", data_testid="pm-done"),
        ),
        spacing="3",
        width="100%",
        align="stretch",
    )


def _undo() -> rx.Component:
    return rx.cond(
        PromotionState.orders.length() > 0,  # type: ignore[attr-defined]
        rx.vstack(
            rx.heading(tr("promotion.undo.title"), size="4"),
            rx.text(tr("promotion.undo.hint"), size="2", color_scheme="gray"),
            rx.flex(
                _labelled(
                    "promotion.undo.order",
                    rx.select.root(
                        rx.select.trigger(data_testid="pm-undo-order"),
                        rx.select.content(
                            rx.foreach(PromotionState.orders, lambda o: rx.select.item(o["label"], value=o["id"]))
                        ),
                        value=PromotionState.undo_order,
                        on_change=PromotionState.set_undo_order,
                    ),
                ),
                _labelled(
                    "promotion.order_number",
                    rx.input(
                        value=PromotionState.undo_number,
                        on_change=PromotionState.set_undo_number,
                        width="8em",
                        data_testid="pm-undo-number",
                    ),
                ),
                _labelled(
                    "promotion.order_date",
                    date_input(
                        PromotionState.undo_date, PromotionState.set_undo_date, testid="pm-undo-date", width="9em"
                    ),
                ),
                rx.button(
                    tr("promotion.undo.button"),
                    color_scheme="red",
                    variant="soft",
                    on_click=PromotionState.undo,
                    data_testid="pm-undo",
                ),
                spacing="3",
                align="end",
                wrap="wrap",
            ),
            rx.cond(
                PromotionState.undo_message != "",
                rx.text(PromotionState.undo_message, size="2", data_testid="pm-undo-message"),
            ),
            spacing="2",
            width="100%",
            align="stretch",
        ),
    )


def _move() -> rx.Component:
    return rx.vstack(
        rx.heading(tr("promotion.move.title"), size="4"),
        rx.flex(
            _labelled(
                "promotion.move.class",
                rx.select.root(
                    rx.select.trigger(min_width="8em", data_testid="pm-move-class"),
                    rx.select.content(
                        rx.foreach(PromotionState.move_classes, lambda o: rx.select.item(o["label"], value=o["id"]))
                    ),
                    value=PromotionState.move_class,
                    on_change=PromotionState.set_move_class,
                ),
            ),
            _labelled(
                "promotion.move.grade",
                rx.select.root(
                    rx.select.trigger(min_width="5em", data_testid="pm-move-grade"),
                    rx.select.content(
                        *[rx.select.item(str(g), value=str(g)) for g in range(1, promotion.LAST_GRADE + 1)]
                    ),
                    value=PromotionState.move_grade,
                    on_change=PromotionState.set_move_grade,
                ),
            ),
            _labelled(
                "promotion.move.day",
                date_input(PromotionState.move_day, PromotionState.set_move_day, testid="pm-move-day", width="9em"),
            ),
            _labelled(
                "promotion.order_number",
                rx.input(
                    value=PromotionState.move_number,
                    on_change=PromotionState.set_move_number,
                    width="8em",
                    data_testid="pm-move-number",
                ),
            ),
            rx.button(tr("promotion.move.button"), variant="soft", on_click=PromotionState.move, data_testid="pm-move"),
            spacing="3",
            align="end",
            wrap="wrap",
        ),
        rx.cond(
            PromotionState.move_message != "",
            rx.text(PromotionState.move_message, size="2", data_testid="pm-move-message"),
        ),
        spacing="2",
        width="100%",
        align="stretch",
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.el.style(CSS),
        _wizard(),
        rx.divider(),
        _undo(),
        rx.divider(),
        _move(),
        spacing="4",
        width="100%",
        align="stretch",
    )


promotion_page = page_shell("promotion.nav", _body)
