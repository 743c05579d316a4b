"""/summary: the class teacher's summary sheet (сводная ведомость) of period marks and absences.

The class teacher sees his class; the director and deputies any class. One class × one period
(a term, or the year) is one page: every pupil × subject mark, the lessons missed by code, and
per subject the indicators (успеваемость, качество, СОУ, средний балл).
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
from bbbms_app.i18n import LANGUAGES, format_date, format_number, t
from bbbms_app.services import journal, reports
from bbbms_app.services import school as school_service
from bbbms_app.services.reports import sheets

ABSENCE_CODES = ("б", "у", "п", "н", "о")
INDICATORS = ("n", "success", "quality", "sou", "average")


def _fmt(value: float | int | None, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return str(value)
    return format_number(value, lang, 1 if value >= 10 else 2)


class SummaryState(rx.State):
    """The chosen class and period, and the sheet's rows ready to show."""

    class_options: list[dict[str, str]] = []
    period_options: list[dict[str, str]] = []
    class_id: str = ""
    period: str = ""  # a term id, or "year"
    forecast: bool = False  # fill marks not yet set with the policy's suggestions
    subjects: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    indicators: list[dict[str, str]] = []
    overall: list[dict[str, str]] = []
    heading: str = ""  # «5-А · 1-чейрек»: the printed page's heading
    half_year_note: str = ""  # the footnote of the subjects of few hours marked «*» (sheets.half_year_note)

    def _fetch(self) -> None:
        principal = current()
        lang = principal.language
        if not self.class_id or not self.period:
            self.subjects, self.rows, self.indicators, self.overall = [], [], [], []
            self.half_year_note = ""
            return
        term_id = None if self.period == "year" else int(self.period)
        with db.session() as s:
            sheet = reports.summary(s, principal, int(self.class_id), term_id, with_suggestions=self.forecast)
        self.heading = f"{journal.class_label(sheet.cls)} · {sheets.period_label_of_summary(sheet, lang)}"
        self.half_year_note = sheets.half_year_note(sheet, lang)
        self.subjects = []
        for sub in sheet.subjects:
            mark = sheets.HALF_YEAR_MARK if sub.id in sheet.half_year else ""  # see the footnote
            names = {"ky": sub.name_ky, "ru": sub.name_ru, "en": sub.name_en or sub.name_ru}
            self.subjects.append({"key": f"s{sub.id}", **{k: v + mark for k, v in names.items()}})
        rows = []
        for n, r in enumerate(sheet.rows, start=1):
            row = {
                "no": str(n),
                "name": r.name,
                "left": t("journal.left_on", lang, date=format_date(r.left_on, lang)) if r.left_on else "",
                "total": str(r.absences["total"]),
            }
            for code in ABSENCE_CODES:
                row[code] = str(r.absences.get(code, 0) or "")
            for sub in sheet.subjects:
                if sub.id in sheet.not_assessed:
                    row[f"s{sub.id}"] = sheets.NOT_ASSESSED
                    continue
                value, special = r.marks.get(sub.id, (None, ""))  # type: ignore[arg-type]
                text = str(value) if value is not None else special
                row[f"s{sub.id}"] = f"({text})" if sub.id in r.suggested else text
            rows.append(row)
        self.rows = rows
        self.indicators = [
            {
                "label": t(f"journal.summary.{name}", lang),
                **{
                    f"s{sid}": sheets.NOT_ASSESSED if sid in sheet.not_assessed else _fmt(getattr(ind, name), lang)
                    for sid, ind in sheet.by_subject.items()
                },
            }
            for name in INDICATORS
        ]
        self.overall = [
            {"label": t(f"journal.summary.{name}", lang), "value": _fmt(getattr(sheet.overall, name), lang)}
            for name in INDICATORS
        ]

    @rx.event
    @requires("report.read")
    def load(self):
        principal = current()
        with db.session() as s:
            ctx = school_service.context(s, principal, date.today())
            self.class_options = reports.summary_classes(s, principal, ctx["year_id"])
            terms = journal.year_terms(s, ctx["year_id"])
        self.period_options = [{"id": str(term.id), **school_service.term_labels(term)} for term in terms] + [
            {"id": "year", **{lang: t("journal.summary.year", lang) for lang in LANGUAGES}}
        ]
        if self.class_id not in {o["id"] for o in self.class_options}:
            self.class_id = self.class_options[0]["id"] if self.class_options else ""
        if self.period not in {o["id"] for o in self.period_options}:
            self.period = str(ctx["term_id"]) if ctx["term_id"] else "year"
        self._fetch()

    @rx.event
    @requires("report.read")
    def set_class(self, value: str):
        value = inputs.offered(value, self.class_options)
        if value is not None:
            self.class_id = value
            self._fetch()

    @rx.event
    @requires("report.read")
    def set_forecast(self, value: bool):
        self.forecast = bool(value)
        self._fetch()

    @rx.event
    @requires("report.read")
    def download(self):
        """The sheet as XLSX (landscape, one page wide), through the authorized private-download route."""
        principal = current()
        if not self.class_id or not self.period:
            return None
        term_id = None if self.period == "year" else int(self.period)
        with db.session(write=True) as s:  # out of scope: the guard refuses and audits
            url, name = sheets.summary_download(
                s, principal, int(self.class_id), term_id, with_suggestions=self.forecast, lang=principal.language
            )
        return rx.download(url=url, filename=name)

    @rx.event
    @requires("report.read")
    def set_period(self, value: str):
        value = inputs.offered(value, self.period_options)
        if value is not None:
            self.period = value
            self._fetch()


def _name(o: rx.Var) -> rx.Var:
    return rx.match(AuthState.lang, ("ru", o["ru"]), ("en", o["en"]), o["ky"])


def _th(content, class_name: str = "") -> rx.Component:
    return rx.el.th(content, class_name=class_name)


SUMMARY_CSS = """
.sv-wrap { overflow: auto; max-height: calc(100vh - 220px); border: 1px solid var(--gray-6); border-radius: 8px; }
.sv { border-collapse: separate; border-spacing: 0; font-size: 14px; }
.sv th, .sv td { border-right: 1px solid var(--gray-5); border-bottom: 1px solid var(--gray-5); padding: 4px 6px;
  text-align: center; white-space: nowrap; }
.sv thead th { position: sticky; top: 0; background: var(--gray-3); z-index: 2; font-size: 12px; }
.sv thead th.sub { writing-mode: vertical-rl; transform: rotate(180deg); height: 120px; text-align: left; }
.sv .nm { position: sticky; left: 0; background: var(--gray-2); text-align: left; z-index: 1; min-width: 160px; }
.sv thead th.nm { z-index: 3; }
.sv tr.ind td { background: var(--amber-2); font-weight: 600; }
.sv tr.ind .nm { background: var(--amber-3); }
.sv td.abs { color: var(--red-11); }
.sv small { display: block; color: var(--gray-10); font-size: 11px; }
/* On paper: A4 landscape, every subject and absence column, nothing but the sheet and its heading. */
@media print {
  @page { size: A4 landscape; margin: 8mm; }
  html, body { background: #fff !important; }
  header, .no-print, [data-testid="page-title"], :has(> [data-testid="lang-switch"]) { display: none !important; }
  .sv-print-head { display: block !important; font-weight: 600; font-size: 11pt; margin-bottom: 2mm; }
  .sv-wrap { overflow: visible !important; max-height: none !important; border: none !important; }
  .sv { font-size: 8pt; width: 100%; }
  .sv th, .sv td { padding: 1px 3px !important; border-color: #777 !important; }
  .sv thead th, .sv .nm { position: static !important; }
  .sv thead th.sub { height: 80px; font-size: 7pt; }
  .sv .nm { min-width: 0 !important; max-width: none !important; white-space: nowrap !important; }
  .sv tr { break-inside: avoid; }
}
.sv-print-head { display: none; }
@media (max-width: 640px) {
  .sv { font-size: 13px; }
  .sv .nm { min-width: 104px; max-width: 120px; line-height: 1.15; white-space: normal; }
  .sv th, .sv td { padding: 3px 4px; }
  .sv thead th.sub { height: 104px; }
}
"""


def _sheet() -> rx.Component:
    subjects = SummaryState.subjects
    return rx.box(
        rx.el.style(SUMMARY_CSS),
        rx.el.div(
            tr_dict(AuthState.school_names),
            " · ",
            tr("journal.summary.title"),
            " · ",
            SummaryState.heading,
            class_name="sv-print-head",
        ),
        rx.el.table(
            rx.el.thead(
                rx.el.tr(
                    _th("№"),
                    _th(tr("journal.col.pupil"), class_name="nm"),
                    rx.foreach(subjects, lambda sub: rx.el.th(_name(sub), class_name="sub")),
                    _th(tr("journal.summary.total")),
                    *[_th(code) for code in ABSENCE_CODES],
                )
            ),
            rx.el.tbody(
                rx.foreach(
                    SummaryState.rows,
                    lambda row: rx.el.tr(
                        rx.el.td(row["no"]),
                        rx.el.td(row["name"], rx.cond(row["left"] != "", rx.el.small(row["left"])), class_name="nm"),
                        rx.foreach(subjects, lambda sub: rx.el.td(row[sub["key"]])),
                        rx.el.td(row["total"], class_name="abs"),
                        *[rx.el.td(row[code]) for code in ABSENCE_CODES],
                        data_testid="summary-row",
                    ),
                ),
                rx.foreach(
                    SummaryState.indicators,
                    lambda ind: rx.el.tr(
                        rx.el.td(""),
                        rx.el.td(ind["label"], class_name="nm"),
                        rx.foreach(subjects, lambda sub: rx.el.td(ind[sub["key"]])),
                        rx.el.td("", col_span=len(ABSENCE_CODES) + 1),
                        class_name="ind",
                        data_testid="summary-indicator",
                    ),
                ),
            ),
            class_name="sv",
        ),
        class_name="sv-wrap",
        width="100%",
        data_testid="summary-sheet",
    )


def _body() -> rx.Component:
    lang = AuthState.lang
    return rx.vstack(
        rx.flex(
            rx.select.root(
                rx.select.trigger(placeholder=tr("journal.pick.class"), data_testid="summary-class"),
                rx.select.content(
                    rx.foreach(SummaryState.class_options, lambda o: rx.select.item(o["name"], value=o["id"]))
                ),
                value=SummaryState.class_id,
                on_change=SummaryState.set_class,
            ),
            rx.select.root(
                rx.select.trigger(placeholder=tr("journal.pick.term"), data_testid="summary-period"),
                rx.select.content(
                    rx.foreach(
                        SummaryState.period_options,
                        lambda o: rx.select.item(
                            rx.match(lang, ("ru", o["ru"]), ("en", o["en"]), o["ky"]), value=o["id"]
                        ),
                    )
                ),
                value=SummaryState.period,
                on_change=SummaryState.set_period,
            ),
            rx.el.label(
                rx.flex(
                    rx.switch(
                        checked=SummaryState.forecast, on_change=SummaryState.set_forecast, data_testid="forecast"
                    ),
                    tr("journal.summary.forecast"),
                    spacing="2",
                    align="center",
                ),
            ),
            rx.button(
                rx.icon("file-spreadsheet", size=16),
                tr("reports.download"),
                on_click=SummaryState.download,
                variant="soft",
                data_testid="summary-download",
            ),
            rx.button(
                rx.icon("printer", size=16),
                tr("reports.print"),
                on_click=rx.call_script("window.print()"),
                variant="soft",
                data_testid="summary-print",
            ),
            spacing="2",
            wrap="wrap",
            class_name="no-print",
        ),
        rx.cond(
            SummaryState.class_options.length() == 0,  # type: ignore[attr-defined]
            rx.callout(tr("journal.summary.no_classes"), icon="info", color_scheme="gray"),
            rx.fragment(
                _sheet(),
                rx.cond(
                    SummaryState.half_year_note != "",
                    rx.text(SummaryState.half_year_note, size="2", data_testid="summary-half-year-note"),
                ),
                rx.text(tr("journal.summary.legend"), size="1", color_scheme="gray"),
                rx.card(
                    rx.text(tr("journal.summary.all"), weight="bold", size="2"),
                    rx.flex(
                        rx.foreach(
                            SummaryState.overall,
                            lambda o: rx.flex(
                                rx.text(o["label"], size="1", color_scheme="gray"),
                                rx.text(o["value"], weight="bold"),
                                direction="column",
                            ),
                        ),
                        spacing="4",
                        wrap="wrap",
                    ),
                    data_testid="summary-overall",
                ),
            ),
        ),
        spacing="3",
        width="100%",
        align="stretch",
    )


summary_page = page_shell("journal.summary.title", _body)
