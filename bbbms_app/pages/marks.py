"""/marks: a pupil's or parent's view of the year's term and year marks and of one term's current marks.

The first table is the report card: per subject, each begun term's mark and the year mark as the
teacher set them (a suggestion of the grading policy is never shown). The second is one term's
detail: the current marks in lesson order, their average by the class's policy (the teacher's
number, «4,67»), the absences and the term mark. A family picks any begun term of the year.
Which child and which term may be opened is checked on the server at every event (services.diary).
"""

from __future__ import annotations

from datetime import date

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr, tr_dict
from bbbms_app.components.layout import page_shell
from bbbms_app.components.marks import mark_badge, marks_row
from bbbms_app.i18n import translations
from bbbms_app.services import diary
from bbbms_app.services import school as school_service

ROMAN = ("I", "II", "III", "IV", "V", "VI")


class MyMarksState(rx.State):
    """The children (or the pupil himself), the chosen child's report card and one term's summary."""

    children: list[dict[str, str]] = []
    pupil_id: str = ""
    terms: list[dict[str, str]] = []
    term_id: str = ""
    columns: list[dict[str, str]] = []
    card: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    # The term table's last column: «Чейректик баа», or «Жарым жылдык баа» for grades 10–11.
    term_mark_label: dict[str, str] = translations("families.term_mark")
    card_title: dict[str, str] = translations("families.period_marks")  # «Жарым жылдык жана жылдык баалар» for 10–11

    def _fetch(self, pupil_id: str, term_id: str) -> None:
        """Read everything for (pupil, term) first and assign after: a refusal leaves the screen as it was."""
        principal = current()
        if not pupil_id:
            self.pupil_id, self.terms, self.term_id, self.columns, self.card, self.rows = "", [], "", [], [], []
            return
        today = date.today()
        with db.session() as s:
            terms = diary.pupil_terms(s, principal, int(pupil_id), today)
            ids = [str(term.id) for term in terms]
            if term_id not in ids:
                # The term the header shows when it has begun, else the latest begun one.
                current_term = school_service.context(s, principal, today)["term_id"]
                term_id = str(current_term) if str(current_term) in ids else (ids[-1] if ids else "")
            card = diary.report_card(s, principal, int(pupil_id), today)
            rows = diary.term_summary(s, principal, int(pupil_id), int(term_id)) if term_id else []
            term = next((x for x in terms if str(x.id) == term_id), None)
            half = term is not None and diary.pupil_assessment(s, int(pupil_id), term.academic_year_id) == "half_year"
        self.term_mark_label = translations("journal.period.half_year_dialog" if half else "families.term_mark")
        self.card_title = translations("families.half_year_marks" if half else "families.period_marks")
        self.pupil_id, self.term_id, self.rows = pupil_id, term_id, rows
        self.terms = [
            {"id": str(term.id), "short": ROMAN[(term.number - 1) % len(ROMAN)], **_labels(term)} for term in terms
        ]
        self.columns = _with_short(card["columns"])
        self.card = card["rows"]

    @rx.event
    @requires("own.read")
    def load(self):
        with db.session() as s:
            self.children = school_service.own_children(s, current(), date.today())
        ids = [c["id"] for c in self.children]
        pupil_id = self.pupil_id if self.pupil_id in ids else (ids[0] if ids else "")
        self._fetch(pupil_id, self.term_id)

    @rx.event
    @requires("own.read")
    def choose(self, pupil_id: str | list[str]):
        # The scope check is in services.diary: a forged id of another family is refused there
        # (and the guard puts the state back).
        if isinstance(pupil_id, list):  # the segmented control may send its value as a list
            pupil_id = pupil_id[0] if len(pupil_id) == 1 else ""
        self._fetch(str(inputs.record_id(pupil_id, "pupil")), self.term_id)

    @rx.event
    @requires("own.read")
    def choose_term(self, term_id: str | list[str]):
        """Open another begun term of the year: only a term the screen offers is accepted."""
        if isinstance(term_id, list):
            term_id = term_id[0] if len(term_id) == 1 else ""
        term_id = inputs.choice(term_id, [t["id"] for t in self.terms], "term")
        self._fetch(self.pupil_id, term_id)


def _labels(term) -> dict[str, str]:
    return {f"label_{k}": v for k, v in school_service.term_labels(term).items()}


def _with_short(columns: list[dict[str, str]]) -> list[dict[str, str]]:
    """Each column with a short label for a phone: I–IV for the terms (as the paper journal writes
    them), a short word for the year."""
    out = []
    for i, c in enumerate(columns):
        if c["key"] == "year":
            short = {f"short_{k}": v for k, v in translations("families.year_short").items()}
        else:
            short = dict.fromkeys(("short_ky", "short_ru", "short_en"), ROMAN[i % len(ROMAN)])
        out.append({**c, **short})
    return out


def _in_lang(row: rx.Var, prefix: str) -> rx.Var:
    return rx.match(AuthState.lang, ("ru", row[f"{prefix}_ru"]), ("en", row[f"{prefix}_en"]), row[f"{prefix}_ky"])


def _card() -> rx.Component:
    """The report card: subjects × (begun terms + year), set marks only."""
    header = rx.table.row(
        rx.table.column_header_cell(tr("col.subject")),
        rx.foreach(
            MyMarksState.columns,
            lambda c: rx.table.column_header_cell(
                rx.text(_in_lang(c, "label"), display=["none", "none", "inline"]),
                rx.text(_in_lang(c, "short"), display=["inline", "inline", "none"], title=_in_lang(c, "label")),
                text_align="center",
                white_space="nowrap",
            ),
        ),
    )
    return rx.box(
        rx.table.root(
            rx.table.header(header),
            rx.table.body(
                rx.foreach(
                    MyMarksState.card,
                    lambda row: rx.table.row(
                        rx.table.row_header_cell(rx.text(_in_lang(row, "subject"), weight="medium", size="2")),
                        rx.foreach(
                            MyMarksState.columns,
                            lambda c: rx.table.cell(
                                rx.cond(row[c["key"]] != "", mark_badge(row[c["key"]].to(str), "period-mark")),
                                text_align="center",
                                custom_attrs={"data-column": c["key"]},
                            ),
                        ),
                        data_testid="card-row",
                    ),
                )
            ),
            variant="surface",
            size="1",
            width="100%",
            data_testid="report-card",
        ),
        overflow_x="auto",
        width="100%",
    )


def _term_switch() -> rx.Component:
    return rx.segmented_control.root(
        rx.foreach(
            MyMarksState.terms,
            lambda t: rx.segmented_control.item(
                rx.text(_in_lang(t, "label"), display=["none", "inline"]),
                rx.text(t["short"], display=["inline", "none"]),
                value=t["id"],
            ),
        ),
        value=MyMarksState.term_id,
        on_change=MyMarksState.choose_term,
        data_testid="term-switch",
    )


def _term_table() -> rx.Component:
    def row(r: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.row_header_cell(rx.text(_in_lang(r, "subject"), weight="medium", size="2")),
            rx.table.cell(
                marks_row(r["marks"], "term-mark-value"),
                # On a phone the average sits under the marks: four columns do not fit 375 px.
                rx.cond(
                    _in_lang(r, "average") != "",
                    rx.text(
                        tr("col.average"),
                        ": ",
                        _in_lang(r, "average"),
                        size="1",
                        color_scheme="gray",
                        display=["block", "none"],
                        margin_top="4px",
                    ),
                ),
            ),
            rx.table.cell(
                rx.text(_in_lang(r, "average"), white_space="nowrap"),
                display=["none", "table-cell"],
                data_testid="term-average",
            ),
            rx.table.cell(r["absences"], display=["none", "table-cell"]),
            rx.table.cell(
                rx.cond(r["term_mark"] != "", mark_badge(r["term_mark"].to(str), "term-period-mark")),
                # A subject of few hours assessed by half-year: «1-жарым жыл» under its mark (or alone in Q1).
                rx.cond(
                    _in_lang(r, "period") != "",
                    rx.text(_in_lang(r, "period"), size="1", color_scheme="gray", white_space="nowrap"),
                ),
                data_testid="term-mark-cell",
            ),
            data_testid="term-row",
        )

    return rx.cond(
        MyMarksState.rows.length() > 0,  # type: ignore[attr-defined]
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(tr("col.subject")),
                        rx.table.column_header_cell(tr("col.marks")),
                        rx.table.column_header_cell(tr("col.average"), display=["none", "table-cell"]),
                        rx.table.column_header_cell(tr("col.absences"), display=["none", "table-cell"]),
                        rx.table.column_header_cell(tr_dict(MyMarksState.term_mark_label)),
                    )
                ),
                rx.table.body(rx.foreach(MyMarksState.rows, row)),
                variant="surface",
                size="1",
                width="100%",
                data_testid="marks-table",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.callout(tr("families.no_subjects"), icon="info", color_scheme="gray", data_testid="empty-state"),
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.link(tr("diary.to_diary"), href="/diary", data_testid="marks-to-diary"),
        rx.cond(
            MyMarksState.children.length() > 1,  # type: ignore[attr-defined]
            # Three children's full names are wider than a phone: the switch scrolls in its own strip
            # (as the diary's does), never the page.
            rx.box(
                rx.segmented_control.root(
                    rx.foreach(
                        MyMarksState.children,
                        lambda c: rx.segmented_control.item(c["name"], value=c["id"], white_space="nowrap"),
                    ),
                    value=MyMarksState.pupil_id,
                    on_change=MyMarksState.choose,
                    data_testid="child-switch",
                ),
                max_width="100%",
                overflow_x="auto",
                data_testid="child-switch-strip",
            ),
        ),
        rx.cond(
            MyMarksState.columns.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.heading(tr_dict(MyMarksState.card_title), size="4"),
                rx.text(tr("families.period_marks_hint"), size="1", color_scheme="gray"),
                _card(),
                rx.heading(tr("families.term_detail"), size="4", margin_top="8px"),
                _term_switch(),
                _term_table(),
                spacing="3",
                width="100%",
            ),
            rx.callout(tr("families.no_subjects"), icon="info", color_scheme="gray", data_testid="empty-state"),
        ),
        spacing="3",
        width="100%",
    )


marks_page = page_shell("marks.title", _body)
