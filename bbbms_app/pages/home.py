"""The home page: figures for leaders, the teaching load for teachers, the children for parents."""

from __future__ import annotations

from datetime import date

import reflex as rx

from bbbms_app import db
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.services import backup
from bbbms_app.services import school as school_service


class HomeState(rx.State):
    """What the home page shows for the signed-in role."""

    figures: dict[str, int] = {}
    load_rows: list[dict[str, str]] = []
    children: list[dict[str, str]] = []
    # The warning, in each language, when the last good backup is missing or older than a day.
    backup_warning: dict[str, str] = {}

    @rx.event
    @requires("signed_in")
    def load(self):
        principal = current()
        today = date.today()
        with db.session() as s:
            ctx = school_service.context(s, principal, today)
            self.figures = (
                school_service.school_figures(s, principal.school_id, ctx["term_id"])
                if principal.can("school.read") and principal.school_id is not None
                else {}
            )
            self.load_rows = (
                school_service.teaching_load(s, principal.staff_id, ctx["year_id"])
                if principal.staff_id is not None and principal.can("journal.write")
                else []
            )
            self.children = (
                school_service.own_children(s, principal, today) if principal.role in ("parent", "pupil") else []
            )
        self.backup_warning = backup.warning() if principal.can("backup.read") else {}


def _figure(key: str, label_key: str, icon: str) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.icon(icon, size=28, color=rx.color("accent", 10)),
            rx.vstack(
                rx.text(tr(label_key), size="2", color_scheme="gray"),
                rx.text(HomeState.figures[key], size="6", weight="bold", data_testid=f"figure-{key}"),
                spacing="0",
            ),
            align="center",
            spacing="3",
        ),
    )


def _subject(row: rx.Var) -> rx.Var:
    return rx.match(AuthState.lang, ("ru", row["subject_ru"]), ("en", row["subject_en"]), row["subject_ky"])


def _body() -> rx.Component:
    return rx.vstack(
        rx.text(tr("home.welcome").replace("{name}", AuthState.display_name), size="4"),  # type: ignore[attr-defined]
        rx.cond(
            HomeState.backup_warning.length() > 0,  # type: ignore[attr-defined]
            rx.callout(
                rx.vstack(
                    rx.text(HomeState.backup_warning.to(dict)[AuthState.lang].to(str)),
                    rx.link(tr("ops.open_backups"), href="/backups", weight="medium"),
                    spacing="1",
                ),
                icon="triangle-alert",
                color_scheme="red",
                width="100%",
                data_testid="backup-warning",
            ),
        ),
        rx.cond(
            HomeState.figures.length() > 0,  # type: ignore[attr-defined]
            rx.grid(
                _figure("pupils", "home.pupils", "graduation-cap"),
                _figure("classes", "home.classes", "school"),
                _figure("staff", "home.staff", "users"),
                _figure("lessons", "home.lessons", "calendar-days"),
                _figure("marks", "home.marks", "notebook-pen"),
                _figure("absences", "home.absences", "user-x"),
                columns=rx.breakpoints(initial="1", xs="2", md="3"),
                spacing="3",
                width="100%",
            ),
        ),
        rx.cond(
            HomeState.load_rows.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.heading(tr("home.my_classes"), size="4"),
                rx.foreach(
                    HomeState.load_rows,
                    lambda r: rx.card(
                        rx.hstack(
                            rx.badge(r["class_name"], size="2"),
                            rx.text(_subject(r), weight="medium"),
                            rx.spacer(),
                            rx.text(tr("home.hours").replace("{hours}", r["hours"]), color_scheme="gray", size="2"),  # type: ignore[attr-defined]
                            align="center",
                            width="100%",
                        ),
                        width="100%",
                    ),
                ),
                width="100%",
                data_testid="teaching-load",
            ),
        ),
        rx.cond(
            HomeState.children.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.heading(tr("home.my_children"), size="4"),
                rx.foreach(
                    HomeState.children,
                    lambda c: rx.card(
                        rx.hstack(
                            rx.icon("user-round", size=20),
                            rx.text(c["name"], weight="medium"),
                            rx.badge(c["class_name"]),
                            align="center",
                        ),
                        width="100%",
                        data_testid="child-card",
                    ),
                ),
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )


home_page = page_shell("nav.home", _body)
