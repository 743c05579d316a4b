"""/alpha-book and /contingent: the alphabetic book's register and the contingent report
(движение учащихся), the clerk's and the deputy's movement screens beside the book itself.

The rules and the queries are in services/alpha_book.py and services/movement_report.py; this
module holds the two States (display-ready rows only) and their pages.
"""

from __future__ import annotations

from datetime import date

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.date_input import date_input
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import LANGUAGES, t
from bbbms_app.services import alpha_book, audit, movement_report
from bbbms_app.services import school as school_service
from bbbms_app.services.engine import downloads, listing
from bbbms_app.services.errors import OutOfScope

MAX_SHOWN = 500  # a letter's page of the book; the XLSX holds every line
ALL = "__all__"


def _typing(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) < 10


# ------------------------------------------------------------------------ the alphabetic book


class AlphaBookState(rx.State):
    """The register filtered by letter, year, class and status; one letter's page at a time."""

    letters: list[str] = []
    year_options: list[dict[str, str]] = []
    class_options: list[dict[str, str]] = []
    letter: str = ""
    year_id: str = ""
    class_id: str = ""
    status: str = ""
    rows: list[dict[str, str]] = []
    total: int = 0
    total_text: str = ""

    def _filter(self) -> alpha_book.RegisterFilter:
        return alpha_book.RegisterFilter(
            letter=self.letter,
            year_id=int(self.year_id) if self.year_id else None,
            class_id=int(self.class_id) if self.class_id else None,
            status=self.status,
        )

    def _fetch(self) -> None:
        principal = current()
        if principal.school_id is None:
            self.rows, self.total = [], 0
            return
        with db.session() as s:
            rows = alpha_book.register_rows(s, principal.school_id, principal.language, self._filter())
        self.total = len(rows)
        self.total_text = t("list.total", principal.language, total=len(rows))
        self.rows = rows[:MAX_SHOWN]

    @rx.event
    @requires("movement.read")
    def load(self):
        principal = current()
        if principal.school_id is None:
            return
        with db.session() as s:
            self.letters = alpha_book.letters_in_use(s, principal.school_id)
            self.year_options = listing.picker_options(s, principal, "academicyear", principal.language)
            self.class_options = listing.picker_options(s, principal, "schoolclass", principal.language)
        if self.letter not in self.letters:
            self.letter = self.letters[0] if self.letters else ""
        self._fetch()

    @rx.event
    @requires("movement.read")
    def set_letter(self, value: str):
        value = inputs.choice(value, [*self.letters, ALL], "letter")
        self.letter = "" if value == ALL else value
        self._fetch()

    @rx.event
    @requires("movement.read")
    def set_year(self, value: str):
        value = inputs.choice(value, [*(o["id"] for o in self.year_options), ALL], "year")
        self.year_id = "" if value == ALL else value
        self._fetch()

    @rx.event
    @requires("movement.read")
    def set_class(self, value: str):
        value = inputs.choice(value, [*(o["id"] for o in self.class_options), ALL], "class")
        self.class_id = "" if value == ALL else value
        self._fetch()

    @rx.event
    @requires("movement.read")
    def set_status(self, value: str):
        value = inputs.choice(value, [*alpha_book.STATUSES, ALL], "status")
        self.status = "" if value == ALL else value
        self._fetch()

    @rx.event
    @requires("export.personal")
    def export(self):
        """The register as filtered now, in the paper book's columns (personal data: audited)."""
        principal = current()
        if not principal.can("movement.read") or principal.school_id is None:
            raise OutOfScope("alpha book export")
        lang = principal.language
        name = f"{t('alpha.nav', lang)}.xlsx"
        with db.session(write=True) as s:
            rows = alpha_book.register_rows(s, principal.school_id, lang, self._filter())
            token, path = downloads.new_file("xlsx")
            path.write_bytes(alpha_book.register_xlsx(rows, lang, t("alpha.nav", lang)))
            audit.record(
                s,
                principal,
                "export",
                "pupil",
                field="xlsx",
                new=f"alpha book ({self.letter or '*'}): {len(rows)} rows",
                reason=t("alpha.nav", "ky"),
                school_id=principal.school_id,
            )
        downloads.publish(token, user_id=principal.user_id, permission="export.personal", filename=name)
        return rx.download(url=downloads.url(token), filename=name)


REGISTER_CSS = """
.ab-wrap { overflow: auto; max-height: calc(100vh - 240px); border: 1px solid var(--gray-6); border-radius: 8px; }
.ab { border-collapse: separate; border-spacing: 0; font-size: 13px; }
.ab th, .ab td { border-right: 1px solid var(--gray-5); border-bottom: 1px solid var(--gray-5); padding: 4px 6px;
  text-align: left; vertical-align: top; }
.ab thead th { position: sticky; top: 0; background: var(--gray-3); z-index: 2; font-size: 12px; }
.ab td.no { font-weight: 600; white-space: nowrap; position: sticky; left: 0; background: var(--gray-2); }
.ab td.nm { min-width: 160px; }
@media print { .ab-wrap { max-height: none; overflow: visible; border: 0; } .no-print { display: none; } }
"""


def _labelled(label_key: str, control: rx.Component) -> rx.Component:
    return rx.flex(rx.text(tr(label_key), size="1", color_scheme="gray"), control, direction="column", spacing="1")


def _select(value, options, on_change, testid: str, all_key: str = "alpha.all") -> rx.Component:
    return rx.select.root(
        rx.select.trigger(data_testid=testid),
        rx.select.content(
            rx.select.item(tr(all_key), value=ALL),
            rx.foreach(options, lambda o: rx.select.item(o["label"], value=o["id"])),
        ),
        value=rx.cond(value == "", ALL, value),
        on_change=on_change,
    )


def _file_buttons(label, on_export, testid: str) -> tuple[rx.Component, rx.Component]:
    """The book's XLSX download and the browser's print (the page's print CSS leaves the rest out)."""
    return (
        rx.button(rx.icon("download", size=16), label, variant="soft", on_click=on_export, data_testid=testid),
        rx.button(
            rx.icon("printer", size=16),
            variant="soft",
            on_click=rx.call_script("window.print()"),
            aria_label="print",
        ),
    )


def _register_body() -> rx.Component:
    columns = alpha_book.REGISTER_COLUMNS
    return rx.vstack(
        rx.el.style(REGISTER_CSS),
        rx.flex(
            rx.foreach(
                AlphaBookState.letters,
                lambda letter: rx.button(
                    letter,
                    size="1",
                    variant=rx.cond(AlphaBookState.letter == letter, "solid", "soft"),
                    on_click=AlphaBookState.set_letter(letter),
                    data_testid="letter",
                ),
            ),
            rx.button(
                tr("alpha.all"),
                size="1",
                variant=rx.cond(AlphaBookState.letter == "", "solid", "soft"),
                on_click=AlphaBookState.set_letter(ALL),
                data_testid="letter-all",
            ),
            spacing="1",
            wrap="wrap",
            class_name="no-print",
        ),
        rx.flex(
            _labelled(
                "field.movementrecord.academic_year_id",
                _select(AlphaBookState.year_id, AlphaBookState.year_options, AlphaBookState.set_year, "ab-year"),
            ),
            _labelled(
                "field.movementrecord.class_id",
                _select(AlphaBookState.class_id, AlphaBookState.class_options, AlphaBookState.set_class, "ab-class"),
            ),
            _labelled(
                "alpha.filter.status",
                rx.select.root(
                    rx.select.trigger(data_testid="ab-status"),
                    rx.select.content(
                        rx.select.item(tr("alpha.all"), value=ALL),
                        *[rx.select.item(tr(f"alpha.status.{s}"), value=s) for s in alpha_book.STATUSES],
                    ),
                    value=rx.cond(AlphaBookState.status == "", ALL, AlphaBookState.status),
                    on_change=AlphaBookState.set_status,
                ),
            ),
            *_file_buttons(tr("alpha.export"), AlphaBookState.export, "ab-export"),
            spacing="2",
            wrap="wrap",
            align="end",
            class_name="no-print",
        ),
        rx.text(AlphaBookState.total_text, size="2", color_scheme="gray", data_testid="ab-total"),
        rx.cond(
            AlphaBookState.rows.length() == 0,  # type: ignore[attr-defined]
            rx.callout(tr("alpha.empty"), icon="info", color_scheme="gray", data_testid="ab-empty"),
            rx.box(
                rx.el.table(
                    rx.el.thead(rx.el.tr(*[rx.el.th(tr(key)) for _name, key, _w in columns])),
                    rx.el.tbody(
                        rx.foreach(
                            AlphaBookState.rows,
                            lambda row: rx.el.tr(
                                *[
                                    rx.el.td(
                                        row[name],
                                        class_name="no" if name == "number" else "nm" if name == "name" else "",
                                    )
                                    for name, _key, _w in columns
                                ],
                                data_testid="ab-row",
                            ),
                        )
                    ),
                    class_name="ab",
                ),
                class_name="ab-wrap",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
        align="stretch",
    )


alpha_book_page = page_shell("alpha.nav", _register_body)


# ------------------------------------------------------------------------- the contingent report


class ContingentState(rx.State):
    """The period and the report's lines (each measure as «all (girls)»)."""

    start: str = ""  # yyyy-mm-dd
    end: str = ""
    headers: list[dict[str, str]] = []
    lines: list[dict[str, str]] = []
    error: str = ""

    def _fetch(self) -> None:
        principal = current()
        self.error = ""
        if principal.school_id is None or not self.start or not self.end:
            self.headers, self.lines = [], []
            return
        try:
            with db.session() as s:
                report = movement_report.contingent(
                    s,
                    principal.school_id,
                    date.fromisoformat(self.start),
                    date.fromisoformat(self.end),
                    principal.language,
                )
        except movement_report.PeriodInvalid as exc:
            self.error = t(exc.key, principal.language)
            self.headers, self.lines = [], []
            return
        # Labels and headers in the three languages: the table follows a language switch at once.
        tables = {lang: movement_report.table(report, lang) for lang in LANGUAGES}
        self.headers = [{lang: tables[lang][0][i] for lang in LANGUAGES} for i in range(len(tables["ky"][0]))]
        self.lines = [
            {**line, **{f"label_{lang}": tables[lang][1][i]["label"] for lang in LANGUAGES}}
            for i, line in enumerate(tables["ky"][1])
        ]

    @rx.event
    @requires("movement.read")
    def load(self):
        principal = current()
        if not self.start and principal.school_id is not None:
            with db.session() as s:
                year = school_service.current_year(s, principal.school_id)
            if year is not None:
                self.start = year.starts_on.isoformat()
                self.end = min(year.ends_on, max(date.today(), year.starts_on)).isoformat()
        self._fetch()

    @rx.event
    @requires("movement.read")
    def set_start(self, value: str):
        if _typing(value):
            return
        day = inputs.school_date(value, "start")
        self.start = day.isoformat() if day else ""
        self._fetch()

    @rx.event
    @requires("movement.read")
    def set_end(self, value: str):
        if _typing(value):
            return
        day = inputs.school_date(value, "end")
        self.end = day.isoformat() if day else ""
        self._fetch()

    @rx.event
    @requires("movement.read")
    def export(self):
        """The report as XLSX (counts only, no names)."""
        principal = current()
        if principal.school_id is None or not self.start or not self.end:
            return None
        lang = principal.language
        try:
            with db.session() as s:
                report = movement_report.contingent(
                    s, principal.school_id, date.fromisoformat(self.start), date.fromisoformat(self.end), lang
                )
                from bbbms_app.models import School

                school = s.get(School, principal.school_id)
                name = school_service.localized_name(school, lang) if school is not None else ""
        except movement_report.PeriodInvalid:
            return None
        filename = f"{t('contingent.sheet', lang)} {self.start} {self.end}.xlsx"
        token, path = downloads.new_file("xlsx")
        path.write_bytes(movement_report.xlsx_bytes(report, lang, name))
        downloads.publish(token, user_id=principal.user_id, permission="movement.read", filename=filename)
        return rx.download(url=downloads.url(token), filename=filename)


CONTINGENT_CSS = """
.ct-wrap { overflow: auto; max-height: calc(100vh - 240px); border: 1px solid var(--gray-6); border-radius: 8px; }
.ct { border-collapse: separate; border-spacing: 0; font-size: 13px; }
.ct th, .ct td { border-right: 1px solid var(--gray-5); border-bottom: 1px solid var(--gray-5); padding: 4px 6px;
  text-align: center; white-space: nowrap; }
.ct thead th { position: sticky; top: 0; background: var(--gray-3); z-index: 2; font-size: 11px; white-space: normal;
  min-width: 64px; vertical-align: bottom; }
.ct .nm { position: sticky; left: 0; background: var(--gray-2); text-align: left; z-index: 1; width: 1%;
  min-width: 64px; }
.ct thead th.nm { z-index: 3; }
.ct tr.grade td, .ct tr.level td { background: var(--amber-2); font-weight: 600; }
.ct tr.school td { background: var(--amber-4); font-weight: 700; }
@media print { .ct-wrap { max-height: none; overflow: visible; border: 0; } .no-print { display: none; } }
"""


def _in_language(texts: rx.Var, prefix: str) -> rx.Var:
    return rx.match(AuthState.lang, ("ru", texts[f"{prefix}ru"]), ("en", texts[f"{prefix}en"]), texts[f"{prefix}ky"])


def _contingent_body() -> rx.Component:
    n = len(movement_report.MEASURES)
    return rx.vstack(
        rx.el.style(CONTINGENT_CSS),
        rx.flex(
            rx.text(tr("contingent.from"), size="2"),
            date_input(ContingentState.start, ContingentState.set_start, testid="ct-from", width="9em"),
            rx.text(tr("contingent.to"), size="2"),
            date_input(ContingentState.end, ContingentState.set_end, testid="ct-to", width="9em"),
            *_file_buttons("XLSX", ContingentState.export, "ct-export"),
            spacing="2",
            align="center",
            wrap="wrap",
            class_name="no-print",
        ),
        rx.cond(
            ContingentState.error != "",
            rx.callout(ContingentState.error, icon="triangle-alert", color_scheme="red", data_testid="ct-error"),
        ),
        rx.cond(
            ContingentState.lines.length() > 0,  # type: ignore[attr-defined]
            rx.box(
                rx.el.table(
                    rx.el.thead(
                        rx.el.tr(
                            rx.el.th(tr("contingent.col.class"), class_name="nm"),
                            rx.foreach(ContingentState.headers, lambda h: rx.el.th(_in_language(h, ""))),
                        )
                    ),
                    rx.el.tbody(
                        rx.foreach(
                            ContingentState.lines,
                            lambda line: rx.el.tr(
                                rx.el.td(_in_language(line, "label_"), class_name="nm"),
                                *[rx.el.td(line[f"m{i}"]) for i in range(n)],
                                class_name=line["kind"],
                                data_testid="ct-line",
                            ),
                        )
                    ),
                    class_name="ct",
                ),
                class_name="ct-wrap",
                width="100%",
            ),
        ),
        rx.text(tr("contingent.girls_note"), " · ", tr("contingent.check"), size="1", color_scheme="gray"),
        spacing="3",
        width="100%",
        align="stretch",
    )


contingent_page = page_shell("contingent.nav", _contingent_body)
