"""The director's approvals (`/account-requests`): account changes others asked for — a link to a
person, a deputy-level role, a new password for an account out of their reach — each confirmed or
rejected with one tap (services.accounts.decide, audited with both names)."""

from __future__ import annotations

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import t, translations
from bbbms_app.models.accounts import ROLES
from bbbms_app.services import accounts
from bbbms_app.services.errors import OutOfScope

KINDS = ("link", "role", "password")


class AccountRequestState(rx.State):
    """The pending requests of the director's school, as display rows."""

    rows: list[dict[str, str]] = []

    def _fetch(self) -> None:
        principal = current()
        with db.session() as s:
            rows = accounts.pending_requests(s, principal)
        for row in rows:
            # Codes the page translates in the browser (it follows the language switch); a link
            # names the kind of record and its number.
            row["change"] = f"{row['field'].removesuffix('_id')} #{row['value']}" if row["kind"] == "link" else ""
        self.rows = rows

    @rx.event
    @requires("rights.write")
    def load(self):
        self._fetch()

    @rx.event
    @requires("rights.write")
    def decide(self, request_id: str, approve: bool):
        """Confirm (`approve`) or reject one request."""
        rid = inputs.record_id(request_id, "request_id")
        approve = inputs.flag(approve, "approve")
        principal = current()
        try:
            with db.session(write=True) as s:
                accounts.decide(s, principal, rid, approve)
        except accounts.AccountError as exc:
            if exc.key == "error.not_found":
                self._fetch()
                return rx.toast.error(t(exc.key, principal.language))
            raise OutOfScope(exc.key) from exc
        self._fetch()
        return rx.toast.success(t("requests.approved" if approve else "requests.rejected", principal.language))


def _in_language(prefix: str, codes: tuple[str, ...], code: rx.Var) -> rx.Var:
    """The translation of `prefix.<code>` in the tab's language, chosen in the browser."""
    table = {c: translations(f"{prefix}.{c}") for c in codes}
    return rx.Var.create(table).to(dict)[code].to(dict)[AuthState.lang].to(str)


def _row(row: rx.Var) -> rx.Component:
    role = _in_language("role", ROLES, row["role"])
    kind = _in_language("requests.kind", KINDS, row["kind"])
    change = rx.cond(row["kind"] == "role", _in_language("role", ROLES, row["value"]), row["change"])
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.text(row["full_name"], weight="bold"),
                rx.text(row["username"], " · ", role, size="2", color_scheme="gray"),
                rx.text(kind, rx.cond(change != "", ": ", ""), change, size="3"),
                rx.text(tr("requests.by"), ": ", row["requested_by"], " · ", row["requested_at"], size="2"),
                spacing="1",
                flex="1",
            ),
            rx.hstack(
                rx.button(
                    tr("requests.approve"),
                    on_click=AccountRequestState.decide(row["id"], True),
                    color_scheme="green",
                    data_testid="request-approve",
                ),
                rx.button(
                    tr("requests.reject"),
                    on_click=AccountRequestState.decide(row["id"], False),
                    color_scheme="red",
                    variant="soft",
                    data_testid="request-reject",
                ),
                spacing="2",
            ),
            direction=rx.breakpoints(initial="column", sm="row"),
            gap="12px",
            align=rx.breakpoints(initial="start", sm="center"),
            width="100%",
        ),
        width="100%",
        data_testid="account-request",
    )


def _body() -> rx.Component:
    return rx.cond(
        AccountRequestState.rows.length() > 0,
        rx.vstack(rx.foreach(AccountRequestState.rows, _row), spacing="3", width="100%"),
        rx.text(tr("requests.empty"), color_scheme="gray"),
    )


account_requests_page = page_shell("requests.title", _body)
