"""The role × permission matrix: the director switches permissions on and off; others may only look.

Desktop shows the whole grid (permissions × roles); a phone shows one role at a time. Every
switch sends one change to the server, which checks it (director only, locks, no raising of one's
own role), writes it with its audit event and answers with the matrix as the database now has it.
"""

from __future__ import annotations

import logging
from typing import ClassVar

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import MESSAGES, t, translations
from bbbms_app.models.accounts import ROLES
from bbbms_app.services import rights

MAX_REASON = 300
log = logging.getLogger(__name__)


class RightsState(rx.State):
    """The matrix of the signed-in user's school as display rows, and whether he may change it."""

    rows: list[dict[str, str]] = []
    can_edit: bool = False
    # "" until the matrix is read, "ok" once it is, "failed" when reading it failed: an empty
    # matrix that failed to load must not be drawn as a read-only one.
    load_state: str = ""
    reason: str = ""
    role: str = "teacher"  # the role a phone shows

    roles: ClassVar[tuple[str, ...]] = ROLES

    def _fetch(self) -> None:
        principal = current()
        try:
            with db.session() as s:
                self.rows = rights.grid(s, principal.school_id)
        except Exception:
            self.rows, self.can_edit, self.load_state = [], False, "failed"
            raise
        self.can_edit = principal.can("rights.write")
        self.load_state = "ok"

    @rx.event
    @requires("rights.read")
    def load(self):
        try:
            self._fetch()
        except Exception:
            log.exception("the rights matrix could not be read")
            return rx.toast.error(t("rights.load_failed", current().language))
        return None

    @rx.event
    @requires("rights.read")
    def choose_role(self, role: str):
        self.role = inputs.choice(role, ROLES, "role")

    @rx.event
    @requires("rights.write")
    def set_reason(self, value: str):
        self.reason = inputs.text(value, MAX_REASON, "reason")

    @rx.event
    @requires("rights.write")
    def toggle(self, role: str, permission: str, granted: bool):
        """Grant or take one permission of one role."""
        role = inputs.choice(role, ROLES, "role")
        permission = inputs.choice(permission, rights.MATRIX_PERMISSIONS, "permission")
        granted = inputs.flag(granted, "granted")
        principal = current()
        try:
            with db.session(write=True) as s:
                changed = rights.set_permission(s, principal, role, permission, granted, reason=self.reason)
        except rights.RightsError as exc:
            self._fetch()
            return rx.toast.error(t(exc.key, principal.language, **exc.params))
        self._fetch()
        return rx.toast.success(t("rights.saved" if changed else "rights.unchanged", principal.language))

    @rx.event
    @requires("rights.write")
    def reset_role(self, role: str):
        """Put one role back to the default matrix."""
        role = inputs.choice(role, ROLES, "role")
        principal = current()
        try:
            with db.session(write=True) as s:
                rights.reset_role(s, principal, role, reason=self.reason)
        except rights.RightsError as exc:
            return rx.toast.error(t(exc.key, principal.language, **exc.params))
        self._fetch()
        return rx.toast.success(t("rights.saved", principal.language))


def _description_table() -> dict[str, dict[str, str]]:
    # Every permission has a description in the catalog (a test checks it); the code stands in
    # only so that a new permission added without one cannot break the whole build.
    return {
        p: translations(f"rights.perm.{p}") if f"rights.perm.{p}" in MESSAGES else dict.fromkeys(("ky", "ru", "en"), p)
        for p in rights.MATRIX_PERMISSIONS
    }


def _describe(row: rx.Var) -> rx.Var:
    return rx.Var.create(_description_table()).to(dict)[row["perm"]].to(dict)[AuthState.lang].to(str)


def _switch(row: rx.Var, role: str | rx.Var) -> rx.Component:
    """The switch of one cell; `role` is a fixed role (the grid) or the chosen one (a phone)."""
    if isinstance(role, str):
        value, lock, change, role_var = row[role], row[f"{role}_lock"], row[f"{role}_changed"], rx.Var.create(role)
    else:
        role_var = role.to(str)
        value, lock, change = row[role_var], row[role_var + "_lock"], row[role_var + "_changed"]  # type: ignore[operator]
    locked = lock == "1"
    changed = change == "1"
    return rx.hstack(
        rx.switch(
            checked=value == "1",
            disabled=locked | ~RightsState.can_edit,  # type: ignore[operator]
            on_change=lambda granted: RightsState.toggle(role_var, row["perm"], granted),  # type: ignore[call-arg]
            size="2",
            aria_label=row["perm"].to(str) + " " + role_var,  # type: ignore[operator]
            data_testid="perm-switch",
            custom_attrs={"data-perm": row["perm"], "data-role": role_var},
        ),
        rx.cond(
            locked,
            rx.tooltip(rx.icon("lock", size=12, color=rx.color("gray", 9)), content=tr("rights.locked")),
        ),
        rx.cond(
            changed,
            rx.tooltip(
                rx.box(width="8px", height="8px", border_radius="50%", background=rx.color("amber", 9)),
                content=tr("rights.changed"),
            ),
        ),
        spacing="1",
        align="center",
    )


def _permission_cell(row: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(_describe(row), size="2", weight="medium"),
        rx.code(row["perm"], size="1", variant="ghost", color_scheme="gray"),
        spacing="0",
    )


def _grid() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(tr("rights.permission"), min_width="220px"),
                    *[
                        rx.table.column_header_cell(
                            # Upright role names would need ~110 px a column; turned, the eight
                            # columns leave the descriptions room on a 1280 px screen.
                            rx.text(
                                tr(f"role.{role}"),
                                size="1",
                                weight="bold",
                                white_space="nowrap",
                                style={"writing_mode": "vertical-rl", "transform": "rotate(180deg)"},
                            ),
                            vertical_align="bottom",
                            text_align="center",
                        )
                        for role in ROLES
                    ],
                )
            ),
            rx.table.body(
                rx.foreach(
                    RightsState.rows,
                    lambda row: rx.table.row(
                        rx.table.cell(_permission_cell(row)),
                        *[rx.table.cell(_switch(row, role)) for role in ROLES],
                    ),
                )
            ),
            variant="surface",
            size="1",
            width="100%",
            data_testid="rights-grid",
        ),
        overflow_x="auto",
        width="100%",
        display=["none", "none", "none", "block"],
    )


def _one_role() -> rx.Component:
    return rx.vstack(
        rx.select.root(
            rx.select.trigger(width="100%"),
            rx.select.content(*[rx.select.item(tr(f"role.{role}"), value=role) for role in ROLES]),
            value=RightsState.role,
            on_change=RightsState.choose_role,
            size="3",
        ),
        rx.foreach(
            RightsState.rows,
            lambda row: rx.card(
                rx.hstack(
                    _permission_cell(row),
                    rx.spacer(),
                    _switch(row, RightsState.role),
                    align="center",
                    width="100%",
                ),
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
        display=["flex", "flex", "flex", "none"],
        data_testid="rights-one-role",
    )


def _toolbar() -> rx.Component:
    return rx.cond(
        RightsState.can_edit,
        rx.flex(
            rx.input(
                value=RightsState.reason,
                on_change=RightsState.set_reason,
                placeholder=tr("rights.reason"),
                max_length=MAX_REASON,
                size="2",
                flex="1",
                min_width="220px",
                data_testid="rights-reason",
            ),
            rx.menu.root(
                rx.menu.trigger(
                    rx.button(rx.icon("rotate-ccw", size=16), tr("rights.reset"), variant="soft", size="2"),
                ),
                rx.menu.content(
                    *[
                        rx.menu.item(tr(f"role.{role}"), on_click=RightsState.reset_role(role))  # type: ignore[call-arg]
                        for role in ROLES
                    ]
                ),
            ),
            gap="2",
            wrap="wrap",
            width="100%",
        ),
        rx.callout(tr("rights.read_only"), icon="eye", color_scheme="gray", size="1", data_testid="rights-read-only"),
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.text(tr("rights.intro"), size="2", color_scheme="gray"),
        rx.match(
            RightsState.load_state,
            (
                "ok",
                rx.fragment(
                    _toolbar(),
                    rx.text(tr("rights.legend"), size="1", color_scheme="gray"),
                    _grid(),
                    _one_role(),
                ),
            ),
            (
                "failed",
                rx.callout(
                    tr("rights.load_failed"),
                    icon="triangle-alert",
                    color_scheme="red",
                    size="1",
                    data_testid="rights-load-failed",
                ),
            ),
            rx.text(tr("app.loading"), size="2", color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
    )


rights_page = page_shell("rights.title", _body)
