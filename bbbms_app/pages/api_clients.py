"""The director's screen of API clients (`/api-clients`, issue 19): register a learning system or a
dashboard with its scopes (the secret is shown once, right after), see each client's scopes, state
and last use, and revoke one. The same service as the console's `api-client` (services/api_clients.py).
"""

from __future__ import annotations

import datetime as dt

import reflex as rx
from sqlmodel import func, select

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.components.table import Column, data_table
from bbbms_app.i18n import format_datetime, t
from bbbms_app.models import ApiClient, AuditEvent
from bbbms_app.services import api_clients
from bbbms_app.services.errors import OutOfScope


def _aware(value: dt.datetime) -> dt.datetime:
    """A stored instant (SQLite gives it back without its zone, UTC) in the server's local time."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


SCOPE_KEYS = {scope: f"apiclients.scope.{scope.replace(':', '_')}" for scope in api_clients.SCOPES}


class ApiClientsState(rx.State):
    """The school's clients as display rows; the form; the secret of the client just made."""

    rows: list[dict[str, str]] = []
    name: str = ""
    scopes: list[str] = []
    error: str = ""
    new_client_id: str = ""
    new_secret: str = ""

    def _fetch(self) -> None:
        principal = current()
        with db.session() as s:
            clients = s.exec(
                select(ApiClient).where(ApiClient.school_id == principal.school_id).order_by(ApiClient.id.desc())  # type: ignore[union-attr]
            ).all()
            used = dict(
                s.exec(
                    select(AuditEvent.entity_id, func.max(AuditEvent.at))
                    .where(AuditEvent.entity == "api_client", AuditEvent.action == "api_token")
                    .where(AuditEvent.school_id == principal.school_id)
                    .group_by(AuditEvent.entity_id)
                ).all()
            )
        lang = principal.language
        self.rows = [
            {
                "id": str(c.id),
                "name": c.name,
                "client_id": c.client_id,
                "scopes": ", ".join(c.scopes.split()),
                "active": "1" if c.active else "",
                "created": format_datetime(_aware(c.created_at).astimezone(), lang) if c.created_at else "",
                "used": format_datetime(_aware(used[c.id]).astimezone(), lang)
                if used.get(c.id)
                else t("apiclients.never", lang),
            }
            for c in clients
        ]

    @rx.event
    @requires("api.manage")
    def load(self):
        self._fetch()
        self.name, self.scopes, self.error, self.new_client_id, self.new_secret = "", [], "", "", ""

    @rx.event
    @requires("api.manage")
    def set_name(self, value: str):
        self.name = inputs.text(value, 120, "name")

    @rx.event
    @requires("api.manage")
    def toggle_scope(self, scope: str, on: bool):
        scope = inputs.choice(scope, api_clients.SCOPES, "scope")
        chosen = [x for x in self.scopes if x != scope]
        self.scopes = [x for x in api_clients.SCOPES if x in chosen or (x == scope and inputs.flag(on, "on"))]

    @rx.event
    @requires("api.manage")
    def create(self):
        """Register the form's client; its secret is shown once, here, and never again."""
        principal = current()
        if principal.school_id is None:
            raise OutOfScope("no school")
        try:
            with db.session(write=True) as s:
                client, secret = api_clients.create_client(
                    s, principal.school_id, self.name, list(self.scopes), created_by=principal.username
                )
                client_id = client.client_id
        except api_clients.ClientError as exc:
            self.error = t(exc.key, principal.language, **exc.params)
            return
        self._fetch()
        self.name, self.scopes, self.error = "", [], ""
        self.new_client_id, self.new_secret = client_id, secret

    @rx.event
    @requires("api.manage")
    def forget_secret(self):
        self.new_client_id, self.new_secret = "", ""

    @rx.event
    @requires("api.manage")
    def revoke(self, client_pk: str):
        principal = current()
        number = inputs.record_id(client_pk, "client")
        with db.session(write=True) as s:
            client = s.get(ApiClient, number)
            if client is None or client.school_id != principal.school_id:
                raise OutOfScope(f"api client {number}")
            api_clients.revoke_client(s, number, by=principal.username)
        self._fetch()
        return rx.toast.success(t("apiclients.revoked", principal.language))


def _scope_box(scope: str) -> rx.Component:
    return rx.checkbox(
        tr(SCOPE_KEYS[scope]),
        checked=ApiClientsState.scopes.contains(scope),
        on_change=lambda on: ApiClientsState.toggle_scope(scope, on),
        data_testid=f"scope-{scope}",
    )


def _form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr("apiclients.new"), size="4"),
            rx.input(
                value=ApiClientsState.name,
                on_change=ApiClientsState.set_name,
                placeholder=tr("apiclients.name_hint"),
                max_length=120,
                width="100%",
                data_testid="client-name",
            ),
            rx.text(tr("apiclients.scopes"), size="2", weight="medium"),
            rx.vstack(*(_scope_box(scope) for scope in api_clients.SCOPES), spacing="2"),
            rx.cond(ApiClientsState.error != "", rx.text(ApiClientsState.error, color_scheme="red", size="2")),
            rx.button(
                rx.icon("plus", size=16),
                tr("apiclients.create"),
                on_click=ApiClientsState.create,
                data_testid="client-create",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _secret() -> rx.Component:
    return rx.cond(
        ApiClientsState.new_secret != "",
        rx.callout(
            rx.vstack(
                rx.text(tr("apiclients.secret_once"), weight="medium"),
                rx.code("client_id: " + ApiClientsState.new_client_id, word_break="break-all"),
                rx.code(
                    "client_secret: " + ApiClientsState.new_secret, word_break="break-all", data_testid="client-secret"
                ),
                rx.button(
                    tr("apiclients.secret_saved"),
                    on_click=ApiClientsState.forget_secret,
                    variant="soft",
                    data_testid="secret-done",
                ),
                spacing="2",
            ),
            icon="key-round",
            color_scheme="amber",
            width="100%",
        ),
    )


def _state(row: rx.Var) -> rx.Component:
    return rx.cond(
        row["active"] == "1",
        rx.badge(tr("api.client.active"), color_scheme="green"),
        rx.badge(tr("api.client.inactive"), color_scheme="gray"),
    )


def _name(row: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(row["name"], weight="medium"),
        rx.text(row["client_id"], size="1", color_scheme="gray", word_break="break-all"),
        spacing="0",
    )


def _revoke(row: rx.Var) -> rx.Component:
    return rx.cond(
        row["active"] == "1",
        rx.alert_dialog.root(
            rx.alert_dialog.trigger(
                rx.button(
                    tr("apiclients.revoke"), color_scheme="red", variant="soft", size="1", data_testid="client-revoke"
                ),
            ),
            rx.alert_dialog.content(
                rx.alert_dialog.title(tr("apiclients.revoke_title")),
                rx.alert_dialog.description(tr("apiclients.revoke_text")),
                rx.hstack(
                    rx.alert_dialog.cancel(rx.button(tr("apiclients.cancel"), variant="soft")),
                    rx.alert_dialog.action(
                        rx.button(
                            tr("apiclients.revoke"),
                            color_scheme="red",
                            on_click=ApiClientsState.revoke(row["id"]),
                            data_testid="client-revoke-yes",
                        ),
                    ),
                    spacing="3",
                    justify="end",
                ),
            ),
        ),
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.text(tr("apiclients.lead"), size="2", color_scheme="gray"),
        _secret(),
        _form(),
        data_table(
            ApiClientsState.rows,
            [
                Column("name", "apiclients.col.name", render=_name),
                Column("scopes", "apiclients.col.scopes", hide_on_phone=True),
                Column("active", "apiclients.col.state", render=_state),
                Column("used", "apiclients.col.used", hide_on_phone=True),
                Column("created", "apiclients.col.created", hide_on_phone=True),
                Column("id", "apiclients.col.action", render=_revoke),
            ],
            testid="clients-table",
        ),
        spacing="4",
        width="100%",
    )


api_clients_page = page_shell("apiclients.nav", _body)
