"""/auth/callback: where an SSO provider sends the browser back; SsoState.finish runs on load.

No language switch here: the refusal is written once, in the tab's language, by the server.
"""

from __future__ import annotations

import reflex as rx

from bbbms_app.auth.sso import SsoState
from bbbms_app.components.i18n import tr


def callback_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("book-open-check", size=28, color=rx.color("accent", 10), flex_shrink="0"),
                    rx.heading(tr("app.name"), size="6"),
                    align="center",
                    width="100%",
                ),
                rx.cond(
                    SsoState.error != "",
                    rx.vstack(
                        rx.callout(
                            SsoState.error,
                            icon="triangle-alert",
                            color_scheme="red",
                            width="100%",
                            data_testid="sso-error",
                            role="alert",
                        ),
                        rx.link(tr("sso.back"), href="/login", data_testid="sso-back"),
                        spacing="3",
                        width="100%",
                    ),
                    rx.hstack(rx.spinner(size="3"), rx.text(tr("sso.signing_in")), align="center", spacing="3"),
                ),
                spacing="4",
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
