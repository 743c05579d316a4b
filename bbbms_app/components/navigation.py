"""The pages of the app as data, and the sidebar drawn from them.

`Page` says everything about a page once: route, title key (heading, sidebar label and browser
tab, from the catalog in the user's language), the permissions that open it (any one of them),
icon, the page function and its on_load handlers, and whether the sidebar links it. app.py holds
the one list of pages, registers each of them and hands the list to `use()`; the sidebar then
draws a link for every page in the menu that the signed-in role may open. A page needs a school
unless it says `district=True`: a district account (a director of no school) is offered only
those, and reads a notice on the others (components/layout.for_a_school).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr


@dataclass(frozen=True)
class Page:
    """One page: its route, title, who opens it, its icon, what draws it and what loads it."""

    route: str
    title_key: str
    permissions: tuple[str, ...]  # any one of them opens the page ("signed_in": everyone signed in)
    icon: str
    component: Callable[[], rx.Component] | None = None
    loaders: tuple[Any, ...] = field(default_factory=tuple)
    in_menu: bool = True
    badge: bool = False  # shows the unread count (AuthState.unread) beside the title
    district: bool = False  # serves an account of no school too (the district's); else needs a school


_pages: list[Page] = []


def use(pages: Sequence[Page]) -> None:
    """The app's pages, in sidebar order (app.py calls this once, before the pages are built)."""
    _pages[:] = list(pages)


def pages() -> list[Page]:
    return list(_pages)


def _link(page: Page) -> rx.Component:
    active = AuthState.router.page.path == page.route
    item = rx.link(
        rx.hstack(
            rx.icon(page.icon, size=18),
            rx.text(tr(page.title_key), size="3"),
            *(
                [
                    rx.cond(
                        AuthState.unread > 0, rx.badge(AuthState.unread, color_scheme="red", data_testid="unread-nav")
                    )
                ]
                if page.badge
                else []
            ),
            align="center",
            spacing="3",
            padding_x="12px",
            padding_y="10px",
            border_radius="8px",
            width="100%",
            background=rx.cond(active, rx.color("accent", 4), "transparent"),
            color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 12)),
            _hover={"background": rx.color("accent", 3)},
        ),
        href=page.route,
        underline="none",
        width="100%",
        data_testid=f"nav-{page.route.strip('/') or 'home'}",
    )
    if "signed_in" in page.permissions:
        return item if page.district else rx.cond(~AuthState.no_school, item)
    allowed = AuthState.perms.contains(page.permissions[0])
    for permission in page.permissions[1:]:
        allowed = allowed | AuthState.perms.contains(permission)
    if not page.district:
        allowed = allowed & ~AuthState.no_school
    return rx.cond(allowed, item)


def nav_links() -> rx.Component:
    """The links of every page in the menu the signed-in role may open."""
    return rx.vstack(*[_link(p) for p in _pages if p.in_menu], spacing="1", width="100%")
