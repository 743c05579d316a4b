"""The Reflex app: theme, page registration with their on_load handlers."""

from __future__ import annotations

import reflex as rx

from bbbms_app.auth.state import AuthState
from bbbms_app.pages.directory import (
    ClassListState,
    PupilListState,
    StaffListState,
    UserListState,
    classes_page,
    pupils_page,
    staff_page,
    users_page,
)
from bbbms_app.pages.home import HomeState, home_page
from bbbms_app.pages.login import login_page
from bbbms_app.pages.marks import MyMarksState, marks_page
from bbbms_app.pages.profile import profile_page

app = rx.App(
    stylesheets=["/styles.css"],
    head_components=[rx.el.meta(name="viewport", content="width=device-width, initial-scale=1")],
)


def _protected(component, route: str, title: str, *loads) -> None:
    # check_session runs first: an expired session goes to /login before any page loader runs.
    app.add_page(component, route=route, title=f"{title} · BBBMS", on_load=[AuthState.check_session, *loads])


app.add_page(login_page, route="/login", title="BBBMS", on_load=AuthState.redirect_if_signed_in)
_protected(home_page, "/", "BBBMS", HomeState.load)
_protected(pupils_page, "/pupils", "Окуучулар", PupilListState.load)
_protected(classes_page, "/classes", "Класстар", ClassListState.load)
_protected(staff_page, "/staff", "Кызматкерлер", StaffListState.load)
_protected(users_page, "/users", "Колдонуучулар", UserListState.load)
_protected(marks_page, "/marks", "Баалар", MyMarksState.load)
_protected(profile_page, "/profile", "Профиль")
