"""The "sign in with …" buttons under the password form, one per configured SSO provider."""

from __future__ import annotations

import reflex as rx

from bbbms_app.auth.sso import SsoState
from bbbms_app.components.i18n import tr


def _button(provider: rx.Var) -> rx.Component:
    return rx.button(
        rx.icon("key-round", size=18),
        tr("sso.sign_in_with").replace("{name}", provider["name"].to(str)),
        type="button",
        variant="outline",
        size="3",
        width="100%",
        on_click=SsoState.start(provider["key"].to(str)),
        data_testid=f"sso-{provider['key']}",
    )


def sso_buttons() -> rx.Component:
    """Nothing when no provider is configured."""
    return rx.cond(
        SsoState.providers.length() > 0,
        rx.vstack(
            rx.hstack(
                rx.separator(size="4"),
                rx.text(tr("sso.or"), size="2", color_scheme="gray"),
                rx.separator(size="4"),
                align="center",
                width="100%",
            ),
            rx.foreach(SsoState.providers, _button),
            spacing="3",
            width="100%",
        ),
    )
