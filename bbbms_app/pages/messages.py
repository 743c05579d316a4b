"""Messages (`/messages`): the person's conversations, one open conversation, a new message, the
class teacher's group, the office-hours note, and the in-app notification list — phone first.

Who may write to whom is the service's (services.messages), whatever the browser sends: a pick
the screen did not offer is ignored here and refused there. Opening a conversation marks it read
and the unread badge (AuthState.unread, sidebar and header) is counted again.
"""

from __future__ import annotations

import re
from datetime import date, time

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.announcement import body_text, in_language
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import t
from bbbms_app.models.accounts import ROLES
from bbbms_app.models.messaging import DIGESTS, MARK_SUBSCRIPTIONS
from bbbms_app.services import messages, notify
from bbbms_app.services.errors import Refused
from bbbms_app.services.messages import Attachment
from bbbms_app.services.notify import Choices

UPLOAD_ID = "message_file"


class MessagesState(rx.State):
    """Display rows of the conversations, the open one, the notifications, and the form's text."""

    rows: list[dict[str, str]] = []
    contacts: list[dict[str, str]] = []
    classes: list[dict[str, str]] = []
    notes: list[dict[str, str]] = []
    open_id: str = ""
    thread: list[dict[str, str]] = []
    thread_kind: str = ""
    thread_title: str = ""
    can_write: bool = False
    their_hours: str = ""
    to: str = ""
    to_hours: str = ""
    body: str = ""
    form_key: int = 0
    form_error: str = ""
    my_hours: str = ""
    is_staff: bool = False
    children: list[dict[str, str]] = []  # a parent's: this week's diary seen or not
    acks: list[dict[str, str]] = []  # a class teacher's: who has seen this week's diary

    async def _badge(self, principal) -> None:
        auth = await self.get_state(AuthState)
        auth._refresh_unread(principal)

    def _fetch(self, principal) -> None:
        with db.session() as s:
            self.rows = messages.conversations(s, principal)
            self.contacts = messages.contacts(s, principal, date.today())
            self.classes = messages.led_classes(s, principal)
            self.notes = notify.inbox(s, principal)
            self.my_hours = messages.office_hours(s, principal)
            self.children = messages.children_to_ack(s, principal, date.today())
            self.acks = messages.class_acks(s, principal, date.today())
        self.is_staff = principal.staff_id is not None and principal.role not in messages.FAMILY_ROLES

    def _clear_form(self) -> None:
        self.body = self.form_error = ""
        self.form_key += 1

    @rx.event
    @requires("signed_in")
    async def load(self):
        """The list; `?to=u<id>` (a project's «write to the supervisor») opens a new message to that
        person when the sender may write to him, else says so (nothing else is picked)."""
        principal = current()
        self._fetch(principal)
        self.open_id, self.thread, self.to, self.to_hours = "", [], "", ""
        self._clear_form()
        raw = str(self.router.url.query_parameters.get("to", ""))[:16]
        if raw:
            if principal.can(messages.PERMISSION) and raw in [f"u{c['id']}" for c in self.contacts]:
                self.to = raw
                self.to_hours = next(c["office_hours"] for c in self.contacts if f"u{c['id']}" == raw)
            else:
                self.form_error = t("msg.error.to", principal.language)
        await self._badge(principal)

    def _targets(self) -> list[str]:
        return [f"u{c['id']}" for c in self.contacts] + [f"c{c['id']}" for c in self.classes]

    @rx.event
    @requires("message.write")
    def pick_to(self, value: str):
        """Whom the new message goes to: a person ("u<id>") or a led class's parents ("c<id>")."""
        if isinstance(value, str) and value in self._targets():
            self.to = value
            hit = [c for c in self.contacts if f"u{c['id']}" == value]
            self.to_hours = hit[0]["office_hours"] if hit else ""

    @rx.event
    @requires("signed_in")
    def set_body(self, value: str):
        self.body = inputs.text(value, messages.BODY_MAX, "body", multiline=True)

    async def _done(self, principal):
        self._clear_form()
        self._fetch(principal)
        if self.open_id:
            self._open(principal, int(self.open_id))
        await self._badge(principal)
        return rx.toast.success(t("msg.sent", principal.language))

    @rx.event
    @requires("message.write")
    async def send_new(self):
        """Send the form's text to the picked person or class group."""
        principal = current()
        to = inputs.choice(self.to, self._targets(), "to")
        body = inputs.text(self.body, messages.BODY_MAX, "body", multiline=True)
        try:
            with db.session(write=True) as s:
                if to.startswith("c"):
                    conv = messages.post_to_class(s, principal, int(to[1:]), body, date.today())
                else:
                    conv = messages.start(s, principal, int(to[1:]), body, date.today())
        except Refused as exc:
            self.form_error = exc.message(principal.language)
            return None
        self.open_id = str(conv.id)
        self.to = ""
        return await self._done(principal)

    def _open(self, principal, conversation_id: int) -> None:
        with db.session(write=True) as s:
            th = messages.thread(s, principal, conversation_id)
        self.open_id = str(conversation_id)
        self.thread = th["messages"]
        self.thread_kind = th["kind"]
        self.can_write = th["can_write"]
        self.their_hours = th["office_hours"]
        row = [r for r in self.rows if r["id"] == self.open_id]
        self.thread_title = row[0]["title"] if row else ""

    @rx.event
    @requires("signed_in")
    async def open(self, conversation_id: str):
        principal = current()
        self._open(principal, inputs.record_id(conversation_id, "conversation_id"))
        self._clear_form()
        self._fetch(principal)
        await self._badge(principal)

    @rx.event
    @requires("signed_in")
    def close(self):
        self.open_id, self.thread = "", []
        self._clear_form()

    @rx.event
    @requires("message.write")
    async def reply(self):
        """Follow up in the open conversation (a message is never edited: a new one corrects it)."""
        principal = current()
        cid = inputs.record_id(self.open_id, "conversation_id")
        body = inputs.text(self.body, messages.BODY_MAX, "body", multiline=True)
        try:
            with db.session(write=True) as s:
                messages.reply(s, principal, cid, body)
        except Refused as exc:
            self.form_error = exc.message(principal.language)
            return None
        return await self._done(principal)

    @rx.event
    @requires("message.write")
    async def attach(self, files: list[rx.UploadFile]):
        """Send the chosen file (with the typed text) into the open conversation."""
        principal = current()
        cid = inputs.record_id(self.open_id, "conversation_id")
        if not isinstance(files, list) or len(files) != 1:
            return None
        data = await files[0].read(messages.FILE_MAX + 1)
        label = inputs.text(str(getattr(files[0], "name", "") or getattr(files[0], "filename", "") or "file"), 200)
        body = inputs.text(self.body, messages.BODY_MAX, "body", multiline=True)
        try:
            with db.session(write=True) as s:
                messages.reply(s, principal, cid, body, attachment=Attachment(data, label.rsplit("/", 1)[-1]))
        except Refused as exc:
            self.form_error = exc.message(principal.language)
            return rx.toast.error(self.form_error)
        return await self._done(principal)

    @rx.event
    @requires("own.read")
    def ack_week(self, pupil_id: str):
        """A parent has seen this week's diary of one child."""
        principal = current()
        with db.session(write=True) as s:
            messages.acknowledge_week(s, principal, inputs.record_id(pupil_id, "pupil_id"), date.today())
            self.children = messages.children_to_ack(s, principal, date.today())

    @rx.event
    @requires("signed_in")
    def set_my_hours(self, value: str):
        self.my_hours = inputs.text(value, 300, "office_hours")

    @rx.event
    @requires("message.write")
    def save_hours(self):
        principal = current()
        with db.session(write=True) as s:
            messages.set_office_hours(s, principal, inputs.text(self.my_hours, 300, "office_hours"))
        return rx.toast.success(t("msg.saved", principal.language))

    @rx.event
    @requires("signed_in")
    async def read_notes(self):
        principal = current()
        with db.session(write=True) as s:
            notify.mark_all_read(s, principal)
        self._fetch(principal)
        await self._badge(principal)


def _role(code: rx.Var) -> rx.Var:
    return in_language("role", ROLES, code)


def _conversation(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.icon(rx.cond(row["kind"] == "class", "users", "user"), size=18),
            rx.vstack(
                rx.text(row["title"], weight="bold", size="3"),
                rx.text(row["last"], size="2", color_scheme="gray", trim="both", no_of_lines=1),
                spacing="1",
                min_width="0",
                flex="1",
            ),
            rx.vstack(
                rx.text(row["at"], size="1", color_scheme="gray"),
                rx.cond(
                    row["unread"] != "0",
                    rx.badge(row["unread"], color_scheme="red", data_testid="conv-unread"),
                ),
                align="end",
                spacing="1",
            ),
            align="center",
            spacing="3",
            width="100%",
        ),
        on_click=MessagesState.open(row["id"]),
        cursor="pointer",
        width="100%",
        data_testid="conversation",
    )


def _message(m: rx.Var) -> rx.Component:
    mine = m["mine"] == "1"
    return rx.box(
        rx.text(m["author"], " · ", m["at"], size="1", color_scheme="gray"),
        body_text(m["body"], size="3"),
        rx.cond(
            m["url"] != "",
            rx.link(
                rx.hstack(rx.icon("paperclip", size=14), rx.text(m["file"], size="2"), spacing="1", align="center"),
                href=m["url"],
                is_external=True,
                data_testid="message-file",
            ),
        ),
        background=rx.cond(mine, rx.color("accent", 3), rx.color("gray", 3)),
        border_radius="12px",
        padding="8px 12px",
        max_width="85%",
        align_self=rx.cond(mine, "flex-end", "flex-start"),
        data_testid="message",
    )


def _body_input(testid: str) -> rx.Component:
    return rx.text_area(
        default_value=MessagesState.body,
        on_blur=MessagesState.set_body,
        key=MessagesState.form_key.to(str) + testid,
        rows="3",
        max_length=messages.BODY_MAX,
        width="100%",
        size="3",
        data_testid=testid,
    )


def _error() -> rx.Component:
    return rx.cond(
        MessagesState.form_error != "",
        rx.callout(MessagesState.form_error, color_scheme="red", icon="triangle-alert", data_testid="msg-error"),
    )


def _thread() -> rx.Component:
    S = MessagesState
    return rx.vstack(
        rx.hstack(
            rx.button(rx.icon("arrow-left", size=16), tr("msg.back"), variant="soft", on_click=S.close, size="3"),
            rx.heading(S.thread_title, size="4", data_testid="thread-title"),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        rx.cond(
            S.their_hours != "",
            rx.callout(
                rx.text(tr("msg.office_hours"), ": ", S.their_hours),
                icon="clock",
                size="1",
                data_testid="their-hours",
            ),
        ),
        rx.vstack(rx.foreach(S.thread, _message), spacing="2", width="100%", data_testid="thread"),
        rx.cond(
            S.can_write,
            rx.vstack(
                _body_input("reply-body"),
                _error(),
                rx.hstack(
                    rx.button(tr("msg.send"), on_click=S.reply, size="3", data_testid="reply-send"),
                    rx.upload(
                        rx.button(rx.icon("paperclip", size=16), tr("msg.attach"), variant="soft", size="3"),
                        id=UPLOAD_ID,
                        multiple=False,
                        max_files=1,
                        max_size=messages.FILE_MAX,
                        no_drag=True,
                        on_drop=S.attach(rx.upload_files(upload_id=UPLOAD_ID)),  # type: ignore[call-arg]
                        padding="0",
                        border="none",
                    ),
                    spacing="3",
                    wrap="wrap",
                ),
                rx.text(tr("msg.attach_help"), " ", tr("msg.never_edited"), size="1", color_scheme="gray"),
                width="100%",
                spacing="2",
            ),
            rx.cond(S.thread_kind == "class", rx.text(tr("msg.read_only"), size="2", color_scheme="gray")),
        ),
        width="100%",
        spacing="3",
    )


def _new() -> rx.Component:
    S = MessagesState
    return rx.cond(
        AuthState.perms.contains("message.write"),
        rx.card(
            rx.vstack(
                rx.heading(tr("msg.new"), size="4"),
                rx.cond(
                    (S.contacts.length() > 0) | (S.classes.length() > 0),  # type: ignore[attr-defined]
                    rx.vstack(
                        rx.text(tr("msg.to"), size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(placeholder=tr("msg.pick"), width="100%", data_testid="msg-to"),
                            rx.select.content(
                                rx.foreach(
                                    S.classes,
                                    lambda c: rx.select.item(
                                        tr("msg.class_group") + " " + c["name"], value="c" + c["id"]
                                    ),
                                ),
                                rx.foreach(
                                    S.contacts,
                                    lambda c: rx.select.item(c["name"] + " — " + _role(c["role"]), value="u" + c["id"]),
                                ),
                            ),
                            value=S.to,
                            on_change=S.pick_to,
                            size="3",
                        ),
                        rx.cond(
                            S.to_hours != "",
                            rx.text(tr("msg.office_hours"), ": ", S.to_hours, size="2", data_testid="to-hours"),
                        ),
                        _body_input("msg-body"),
                        _error(),
                        rx.button(
                            tr("msg.send"), on_click=S.send_new, size="3", disabled=S.to == "", data_testid="msg-send"
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    rx.text(tr("msg.no_contacts"), color_scheme="gray"),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


def _hours() -> rx.Component:
    S = MessagesState
    return rx.cond(
        S.is_staff,
        rx.card(
            rx.vstack(
                rx.text(tr("msg.office_hours"), weight="bold"),
                rx.text(tr("msg.office_hours_help"), size="1", color_scheme="gray"),
                rx.input(
                    default_value=S.my_hours,
                    on_blur=S.set_my_hours,
                    max_length=300,
                    width="100%",
                    data_testid="my-hours",
                ),
                rx.button(tr("msg.save"), on_click=S.save_hours, variant="soft", data_testid="save-hours"),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
    )


def _note(n: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.cond(n["unread"] == "1", rx.box(width="8px", height="8px", border_radius="50%", background="red")),
        rx.vstack(
            rx.text(n["text"], size="2"),
            rx.text(n["at"], size="1", color_scheme="gray"),
            spacing="0",
        ),
        align="center",
        spacing="2",
        data_testid="note",
    )


def _notes() -> rx.Component:
    S = MessagesState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(tr("msg.notifications"), size="4"),
                rx.spacer(),
                rx.button(tr("msg.mark_all_read"), on_click=S.read_notes, variant="ghost", size="2"),
                width="100%",
                align="center",
            ),
            rx.cond(
                S.notes.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(rx.foreach(S.notes, _note), spacing="2", width="100%"),
                rx.text(tr("msg.no_notifications"), color_scheme="gray", size="2"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _child(c: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(c["name"], size="3", flex="1"),
        rx.cond(
            c["done"] == "1",
            rx.badge(rx.icon("check", size=14), tr("msg.diary_done"), color_scheme="grass", size="2"),
            rx.button(tr("msg.diary_ack"), on_click=MessagesState.ack_week(c["id"]), size="2", data_testid="diary-ack"),
        ),
        align="center",
        width="100%",
        data_testid="diary-child",
    )


def _ack_row(a: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(a["class"], " ", a["name"], size="2", flex="1"),
        rx.cond(
            a["seen_by"] != "",
            rx.text(a["seen_by"], size="2", color_scheme="grass"),
            rx.text(tr("msg.diary_nobody"), size="2", color_scheme="gray"),
        ),
        width="100%",
        data_testid="diary-ack-row",
    )


def _diary() -> rx.Component:
    S = MessagesState
    return rx.fragment(
        rx.cond(
            S.children.length() > 0,  # type: ignore[attr-defined]
            rx.card(
                rx.vstack(
                    rx.heading(tr("msg.diary_heading"), size="4"),
                    rx.text(tr("msg.diary_help"), size="2", color_scheme="gray"),
                    rx.foreach(S.children, _child),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
            ),
        ),
        rx.cond(
            S.acks.length() > 0,  # type: ignore[attr-defined]
            rx.card(
                rx.vstack(
                    rx.heading(tr("msg.diary_class"), size="4"),
                    rx.foreach(S.acks, _ack_row),
                    spacing="1",
                    width="100%",
                ),
                width="100%",
            ),
        ),
    )


def _body() -> rx.Component:
    S = MessagesState
    return rx.cond(
        S.open_id != "",
        _thread(),
        rx.vstack(
            _new(),
            rx.cond(
                S.rows.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(rx.foreach(S.rows, _conversation), spacing="2", width="100%"),
                rx.text(tr("msg.none"), color_scheme="gray"),
            ),
            _diary(),
            _notes(),
            _hours(),
            spacing="4",
            width="100%",
        ),
    )


messages_page = page_shell("nav.messages", _body)


# ---------------------------------------------------------------- the profile's notification settings

FLAGS = ("email_on", "telegram_on", "absence", "quarter", "homework", "announcements", "messages")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _hhmm(value: str, field: str) -> time | None:
    value = value.strip()
    if not value:
        return None
    hit = _HHMM.match(value)
    if hit is None:
        raise Refused("notify.error.quiet", field=field)
    return time(int(hit.group(1)), int(hit.group(2)))


class NotifySettingsState(rx.State):
    """The person's channels, subscriptions, digest and quiet hours (shown on /profile)."""

    email: str = ""
    flags: dict[str, bool] = {}
    marks: str = "all"
    digest: str = "off"
    quiet_from: str = ""
    quiet_to: str = ""
    linked: bool = False
    code: str = ""
    bot_link: str = ""
    error: str = ""
    form_key: int = 0

    def _fetch(self) -> None:
        principal = current()
        with db.session() as s:
            c = notify.choices_of(s, principal)
        self.email, self.marks, self.digest = c["email"], c["marks"], c["digest"]
        self.quiet_from, self.quiet_to = c["quiet_from"], c["quiet_to"]
        self.flags = {f: c[f] == "1" for f in FLAGS}
        self.linked = c["telegram_linked"] == "1"
        self.form_key += 1

    @rx.event
    @requires("signed_in")
    def load(self):
        self._fetch()
        self.code = self.bot_link = self.error = ""

    @rx.event
    @requires("signed_in")
    def set_flag(self, field: str, value: bool):
        self.flags = {**self.flags, inputs.choice(field, FLAGS, "field"): inputs.flag(value, field)}

    @rx.event
    @requires("signed_in")
    def set_choice(self, field: str, value: str):
        field = inputs.choice(field, ("marks", "digest"), "field")
        allowed = MARK_SUBSCRIPTIONS if field == "marks" else DIGESTS
        if isinstance(value, str) and value in allowed:
            setattr(self, field, value)

    @rx.event
    @requires("signed_in")
    def set_text(self, field: str, value: str):
        field = inputs.choice(field, ("email", "quiet_from", "quiet_to"), "field")
        setattr(self, field, inputs.text(value, 200 if field == "email" else 5, field))

    @rx.event
    @requires("signed_in")
    def save(self):
        principal = current()
        try:
            choices = Choices(
                email=inputs.text(self.email, 200, "email"),
                marks=self.marks,
                digest=self.digest,
                quiet_from=_hhmm(self.quiet_from, "quiet_from"),
                quiet_to=_hhmm(self.quiet_to, "quiet_to"),
                **{f: bool(self.flags.get(f)) for f in FLAGS},
            )
            with db.session(write=True) as s:
                notify.save_choices(s, principal, choices)
        except Refused as exc:
            self.error = exc.message(principal.language)
            return None
        self.error = ""
        self._fetch()
        return rx.toast.success(t("notify.saved", principal.language))

    @rx.event
    @requires("signed_in")
    def link_telegram(self):
        principal = current()
        with db.session(write=True) as s:
            self.code = notify.telegram_code(s, principal)
        self.bot_link = notify.telegram_link(self.code)

    @rx.event
    @requires("signed_in")
    def unlink_telegram(self):
        principal = current()
        with db.session(write=True) as s:
            notify.telegram_unlink(s, principal)
        self._fetch()


def _check(field: str) -> rx.Component:
    S = NotifySettingsState
    return rx.checkbox(
        tr(f"notify.sub.{field}" if field not in ("email_on", "telegram_on") else f"notify.{field}"),
        checked=S.flags[field].to(bool),
        on_change=lambda v: S.set_flag(field, v),
        size="3",
        data_testid=f"notify-{field}",
    )


def _pick(field: str, codes: tuple[str, ...], prefix: str) -> rx.Component:
    S = NotifySettingsState
    return rx.select.root(
        rx.select.trigger(width="100%", data_testid=f"notify-{field}"),
        rx.select.content(*[rx.select.item(tr(f"{prefix}.{c}"), value=c) for c in codes]),
        value=getattr(S, field),
        on_change=lambda v: S.set_choice(field, v),
        size="3",
    )


def _time_input(field: str) -> rx.Component:
    S = NotifySettingsState
    return rx.vstack(
        rx.text(tr(f"notify.{field}"), size="1"),
        rx.input(
            default_value=getattr(S, field),
            on_blur=lambda v: S.set_text(field, v),
            key=S.form_key.to(str) + field,
            placeholder="22:00" if field == "quiet_from" else "07:00",
            max_length=5,
            input_mode="numeric",
            width="100%",
            data_testid=f"notify-{field}",
        ),
        spacing="1",
        flex="1",
    )


def notify_card() -> rx.Component:
    """The notification settings of the signed-in person (the profile page shows it)."""
    S = NotifySettingsState
    return rx.card(
        rx.vstack(
            rx.heading(tr("notify.heading"), size="4"),
            rx.text(tr("notify.help"), size="2", color_scheme="gray"),
            rx.text(tr("notify.email"), size="2", weight="medium"),
            rx.input(
                default_value=S.email,
                on_blur=lambda v: S.set_text("email", v),
                key=S.form_key.to(str) + "email",
                type="email",
                max_length=200,
                width="100%",
                data_testid="notify-email",
            ),
            _check("email_on"),
            rx.cond(
                S.linked,
                rx.hstack(
                    _check("telegram_on"),
                    rx.badge(tr("notify.telegram_linked"), color_scheme="grass"),
                    rx.button(tr("notify.telegram_unlink"), on_click=S.unlink_telegram, variant="ghost", size="1"),
                    wrap="wrap",
                    align="center",
                ),
                rx.button(
                    rx.icon("send", size=16),
                    tr("notify.telegram_link"),
                    on_click=S.link_telegram,
                    variant="soft",
                    data_testid="notify-link-telegram",
                ),
            ),
            rx.cond(
                S.code != "",
                rx.box(
                    rx.text(tr("notify.telegram_code_help").replace("{code}", S.code), size="2"),  # type: ignore[attr-defined]
                    rx.cond(S.bot_link != "", rx.link(S.bot_link, href=S.bot_link, is_external=True, size="2")),
                    background=rx.color("accent", 3),
                    border_radius="8px",
                    padding="8px 12px",
                    width="100%",
                    data_testid="notify-code",
                ),
            ),
            rx.divider(),
            rx.text(tr("notify.subscriptions"), size="2", weight="medium"),
            _check("absence"),
            rx.text(tr("notify.sub.marks"), size="2"),
            _pick("marks", MARK_SUBSCRIPTIONS, "notify.marks"),
            _check("quarter"),
            _check("homework"),
            _check("announcements"),
            _check("messages"),
            rx.divider(),
            rx.text(tr("notify.digest"), size="2", weight="medium"),
            _pick("digest", DIGESTS, "notify.digest"),
            rx.text(tr("notify.quiet"), size="2", weight="medium"),
            rx.hstack(_time_input("quiet_from"), _time_input("quiet_to"), width="100%", spacing="3"),
            rx.cond(
                S.error != "",
                rx.callout(
                    S.error, color_scheme="red", icon="triangle-alert", width="100%", data_testid="notify-error"
                ),
            ),
            rx.button(tr("notify.save"), on_click=S.save, size="3", data_testid="notify-save"),
            spacing="3",
            width="100%",
            max_width="520px",
        ),
        width="100%",
    )
