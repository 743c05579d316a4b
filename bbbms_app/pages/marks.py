"""A pupil's or parent's view of marks and absences per subject in the current term (read-only)."""

from __future__ import annotations

from datetime import date

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import Forbidden, current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.components.table import Column, data_table
from bbbms_app.services import diary
from bbbms_app.services import school as school_service


class MyMarksState(rx.State):
    """The children (or the pupil himself) and the chosen child's term summary."""

    children: list[dict[str, str]] = []
    pupil_id: str = ""
    rows: list[dict[str, str]] = []

    def _fetch(self) -> None:
        principal = current()
        if not self.pupil_id:
            self.rows = []
            return
        with db.session() as s:
            ctx = school_service.context(s, principal, date.today())
            if ctx["term_id"] is None:
                self.rows = []
                return
            try:
                self.rows = diary.term_summary(s, principal, int(self.pupil_id), ctx["term_id"])
            except diary.OutOfScope as exc:
                raise Forbidden(f"pupil {self.pupil_id}") from exc

    @rx.event
    @requires("own.read")
    def load(self):
        with db.session() as s:
            self.children = school_service.own_children(s, current(), date.today())
        ids = [c["id"] for c in self.children]
        if self.pupil_id not in ids:
            self.pupil_id = ids[0] if ids else ""
        self._fetch()

    @rx.event
    @requires("own.read")
    def choose(self, pupil_id: str | list[str]):
        # The scope check is in diary.term_summary: a forged id of another family is refused there
        # (and the guard puts pupil_id back).
        if isinstance(pupil_id, list):  # the segmented control may send its value as a list
            pupil_id = pupil_id[0] if len(pupil_id) == 1 else ""
        self.pupil_id = str(inputs.record_id(pupil_id, "pupil"))
        self._fetch()


def _subject(row: rx.Var) -> rx.Var:
    return rx.match(AuthState.lang, ("ru", row["subject_ru"]), ("en", row["subject_en"]), row["subject_ky"])


def _body() -> rx.Component:
    return rx.vstack(
        rx.link(tr("diary.to_diary"), href="/diary", data_testid="marks-to-diary"),
        rx.cond(
            MyMarksState.children.length() > 1,  # type: ignore[attr-defined]
            rx.segmented_control.root(
                rx.foreach(
                    MyMarksState.children,
                    lambda c: rx.segmented_control.item(c["name"], value=c["id"]),
                ),
                value=MyMarksState.pupil_id,
                on_change=MyMarksState.choose,
                data_testid="child-switch",
            ),
        ),
        data_table(
            MyMarksState.rows,
            [
                Column("subject", "col.subject", render=lambda r: rx.text(_subject(r), weight="medium")),
                Column("marks", "col.marks", render=lambda r: rx.text(r["marks"], font_family="monospace")),
                Column("average", "col.average"),
                Column("absences", "col.absences"),
            ],
            testid="marks-table",
        ),
        spacing="3",
        width="100%",
    )


marks_page = page_shell("marks.title", _body)
