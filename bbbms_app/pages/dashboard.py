"""/dashboard: the director's key figures with charts, each leading to its report.

Cards: успеваемость, качество, СОУ and the average of the last finished term beside the previous
term's (▲ / ▼), the lessons missed this term and how many without a reason, and (for those who
read every teacher) the lessons not filled in and the late marks. Charts (Recharts, shipped with
Reflex as rx.recharts; they take the page's width, so a phone reads them): the rates by grade,
the lessons missed by week and reason, and the school's rates term by term. A class teacher sees
his class's figures (services.reports' scope).
"""

from __future__ import annotations

from datetime import date

import reflex as rx

from bbbms_app import db
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import LANGUAGES, format_date
from bbbms_app.services import school as school_service
from bbbms_app.services.reports import dashboard as dashboard_service
from bbbms_app.services.reports import sheets

PERMISSION = "report.read"
COLORS = {"success": "#2f9e44", "quality": "#1c7ed6", "sou": "#f08c00"}
REASON_COLORS = {"б": "#74c0fc", "у": "#8ce99a", "п": "#ff8787", "н": "#adb5bd", "о": "#ffd43b"}
REASON_KEYS = {"б": "ill", "у": "excused", "п": "unexcused", "н": "unknown", "о": "late"}


def _number(value: float | None, lang: str, digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value:.{digits}f}"
    return text if lang == "en" else text.replace(".", ",")


class DashboardState(rx.State):
    """Display-ready cards and the charts' series."""

    cards: list[dict[str, str]] = []
    period_label: dict[str, str] = {}
    by_grade: list[dict[str, str | float | None]] = []
    weeks: list[dict[str, str | int]] = []
    trend: list[dict[str, str | float | None]] = []
    loaded: bool = False

    @rx.event
    @requires(PERMISSION)
    def load(self):
        principal = current()
        lang = principal.language
        with db.session() as s:
            ctx = school_service.context(s, principal, date.today())
            if ctx["year_id"] is None:
                return
            board = dashboard_service.dashboard(s, principal, ctx["year_id"])
        if board.period is None:
            self.loaded = True
            return
        self.period_label = {x: sheets.period_label(board.period, x) for x in LANGUAGES}
        cards = []
        for rate in dashboard_service.RATES:
            now, before = board.figures.get(rate), board.before.get(rate)
            digits = 2 if rate == "average" else 1
            arrow = "" if now is None or before is None or now == before else ("▲" if now > before else "▼")
            cards.append(
                {
                    "key": rate,
                    "value": _number(now, lang, digits),
                    "before": _number(before, lang, digits) if before is not None else "",
                    "arrow": arrow,
                    "href": "/reports",
                }
            )
        missed = board.missed
        lessons = sum(missed.get(code, 0) for code in ("б", "у", "п", "н"))
        cards.append({"key": "missed", "value": str(lessons), "before": "", "arrow": "", "href": "/reports"})
        cards.append(
            {"key": "unexcused", "value": str(missed.get("п", 0)), "before": "", "arrow": "", "href": "/reports"}
        )
        if board.teachers is not None:
            for key in ("no_topic", "late"):
                value = str(board.teachers[key])
                cards.append({"key": key, "value": value, "before": "", "arrow": "", "href": "/teacher-reports"})
        self.cards = cards
        self.by_grade = [{**row, "grade": str(row["grade"])} for row in board.by_grade]
        self.weeks = [
            {"week": format_date(row["week"], lang)[:5], **{REASON_KEYS[c]: row[c] for c in REASON_KEYS}}
            for row in board.weeks
        ]
        self.trend = [
            {
                **{f"term_{x}": sheets.period_label(period, x) for x in LANGUAGES},  # a switch needs no round trip
                **{r: rates.get(r) for r in ("success", "quality", "sou")},
            }
            for period, rates in zip(board.trend, board.trend_rates, strict=True)
        ]
        self.loaded = True


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------

CARD_KEYS = {
    "success": "dash.card.success",
    "quality": "dash.card.quality",
    "sou": "dash.card.sou",
    "average": "dash.card.average",
    "missed": "dash.card.missed",
    "unexcused": "dash.card.unexcused",
    "no_topic": "dash.card.no_topic",
    "late": "dash.card.late",
}


def _card_title(key) -> rx.Var:
    return rx.match(key, *[(k, tr(v)) for k, v in CARD_KEYS.items()], "")


def _card(card) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.text(_card_title(card["key"]), size="2", color_scheme="gray"),
                rx.hstack(
                    rx.text(card["value"], size="7", weight="bold", data_testid="dash-value"),
                    rx.text(
                        card["arrow"],
                        size="3",
                        color=rx.cond(card["arrow"] == "▲", "var(--grass-11)", "var(--red-11)"),
                    ),
                    align="baseline",
                    spacing="2",
                ),
                rx.cond(
                    card["before"] != "",
                    rx.text(tr("dash.before"), " ", card["before"], size="1", color_scheme="gray"),
                ),
                spacing="1",
            ),
            width="100%",
        ),
        href=card["href"],
        underline="none",
        data_testid=f"dash-card-{card['key']}",
        data_key=card["key"],
    )


def _chart_box(title: str, chart: rx.Component, testid: str, href: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.link(rx.heading(tr(title), size="3"), href=href),
            chart,
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid=testid,
    )


def _rates_chart(data, x_key: str | rx.Var) -> rx.Component:
    return rx.recharts.bar_chart(
        *[
            rx.recharts.bar(
                data_key=key, name=tr(f"reports.col.{key}"), fill=color, max_bar_size=40, is_animation_active=False
            )
            for key, color in COLORS.items()
        ],
        rx.recharts.x_axis(data_key=x_key),
        rx.recharts.y_axis(domain=[0, 100], width=40),
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.tooltip(),
        rx.recharts.legend(),
        data=data,
        width="100%",
        height=260,
        margin={"left": 0, "right": 8, "top": 8, "bottom": 0},
    )


def _weeks_chart() -> rx.Component:
    return rx.recharts.bar_chart(
        *[
            rx.recharts.bar(
                data_key=key,
                name=tr(f"reports.col.{key}"),
                fill=REASON_COLORS[code],
                stack_id="missed" if code != "о" else "late",
                max_bar_size=40,
                is_animation_active=False,
            )
            for code, key in REASON_KEYS.items()
        ],
        rx.recharts.x_axis(data_key="week"),
        rx.recharts.y_axis(width=40),
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.tooltip(),
        rx.recharts.legend(),
        data=DashboardState.weeks,
        width="100%",
        height=260,
        margin={"left": 0, "right": 8, "top": 8, "bottom": 0},
    )


TERM_KEY = rx.match(AuthState.lang, ("ru", "term_ru"), ("en", "term_en"), "term_ky")


def _body() -> rx.Component:
    S = DashboardState
    return rx.vstack(
        rx.text(
            tr("dash.period"),
            " ",
            rx.match(AuthState.lang, ("ru", S.period_label["ru"]), ("en", S.period_label["en"]), S.period_label["ky"]),
            size="2",
            color_scheme="gray",
            data_testid="dash-period",
        ),
        rx.cond(
            S.loaded & (S.cards.length() == 0),  # type: ignore[attr-defined]
            rx.text(tr("reports.no_data"), color_scheme="gray"),
        ),
        rx.grid(
            rx.foreach(S.cards, _card),
            columns=rx.breakpoints(initial="2", md="4"),
            spacing="3",
            width="100%",
        ),
        rx.grid(
            _chart_box("dash.chart.grades", _rates_chart(S.by_grade, "grade"), "dash-chart-grades", "/reports"),
            _chart_box("dash.chart.weeks", _weeks_chart(), "dash-chart-weeks", "/reports"),
            _chart_box("dash.chart.trend", _rates_chart(S.trend, TERM_KEY), "dash-chart-trend", "/reports"),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="3",
            width="100%",
        ),
        spacing="3",
        width="100%",
        align="stretch",
    )


dashboard_page = page_shell("dash.title", _body)
