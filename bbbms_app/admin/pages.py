"""The generated pages: one per entity of the registry (plus the reference-data hub), as the
`Page` entries app.py registers and the sidebar draws."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from bbbms_app.admin.states import state_of
from bbbms_app.admin.views import entity_body
from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.components.navigation import Page
from bbbms_app.services.engine.registry import ENTITIES
from bbbms_app.services.engine.spec import EntitySpec

HUB_ROUTE = "/admin"


def entity_page(spec: EntitySpec) -> Callable[[], rx.Component]:
    """The page function of an entity's screen; an explicit State may add a view to the card."""
    state = state_of(spec)
    return page_shell(spec.title_key, entity_body(state, spec, getattr(state, "_extra_view", None)))


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
        for spec in ENTITIES
        if spec.profile.menu == "reference"
    ]
    return rx.vstack(
        rx.text(tr("admin.reference_hint"), size="2", color_scheme="gray"),
        rx.grid(*cards, columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="3", width="100%"),
        spacing="4",
        width="100%",
    )


hub_page = page_shell("admin.reference", _hub_body)


def entity_pages() -> list[Page]:
    """A page per entity, in menu order; those whose profile says `menu = "sidebar"` are linked there."""
    return [
        Page(
            spec.route,
            spec.title_key,
            (spec.permission("read"),),
            spec.icon,
            entity_page(spec),
            (state_of(spec).load,),
            in_menu=spec.profile.menu == "sidebar",
        )
        for spec in ENTITIES
    ]


def hub() -> Page:
    return Page(HUB_ROUTE, "admin.reference", ("school.read",), "library", hub_page)
