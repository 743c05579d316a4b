"""The generated pages: one route per entity (plus the reference-data hub), registered by app.py."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from bbbms_app.admin import registry
from bbbms_app.admin.spec import EntitySpec
from bbbms_app.admin.states import STATES, PupilAdminState, UserAdminState
from bbbms_app.admin.views import NO_PRINT, entity_body
from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import t
from bbbms_app.models.people import RELATIONS

HUB_ROUTE = "/admin"


def _pupil_guardian_tools() -> rx.Component:
    """On a pupil's card: unlink a guardian, or find one and link him with the relation."""
    state = PupilAdminState
    unlink_rows = rx.foreach(
        state.related["guardians"],
        lambda g: rx.hstack(
            rx.text(g["name"], size="2"),
            rx.button(
                rx.icon("unlink", size=14),
                tr("admin.unlink"),
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=state.unlink_guardian(g["link_id"]),
                data_testid="unlink-guardian",
            ),
            align="center",
            spacing="2",
        ),
    )
    link_form = rx.form(
        rx.vstack(
            rx.input(
                placeholder=tr("admin.find_guardian"),
                on_change=state.find_guardians.debounce(300),  # type: ignore[attr-defined]
                width="100%",
                data_testid="find-guardian",
            ),
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(placeholder="—", min_width="220px", data_testid="link-guardian-id"),
                    rx.select.content(
                        rx.foreach(state.guardian_options, lambda o: rx.select.item(o["label"], value=o["id"]))
                    ),
                    name="guardian_id",
                ),
                rx.select.root(
                    rx.select.trigger(min_width="140px", data_testid="link-relation"),
                    rx.select.content(*[rx.select.item(tr(f"admin.relation.{r}"), value=r) for r in RELATIONS]),
                    name="relation",
                    default_value="mother",
                ),
                rx.button(
                    rx.icon("link", size=14), tr("admin.link_guardian"), type="submit", data_testid="link-guardian"
                ),
                wrap="wrap",
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=state.link_guardian,
        reset_on_submit=True,
        width="100%",
    )
    return rx.cond(
        state.can_link & ~state.detail_deleted,
        rx.card(
            rx.vstack(
                rx.heading(tr("admin.link_guardian"), size="3"),
                unlink_rows,
                link_form,
                spacing="3",
                width="100%",
            ),
            width="100%",
            class_name=NO_PRINT,
        ),
    )


def _user_password_tools() -> rx.Component:
    state = UserAdminState
    return rx.cond(
        state.can_write & ~state.detail_deleted,
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(tr("admin.reset_password"), size="3"),
                    rx.text(tr("admin.new_password"), size="2"),
                    rx.input(
                        name="password",
                        type="password",
                        auto_complete="new-password",
                        width="100%",
                        max_width="320px",
                        data_testid="reset-password",
                    ),
                    rx.cond(state.password_error != "", rx.text(state.password_error, color_scheme="red", size="2")),
                    rx.button(tr("admin.reset_password"), type="submit", data_testid="reset-password-submit"),
                    spacing="2",
                ),
                on_submit=state.reset_password,
                reset_on_submit=True,
            ),
            rx.cond(
                AuthState.perms.contains("rights.write"),
                rx.button(
                    tr("accounts.end_sessions"),
                    on_click=state.end_sessions,
                    color_scheme="red",
                    variant="soft",
                    margin_top="12px",
                    data_testid="end-sessions",
                ),
            ),
            width="100%",
            class_name=NO_PRINT,
        ),
    )


EXTRAS: dict[str, Callable[[], rx.Component]] = {"pupil": _pupil_guardian_tools, "user": _user_password_tools}


def entity_page(spec: EntitySpec) -> Callable[[], rx.Component]:
    state = STATES[spec.name]
    return page_shell(spec.title_key, entity_body(state, spec, EXTRAS.get(spec.name)))


def _hub_body() -> rx.Component:
    cards = [
        rx.cond(
            AuthState.perms.contains(spec.permission("read")),
            rx.link(
                rx.card(
                    rx.hstack(
                        rx.icon(spec.icon, size=24, color=rx.color("accent", 10)),
                        rx.text(tr(spec.title_key), size="3", weight="medium"),
                        align="center",
                        spacing="3",
                    ),
                    width="100%",
                ),
                href=spec.route,
                underline="none",
                data_testid=f"hub-{spec.name}",
            ),
        )
        for spec in registry.REFERENCE_ENTITIES
    ]
    return rx.vstack(
        rx.text(tr("admin.reference_hint"), size="2", color_scheme="gray"),
        rx.grid(*cards, columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="3", width="100%"),
        spacing="4",
        width="100%",
    )


hub_page = page_shell("admin.reference", _hub_body)


def register(add: Callable[..., None]) -> None:
    """Register every entity page with `add(component, route, title, *on_load)` (app.py's helper)."""
    for spec in registry.ENTITIES:
        add(entity_page(spec), spec.route, t(spec.title_key, "ky"), STATES[spec.name].load)
    add(hub_page, HUB_ROUTE, t("admin.reference", "ky"))
