"""/diary: the pupil's diary for pupils and parents, week by week (read-only).

Each day lists the class's lessons with topic and homework, the pupil's own marks and absences,
cancelled lessons and holidays; a parent with several children switches between them. Which
child may be opened is checked on the server at every event (services.diary). Above the week: the
announcements addressed to him he has not opened yet, and the school events of the coming week.
"""

from __future__ import annotations

from datetime import date, timedelta

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.announcement import feed_card
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.components.marks import marks_row
from bbbms_app.components.packed import fields, pack, unpack
from bbbms_app.models.accounts import ROLES
from bbbms_app.models.communication import AUDIENCES, REACHES
from bbbms_app.services import announcements, diary, school_events, timetable
from bbbms_app.services import school as school_service
from bbbms_app.services.access import Principal

FIRST_MONDAY = date(2000, 1, 3)
LAST_MONDAY = date(2099, 12, 28)
# A week's days and lessons as services.diary.pupil_week gives them, each row kept packed
# (components/packed.py): the state of a parent's tab holds a string per lesson, not a dict.
DAY_FIELDS = ("date", "label_ky", "label_ru", "label_en", "holiday_ky", "holiday_ru", "holiday_en", "empty")
LESSON_FIELDS = (
    "id", "number", "time", "subject_ky", "subject_ru", "subject_en", "topic", "homework", "marks",
    "absence_code", "absence_ky", "absence_ru", "absence_en", "cancelled", "course",
)  # fmt: skip


def day_of(view: str) -> dict[str, str]:
    """A packed day of the week as its dict."""
    return unpack(DAY_FIELDS, view)


def lesson_of(view: str) -> dict[str, str]:
    """A packed lesson of the week as its dict."""
    return unpack(LESSON_FIELDS, view)


class DiaryState(rx.State):
    """The chosen child and one week of his diary."""

    children: list[dict[str, str]] = []
    pupil_id: str = ""
    monday: str = ""
    week_label: str = ""
    days: list[str] = []  # packed DAY_FIELDS
    lessons: list[list[str]] = []  # per day, packed LESSON_FIELDS
    # Announcements to him not yet opened (an opened one stays until the next visit), and the
    # events of the coming week.
    news: list[dict[str, str]] = []
    opened: str = ""
    events: list[dict[str, str]] = []

    def _week(self, principal: Principal, pupil_id: int, monday: date | None) -> dict:
        """The week for `pupil_id`; a pupil outside the principal's family is refused (and audited)."""
        with db.session() as s:
            start = monday or diary.default_monday(s, principal, pupil_id, date.today())
            return diary.pupil_week(s, principal, pupil_id, start)

    def _show(self, pupil_id: int, week: dict) -> None:
        self.pupil_id = str(pupil_id)
        self.monday = week["monday"]
        self.week_label = week["label"]
        self.days = [pack(DAY_FIELDS, day) for day in week["days"]]
        self.lessons = [[pack(LESSON_FIELDS, lesson) for lesson in day] for day in week["lessons"]]

    def _clear(self) -> None:
        self.pupil_id, self.monday, self.week_label = "", "", ""
        self.days, self.lessons = [], []

    def _current_monday(self) -> date | None:
        try:
            return date.fromisoformat(self.monday) if self.monday else None
        except ValueError:
            return None

    @rx.event
    @requires("own.read")
    def load(self):
        principal = current()
        with db.session() as s:
            self.children = school_service.own_children(s, principal, date.today())
            self.news = [r for r in announcements.feed(s, principal, date.today()) if not r["read"]]
            self.events = school_events.upcoming(s, principal, date.today(), days=7)
        ids = [c["id"] for c in self.children]
        if not ids:
            self._clear()
            return
        pupil_id = int(self.pupil_id) if self.pupil_id in ids else int(ids[0])
        self._show(pupil_id, self._week(principal, pupil_id, self._current_monday()))

    @rx.event
    @requires("own.read")
    def open_announcement(self, announcement_id: str):
        """Open (or close) one of the new announcements; the first opening is his read receipt."""
        aid = inputs.record_id(announcement_id, "announcement_id")
        if self.opened == str(aid):
            self.opened = ""
            return
        with db.session(write=True) as s:
            announcements.mark_read(s, current(), aid, date.today())
        self.opened = str(aid)
        self.news = [{**r, "read": "1"} if r["id"] == self.opened else r for r in self.news]

    @rx.event
    @requires("own.read")
    def choose(self, pupil_id: str | list[str]):
        """Switch to another child, keeping the week; the id is checked against the family on the server."""
        if not isinstance(pupil_id, str):
            return
        raw = pupil_id.strip()
        if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
            return
        # Fetch first, assign after: a refused id leaves the screen as it was.
        week = self._week(current(), int(raw), self._current_monday())
        self._show(int(raw), week)

    def _move(self, days: int) -> None:
        monday = self._current_monday()
        if monday is None or not self.pupil_id:
            return
        moved = monday + timedelta(days=days)
        if not FIRST_MONDAY <= moved <= LAST_MONDAY:
            return
        self._show(int(self.pupil_id), self._week(current(), int(self.pupil_id), moved))

    @rx.event
    @requires("own.read")
    def prev_week(self):
        self._move(-7)

    @rx.event
    @requires("own.read")
    def next_week(self):
        self._move(7)

    @rx.event
    @requires("own.read")
    def this_week(self):
        if not self.pupil_id:
            return
        monday = timetable.monday_of(date.today())
        self._show(int(self.pupil_id), self._week(current(), int(self.pupil_id), monday))


def _in_lang(row: dict[str, rx.Var], prefix: str) -> rx.Var:
    return rx.match(AuthState.lang, ("ru", row[f"{prefix}_ru"]), ("en", row[f"{prefix}_en"]), row[f"{prefix}_ky"])


def _marks(lesson: dict[str, rx.Var]) -> rx.Component:
    # Coloured by value (components.marks): a «2» stands out from a «5».
    return marks_row(lesson["marks"], "diary-mark", size="3")


def _lesson(packed: rx.Var) -> rx.Component:
    lesson = fields(packed, LESSON_FIELDS)
    cancelled = lesson["cancelled"] == "1"
    return rx.box(
        rx.flex(
            rx.vstack(
                rx.text(lesson["number"], weight="bold", size="3"),
                rx.text(lesson["time"], size="1", color_scheme="gray", white_space="nowrap"),
                spacing="0",
                min_width="56px",
            ),
            rx.vstack(
                rx.hstack(
                    rx.text(
                        _in_lang(lesson, "subject"),
                        weight="medium",
                        text_decoration=rx.cond(cancelled, "line-through", "none"),
                        data_testid="diary-subject",
                    ),
                    rx.cond(cancelled, rx.badge(tr("tt.cancelled"), color_scheme="gray")),
                    rx.cond(
                        lesson["absence_code"] != "",
                        rx.badge(_in_lang(lesson, "absence"), color_scheme="red", data_testid="diary-absence"),
                    ),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.cond(
                    lesson["topic"] != "",
                    rx.text(
                        rx.text.span(tr("diary.topic"), ": ", color_scheme="gray"),
                        lesson["topic"],
                        size="2",
                        data_testid="diary-topic",
                    ),
                ),
                rx.cond(
                    lesson["homework"] != "",
                    rx.text(
                        rx.text.span(tr("diary.homework"), ": ", color_scheme="gray"),
                        rx.text.strong(lesson["homework"]),
                        size="2",
                        data_testid="diary-homework",
                    ),
                ),
                rx.cond(
                    lesson["course"] != "",
                    rx.link(
                        rx.flex(
                            rx.icon("book-open", size=14, flex_shrink="0"),
                            tr("courses2.course_materials"),
                            gap="6px",
                            align="center",
                        ),
                        href=lesson["course"],
                        size="2",
                        width="fit-content",
                        data_testid="diary-course",
                    ),
                ),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            _marks(lesson),
            gap="12px",
            align="start",
            width="100%",
        ),
        padding_y="10px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        opacity=rx.cond(cancelled, "0.6", "1"),
        width="100%",
        data_testid="diary-lesson",
    )


def _day(packed: rx.Var, index: rx.Var) -> rx.Component:
    day = fields(packed, DAY_FIELDS)
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(_in_lang(day, "label"), size="3"),
                rx.cond(day["holiday_ky"] != "", rx.badge(_in_lang(day, "holiday"), color_scheme="amber")),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            rx.cond(
                day["empty"] == "1",
                rx.text(tr("diary.no_lessons"), size="2", color_scheme="gray"),
                rx.vstack(rx.foreach(DiaryState.lessons[index], _lesson), spacing="0", width="100%"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="diary-day",
    )


def _week_nav() -> rx.Component:
    return rx.flex(
        rx.icon_button(
            rx.icon("chevron-left"),
            on_click=DiaryState.prev_week,
            variant="soft",
            aria_label="prev",
            data_testid="diary-prev",
        ),
        rx.text(DiaryState.week_label, weight="medium", size="3", data_testid="diary-week"),
        rx.icon_button(
            rx.icon("chevron-right"),
            on_click=DiaryState.next_week,
            variant="soft",
            aria_label="next",
            data_testid="diary-next",
        ),
        rx.button(tr("tt.this_week"), on_click=DiaryState.this_week, variant="ghost", size="2"),
        gap="10px",
        align="center",
        wrap="wrap",
    )


def _news() -> rx.Component:
    codes = (AUDIENCES, REACHES, ROLES)
    return rx.fragment(
        rx.cond(
            DiaryState.news.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.foreach(
                    DiaryState.news,
                    lambda r: feed_card(r, DiaryState.opened == r["id"], DiaryState.open_announcement(r["id"]), codes),
                ),
                spacing="2",
                width="100%",
                data_testid="diary-news",
            ),
        ),
        rx.cond(
            DiaryState.events.length() > 0,  # type: ignore[attr-defined]
            rx.flex(
                rx.foreach(
                    DiaryState.events,
                    lambda e: rx.link(
                        rx.badge(
                            e["day"], " ", e["time"], " · ", e["title"], size="2", variant="soft", white_space="normal"
                        ),
                        href="/calendar",
                        underline="none",
                        data_testid="diary-event",
                    ),
                ),
                gap="6px",
                wrap="wrap",
                width="100%",
            ),
        ),
    )


def _body() -> rx.Component:
    return rx.vstack(
        _news(),
        rx.cond(
            DiaryState.children.length() > 1,  # type: ignore[attr-defined]
            # Three children's full names are wider than a phone: the switch scrolls in its own
            # strip, not the page.
            rx.box(
                rx.segmented_control.root(
                    rx.foreach(DiaryState.children, lambda c: rx.segmented_control.item(c["name"], value=c["id"])),
                    value=DiaryState.pupil_id,
                    on_change=DiaryState.choose,
                    data_testid="diary-child-switch",
                ),
                max_width="100%",
                overflow_x="auto",
            ),
        ),
        rx.cond(
            DiaryState.pupil_id != "",
            rx.vstack(
                rx.flex(
                    _week_nav(),
                    rx.spacer(),
                    rx.hstack(
                        rx.link(tr("diary.to_marks"), href="/marks", data_testid="diary-to-marks"),
                        rx.link(tr("nav.timetable"), href="/timetable"),
                        spacing="4",
                    ),
                    width="100%",
                    align="center",
                    gap="8px",
                    wrap="wrap",
                ),
                rx.foreach(DiaryState.days, _day),
                spacing="3",
                width="100%",
            ),
            rx.callout(tr("diary.no_pupil"), icon="info", color_scheme="gray", width="100%"),
        ),
        spacing="3",
        width="100%",
    )


diary_page = page_shell("nav.diary", _body)
