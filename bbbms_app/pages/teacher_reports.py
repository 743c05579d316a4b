"""/teacher-reports: the teacher reports of a term, on screen and as one-click XLSX.

A teacher sees his own; the director and deputies every teacher (a summary row each, a teacher
picked to see his lists). The summary: planned hours, lessons given (and given by substitutes or
as one), lessons without a topic or homework, pupils with too few marks, marks entered late; then
the four lists. Scope is checked by services.reports.teachers; «Download Excel» writes the same
rows to a private file handed out by the authorized route.
"""

from __future__ import annotations

from datetime import date

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import LANGUAGES, t
from bbbms_app.services import journal
from bbbms_app.services import school as school_service
from bbbms_app.services.reports import teacher_sheets as ts
from bbbms_app.services.reports import teachers as teachers_service

PERMISSION = "report.teacher"
ALL = "all"
TRANSLATED = ("subject", "missing")
FLAGGED = ("no_topic", "no_homework", "few", "late")  # red when not zero


def _rows(table_of, lang: str) -> list[dict[str, str]]:
    """Display-ready rows in the UI language, the translated columns in every language ("subject_ru" …)."""
    tables = {x: table_of(x) for x in LANGUAGES}
    rows = ts.as_text(tables[lang], lang)
    for i, row in enumerate(rows):
        for c in TRANSLATED:
            if c in row:
                row.update({f"{c}_{x}": ts.display(c, tables[x].rows[i].get(c), x) for x in LANGUAGES})
    return rows


class TeacherReportsState(rx.State):
    """The filters and the display-ready rows of the teacher reports."""

    period_options: list[dict[str, str]] = []
    period: str = ""  # a term id, or "year"
    leader: bool = False  # sees every teacher
    teacher_options: list[dict[str, str]] = []
    teacher: str = ALL
    late_days: str = str(teachers_service.LATE_DAYS)
    upto: str = ""
    summary: list[dict[str, str]] = []
    hours: list[dict[str, str]] = []
    gaps: list[dict[str, str]] = []
    few: list[dict[str, str]] = []
    late: list[dict[str, str]] = []
    _year_id: int | None = None

    def _staff_id(self) -> int | None:
        return None if self.teacher == ALL else int(self.teacher)

    def _report(self, s):
        # Out of scope: the service raises OutOfScope, which the guard refuses and audits.
        return teachers_service.teacher_report(
            s,
            current(),
            self._year_id,  # type: ignore[arg-type]
            None if self.period == "year" else int(self.period),
            staff_id=self._staff_id() if self.leader else None,
            late_days=int(self.late_days),
        )

    def _fetch(self) -> None:
        if not self.period or self._year_id is None:
            return
        lang = current().language
        with db.session() as s:
            rep = self._report(s)
        self.upto = t("reports.t.upto", lang, date=ts.display("date", rep.upto, lang))
        summary = ts.summary_table(rep)
        self.summary = [
            {**row, "staff_id": str(raw["staff_id"])}
            for row, raw in zip(ts.as_text(summary, lang), summary.rows, strict=True)
        ]
        if self.leader:
            self.teacher_options = [
                {"id": str(tl.staff_id), **dict.fromkeys(LANGUAGES, tl.name)} for tl in rep.teachers
            ]
        show = not self.leader or self.teacher != ALL
        sid = self._staff_id() if self.leader else None
        self.hours = _rows(lambda x: ts.hours_table(rep, x, sid), lang) if show else []
        for row, raw in zip(self.hours, ts.hours_table(rep, lang, sid).rows if show else [], strict=True):
            row["substitution"] = "1" if raw["substitution"] else ""
        self.gaps = _rows(lambda x: ts.gaps_table(rep, x, sid), lang) if show else []
        self.few = _rows(lambda x: ts.few_table(rep, x, sid), lang) if show else []
        self.late = _rows(lambda x: ts.late_table(rep, x, sid), lang) if show else []

    @rx.event
    @requires(PERMISSION)
    def load(self):
        principal = current()
        teachers_service.teacher_scope(principal)  # anyone else is refused here (OutOfScope, by the guard)
        self.leader = teachers_service.all_teachers(principal)
        with db.session() as s:
            ctx = school_service.context(s, principal, date.today())
            self._year_id = ctx["year_id"]
            terms = journal.year_terms(s, ctx["year_id"])
        self.period_options = [{"id": str(term.id), **school_service.term_labels(term)} for term in terms] + [
            {"id": "year", **{lang: t("reports.year", lang) for lang in LANGUAGES}}
        ]
        if self.period not in {o["id"] for o in self.period_options}:
            # The current term while it runs (what is missing now), else the last one.
            self.period = str(ctx["term_id"]) if ctx["term_id"] else (str(terms[-1].id) if terms else "year")
        if not self.leader:
            self.teacher = ALL
        self._fetch()

    @rx.event
    @requires(PERMISSION)
    def set_period(self, value: str):
        if (chosen := inputs.offered(value, self.period_options)) is not None:
            self.period = chosen
            self._fetch()

    @rx.event
    @requires(PERMISSION)
    def set_teacher(self, value: str):
        if not self.leader:
            return
        chosen = ALL if value == ALL else inputs.offered(value, self.teacher_options)
        if chosen is not None:
            self.teacher = chosen
            self._fetch()

    @rx.event
    @requires(PERMISSION)
    def set_late_days(self, value: str):
        text = str(value).strip()[:3]
        if text.isdigit() and 0 <= int(text) <= 60:
            self.late_days = str(int(text))
            self._fetch()

    @rx.event
    @requires(PERMISSION)
    def download(self):
        """The report on screen as XLSX: a private file for this user, through the authorized route."""
        principal = current()
        lang = principal.language
        if self._year_id is None or not self.period:  # not loaded (a school without a year, or a forged event)
            return None
        with db.session(write=True) as s:
            rep = self._report(s)
            name, data = ts.teacher_xlsx(rep, lang, self._staff_id() if self.leader else None)
            url = ts.write_download(s, principal, name, data, f"teachers:{self.period}:{self.teacher}")
        return [rx.download(url=url, filename=name), rx.toast.success(t("reports.downloaded", lang, name=name))]


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------

CSS = """
.tr-wrap { overflow: auto; max-height: 60vh; border: 1px solid var(--gray-6); border-radius: 8px; width: 100%; }
.tr { border-collapse: separate; border-spacing: 0; font-size: 14px; }
.tr th, .tr td { border-right: 1px solid var(--gray-5); border-bottom: 1px solid var(--gray-5); padding: 4px 8px;
  text-align: right; white-space: nowrap; }
.tr thead th { position: sticky; top: 0; background: var(--gray-3); z-index: 2; font-size: 12px; text-align: center;
  white-space: normal; min-width: 64px; }
.tr .nm { position: sticky; left: 0; background: var(--gray-2); text-align: left; z-index: 1; }
.tr thead th.nm { z-index: 3; }
.tr td.tx { text-align: left; }
.tr tr.sub td { color: var(--iris-11); font-style: italic; }
.tr td.bad { color: var(--red-11); font-weight: 600; }
@media (max-width: 640px) {
  .tr { font-size: 13px; }
  .tr th, .tr td { padding: 3px 5px; }
  .tr .nm { white-space: normal; min-width: 88px; max-width: 120px; }
}
"""


def _name(o) -> rx.Var:
    return rx.match(AuthState.lang, ("ru", o["ru"]), ("en", o["en"]), o["ky"])


def _cell(row, column: str) -> rx.Component:
    text = (
        rx.match(AuthState.lang, ("ru", row[f"{column}_ru"]), ("en", row[f"{column}_en"]), row[f"{column}_ky"])
        if column in TRANSLATED
        else row[column]
    )
    return rx.el.td(text, data_col=column, class_name="tx" if column in ts.TEXT else "")


def _table(
    columns: tuple[str, ...], rows, testid: str, first: str = "", marks_substitution: bool = False
) -> rx.Component:
    """A list; `first` is the sticky name column (the summary's teacher, a list's pupil or date)."""
    rest = [c for c in columns if c != first]
    return rx.box(
        rx.el.table(
            rx.el.thead(
                rx.el.tr(
                    *([rx.el.th(tr(f"reports.t.col.{first}"), class_name="nm")] if first else []),
                    *[rx.el.th(tr(f"reports.t.col.{c}")) for c in rest],
                )
            ),
            rx.el.tbody(
                rx.foreach(
                    rows,
                    lambda row: rx.el.tr(
                        *([rx.el.td(row[first], class_name="nm", data_col=first)] if first else []),
                        *[_cell(row, c) for c in rest],
                        class_name=rx.cond(row["substitution"] == "1", "sub", "") if marks_substitution else "",
                        data_testid=f"{testid}-row",
                    ),
                )
            ),
            class_name="tr",
        ),
        class_name="tr-wrap",
        data_testid=testid,
    )


def _summary() -> rx.Component:
    numbers = [c for c in ts.SUMMARY_COLUMNS if c != "teacher"]
    return rx.box(
        rx.el.table(
            rx.el.thead(
                rx.el.tr(
                    rx.el.th(tr("reports.t.col.teacher"), class_name="nm"),
                    *[rx.el.th(tr(f"reports.t.col.{c}")) for c in numbers],
                )
            ),
            rx.el.tbody(
                rx.foreach(
                    TeacherReportsState.summary,
                    lambda row: rx.el.tr(
                        rx.el.td(
                            rx.cond(
                                TeacherReportsState.leader,
                                rx.link(row["teacher"], on_click=TeacherReportsState.set_teacher(row["staff_id"])),
                                rx.text(row["teacher"]),
                            ),
                            class_name="nm",
                            data_col="teacher",
                        ),
                        *[
                            rx.el.td(
                                row[c],
                                data_col=c,
                                class_name=rx.cond(row[c] != "0", "bad", "") if c in FLAGGED else "",
                            )
                            for c in numbers
                        ],
                        data_testid="tsummary-row",
                    ),
                )
            ),
            class_name="tr",
        ),
        class_name="tr-wrap",
        data_testid="tsummary",
    )


def _section(title: str, columns: tuple[str, ...], rows, testid: str, first: str) -> rx.Component:
    shown = tuple(c for c in columns if c != "teacher")
    return rx.vstack(
        rx.heading(tr(title), size="3"),
        rx.cond(
            rows.length() == 0,  # type: ignore[attr-defined]
            rx.text(tr("reports.t.none"), color_scheme="gray", data_testid=f"{testid}-none"),
            _table(shown, rows, testid, first, marks_substitution=testid == "thours"),
        ),
        spacing="2",
        width="100%",
        align="stretch",
    )


def _body() -> rx.Component:
    S = TeacherReportsState
    return rx.vstack(
        rx.el.style(CSS),
        rx.flex(
            rx.select.root(
                rx.select.trigger(data_testid="treports-period", min_width="140px"),
                rx.select.content(rx.foreach(S.period_options, lambda o: rx.select.item(_name(o), value=o["id"]))),
                value=S.period,
                on_change=S.set_period,
            ),
            rx.cond(
                S.leader,
                rx.select.root(
                    rx.select.trigger(data_testid="treports-teacher", min_width="180px"),
                    rx.select.content(
                        rx.select.item(tr("reports.t.all_teachers"), value=ALL),
                        rx.foreach(S.teacher_options, lambda o: rx.select.item(o["ky"], value=o["id"])),
                    ),
                    value=S.teacher,
                    on_change=S.set_teacher,
                ),
            ),
            rx.flex(
                rx.text(tr("reports.t.late_days"), size="2"),
                rx.input(
                    default_value=S.late_days,
                    type="number",
                    min=0,
                    max=60,
                    width="70px",
                    on_blur=S.set_late_days,
                    data_testid="treports-late-days",
                ),
                spacing="2",
                align="center",
            ),
            rx.button(
                rx.icon("file-spreadsheet", size=16),
                tr("reports.download"),
                on_click=S.download,
                variant="soft",
                data_testid="treports-download",
            ),
            spacing="3",
            wrap="wrap",
            align="center",
        ),
        rx.text(S.upto, size="1", color_scheme="gray", data_testid="treports-upto"),
        _summary(),
        rx.cond(
            S.leader & (S.teacher == ALL),
            rx.callout(tr("reports.t.pick_teacher"), icon="info", size="1"),
            rx.vstack(
                _section("reports.t.head.hours", ts.HOURS_COLUMNS, S.hours, "thours", "group"),
                _section("reports.t.head.gaps", ts.GAPS_COLUMNS, S.gaps, "tgaps", "date"),
                _section("reports.t.head.few", ts.FEW_COLUMNS, S.few, "tfew", "pupil"),
                _section("reports.t.head.late", ts.LATE_COLUMNS, S.late, "tlate", "date"),
                spacing="4",
                width="100%",
                align="stretch",
            ),
        ),
        spacing="3",
        width="100%",
        align="stretch",
    )


teacher_reports_page = page_shell("reports.t.title", _body)
