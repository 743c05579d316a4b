"""The events calendar (`/calendar`): the coming events addressed to the user, the form that adds
one (`event.write`: the director and deputy for the school, a class teacher for his class), and his
personal iCalendar address for a phone's calendar (shown once, revocable)."""

from __future__ import annotations

from datetime import date, time

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.components.announcement import audience_text, body_text, in_language
from bbbms_app.components.date_input import date_input
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import t
from bbbms_app.models.accounts import ROLES
from bbbms_app.models.communication import AUDIENCE_ROLES, AUDIENCES, REACHES
from bbbms_app.services import announcements, school_events
from bbbms_app.services.announcements import CLASS_REACHES
from bbbms_app.services.errors import Refused
from bbbms_app.services.school_events import EventDraft

TEXTS = {
    "title": school_events.TITLE_MAX,
    "place": school_events.PLACE_MAX,
    "description": school_events.DESCRIPTION_MAX,
    "on_day": 10,
    "starts_at": 5,
    "ends_at": 5,
}
PICKS = ("audience", "reach", "grade", "class_id", "role")
WEEKDAYS = [str(d) for d in range(1, 8)]


def _time(value: str, field: str) -> time | None:
    """«HH:MM» (a time field), or None when empty; anything else is refused naming the field."""
    if not value:
        return None
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise Refused("events.error.time", field=field) from None


class CalendarState(rx.State):
    """The coming events as display rows, the add form's values, and the feed address shown once."""

    rows: list[dict[str, str]] = []
    can_write: bool = False
    title: str = ""
    place: str = ""
    description: str = ""
    on_day: str = ""
    starts_at: str = ""
    ends_at: str = ""
    audience: str = "school"
    reach: str = "all"
    grade: str = ""
    class_id: str = ""
    role: str = ""
    form_error: str = ""
    form_key: int = 0
    audience_options: list[str] = []
    reach_options: list[str] = []
    class_options: list[dict[str, str]] = []
    has_feed: bool = False
    feed_path: str = ""  # the new address, shown once after it is made

    def _fetch(self) -> None:
        principal = current()
        with db.session() as s:
            self.rows = school_events.upcoming(s, principal, date.today())
            self.has_feed = school_events.has_feed(s, principal)
            self.can_write = principal.can("event.write")
            self.class_options = announcements.class_options(s, principal) if self.can_write else []
        wide = principal.role in announcements.SCHOOL_WRITERS
        self.audience_options = list(AUDIENCES) if wide else ["class"]
        self.reach_options = list(REACHES) if wide else list(CLASS_REACHES)

    def _clear(self) -> None:
        self.title = self.place = self.description = self.starts_at = self.ends_at = ""
        self.grade = self.role = self.form_error = ""
        self.on_day = date.today().isoformat()
        self.audience, self.reach = self.audience_options[0], self.reach_options[0]
        self.class_id = self.class_options[0]["id"] if len(self.class_options) == 1 else ""
        self.form_key += 1

    @rx.event
    @requires("signed_in")
    def load(self):
        self.feed_path = ""
        self._fetch()
        self._clear()

    def _set(self, field: str, value: object) -> None:
        field = inputs.choice(field, (*TEXTS, *PICKS), "field")
        if field in TEXTS:
            setattr(self, field, inputs.text(value, TEXTS[field], field, multiline=field == "description"))
            return
        picked = announcements.offered_pick(
            field,
            value,
            audiences=self.audience_options,
            reaches=self.reach_options,
            class_ids=[o["id"] for o in self.class_options],
        )
        if picked is not None:
            setattr(self, field, picked)

    @rx.event
    @requires("event.write")
    def set_value(self, field: str, value: str):
        """A picker's choice or a field's text (text fields send it when they lose focus)."""
        self._set(field, value)

    @rx.event
    @requires("event.write")
    def set_on_day(self, value: str):
        self._set("on_day", value)

    @rx.event
    @requires("event.write")
    def add(self):
        """Put the form's event in the calendar; a refused value is shown under the form."""
        principal = current()
        try:
            draft = EventDraft(
                title=self.title,
                on_day=inputs.school_date(self.on_day, "on_day"),
                starts_at=_time(self.starts_at, "starts_at"),
                ends_at=_time(self.ends_at, "ends_at"),
                place=self.place,
                description=self.description,
                audience=inputs.choice(self.audience, AUDIENCES, "audience"),
                reach=inputs.choice(self.reach, REACHES, "reach"),
                grade=inputs.bounded_int(self.grade, 1, 12, "grade")
                if self.audience == "grade" and self.grade
                else None,
                class_id=inputs.optional_id(self.class_id, "class_id") if self.audience == "class" else None,
                role=self.role if self.audience == "role" else "",
            )
            with db.session(write=True) as s:
                school_events.add(s, principal, draft, date.today())
        except Refused as exc:  # shown in place, under the form
            self.form_error = exc.message(principal.language)
            return None
        self._fetch()
        self._clear()
        return rx.toast.success(t("events.added", principal.language))

    @rx.event
    @requires("event.write")
    def cancel(self, event_id: str):
        principal = current()
        eid = inputs.record_id(event_id, "event_id")
        with db.session(write=True) as s:
            school_events.cancel(s, principal, eid)
        self._fetch()
        return rx.toast.success(t("events.cancelled", principal.language))

    @rx.event
    @requires("signed_in")
    def new_feed(self):
        """A new secret address for his phone's calendar (the old one stops working)."""
        principal = current()
        with db.session(write=True) as s:
            token = school_events.new_feed(s, principal)
        self.feed_path = f"{school_events.FEED_ROUTE}/{token}.ics"
        self.has_feed = True

    @rx.event
    @requires("signed_in")
    def revoke_feed(self):
        principal = current()
        with db.session(write=True) as s:
            school_events.revoke_feeds(s, principal)
        self.feed_path = ""
        self.has_feed = False
        return rx.toast.success(t("events.feed.revoked", principal.language))


def _event(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.text(row["day"], weight="bold", size="3", white_space="nowrap"),
                rx.text(in_language("tt.day", WEEKDAYS, row["weekday"]), size="1", color_scheme="gray"),
                rx.text(row["time"], size="2", white_space="nowrap"),
                spacing="0",
                min_width="92px",
            ),
            rx.vstack(
                rx.text(row["title"], weight="bold", size="3"),
                rx.cond(row["place"] != "", rx.text(tr("events.place_is").replace("{place}", row["place"]), size="2")),  # type: ignore[attr-defined]
                rx.cond(row["description"] != "", body_text(row["description"], size="2")),
                audience_text(row, AUDIENCES, REACHES, ROLES, size="1", color_scheme="gray"),
                rx.cond(
                    CalendarState.can_write & (row["mine"] == "1"),
                    rx.button(
                        tr("events.cancel"),
                        on_click=CalendarState.cancel(row["id"]),
                        variant="soft",
                        color_scheme="red",
                        size="1",
                        data_testid="event-cancel",
                    ),
                ),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            gap="12px",
            align="start",
            width="100%",
        ),
        width="100%",
        data_testid="calendar-event",
    )


def _field(key: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(tr(key), size="2", weight="medium"), control, spacing="1", width="100%")


def _text_input(field: str, testid: str, **props) -> rx.Component:
    return rx.input(
        default_value=getattr(CalendarState, field),
        on_blur=lambda v: CalendarState.set_value(field, v),
        key=CalendarState.form_key.to(str) + "-" + field,
        width="100%",
        data_testid=testid,
        **props,
    )


def _pick(field: str, items: rx.Var | list, label, testid: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%", data_testid=testid),
        rx.select.content(
            rx.foreach(items, lambda o: rx.select.item(label(o), value=o))
            if isinstance(items, rx.Var)
            else rx.fragment(*[rx.select.item(label(o), value=o) for o in items])
        ),
        value=getattr(CalendarState, field),
        on_change=lambda v: CalendarState.set_value(field, v),
    )


def _form() -> rx.Component:
    S = CalendarState
    klass = rx.select.root(
        rx.select.trigger(width="100%", data_testid="event-class"),
        rx.select.content(rx.foreach(S.class_options, lambda o: rx.select.item(o["name"], value=o["id"]))),
        value=S.class_id,
        on_change=lambda v: S.set_value("class_id", v),
    )
    return rx.card(
        rx.vstack(
            rx.heading(tr("events.new"), size="4"),
            _field("comm.field.title", _text_input("title", "event-title", max_length=school_events.TITLE_MAX)),
            rx.grid(
                _field("events.field.day", date_input(S.on_day, S.set_on_day, testid="event-day", width="100%")),
                _field("events.field.starts", _text_input("starts_at", "event-starts", type="time")),
                _field("events.field.ends", _text_input("ends_at", "event-ends", type="time")),
                _field("events.field.place", _text_input("place", "event-place", max_length=school_events.PLACE_MAX)),
                _field(
                    "comm.field.audience",
                    _pick(
                        "audience",
                        S.audience_options,
                        lambda o: in_language("comm.audience", AUDIENCES, o),
                        "event-audience",
                    ),
                ),
                rx.match(
                    S.audience,
                    (
                        "grade",
                        _field(
                            "comm.field.grade",
                            _pick(
                                "grade",
                                announcements.GRADES,
                                lambda g: tr("comm.grade_n").replace("{grade}", g),
                                "event-grade",
                            ),  # type: ignore[attr-defined]
                        ),
                    ),
                    ("class", _field("comm.field.class", klass)),
                    (
                        "role",
                        _field(
                            "comm.field.role",
                            _pick("role", list(AUDIENCE_ROLES), lambda r: tr(f"role.{r}"), "event-role"),
                        ),
                    ),
                    rx.fragment(),
                ),
                rx.cond(
                    S.audience != "role",
                    _field(
                        "comm.field.reach",
                        _pick("reach", S.reach_options, lambda o: in_language("comm.reach", REACHES, o), "event-reach"),
                    ),
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            _field(
                "events.field.description",
                rx.text_area(
                    default_value=S.description,
                    on_blur=lambda v: S.set_value("description", v),
                    key=S.form_key.to(str) + "-description",
                    rows="3",
                    width="100%",
                    data_testid="event-description",
                ),
            ),
            rx.cond(
                S.form_error != "",
                rx.callout(
                    S.form_error, color_scheme="red", icon="triangle-alert", width="100%", data_testid="event-error"
                ),
            ),
            rx.button(tr("events.add"), on_click=S.add, size="3", data_testid="event-add"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _feed() -> rx.Component:
    S = CalendarState
    origin = rx.Var("(typeof window !== 'undefined' ? window.location.origin : '')").to(str)
    return rx.card(
        rx.vstack(
            rx.heading(tr("events.feed.title"), size="4"),
            rx.text(tr("events.feed.help"), size="2", color_scheme="gray"),
            rx.cond(
                S.feed_path != "",
                rx.vstack(
                    rx.text(tr("events.feed.once"), size="2", weight="medium"),
                    rx.code(origin + S.feed_path, overflow_wrap="anywhere", data_testid="feed-url"),
                    spacing="1",
                    width="100%",
                ),
            ),
            rx.flex(
                rx.button(
                    rx.cond(S.has_feed, tr("events.feed.renew"), tr("events.feed.make")),
                    on_click=S.new_feed,
                    data_testid="feed-new",
                ),
                rx.cond(
                    S.has_feed,
                    rx.button(
                        tr("events.feed.revoke"),
                        on_click=S.revoke_feed,
                        variant="soft",
                        color_scheme="red",
                        data_testid="feed-revoke",
                    ),
                ),
                gap="8px",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.cond(
            CalendarState.rows.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(rx.foreach(CalendarState.rows, _event), spacing="2", width="100%"),
            rx.text(tr("events.none"), color_scheme="gray", data_testid="events-none"),
        ),
        rx.cond(CalendarState.can_write, _form()),
        _feed(),
        spacing="4",
        width="100%",
    )


calendar_page = page_shell("nav.calendar", _body)
