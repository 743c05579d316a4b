"""/reports: the academic results and the attendance of a period, on screen and as one-click XLSX.

The director and deputies see the whole school, a class teacher his class (services.reports). The
results: a row per class, parallel, level and the school, for all subjects or one, all pupils or
one sex, with the previous term's rates beside them, then the school's figures by subject and the
lists of pupils. The attendance: lessons and days missed by reason per class and the school, and
the pupils above a threshold of unexcused lessons. «Download Excel» writes the same figures to a
private file handed out by the authorized route (/admin-files/<token>).
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
from bbbms_app.i18n import LANGUAGES, t, translations
from bbbms_app.pages.report_exports import exports_card
from bbbms_app.services import journal
from bbbms_app.services import school as school_service
from bbbms_app.services.journal_export import MONTHS
from bbbms_app.services.reports import attendance as attendance_service
from bbbms_app.services.reports import by_teacher, sheets
from bbbms_app.services.reports import results as results_service

PERMISSION = "report.read"
ALL = "all"
RATE_COLUMNS = ("success", "quality", "sou")
RESULT_COLUMNS = ("roll", "n", "n5", "n4", "n3", "n2", "n_na", "success", "quality", "sou", "average")
SUBJECT_COLUMNS = RESULT_COLUMNS[1:]
ATTENDANCE_COLUMNS = ("lessons", "lessons_ill", "lessons_excused", "lessons_unexcused", "lessons_unknown", "days")
ATTENDANCE_COLUMNS += ("days_ill", "days_excused", "days_unexcused", "days_unknown", "late")


def _months(starts: date, ends: date) -> list[str]:
    out, y, m = [], starts.year, starts.month
    while (y, m) <= (ends.year, ends.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _with_labels(rows: list[dict[str, str]], table_in, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Add each text column in every UI language ("group_ky", "group_ru", …): the labels follow a
    language switch in the browser without a round trip (the figures stay as loaded)."""
    tables = {x: table_in(x) for x in LANGUAGES}
    for i, row in enumerate(rows):
        for c in columns:
            row.update({f"{c}_{x}": str(tables[x].rows[i].get(c) or "") for x in LANGUAGES})
    return rows


class ReportsState(rx.State):
    """The filters and one screen of display-ready rows of each report."""

    tab: str = "results"
    period_options: list[dict[str, str]] = []
    period: str = ""  # a term id, or "year"
    subject_options: list[dict[str, str]] = []
    subject: str = ALL
    sex: str = ALL
    has_previous: bool = False
    previous_label: dict[str, str] = {}
    # What the results count: «2-чейрек», or «2-чейрек · 1-жарым жыл» beside half-year marks.
    period_title: dict[str, str] = {}
    rows: list[dict[str, str]] = []
    by_subject: list[dict[str, str]] = []
    lists: list[dict[str, str]] = []
    month_options: list[dict[str, str]] = []
    month: str = ALL
    threshold: str = "10"
    attendance_rows: list[dict[str, str]] = []
    teacher_rows: list[dict[str, str]] = []
    above: list[dict[str, str]] = []
    above_title: dict[str, str] = {}
    above_count: dict[str, str] = {}
    named: bool = True  # False: the reader lacks export.personal; the service withheld the named lists
    _year_id: int | None = None

    def _term_id(self) -> int | None:
        return None if self.period == "year" else int(self.period)

    def _results(self, s):
        # Out of scope: the service raises OutOfScope, which the guard refuses and audits.
        return results_service.results(s, current(), self._year_id, self._term_id())  # type: ignore[arg-type]

    def _attendance(self, s):
        return attendance_service.attendance(
            s,
            current(),
            self._year_id,  # type: ignore[arg-type]
            self._term_id(),
            month=None if self.month == ALL else self.month,
            threshold=int(self.threshold),
        )

    def _subject_id(self) -> int | None:
        return None if self.subject == ALL else int(self.subject)

    def _sex(self) -> str | None:
        return None if self.sex == ALL else self.sex

    def _fetch(self) -> None:
        lang = current().language
        if not self.period or self._year_id is None:
            return
        with db.session() as s:
            if self.tab == "attendance":
                self._fetch_attendance(s, lang)
                return
            res = self._results(s)
            if self.tab == "teachers":
                teachers = by_teacher.by_teacher(s, res)
        self.subject_options = [
            {"id": str(sub.id), "ky": sub.name_ky, "ru": sub.name_ru, "en": sub.name_en or sub.name_ru}
            for sub in res.subjects
        ]
        if self.subject != ALL and self.subject not in {o["id"] for o in self.subject_options}:
            self.subject = ALL
        table = sheets.results_table(res, self._subject_id(), self._sex(), lang)
        self.has_previous = res.previous is not None
        # A non-breaking hyphen: on a phone «1-жарым жыл» must not break into «1-» / «жарым жыл».
        self.period_title = {
            x: t("reports.counted", x, period=sheets.results_period_label(res, x)).replace("-", "\u2011")
            for x in LANGUAGES
        }
        self.previous_label = (
            {x: t("reports.previous", x, period=sheets.results_period_label(res.previous, x)) for x in LANGUAGES}
            if res.previous
            else {}
        )
        rows = sheets.rows_as_text(table, (*table.columns,), lang)
        for shown, raw in zip(rows, table.rows, strict=True):  # up or down against the previous term
            for rate in RATE_COLUMNS:
                now, before = raw.get(rate), raw.get(f"prev_{rate}")
                shown[f"t_{rate}"] = "" if now is None or before is None or now == before else "▲▼"[now < before]
        sid, sex = self._subject_id(), self._sex()
        if self.tab == "teachers":  # a row per teacher, then his classes × subjects (their names translated)
            shown = by_teacher.table(res, teachers, sid, sex, lang)
            self.teacher_rows = _with_labels(
                sheets.rows_as_text(sheets.Table(by_teacher.COLUMNS, shown), by_teacher.COLUMNS, lang),
                lambda x: sheets.Table(by_teacher.COLUMNS, by_teacher.table(res, teachers, sid, sex, x)),
                ("teacher",),
            )
        self.rows = _with_labels(rows, lambda x: sheets.results_table(res, sid, sex, x), ("group",))
        subjects = sheets.subjects_table(res, res.groups[-1], sex, lang)
        self.by_subject = _with_labels(
            sheets.rows_as_text(subjects, subjects.columns, lang),
            lambda x: sheets.subjects_table(res, res.groups[-1], sex, x),
            ("subject",),
        )
        self.named = res.named
        lists = sheets.lists_table(res, lang, sex)
        self.lists = _with_labels(
            sheets.rows_as_text(lists, lists.columns, lang),
            lambda x: sheets.lists_table(res, x, sex),
            ("list", "subjects"),
        )

    def _fetch_attendance(self, s, lang: str) -> None:
        rep = self._attendance(s)
        table = sheets.attendance_classes_table(rep, lang)
        self.attendance_rows = _with_labels(
            sheets.rows_as_text(table, table.columns, lang),
            lambda x: sheets.attendance_classes_table(rep, x),
            ("group",),
        )
        above = sheets.attendance_pupils_table(rep, rep.above)
        self.above = sheets.rows_as_text(above, above.columns, lang)
        self.above_title = translations("reports.above", threshold=rep.threshold)
        self.above_count = translations("reports.above_count", count=rep.above_count)
        self.named = rep.named

    @rx.event
    @requires(PERMISSION)
    def load(self):
        principal = current()
        with db.session() as s:
            ctx = school_service.context(s, principal, date.today())
            self._year_id = ctx["year_id"]
            terms = journal.year_terms(s, ctx["year_id"])
            if self._year_id is not None:
                # The scope: a user without a report's scope is refused here (OutOfScope, by the guard).
                results_service.report_classes(s, principal, self._year_id)
        self.period_options = [{"id": str(term.id), **school_service.term_labels(term)} for term in terms] + [
            {"id": "year", **{lang: t("reports.year", lang) for lang in LANGUAGES}}
        ]
        if self.period not in {o["id"] for o in self.period_options}:
            # Results are counted for finished periods: open on the last one that is over (the
            # current quarter has no quarter marks yet), else on the current one.
            today = date.today()
            finished = [term for term in terms if term.ends_on < today]
            if finished:
                self.period = str(max(finished, key=lambda term: (term.ends_on, term.starts_on)).id)
            else:
                self.period = str(ctx["term_id"]) if ctx["term_id"] else "year"
        self._set_months(terms)
        self._fetch()

    def _set_months(self, terms) -> None:
        if not terms:
            self.month_options = []
            return
        chosen = [t for t in terms if str(t.id) == self.period] or terms
        months = _months(chosen[0].starts_on, chosen[-1].ends_on)
        self.month_options = [
            {"id": m, **{lang: f"{MONTHS[lang][int(m[5:])]} {m[:4]}" for lang in LANGUAGES}} for m in months
        ]
        if self.month not in months:
            self.month = ALL

    @rx.event
    @requires(PERMISSION)
    def set_tab(self, value: str):
        if value in ("results", "attendance", "teachers"):
            self.tab = value
            self._fetch()

    @rx.event
    @requires(PERMISSION)
    def set_period(self, value: str):
        if (chosen := inputs.offered(value, self.period_options)) is not None:
            self.period = chosen
            with db.session() as s:
                self._set_months(journal.year_terms(s, self._year_id))
            self._fetch()

    @rx.event
    @requires(PERMISSION)
    def set_subject(self, value: str):
        chosen = ALL if value == ALL else inputs.offered(value, self.subject_options)
        if chosen is not None:
            self.subject = chosen
            self._fetch()

    @rx.event
    @requires(PERMISSION)
    def set_sex(self, value: str):
        if value in (ALL, "m", "f"):
            self.sex = value
            self._fetch()

    @rx.event
    @requires(PERMISSION)
    def set_month(self, value: str):
        value = str(value)[:7]
        if value == ALL or value in {o["id"] for o in self.month_options}:
            self.month = value
            self._fetch()

    @rx.event
    @requires(PERMISSION)
    def set_threshold(self, value: str):
        text = str(value).strip()[:4]
        if text.isdigit() and 1 <= int(text) <= 999:
            self.threshold = str(int(text))
            self._fetch()

    @rx.event
    @requires(PERMISSION)
    def download(self):
        """The report on screen as XLSX: a private file for this user, downloaded through the authorized route."""
        principal = current()
        lang = principal.language
        if self._year_id is None or not self.period:  # not loaded (a school without a year, or a forged event)
            return None
        with db.session(write=True) as s:
            if self.tab == "attendance":
                name, data = sheets.attendance_xlsx(self._attendance(s), lang)
            else:
                res = self._results(s)
                teachers = by_teacher.sheet_table(s, res, self._subject_id(), self._sex(), lang)
                name, data = sheets.results_xlsx(res, self._subject_id(), self._sex(), lang, teachers=teachers)
            url = sheets.write_download(s, principal, name, data, f"{self.tab}:{self.period}")
        return [rx.download(url=url, filename=name), rx.toast.success(t("reports.downloaded", lang, name=name))]


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------

REPORTS_CSS = """
.rp-wrap { overflow: auto; max-height: calc(100vh - 260px); border: 1px solid var(--gray-6); border-radius: 8px;
  width: 100%; }
.rp { border-collapse: separate; border-spacing: 0; font-size: 14px; }
.rp th, .rp td { border-right: 1px solid var(--gray-5); border-bottom: 1px solid var(--gray-5); padding: 4px 8px;
  text-align: right; white-space: nowrap; }
.rp thead th { position: sticky; top: 0; background: var(--gray-3); z-index: 2; font-size: 12px; text-align: center;
  white-space: normal; min-width: 56px; }
.rp .nm { position: sticky; left: 0; background: var(--gray-2); text-align: left; z-index: 1; }
.rp thead th.nm { z-index: 3; }
.rp tr.grade td { background: var(--gray-3); font-weight: 600; }
.rp tr.level td { background: var(--amber-3); font-weight: 600; }
.rp tr.school td { background: var(--amber-5); font-weight: 700; }
.rp tr.teacher td { background: var(--gray-3); font-weight: 600; }
.rp td.prev { color: var(--gray-11); }
.rp td.tx { text-align: left; }
.rp .trend { font-size: 10px; margin-left: 2px; }
.rp .trend.up { color: var(--grass-11); }
.rp .trend.down { color: var(--red-11); }
.rp thead th.r2 { top: 30px; }
@media (max-width: 640px) {
  .rp { font-size: 13px; }
  .rp th, .rp td { padding: 3px 5px; }
  .rp .nm { white-space: normal; min-width: 64px; max-width: 96px; }
  [data-testid="teachers"] .rp .nm { min-width: 128px; max-width: 150px; }
}
"""


def _name(o) -> rx.Var:
    return rx.match(AuthState.lang, ("ru", o["ru"]), ("en", o["en"]), o["ky"])


def _select(options, value, on_change, testid: str, all_key: str = "", width: str = "") -> rx.Component:
    items = [rx.select.item(tr(all_key), value=ALL)] if all_key else []
    return rx.select.root(
        rx.select.trigger(data_testid=testid, min_width=width or "140px"),
        rx.select.content(*items, rx.foreach(options, lambda o: rx.select.item(_name(o), value=o["id"]))),
        value=value,
        on_change=on_change,
    )


TEXT_COLUMNS = ("pupil", "group", "subjects", "list")


def _in_lang(row, column: str) -> rx.Var:
    return rx.match(AuthState.lang, ("ru", row[f"{column}_ru"]), ("en", row[f"{column}_en"]), row[f"{column}_ky"])


def _table(
    columns: tuple[str, ...], rows, first: str, testid: str, previous: bool = False, translated: tuple[str, ...] = ()
) -> rx.Component:
    """A report's table; attendance columns get a second header row: lessons | days | late over their reasons."""
    prev_cols = ("prev_success", "prev_quality", "prev_sou") if previous else ()
    grouped = any(c.startswith(("lessons", "days")) for c in columns)
    if grouped:
        heads = [
            rx.el.tr(
                rx.el.th(tr(f"reports.col.{first}"), class_name="nm", row_span=2),
                *[rx.el.th(tr(f"reports.col.{c}"), row_span=2) for c in columns if c in TEXT_COLUMNS],
                rx.el.th(tr("reports.col.lessons"), col_span=5),
                rx.el.th(tr("reports.col.days"), col_span=5),
                rx.el.th(tr("reports.col.late"), row_span=2),
            ),
            rx.el.tr(
                *[
                    rx.el.th(
                        tr("journal.summary.total" if c in ("lessons", "days") else _header_key(c)), class_name="r2"
                    )
                    for c in columns
                    if c.startswith(("lessons", "days"))
                ]
            ),
        ]
    else:
        heads = [
            rx.el.tr(
                rx.el.th(tr(f"reports.col.{first}"), class_name="nm"),
                *[rx.el.th(tr(_header_key(c))) for c in columns],
                *[rx.cond(ReportsState.has_previous, rx.el.th(tr(f"reports.col.{c}"))) for c in prev_cols],
            )
        ]
    return rx.box(
        rx.el.table(
            rx.el.thead(*heads),
            rx.el.tbody(
                rx.foreach(
                    rows,
                    lambda row: rx.el.tr(
                        rx.el.td(_in_lang(row, first) if first in translated else row[first], class_name="nm"),
                        *[_cell(row, c, previous, c in translated) for c in columns],
                        *[
                            rx.cond(ReportsState.has_previous, rx.el.td(row[c], class_name="prev", data_col=c))
                            for c in prev_cols
                        ],
                        class_name=row["kind"] if first in ("group", "teacher") else "",
                        data_testid=f"{testid}-row",
                    ),
                )
            ),
            class_name="rp",
        ),
        class_name="rp-wrap",
        data_testid=testid,
    )


def _cell(row, column: str, trends: bool, translated: bool = False) -> rx.Component:
    """A figure in its cell; a rate of the results gets ▲ or ▼ against the previous term."""
    if trends and column in RATE_COLUMNS:
        arrow = row[f"t_{column}"]
        return rx.el.td(
            rx.el.span(row[column], class_name="v"),
            rx.el.span(arrow, class_name=rx.cond(arrow == "▲", "trend up", "trend down")),
            data_col=column,
        )
    text = _in_lang(row, column) if translated else row[column]
    return rx.el.td(text, data_col=column, class_name="tx" if column in TEXT_COLUMNS else "")


def _header_key(column: str) -> str:
    head, _, reason = column.partition("_")
    if head in ("lessons", "days") and reason:
        return f"reports.col.{reason}"
    return f"reports.col.{column}"


def _filters() -> rx.Component:
    return rx.flex(
        _select(
            ReportsState.subject_options,
            ReportsState.subject,
            ReportsState.set_subject,
            "reports-subject",
            "reports.all_subjects",
            "180px",
        ),
        rx.select.root(
            rx.select.trigger(data_testid="reports-sex", min_width="140px"),
            rx.select.content(
                rx.select.item(tr("reports.all_pupils"), value=ALL),
                rx.select.item(tr("reports.sex.m"), value="m"),
                rx.select.item(tr("reports.sex.f"), value="f"),
            ),
            value=ReportsState.sex,
            on_change=ReportsState.set_sex,
        ),
        spacing="2",
        wrap="wrap",
    )


def _lists_need_right() -> rx.Component:
    return rx.text(tr("reports.lists_need_right"), color_scheme="gray", size="2", data_testid="lists-need-right")


def _results_tab() -> rx.Component:
    return rx.vstack(
        _filters(),
        rx.heading(_name(ReportsState.period_title), size="3", data_testid="reports-period-title"),
        rx.cond(ReportsState.has_previous, rx.text(_name(ReportsState.previous_label), size="1", color_scheme="gray")),
        _table(RESULT_COLUMNS, ReportsState.rows, "group", "results", previous=True, translated=("group",)),
        rx.text(tr("reports.sou_note"), size="1", color_scheme="gray"),
        rx.heading(tr("reports.sheet.subjects"), size="3"),
        _table(SUBJECT_COLUMNS, ReportsState.by_subject, "subject", "by-subject", translated=("subject",)),
        rx.heading(tr("reports.sheet.lists"), size="3"),
        rx.cond(
            ReportsState.named,
            rx.cond(
                ReportsState.lists.length() == 0,  # type: ignore[attr-defined]
                rx.text(tr("reports.no_data"), color_scheme="gray"),
                _table(
                    ("pupil", "group", "subjects"), ReportsState.lists, "list", "lists", translated=("list", "subjects")
                ),
            ),
            _lists_need_right(),
        ),
        spacing="3",
        width="100%",
        align="stretch",
    )


def _teachers_tab() -> rx.Component:
    return rx.vstack(
        _filters(),
        rx.cond(
            ReportsState.teacher_rows.length() == 0,  # type: ignore[attr-defined]
            rx.text(tr("reports.no_data"), color_scheme="gray"),
            _table(by_teacher.COLUMNS[1:], ReportsState.teacher_rows, "teacher", "teachers", translated=("teacher",)),
        ),
        rx.text(tr("reports.teachers_note"), size="1", color_scheme="gray"),
        spacing="3",
        width="100%",
        align="stretch",
    )


def _attendance_tab() -> rx.Component:
    return rx.vstack(
        rx.flex(
            _select(
                ReportsState.month_options,
                ReportsState.month,
                ReportsState.set_month,
                "reports-month",
                "reports.whole_period",
            ),
            rx.flex(
                rx.text(tr("reports.threshold"), size="2"),
                rx.input(
                    default_value=ReportsState.threshold,
                    type="number",
                    min=1,
                    max=999,
                    width="80px",
                    on_blur=ReportsState.set_threshold,
                    data_testid="reports-threshold",
                ),
                spacing="2",
                align="center",
            ),
            spacing="3",
            wrap="wrap",
            align="center",
        ),
        rx.text(tr("journal.summary.legend"), size="1", color_scheme="gray"),
        _table(ATTENDANCE_COLUMNS, ReportsState.attendance_rows, "group", "attendance", translated=("group",)),
        rx.heading(_name(ReportsState.above_title), size="3"),
        rx.cond(
            ReportsState.named,
            rx.cond(
                ReportsState.above.length() == 0,  # type: ignore[attr-defined]
                rx.text(tr("reports.none_above"), color_scheme="gray"),
                _table(("group", *ATTENDANCE_COLUMNS), ReportsState.above, "pupil", "above"),
            ),
            rx.vstack(rx.text(_name(ReportsState.above_count), size="2"), _lists_need_right(), spacing="1"),
        ),
        spacing="3",
        width="100%",
        align="stretch",
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.el.style(REPORTS_CSS),
        rx.flex(
            _select(ReportsState.period_options, ReportsState.period, ReportsState.set_period, "reports-period"),
            rx.button(
                rx.icon("file-spreadsheet", size=16),
                tr("reports.download"),
                on_click=ReportsState.download,
                variant="soft",
                data_testid="reports-download",
            ),
            # The teacher reports are a page of their own (report.teacher: a teacher reads his own there).
            rx.link(
                rx.button(rx.icon("clipboard-check", size=16), tr("reports.t.open"), variant="ghost"),
                href="/teacher-reports",
                data_testid="reports-teachers-link",
            ),
            spacing="2",
            wrap="wrap",
            align="center",
        ),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger(tr("reports.tab.results"), value="results", data_testid="tab-results"),
                rx.tabs.trigger(tr("reports.tab.teachers"), value="teachers", data_testid="tab-teachers"),
                rx.tabs.trigger(tr("reports.tab.attendance"), value="attendance", data_testid="tab-attendance"),
                flex_wrap="wrap",  # three tabs on a 375 px phone: a second line rather than a hidden tab
            ),
            rx.tabs.content(rx.box(_results_tab(), padding_top="12px"), value="results"),
            rx.tabs.content(rx.box(_teachers_tab(), padding_top="12px"), value="teachers"),
            rx.tabs.content(rx.box(_attendance_tab(), padding_top="12px"), value="attendance"),
            value=ReportsState.tab,
            on_change=ReportsState.set_tab,
            width="100%",
        ),
        exports_card(ReportsState.period),  # whole-school workbooks made in the background (leaders only)
        spacing="3",
        width="100%",
        align="stretch",
    )


reports_page = page_shell("reports.title", _body)
