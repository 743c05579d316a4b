"""Announcements (`/announcements`): the write form and what was written, with who has read it.

The director and the deputy write to the whole school, a parallel, a class or a role; a class
teacher to his class's parents and pupils (services.announcements checks the scope of every send,
whatever the browser sends). Recipients read them on their home page (pages/home.py), which marks
one read when it is opened. Bodies are plain text, shown as text with their line breaks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.components.announcement import attachment_links, audience_text, body_text, in_language
from bbbms_app.components.date_input import date_input
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import t
from bbbms_app.models.accounts import ROLES
from bbbms_app.models.communication import ANNOUNCEMENT_AUDIENCES, AUDIENCE_ROLES, REACHES
from bbbms_app.services import announcements, private_files
from bbbms_app.services.announcements import CLASS_REACHES, Draft
from bbbms_app.services.errors import Refused

AUDIENCES = ANNOUNCEMENT_AUDIENCES  # the school, a grade, a class, a role, or named people
UPLOAD_ID = "announcement_files"

TEXT_FIELDS = {"title": announcements.TITLE_MAX, "body": announcements.BODY_MAX, "publish_on": 10, "expires_on": 10}


class AnnouncementsState(rx.State):
    """The write form (its values as text) and one page of written announcements as display rows."""

    title: str = ""
    body: str = ""
    audience: str = "school"
    reach: str = "all"
    grade: str = ""
    class_id: str = ""
    role: str = ""
    pinned: bool = False
    publish_on: str = ""
    expires_on: str = ""
    form_error: str = ""
    # Bumped when the form is cleared: the text fields (not controlled) are drawn anew, empty.
    form_key: int = 0
    audience_options: list[str] = []
    reach_options: list[str] = []
    class_options: list[dict[str, str]] = []
    school_wide: bool = False
    rows: list[dict[str, str]] = []
    # The audience «people»: whom he may name, and whom he named.
    people_options: list[dict[str, str]] = []
    people: list[dict[str, str]] = []
    # Files staged for the announcement being written: names and sizes shown, the rest kept here.
    staged: list[dict[str, str]] = []
    _staged: list[dict] = []

    def _fetch(self) -> None:
        principal = current()
        with db.session() as s:
            self.rows = announcements.written(s, principal)
            self.class_options = announcements.class_options(s, principal)
            self.people_options = announcements.people_options(s, principal, date.today())
        self.school_wide = announcements.writes_school(principal)
        self.audience_options = list(AUDIENCES) if self.school_wide else ["class", "people"]
        self.reach_options = list(REACHES) if self.school_wide else list(CLASS_REACHES)

    def _clear(self) -> None:
        self.title = self.body = self.grade = self.role = self.expires_on = self.form_error = ""
        self.pinned = False
        self.people, self.staged, self._staged = [], [], []
        self.form_key += 1
        self.publish_on = date.today().isoformat()
        self.audience = self.audience_options[0]
        self.reach = self.reach_options[0]
        self.class_id = self.class_options[0]["id"] if len(self.class_options) == 1 else ""

    @rx.event
    @requires("announcement.write")
    def load(self):
        self._fetch()
        self._clear()

    def _set(self, field: str, value: object) -> None:
        """One field of the form as typed or picked; a pick the screen did not offer is ignored."""
        field = inputs.choice(
            field,
            ("title", "body", "audience", "reach", "grade", "class_id", "role", "publish_on", "expires_on"),
            "field",
        )
        if field in TEXT_FIELDS:
            setattr(self, field, inputs.text(value, TEXT_FIELDS[field], field, multiline=field == "body"))
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
    @requires("announcement.write")
    def set_value(self, field: str, value: str):
        """A picker's choice (audience, reach, grade, class, role) or a field's text."""
        self._set(field, value)

    # The text fields send their value when they lose focus (one event, not one per keystroke on
    # a weak connection); the date fields when a whole date is typed (components/date_input.py).
    @rx.event
    @requires("announcement.write")
    def set_title(self, value: str):
        self._set("title", value)

    @rx.event
    @requires("announcement.write")
    def set_body(self, value: str):
        self._set("body", value)

    @rx.event
    @requires("announcement.write")
    def set_publish_on(self, value: str):
        self._set("publish_on", value)

    @rx.event
    @requires("announcement.write")
    def set_expires_on(self, value: str):
        self._set("expires_on", value)

    @rx.event
    @requires("announcement.write")
    def set_pinned(self, value: bool):
        self.pinned = inputs.flag(value, "pinned")

    @rx.event
    @requires("announcement.write")
    def add_person(self, user_id: str):
        """Name one more person (one the form offered) for the audience «people»."""
        picked = inputs.offered(user_id, self.people_options)
        if picked is not None and all(p["id"] != picked for p in self.people):
            if len(self.people) >= announcements.PEOPLE_MAX:
                return None
            self.people = [*self.people, next(o for o in self.people_options if o["id"] == picked)]
        return None

    @rx.event
    @requires("announcement.write")
    def remove_person(self, user_id: str):
        self.people = [p for p in self.people if p["id"] != str(user_id)[:12]]

    @rx.event
    @requires("announcement.write")
    async def attach(self, files: list[rx.UploadFile]):
        """Stage the chosen files (checked by size and content) for the announcement being written."""
        principal = current()
        if not isinstance(files, list) or not files or len(self._staged) + len(files) > announcements.FILES_MAX:
            self.form_error = t("comm.error.files", principal.language, n=str(announcements.FILES_MAX))
            return None
        for f in files:
            data = await f.read(announcements.FILE_BYTES + 1)
            try:
                staged = announcements.stage_attachment(principal, data, str(f.name or ""))
            except private_files.FileRejected as exc:
                self.form_error = t(exc.key, principal.language, **exc.params)
                return rx.toast.error(self.form_error)
            self._staged = [*self._staged, asdict(staged)]
            kb = str(max(1, round(staged.size / 1024)))
            self.staged = [*self.staged, {"name": staged.original_name or staged.name, "size": f"{kb} KB"}]
        self.form_error = ""
        return None

    @rx.event
    @requires("announcement.write")
    def unstage(self, index: int):
        i = inputs.bounded_int(index, 0, announcements.FILES_MAX - 1, "index")
        if i < len(self._staged):
            private_files.remove("staging", self._staged[i]["name"])
            self._staged = [f for n, f in enumerate(self._staged) if n != i]
            self.staged = [f for n, f in enumerate(self.staged) if n != i]

    @rx.event
    @requires("announcement.write")
    def send(self):
        """Publish the form's announcement; a refused value is shown under the form, nothing is written."""
        principal = current()
        draft = Draft(
            title=inputs.text(self.title, announcements.TITLE_MAX, "title"),
            body=inputs.text(self.body, announcements.BODY_MAX, "body", multiline=True),
            audience=inputs.choice(self.audience, AUDIENCES, "audience"),
            reach=inputs.choice(self.reach, REACHES, "reach") if self.audience != "people" else "all",
            grade=inputs.bounded_int(self.grade, 1, 12, "grade") if self.audience == "grade" and self.grade else None,
            class_id=inputs.optional_id(self.class_id, "class_id") if self.audience == "class" else None,
            role=self.role if self.audience == "role" else "",
            pinned=inputs.flag(self.pinned, "pinned"),
            publish_on=inputs.school_date(self.publish_on, "publish_on"),
            expires_on=inputs.school_date(self.expires_on, "expires_on"),
            people=tuple(inputs.record_id(p["id"], "people") for p in self.people) if self.audience == "people" else (),
            attachments=tuple(announcements.Attachment(**f) for f in self._staged),
        )
        try:
            with db.session(write=True) as s:
                announcements.post(s, principal, draft, date.today())
        except Refused as exc:  # shown in place, under the form (the guard audits nothing for it)
            self.form_error = exc.message(principal.language)
            return None
        self._fetch()
        self._clear()
        return rx.toast.success(t("comm.sent", principal.language))

    @rx.event
    @requires("announcement.write")
    def withdraw(self, announcement_id: str):
        principal = current()
        aid = inputs.record_id(announcement_id, "announcement_id")
        with db.session(write=True) as s:
            announcements.withdraw(s, principal, aid)
        self._fetch()
        return rx.toast.success(t("comm.withdrawn", principal.language))


def _select(field: str, options: rx.Var, label: Callable[[rx.Var], rx.Var], testid: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%", data_testid=testid),
        rx.select.content(rx.foreach(options, lambda o: rx.select.item(label(o), value=o))),
        value=getattr(AnnouncementsState, field),
        on_change=lambda v: AnnouncementsState.set_value(field, v),
    )


def _labelled(key: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(tr(key), size="2", weight="medium"), control, spacing="1", width="100%")


def _people() -> rx.Component:
    S = AnnouncementsState
    return rx.vstack(
        rx.select.root(
            rx.select.trigger(placeholder=tr("comm.add_person"), width="100%", data_testid="ann-person"),
            rx.select.content(rx.foreach(S.people_options, lambda o: rx.select.item(o["name"], value=o["id"]))),
            value="",
            on_change=S.add_person,
        ),
        rx.flex(
            rx.foreach(
                S.people,
                lambda p: rx.badge(
                    p["name"],
                    rx.icon("x", size=14, on_click=S.remove_person(p["id"]), cursor="pointer"),
                    size="2",
                    data_testid="ann-named",
                ),
            ),
            gap="6px",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
    )


def _files() -> rx.Component:
    S = AnnouncementsState
    return rx.vstack(
        rx.upload(
            rx.flex(
                rx.icon("paperclip", size=18),
                rx.text(tr("comm.attach"), size="2"),
                gap="6px",
                align="center",
                justify="center",
            ),
            id=UPLOAD_ID,
            multiple=True,
            max_files=announcements.FILES_MAX,
            max_size=announcements.FILE_BYTES,
            on_drop=S.attach(rx.upload_files(upload_id=UPLOAD_ID)),  # type: ignore[call-arg]
            border=f"1px dashed {rx.color('accent', 8)}",
            border_radius="8px",
            padding="10px",
            width="100%",
            cursor="pointer",
            data_testid="ann-attach",
        ),
        rx.flex(
            rx.foreach(
                S.staged,
                lambda f, i: rx.badge(
                    rx.icon("paperclip", size=12),
                    f["name"],
                    " · ",
                    f["size"],
                    rx.icon("x", size=14, on_click=S.unstage(i), cursor="pointer"),
                    size="2",
                    color_scheme="green",
                    data_testid="ann-staged",
                ),
            ),
            gap="6px",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
    )


def _form() -> rx.Component:
    S = AnnouncementsState
    grade = rx.select.root(
        rx.select.trigger(width="100%", data_testid="ann-grade"),
        rx.select.content(
            *[rx.select.item(tr("comm.grade_n").replace("{grade}", g), value=g) for g in announcements.GRADES]  # type: ignore[attr-defined]
        ),
        value=S.grade,
        on_change=lambda v: S.set_value("grade", v),
    )
    klass = rx.select.root(
        rx.select.trigger(width="100%", data_testid="ann-class"),
        rx.select.content(rx.foreach(S.class_options, lambda o: rx.select.item(o["name"], value=o["id"]))),
        value=S.class_id,
        on_change=lambda v: S.set_value("class_id", v),
    )
    role = rx.select.root(
        rx.select.trigger(width="100%", data_testid="ann-role"),
        rx.select.content(*[rx.select.item(tr(f"role.{r}"), value=r) for r in AUDIENCE_ROLES]),
        value=S.role,
        on_change=lambda v: S.set_value("role", v),
    )
    return rx.card(
        rx.vstack(
            rx.heading(tr("comm.new"), size="4"),
            rx.cond(
                ~S.school_wide,
                rx.cond(
                    S.class_options.length() > 0,  # type: ignore[attr-defined]
                    rx.text(tr("comm.class_teacher_help"), size="2", color_scheme="gray"),
                    rx.callout(tr("comm.no_class"), icon="info", width="100%", data_testid="ann-no-class"),
                ),
            ),
            _labelled(
                "comm.field.title",
                rx.input(
                    default_value=S.title,
                    on_blur=S.set_title,
                    key=S.form_key.to(str) + "-title",
                    max_length=announcements.TITLE_MAX,
                    width="100%",
                    data_testid="ann-title",
                ),
            ),
            _labelled(
                "comm.field.body",
                rx.text_area(
                    default_value=S.body,
                    on_blur=S.set_body,
                    key=S.form_key.to(str) + "-body",
                    rows="4",
                    max_length=announcements.BODY_MAX,
                    width="100%",
                    data_testid="ann-body",
                ),
            ),
            rx.text(tr("comm.plain_text"), size="1", color_scheme="gray"),
            rx.grid(
                _labelled(
                    "comm.field.audience",
                    _select(
                        "audience",
                        S.audience_options,
                        lambda o: in_language("comm.audience", AUDIENCES, o),
                        "ann-audience",
                    ),
                ),
                rx.match(
                    S.audience,
                    ("grade", _labelled("comm.field.grade", grade)),
                    ("class", _labelled("comm.field.class", klass)),
                    ("role", _labelled("comm.field.role", role)),
                    ("people", _labelled("comm.field.people", _people())),
                    rx.fragment(),
                ),
                rx.cond(
                    (S.audience != "role") & (S.audience != "people"),
                    _labelled(
                        "comm.field.reach",
                        _select("reach", S.reach_options, lambda o: in_language("comm.reach", REACHES, o), "ann-reach"),
                    ),
                ),
                _labelled(
                    "comm.field.publish_on",
                    date_input(S.publish_on, S.set_publish_on, testid="ann-publish", width="100%"),
                ),
                _labelled(
                    "comm.field.expires_on",
                    date_input(S.expires_on, S.set_expires_on, testid="ann-expires", width="100%"),
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.checkbox(tr("comm.field.pinned"), checked=S.pinned, on_change=S.set_pinned, data_testid="ann-pinned"),
            _files(),
            rx.cond(
                S.form_error != "",
                rx.callout(
                    S.form_error, color_scheme="red", icon="triangle-alert", width="100%", data_testid="ann-error"
                ),
            ),
            rx.button(tr("comm.send"), on_click=S.send, size="3", data_testid="ann-send"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _written(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.text(row["title"], weight="bold", size="3"),
                rx.cond(row["pinned"] == "1", rx.badge(tr("comm.pinned"), color_scheme="amber")),
                rx.cond(row["withdrawn"] == "1", rx.badge(tr("comm.withdrawn"), color_scheme="gray")),
                gap="8px",
                align="center",
                wrap="wrap",
            ),
            audience_text(row, AUDIENCES, REACHES, ROLES, size="2", color_scheme="gray", data_testid="ann-to"),
            rx.text(
                row["publish_on"],
                rx.cond(row["expires_on"] != "", " — " + row["expires_on"], ""),
                " · ",
                row["author"],
                size="1",
                color_scheme="gray",
            ),
            body_text(row["body"], size="2"),
            attachment_links(row["files"]),
            rx.flex(
                rx.badge(
                    tr("comm.read_count").replace("{n}", row["read_count"]),  # type: ignore[attr-defined]
                    color_scheme="grass",
                    size="2",
                    data_testid="ann-read-count",
                ),
                rx.text(
                    rx.cond(row["readers"] != "", row["readers"], tr("comm.nobody_read")),
                    size="2",
                    data_testid="ann-readers",
                ),
                gap="8px",
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                row["withdrawn"] == "",
                rx.button(
                    tr("comm.withdraw"),
                    on_click=AnnouncementsState.withdraw(row["id"]),
                    variant="soft",
                    color_scheme="red",
                    size="1",
                    data_testid="ann-withdraw",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="ann-written",
    )


def _body() -> rx.Component:
    return rx.vstack(
        _form(),
        rx.heading(tr("comm.written"), size="4"),
        rx.cond(
            AnnouncementsState.rows.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(rx.foreach(AnnouncementsState.rows, _written), spacing="3", width="100%"),
            rx.text(tr("comm.none_written"), color_scheme="gray"),
        ),
        spacing="4",
        width="100%",
    )


announcements_page = page_shell("nav.announcements", _body)
