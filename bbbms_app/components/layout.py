"""The app shell: sidebar (a drawer on phones), header with school, year, term, language, user.

A district account (a director of no school) gets the same shell with the district's name in the
header and no year or quarter; a page that needs a school (`for_a_school`) shows it a plain notice
instead of its body."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

import reflex as rx

from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr, tr_dict
from bbbms_app.components.navigation import nav_links

SIDEBAR_WIDTH = "248px"
# Set while app.py builds a page that needs a school (for_a_school): page_shell guards its body.
_needs_school: ContextVar[bool] = ContextVar("bbbms_needs_school", default=False)


def language_switch() -> rx.Component:
    """ky / ru / en, Kyrgyz first."""
    return rx.segmented_control.root(
        rx.segmented_control.item("КЫР", value="ky"),
        rx.segmented_control.item("РУС", value="ru"),
        rx.segmented_control.item("ENG", value="en"),
        value=AuthState.lang,
        on_change=AuthState.set_language,
        size="1",
        data_testid="lang-switch",
    )


def _brand() -> rx.Component:
    return rx.hstack(
        rx.icon("book-open-check", size=24, color=rx.color("accent", 10)),
        rx.text(tr("app.name"), weight="bold", size="5"),
        align="center",
        spacing="2",
    )


def _user_box() -> rx.Component:
    return rx.vstack(
        rx.divider(),
        rx.text(AuthState.display_name, size="2", weight="medium", data_testid="user-name"),
        rx.text(_role_label(), size="1", color_scheme="gray", data_testid="user-role"),
        rx.button(
            rx.icon("log-out", size=16),
            tr("logout"),
            on_click=AuthState.logout,
            variant="soft",
            color_scheme="gray",
            size="2",
            width="100%",
            data_testid="logout",
        ),
        spacing="2",
        width="100%",
    )


def _role_label() -> rx.Var:
    from bbbms_app.i18n import translations
    from bbbms_app.models.accounts import ROLES

    table = {role: translations(f"role.{role}") for role in ROLES}
    return rx.Var.create(table).to(dict)[AuthState.role].to(dict)[AuthState.lang].to(str)


def sidebar() -> rx.Component:
    return rx.box(
        rx.vstack(
            _brand(),
            nav_links(),
            rx.spacer(),
            _user_box(),
            height="100%",
            spacing="5",
            padding="16px",
        ),
        width=SIDEBAR_WIDTH,
        height="100vh",
        # The director's many sections outgrow a laptop's screen: the sidebar scrolls, sign-out stays reachable.
        overflow_y="auto",
        position="sticky",
        top="0",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        display=["none", "none", "none", "block"],
        flex_shrink="0",
        data_testid="sidebar",
    )


def mobile_menu() -> rx.Component:
    return rx.drawer.root(
        rx.drawer.trigger(
            rx.icon_button(rx.icon("menu"), variant="ghost", size="3", aria_label="menu", data_testid="menu-button"),
        ),
        rx.drawer.overlay(z_index="40"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.vstack(
                    rx.hstack(
                        _brand(),
                        rx.spacer(),
                        rx.drawer.close(rx.icon_button(rx.icon("x"), variant="ghost", aria_label="close")),
                        width="100%",
                    ),
                    nav_links(),
                    rx.spacer(),
                    _user_box(),
                    height="100%",
                    spacing="5",
                    padding="16px",
                ),
                top="0",
                left="0",
                height="100%",
                width="80%",
                max_width="300px",
                background=rx.color("gray", 1),
                z_index="50",
                data_testid="mobile-menu",
            )
        ),
        direction="left",
    )


def header() -> rx.Component:
    return rx.hstack(
        rx.box(mobile_menu(), display=["block", "block", "block", "none"]),
        rx.vstack(
            rx.text(
                tr_dict(AuthState.school_names),
                weight="medium",
                size="2",
                trim="both",
                # One line on a phone: the full name is in the tooltip and on wider screens.
                white_space=["nowrap", "nowrap", "normal"],
                overflow="hidden",
                text_overflow="ellipsis",
                max_width="100%",
                title=tr_dict(AuthState.school_names),
                data_testid="school-name",
            ),
            rx.cond(
                AuthState.no_school,
                # A district has no year or quarter of its own: each school runs its own.
                rx.badge(tr("district.department"), variant="soft", color_scheme="gray", data_testid="district-badge"),
                rx.hstack(
                    rx.badge(AuthState.year_name, variant="soft", color_scheme="gray"),
                    rx.badge(tr_dict(AuthState.term_labels), variant="soft", data_testid="term-label"),
                    spacing="2",
                    wrap="wrap",
                ),
            ),
            spacing="1",
            min_width="0",
            flex="1",
        ),
        rx.cond(
            AuthState.unread > 0,
            rx.link(
                rx.badge(rx.icon("mail", size=14), AuthState.unread, color_scheme="red", size="2"),
                href="/messages",
                aria_label="messages",
                data_testid="unread-header",
            ),
        ),
        language_switch(),
        align="center",
        spacing="3",
        padding_x=["12px", "16px", "24px"],
        padding_y="10px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
        position="sticky",
        top="0",
        z_index="10",
        width="100%",
    )


def needs_school_notice() -> rx.Component:
    """What an account with no school (a district's) reads on a page of one school's work."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("school")),
        rx.vstack(
            rx.callout.text(tr("district.needs_school")),
            rx.cond(
                AuthState.perms.contains("district.schools"),
                rx.link(tr("district.to_schools"), href="/schools", data_testid="needs-school-link"),
            ),
            spacing="2",
        ),
        color_scheme="blue",
        data_testid="needs-school",
    )


def for_a_school(component: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
    """A page that needs a school: built so that its shell shows an account of no school the
    notice instead of the body (its loaders do not run for it either: AuthState.load_school_page)."""

    def page() -> rx.Component:
        token = _needs_school.set(True)
        try:
            return component()
        finally:
            _needs_school.reset(token)

    return page


def page_shell(title_key: str, body: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
    """Wrap a page body in the shell; shown only once the session is confirmed."""

    def page() -> rx.Component:
        content = rx.cond(AuthState.no_school, needs_school_notice(), body()) if _needs_school.get() else body()
        return rx.cond(
            AuthState.signed_in,
            rx.hstack(
                sidebar(),
                rx.vstack(
                    header(),
                    rx.box(
                        rx.heading(tr(title_key), size="6", margin_bottom="16px", data_testid="page-title"),
                        content,
                        padding=["12px", "16px", "24px"],
                        width="100%",
                        max_width="1200px",
                    ),
                    spacing="0",
                    width="100%",
                    min_width="0",
                ),
                spacing="0",
                width="100%",
                align="start",
            ),
            rx.center(rx.spinner(size="3"), height="100vh"),
        )

    return page
