"""The home page: school figures for the school-wide roles; a teacher's day (today's lessons, lessons
still without a topic or marks, and for a class teacher his class's absences today) and teaching
load; the children for parents; and for everyone the announcements addressed to him, each marked read
when it is opened (services.announcements)."""

from __future__ import annotations

from datetime import date

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.announcement import feed_card
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.models.accounts import ROLES
from bbbms_app.models.communication import AUDIENCES, REACHES
from bbbms_app.services import announcements, backup, school_events, stats
from bbbms_app.services import school as school_service
from bbbms_app.services.access import SCHOOL_WIDE_ROLES

CODES = (AUDIENCES, REACHES, ROLES)  # an announcement's audience, reach and role codes, translated


class HomeState(rx.State):
    """What the home page shows for the signed-in role."""

    figures: dict[str, int] = {}
    load_rows: list[dict[str, str]] = []
    children: list[dict[str, str]] = []
    # The warning, in each language, when the last good backup is missing or older than a day.
    backup_warning: dict[str, str] = {}
    teaching: bool = False
    today_lessons: list[dict[str, str]] = []
    unfinished: list[dict[str, str]] = []
    no_topic: int = 0
    no_marks: int = 0
    class_name: str = ""
    absent_today: int = 0
    late_today: int = 0
    absences: list[dict[str, str]] = []
    # The announcements addressed to him today (pinned first) and the one he opened.
    announcements: list[dict[str, str]] = []
    opened: str = ""
    # The events of his calendar in the coming two weeks (the full list on /calendar).
    events: list[dict[str, str]] = []

    @rx.event
    @requires("signed_in")
    def load(self):
        principal = current()
        today = date.today()
        with db.session() as s:
            ctx = school_service.context(s, principal, today)
            # School-wide counters are for the roles whose scope is the school; a teacher reads
            # his own day instead (services.stats).
            self.figures = (
                school_service.school_figures(s, principal.school_id, ctx["term_id"])
                if principal.can("school.read")
                and principal.school_id is not None
                and principal.role in SCHOOL_WIDE_ROLES
                else {}
            )
            writes = principal.staff_id is not None and principal.can("journal.write")
            day = stats.teacher_day(s, principal, today, ctx["term_id"]) if writes else {}
            # A director or deputy who also teaches sees his day too; one who does not, no empty list.
            self.teaching = writes and (
                principal.role in ("teacher", "class_teacher") or bool(day["today"] or day["unfinished"])
            )
            self.today_lessons = day.get("today", [])
            self.unfinished = day.get("unfinished", [])
            self.no_topic, self.no_marks = day.get("no_topic", 0), day.get("no_marks", 0)
            absences = stats.class_absences_today(s, principal, today) if principal.role == "class_teacher" else {}
            self.class_name = absences.get("classes", "")
            self.absent_today, self.late_today = absences.get("absent", 0), absences.get("late", 0)
            self.absences = absences.get("rows", [])
            self.load_rows = (
                school_service.teaching_load(s, principal.staff_id, ctx["year_id"])
                if principal.staff_id is not None and principal.can("journal.write")
                else []
            )
            self.children = (
                school_service.own_children(s, principal, today) if principal.role in ("parent", "pupil") else []
            )
            self.announcements = announcements.feed(s, principal, today)
            self.events = school_events.upcoming(s, principal, today, days=14)[:5]
        self.backup_warning = backup.warning() if principal.can("backup.read") else {}

    @rx.event
    @requires("signed_in")
    def open_announcement(self, announcement_id: str):
        """Open (or close) one of his announcements; the first opening is his read receipt."""
        aid = inputs.record_id(announcement_id, "announcement_id")
        if self.opened == str(aid):
            self.opened = ""
            return
        principal = current()
        with db.session(write=True) as s:
            announcements.mark_read(s, principal, aid, date.today())
        self.opened = str(aid)
        self.announcements = [{**r, "read": "1"} if r["id"] == self.opened else r for r in self.announcements]


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


def _counter(value: rx.Var, label_key: str, icon: str, testid: str, alert: bool = False) -> rx.Component:
    colour = rx.cond(value > 0, "amber", "grass") if alert else "accent"
    return rx.card(
        rx.hstack(
            rx.icon(icon, size=24, color=rx.color(colour, 10)),  # type: ignore[arg-type]
            rx.vstack(
                rx.text(tr(label_key), size="2", color_scheme="gray"),
                rx.text(value, size="6", weight="bold", data_testid=testid),
                spacing="0",
            ),
            align="center",
            spacing="3",
        ),
    )


def _lesson_line(r: rx.Var, show_date: bool) -> rx.Component:
    """One of his lessons, a link to its journal column, with what is still missing."""
    missing = rx.hstack(
        rx.cond(r["has_topic"] == "", rx.badge(tr("stats.no_topic_badge"), color_scheme="amber", variant="soft")),
        rx.cond(r["has_marks"] == "", rx.badge(tr("stats.no_marks_badge"), color_scheme="gray", variant="soft")),
        spacing="1",
        wrap="wrap",
    )
    return rx.link(
        rx.card(
            rx.flex(
                rx.vstack(
                    rx.text(r["date"] if show_date else r["number"], weight="bold", size="2"),
                    rx.text(r["time"], size="1", color_scheme="gray", white_space="nowrap"),
                    spacing="0",
                    min_width="64px",
                ),
                rx.vstack(
                    rx.hstack(
                        rx.badge(r["class_name"], size="2"),
                        rx.text(_subject(r), weight="medium", size="2"),
                        spacing="2",
                        align="center",
                        wrap="wrap",
                    ),
                    rx.cond(r["topic"] != "", rx.text(r["topic"], size="1", color_scheme="gray", trim="both")),
                    missing,
                    spacing="1",
                    min_width="0",
                    flex="1",
                ),
                gap="10px",
                align="start",
                width="100%",
            ),
            width="100%",
        ),
        href="/journal?lesson=" + r["id"].to(str),
        underline="none",
        color="inherit",
        width="100%",
        data_testid="today-lesson" if not show_date else "unfinished-lesson",
    )


def _teacher_day() -> rx.Component:
    return rx.cond(
        HomeState.teaching,
        rx.vstack(
            rx.grid(
                _counter(HomeState.today_lessons.length(), "stats.today_lessons", "calendar-days", "figure-today"),  # type: ignore[attr-defined]
                _counter(HomeState.no_topic, "stats.no_topic", "file-pen-line", "figure-no-topic", alert=True),
                _counter(HomeState.no_marks, "stats.no_marks", "notebook-pen", "figure-no-marks", alert=True),
                rx.cond(
                    HomeState.class_name != "",
                    _counter(HomeState.absent_today, "stats.absent_today", "user-x", "figure-absent", alert=True),
                ),
                columns=rx.breakpoints(initial="2", md="4"),
                spacing="3",
                width="100%",
            ),
            rx.heading(tr("stats.my_day"), size="4"),
            rx.cond(
                HomeState.today_lessons.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(
                    rx.foreach(HomeState.today_lessons, lambda r: _lesson_line(r, False)),
                    spacing="2",
                    width="100%",
                ),
                rx.text(tr("stats.no_lessons_today"), size="2", color_scheme="gray", data_testid="no-lessons-today"),
            ),
            rx.cond(
                HomeState.class_name != "",
                rx.vstack(
                    rx.heading(tr("stats.class_today").replace("{class}", HomeState.class_name), size="4"),  # type: ignore[attr-defined]
                    rx.cond(
                        HomeState.absences.length() > 0,  # type: ignore[attr-defined]
                        rx.vstack(
                            rx.foreach(
                                HomeState.absences,
                                lambda a: rx.hstack(
                                    rx.text(a["name"], weight="medium", size="2"),
                                    rx.badge(
                                        _in_lang(a, "kind"),
                                        color_scheme=rx.cond(a["absent"] == "1", "red", "amber"),
                                        variant="soft",
                                    ),
                                    rx.text(
                                        tr("stats.lessons_no").replace("{numbers}", a["lessons"]),  # type: ignore[attr-defined]
                                        size="1",
                                        color_scheme="gray",
                                    ),
                                    spacing="2",
                                    align="center",
                                    wrap="wrap",
                                    data_testid="absence-row",
                                ),
                            ),
                            spacing="2",
                            width="100%",
                        ),
                        rx.text(tr("stats.all_present"), size="2", color_scheme="gray", data_testid="all-present"),
                    ),
                    width="100%",
                    spacing="2",
                ),
            ),
            rx.cond(
                HomeState.unfinished.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(
                    rx.heading(tr("stats.unfinished"), size="4"),
                    rx.foreach(HomeState.unfinished, lambda r: _lesson_line(r, True)),
                    spacing="2",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
            data_testid="teacher-day",
        ),
    )


def _in_lang(row: rx.Var, prefix: str) -> rx.Var:
    return rx.match(AuthState.lang, ("ru", row[f"{prefix}_ru"]), ("en", row[f"{prefix}_en"]), row[f"{prefix}_ky"])


def _announcements() -> rx.Component:
    return rx.cond(
        HomeState.announcements.length() > 0,  # type: ignore[attr-defined]
        rx.vstack(
            rx.heading(tr("nav.announcements"), size="4"),
            rx.foreach(
                HomeState.announcements,
                lambda r: feed_card(r, HomeState.opened == r["id"], HomeState.open_announcement(r["id"]), CODES),
            ),
            spacing="2",
            width="100%",
            data_testid="home-announcements",
        ),
    )


def _events() -> rx.Component:
    return rx.cond(
        HomeState.events.length() > 0,  # type: ignore[attr-defined]
        rx.vstack(
            rx.heading(tr("events.upcoming"), size="4"),
            rx.foreach(
                HomeState.events,
                lambda e: rx.link(
                    rx.card(
                        rx.flex(
                            rx.badge(e["day"], size="2"),
                            rx.cond(e["time"] != "", rx.text(e["time"], size="2", color_scheme="gray")),
                            rx.text(e["title"], weight="medium", size="2"),
                            rx.cond(e["place"] != "", rx.text("· ", e["place"], size="2", color_scheme="gray")),
                            gap="8px",
                            align="center",
                            wrap="wrap",
                        ),
                        width="100%",
                    ),
                    href="/calendar",
                    underline="none",
                    color="inherit",
                    width="100%",
                    data_testid="home-event",
                ),
            ),
            spacing="2",
            width="100%",
        ),
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.text(tr("home.welcome").replace("{name}", AuthState.display_name), size="4"),  # type: ignore[attr-defined]
        _announcements(),
        _events(),
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
        _teacher_day(),
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
