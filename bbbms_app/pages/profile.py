"""The signed-in user's profile: language, password, and notification settings (pages/messages.py)."""

from __future__ import annotations

import asyncio

import reflex as rx

from bbbms_app import db
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import language_switch, page_shell
from bbbms_app.i18n import t
from bbbms_app.pages.messages import notify_card
from bbbms_app.services import accounts


class ProfileState(rx.State):
    """Password change for the signed-in user."""

    error: str = ""

    @rx.event(background=True)
    @requires("signed_in")
    async def change_password(self, form_data: dict):
        """Replace the password, proving the current one (throttled like the sign-in).

        A background event, as the sign-in: the two argon2 runs (check the current password, hash
        the new one) take a worker thread while the tab's state is *not* locked, and only the
        outcome is written under the lock. As a plain event the thread's wait (behind other hashes
        on a loaded server) held the tab's Redis lock and could outlast it. The guard has checked
        the session before this runs; the service reads the account from the principal itself."""
        principal = current()
        old = str(form_data.get("current", ""))[:256]
        new = str(form_data.get("new", ""))[:256]
        error = await asyncio.to_thread(_change, principal, old, new)
        async with self:
            if error is not None:
                self.error = t(error.key, principal.language, **error.params)
                return None
            self.error = ""
        # Every session was revoked, this one too: sign in again with the new password.
        return [rx.toast.success(t("profile.password_changed", principal.language)), AuthState.logout]


def _change(principal, old: str, new: str) -> accounts.AccountError | None:
    with db.session(write=True) as s:
        return accounts.change_own_password(s, principal, old, new)


def _body() -> rx.Component:
    return rx.vstack(
        rx.cond(
            AuthState.must_change_password,
            rx.callout(
                tr("password.must_change"),
                icon="key-round",
                color_scheme="amber",
                width="100%",
                data_testid="must-change-password",
            ),
        ),
        rx.card(
            rx.vstack(
                rx.text(tr("lang.label"), weight="medium"),
                language_switch(),
                spacing="2",
            ),
            width="100%",
        ),
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(tr("profile.change_password"), size="4"),
                    rx.text(tr("profile.current_password"), as_="label", size="2"),
                    rx.input(
                        name="current", type="password", auto_complete="current-password", required=True, width="100%"
                    ),
                    rx.text(tr("profile.new_password"), as_="label", size="2"),
                    rx.input(name="new", type="password", auto_complete="new-password", required=True, width="100%"),
                    rx.cond(
                        ProfileState.error != "",
                        rx.callout(ProfileState.error, color_scheme="red", icon="triangle-alert", width="100%"),
                    ),
                    rx.button(tr("profile.save"), type="submit"),
                    spacing="2",
                    width="100%",
                    max_width="420px",
                ),
                on_submit=ProfileState.change_password,
                reset_on_submit=True,
            ),
            width="100%",
        ),
        notify_card(),
        spacing="4",
        width="100%",
    )


profile_page = page_shell("profile.title", _body)
