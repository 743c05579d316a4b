"""The district summary (`/district`, issue 16): a row per school — pupils, classes, teachers, the
current quarter's pass rate and quality, lessons missed, the last good backup — and the district's
totals, with a one-click XLSX (services/reports/district.py). Only a district account opens it.

On a phone the number columns are hidden and each school's figures are two lines under its name.
"""

from __future__ import annotations

import reflex as rx

from bbbms_app import db
from bbbms_app.auth.guard import current, requires
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import format_number, t
from bbbms_app.services.reports import district as district_report
from bbbms_app.services.reports import sheets

PERMISSION = district_report.PERMISSION


def _shown(row: district_report.SchoolFigures, lang: str) -> dict[str, str]:
    """A row as the screen shows it: counts grouped by the language's rules, rates with one decimal."""
    v = district_report.values(row, lang)

    def number(key: str) -> str:
        return format_number(v[key], lang, 0)  # type: ignore[arg-type]

    def rate(key: str) -> str:
        return sheets.display(key, v[key], lang)  # as /reports shows a rate: «75,0», «—» with no marks

    shown = {
        "id": str(row.school_id),
        "okpo": row.okpo,
        "school": str(v["school"]),
        "term": str(v["term"]),
        "pupils": number("pupils"),
        "classes": number("classes"),
        "teachers": number("teachers"),
        "success": rate("success"),
        "quality": rate("quality"),
        "missed": number("missed"),
        "backup": str(v["backup"]),
        "backed_up": "1" if row.last_backup else "",
    }
    shown["figures"] = t(
        "district.summary.figures", lang, pupils=shown["pupils"], classes=shown["classes"], teachers=shown["teachers"]
    )
    shown["rates"] = t(
        "district.summary.rates", lang, success=shown["success"], quality=shown["quality"], missed=shown["missed"]
    )
    return shown


class DistrictSummaryState(rx.State):
    """The schools' rows and the totals as display strings, in the reader's language."""

    rows: list[dict[str, str]] = []
    total: dict[str, str] = {}
    heading: str = ""

    @rx.event
    @requires(PERMISSION)
    def load(self):
        principal = current()
        lang = principal.language
        with db.session() as s:
            found = district_report.summary(s, principal)  # OutOfScope for anyone but a district account
        self.rows = [_shown(r, lang) for r in found.rows]
        self.total = _shown(found.total, lang)
        self.heading = district_report.title(found, lang)

    @rx.event
    @requires(PERMISSION)
    def download(self):
        """The summary as XLSX, counted again now (the file holds what the district reads at this moment)."""
        principal = current()
        lang = principal.language
        with db.session(write=True) as s:
            found = district_report.summary(s, principal)
            name, data = district_report.xlsx_bytes(found, lang)
            url = district_report.write_download(s, principal, name, data)
        self.rows = [_shown(r, lang) for r in found.rows]
        self.total = _shown(found.total, lang)
        self.heading = district_report.title(found, lang)
        return [rx.download(url=url, filename=name), rx.toast.success(t("reports.downloaded", lang, name=name))]


NUMBERS = ("pupils", "classes", "teachers", "success", "quality", "missed")
_WIDE = ["none", "none", "table-cell"]  # the number columns: from a tablet's width on


def _backup(row: rx.Var) -> rx.Component:
    return rx.badge(row["backup"], color_scheme=rx.cond(row["backed_up"] == "1", "green", "red"))


def _name(row: rx.Var, bold: bool = False) -> rx.Component:
    return rx.vstack(
        rx.text(row["school"], weight="bold" if bold else "medium"),
        rx.text(row["term"], size="1", color_scheme="gray"),
        # On a phone the number columns are hidden: the figures go under the name.
        rx.box(
            rx.text(row["figures"], size="1"),
            rx.text(row["rates"], size="1"),
            rx.box(_backup(row), margin_top="4px"),
            display=["block", "block", "none"],
            data_testid="figures-on-phone",
        ),
        spacing="0",
    )


def _row(row: rx.Var, total: bool = False) -> rx.Component:
    cells = [rx.table.cell(_name(row, bold=total))]
    for key in NUMBERS:
        cells.append(
            rx.table.cell(
                rx.text(row[key], weight="bold" if total else None),
                display=_WIDE,
                text_align="right",
                data_testid=f"cell-{key}",
            )
        )
    cells.append(rx.table.cell(_backup(row), display=_WIDE))
    return rx.table.row(
        *cells,
        background_color="var(--gray-a3)" if total else None,
        data_testid="district-total" if total else "district-row",
        data_school=row["okpo"],
    )


def _table() -> rx.Component:
    heads = [rx.table.column_header_cell(tr("district.summary.col.school"))]
    heads += [
        rx.table.column_header_cell(tr(f"district.summary.col.{key}"), display=_WIDE, text_align="right")
        for key in NUMBERS
    ]
    heads.append(rx.table.column_header_cell(tr("district.summary.col.backup"), display=_WIDE))
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*heads)),
            rx.table.body(
                rx.foreach(DistrictSummaryState.rows, lambda row: _row(row)),  # foreach would pass an index second
                _row(DistrictSummaryState.total, total=True),
            ),
            variant="surface",
            size="2",
            width="100%",
            data_testid="district-table",
        ),
        overflow_x="auto",
        width="100%",
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.text(DistrictSummaryState.heading, size="2", color_scheme="gray", data_testid="district-heading"),
            rx.button(
                rx.icon("file-spreadsheet", size=16),
                tr("reports.download"),
                on_click=DistrictSummaryState.download,
                variant="soft",
                data_testid="district-download",
            ),
            justify="between",
            align="center",
            wrap="wrap",
            gap="8px",
            width="100%",
        ),
        rx.cond(
            DistrictSummaryState.rows.length() > 0,  # type: ignore[attr-defined]
            _table(),
            rx.callout(tr("district.summary.empty"), icon="info", color_scheme="gray", data_testid="empty-state"),
        ),
        rx.text(tr("district.summary.lead"), size="1", color_scheme="gray"),
        spacing="4",
        width="100%",
    )


district_summary_page = page_shell("district.summary.nav", _body)
