"""The sign-in page: username and password, language switch, one message for every failure."""

from __future__ import annotations

import reflex as rx

from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import language_switch
from bbbms_app.components.sso import sso_buttons
from bbbms_app.i18n import t


def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("book-open-check", size=28, color=rx.color("accent", 10)),
                    rx.heading(tr("app.name"), size="6"),
                    rx.spacer(),
                    language_switch(),
                    align="center",
                    width="100%",
                ),
                rx.text(tr("app.title"), size="2", color_scheme="gray"),
                rx.heading(tr("login.title"), size="4", margin_top="8px"),
                rx.form(
                    rx.vstack(
                        rx.text(tr("login.username"), as_="label", html_for="username", size="2", weight="medium"),
                        rx.input(
                            id="username",
                            name="username",
                            auto_complete="username",
                            required=True,
                            size="3",
                            width="100%",
                            auto_focus=True,
                            auto_capitalize="none",
                        ),
                        rx.text(tr("login.password"), as_="label", html_for="password", size="2", weight="medium"),
                        rx.input(
                            id="password",
                            name="password",
                            type="password",
                            auto_complete="current-password",
                            required=True,
                            size="3",
                            width="100%",
                        ),
                        rx.cond(
                            AuthState.login_error != "",
                            rx.callout(
                                AuthState.login_error,
                                icon="triangle-alert",
                                color_scheme="red",
                                width="100%",
                                data_testid="login-error",
                                role="alert",
                            ),
                        ),
                        rx.button(
                            tr("login.submit"),
                            type="submit",
                            size="3",
                            width="100%",
                            data_testid="login-submit",
                            # Until the page is connected a press could not sign in: the browser
                            # would post the form to the static server (a slow phone, a weak line).
                            disabled=~rx.State.is_hydrated,
                        ),
                        rx.cond(
                            ~rx.State.is_hydrated,
                            # Before the connection the page cannot know the reader's language
                            # (the server applies it): both of the school's languages.
                            rx.text(
                                t("login.connecting", "ky") + " · " + t("login.connecting", "ru"),
                                size="2",
                                color_scheme="gray",
                                align="center",
                                width="100%",
                                class_name="late-hint",
                                role="status",
                                data_testid="login-connecting",
                            ),
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=AuthState.login,
                    reset_on_submit=False,
                    # Should the script not run, the browser must not put the password in a URL.
                    method="post",
                    width="100%",
                ),
                sso_buttons(),
                spacing="3",
                width="100%",
            ),
            width="100%",
            max_width="420px",
            size="4",
        ),
        min_height="100vh",
        padding="16px",
        background=rx.color("gray", 2),
    )
