"""The audit screen: who did what, when, to which record and pupil; refusals included; newest first.

The filters (person, pupil, entity, action, date range) and the paging run in SQL on the server;
the tab holds one page of display rows. The filtered audit leaves as a marked XLSX file for those
who may export personal data, with a purpose, itself audited, through the private download route.
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.date_input import date_input
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.components.table import Column, data_table, pager
from bbbms_app.i18n import t, translations
from bbbms_app.models.accounts import ROLES
from bbbms_app.services import audit_log, audit_text, private_files
from bbbms_app.services.engine import marking
from bbbms_app.services.errors import OutOfScope

MAX_FILTER = 100
ALL = "*"  # the "every entity / every action" choice (a select item cannot have an empty value)
KNOWN_ACTIONS = (
    "create",
    "update",
    "delete",
    "restore",
    "login",
    "logout",
    "login_failed",
    "denied",
    "invalid",
    "export",
    "confirm",
    "view",
    "api_token",
    "revoke",
)


def _typing(value: object) -> bool:
    """A date field still being typed ("05.0"): nothing to filter by yet, and nothing wrong either."""
    return isinstance(value, str) and 0 < len(value) < 10


class AuditState(rx.State):
    """One page of audit events and the filter that chose them."""

    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    person: str = ""
    pupil: str = ""
    entity: str = ALL
    action: str = ALL
    date_from: str = ""
    date_to: str = ""
    entity_options: list[dict[str, str]] = []
    action_options: list[str] = []
    export_error: str = ""

    page_size: ClassVar[int] = 25

    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def _filter(self) -> audit_log.AuditFilter:
        return audit_log.AuditFilter(
            person=self.person,
            pupil=self.pupil,
            entity="" if self.entity == ALL else self.entity,
            action="" if self.action == ALL else self.action,
            date_from=inputs.iso_date(self.date_from, "date_from"),
            date_to=inputs.iso_date(self.date_to, "date_to"),
        )

    def _fetch(self) -> None:
        principal = current()
        with db.session() as s:
            result = audit_log.search(
                s, principal, self._filter(), offset=(self.page - 1) * self.page_size, limit=self.page_size
            )
            rows = audit_text.readable(s, result.rows)
        self.rows, self.total = rows, result.total

    def _refilter(self) -> None:
        self.page = 1
        self._fetch()

    @rx.event
    @requires("audit.read")
    def load(self):
        principal = current()
        with db.session() as s:
            self.entity_options = audit_text.entity_options(audit_log.entities(s, principal))
            self.action_options = audit_log.actions(s, principal)
        self._refilter()

    @rx.event
    @requires("audit.read")
    def set_person(self, value: str):
        self.person = inputs.search_text(value, MAX_FILTER, "person")
        self._refilter()

    @rx.event
    @requires("audit.read")
    def set_pupil(self, value: str):
        self.pupil = inputs.search_text(value, MAX_FILTER, "pupil")
        self._refilter()

    @rx.event
    @requires("audit.read")
    def set_entity(self, value: str):
        self.entity = inputs.choice(value, [ALL, *(o["code"] for o in self.entity_options)], "entity")
        self._refilter()

    @rx.event
    @requires("audit.read")
    def set_action(self, value: str):
        self.action = inputs.choice(value, [ALL, *self.action_options], "action")
        self._refilter()

    @rx.event
    @requires("audit.read")
    def set_date_from(self, value: str):
        if _typing(value):
            return
        day = inputs.school_date(value, "date_from")
        self.date_from = day.isoformat() if day else ""
        self._refilter()

    @rx.event
    @requires("audit.read")
    def set_date_to(self, value: str):
        if _typing(value):
            return
        day = inputs.school_date(value, "date_to")
        self.date_to = day.isoformat() if day else ""
        self._refilter()

    @rx.event
    @requires("audit.read")
    def clear(self):
        self.person = self.pupil = self.date_from = self.date_to = ""
        self.entity = self.action = ALL
        self._refilter()

    @rx.event
    @requires("export.personal")
    def export_xlsx(self, form_data: dict):
        """The filtered audit as a marked XLSX file: a purpose is required; the export is audited."""
        principal = current()
        if not principal.can("audit.read"):
            raise OutOfScope("audit.read")
        purpose = inputs.form(form_data, {"purpose": marking.PURPOSE_MAX})["purpose"]
        try:
            with db.session(write=True) as s:
                data, filename = audit_log.export_xlsx(
                    s, principal, self._filter(), purpose=purpose, lang=principal.language
                )
        except marking.ExportInvalid as exc:
            self.export_error = t(exc.key, principal.language, **exc.params)
            return rx.toast.error(self.export_error)
        stored = private_files.store_export(principal.school_id, principal.user_id, data, "xlsx")
        self.export_error = ""
        return [
            rx.download(url=private_files.export_url(stored.name), filename=filename),
            rx.toast.info(t("export.ready", principal.language)),
        ]

    @rx.event
    @requires("audit.read")
    def next_page(self):
        self.page = min(self.pages, self.page + 1)
        self._fetch()

    @rx.event
    @requires("audit.read")
    def prev_page(self):
        self.page = max(1, self.page - 1)
        self._fetch()


def _lookup(table: dict[str, dict[str, str]], code: rx.Var) -> rx.Var:
    """A translated label for a code, or the code itself when the catalog has none."""
    known = rx.Var.create(table).to(dict)
    return rx.cond(known.contains(code), known[code].to(dict)[AuthState.lang].to(str), code)  # type: ignore[attr-defined]


_ACTIONS = {a: translations(f"rights.action.{a}") for a in KNOWN_ACTIONS}
_ROLES = {r: translations(f"role.{r}") for r in ROLES}


def _in_lang(row: rx.Var, prefix: str) -> rx.Var:
    return rx.match(AuthState.lang, ("ru", row[f"{prefix}_ru"]), ("en", row[f"{prefix}_en"]), row[f"{prefix}_ky"])


def _who(row: rx.Var) -> rx.Component:
    # Rendered in words by services.audit_text: the full name, or «not signed in» / «system».
    name = _in_lang(row, "who")
    return rx.vstack(
        rx.text(row["at"], size="1", font_family="monospace", white_space="nowrap"),
        rx.text(name, size="2", weight="medium"),
        rx.cond(
            (row["who"] != "") & (row["who"] != name),
            rx.text(row["who"], size="1", color_scheme="gray", font_family="monospace"),
        ),
        rx.cond(row["role"] != "", rx.text(_lookup(_ROLES, row["role"]), size="1", color_scheme="gray")),
        spacing="0",
    )


def _action(row: rx.Var) -> rx.Component:
    colour = rx.match(row["action"], ("denied", "red"), ("invalid", "orange"), ("login_failed", "orange"), "gray")
    return rx.badge(_lookup(_ACTIONS, row["action"]), color_scheme=colour, variant="soft")


def _entity(row: rx.Var) -> rx.Component:
    # The technical code (table #id, handler) stays in the tooltip for whoever needs it.
    technical = row["entity"].to(str) + rx.cond(row["entity_id"] != "", " #" + row["entity_id"].to(str), "")
    return rx.vstack(
        rx.text(_in_lang(row, "what"), size="2", title=technical, data_testid="audit-what"),
        rx.cond(row["field_ky"] != "", rx.text(_in_lang(row, "field"), size="1", color_scheme="gray")),
        spacing="0",
    )


def _change(row: rx.Var) -> rx.Component:
    return rx.cond(
        (row["old"] != "") | (row["new"] != ""),
        rx.text(
            rx.text.span(_in_lang(row, "old"), color=rx.color("red", 11), text_decoration="line-through"),
            " → ",
            rx.text.span(_in_lang(row, "new"), color=rx.color("grass", 11)),
            size="2",
            word_break="break-word",
        ),
    )


def _reason(row: rx.Var) -> rx.Component:
    return rx.text(_in_lang(row, "reason"), size="2", word_break="break-word")


def _select(value: rx.Var, options: rx.Var, all_key: str, on_change, testid: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%"),
        rx.select.content(
            rx.select.item(tr(all_key), value=ALL),
            rx.foreach(options, lambda o: rx.select.item(_in_lang(o, "label"), value=o["code"])),
        ),
        value=value,
        on_change=on_change,
        size="2",
        data_testid=testid,
    )


def _labelled(label_key: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(tr(label_key), size="1", color_scheme="gray"), control, spacing="1", width="100%")


def _filters() -> rx.Component:
    return rx.grid(
        _labelled(
            "rights.audit.person",
            rx.input(
                value=AuditState.person,
                on_change=AuditState.set_person.debounce(400),  # type: ignore[attr-defined]
                max_length=MAX_FILTER,
                size="2",
                width="100%",
                data_testid="audit-person",
            ),
        ),
        _labelled(
            "rights.audit.pupil",
            rx.input(
                value=AuditState.pupil,
                on_change=AuditState.set_pupil.debounce(400),  # type: ignore[attr-defined]
                max_length=MAX_FILTER,
                size="2",
                width="100%",
                data_testid="audit-pupil",
            ),
        ),
        _labelled(
            "rights.audit.entity",
            _select(
                AuditState.entity,
                AuditState.entity_options,
                "rights.audit.all_entities",
                AuditState.set_entity,
                "audit-entity",
            ),
        ),
        _labelled(
            "rights.audit.action",
            rx.select.root(
                rx.select.trigger(width="100%"),
                rx.select.content(
                    rx.select.item(tr("rights.audit.all_actions"), value=ALL),
                    rx.foreach(
                        AuditState.action_options,
                        lambda a: rx.select.item(_lookup(_ACTIONS, a), value=a),
                    ),
                ),
                value=AuditState.action,
                on_change=AuditState.set_action,
                size="2",
                data_testid="audit-action",
            ),
        ),
        _labelled(
            "rights.audit.from",
            date_input(AuditState.date_from, AuditState.set_date_from, size="2", width="100%", testid="audit-from"),
        ),
        _labelled(
            "rights.audit.to",
            date_input(AuditState.date_to, AuditState.set_date_to, size="2", width="100%", testid="audit-to"),
        ),
        rx.button(
            rx.icon("x", size=16),
            tr("rights.audit.clear"),
            on_click=AuditState.clear,
            variant="soft",
            color_scheme="gray",
            size="2",
            white_space="nowrap",
        ),
        columns=rx.breakpoints(initial="2", md="4"),
        gap="3",
        width="100%",
        align="end",
    )


def _export() -> rx.Component:
    return rx.cond(
        AuthState.perms.contains("export.personal"),  # type: ignore[attr-defined]
        rx.form(
            rx.flex(
                rx.input(
                    name="purpose",
                    placeholder=tr("export.purpose_hint"),
                    min_length=marking.PURPOSE_MIN,
                    max_length=marking.PURPOSE_MAX,
                    required=True,
                    size="2",
                    flex="1",
                    min_width="200px",
                    aria_label="purpose",
                    data_testid="audit-export-purpose",
                ),
                rx.button(
                    rx.icon("file-spreadsheet", size=16),
                    tr("export.xlsx"),
                    type="submit",
                    variant="soft",
                    size="2",
                    data_testid="audit-export",
                ),
                gap="2",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(AuditState.export_error != "", rx.text(AuditState.export_error, color_scheme="red", size="2")),
            on_submit=AuditState.export_xlsx,
            width="100%",
        ),
    )


def _body() -> rx.Component:
    return rx.vstack(
        _filters(),
        _export(),
        data_table(
            AuditState.rows,
            [
                Column("who", "rights.audit.col.when_who", render=_who),
                Column("action", "rights.audit.col.action", render=_action),
                Column("entity", "rights.audit.col.entity", render=_entity),
                Column("change", "rights.audit.col.change", render=_change),
                Column("reason", "rights.audit.col.reason", render=_reason, hide_on_phone=True),
                Column("pupil", "rights.audit.col.pupil", hide_on_phone=True),
            ],
            testid="audit-table",
        ),
        pager(AuditState.page, AuditState.pages, AuditState.total, AuditState.prev_page, AuditState.next_page),
        spacing="3",
        width="100%",
    )


audit_page = page_shell("rights.audit.title", _body)
