"""The sections of the app, who may open them, and the sidebar built from them."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr


@dataclass(frozen=True)
class Section:
    """One entry of the sidebar: its route, label, icon and the permission that shows it."""

    route: str
    label_key: str
    icon: str
    permission: str


SECTIONS: tuple[Section, ...] = (
    Section("/", "nav.home", "house", "signed_in"),
    Section("/marks", "nav.my_marks", "notebook-pen", "own.read"),
    Section("/diary", "nav.diary", "book-open-text", "own.read"),
    Section("/timetable", "nav.timetable", "calendar-days", "timetable.read"),
    # Families read their child's class timetable under own.read: the rights matrix gives them no staff
    # permission, and no role holds both, so one of these two links shows at most.
    Section("/timetable", "nav.timetable", "calendar-days", "own.read"),
    Section("/journal", "nav.journal", "book-marked", "journal.read"),
    Section("/summary", "nav.journal_summary", "sheet", "report.read"),
    Section("/subgroups", "nav.subgroups", "split", "subgroup.write"),
    Section("/pupils", "nav.pupils", "graduation-cap", "pupil.read"),
    Section("/guardians", "admin.guardians", "heart-handshake", "guardian.read"),
    Section("/classes", "nav.classes", "school", "class.read"),
    Section("/staff", "nav.staff", "users", "staff.read"),
    Section("/movement", "movement.nav", "arrow-left-right", "movement.read"),
    Section("/orders", "movement.orders", "stamp", "movement.read"),
    Section("/users", "nav.users", "key-round", "user.read"),
    Section("/admin", "admin.reference", "library", "school.read"),
    Section("/consents", "nav.consents", "shield-check", "consent.read"),
    Section("/audit", "rights.audit.nav", "scroll-text", "audit.read"),
    Section("/rights", "rights.nav", "user-round-check", "rights.read"),
    Section("/account-requests", "requests.nav", "inbox", "rights.write"),
    Section("/profile", "nav.profile", "user-cog", "signed_in"),
)


def _link(section: Section) -> rx.Component:
    active = AuthState.router.page.path == section.route
    item = rx.link(
        rx.hstack(
            rx.icon(section.icon, size=18),
            rx.text(tr(section.label_key), size="3"),
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
        href=section.route,
        underline="none",
        width="100%",
        data_testid=f"nav-{section.route.strip('/') or 'home'}",
    )
    if section.permission == "signed_in":
        return item
    return rx.cond(AuthState.perms.contains(section.permission), item)


def nav_links() -> rx.Component:
    """The links of every section the signed-in role may open."""
    return rx.vstack(*[_link(s) for s in SECTIONS], spacing="1", width="100%")
