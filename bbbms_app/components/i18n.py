"""`tr(key)`: a catalog message that follows the UI language in the browser without a round trip."""

from __future__ import annotations

import reflex as rx

from bbbms_app.auth.state import AuthState
from bbbms_app.i18n import translations


def tr(key: str) -> rx.Var:
    """The message `key` as a Var indexed by the current language (only its three strings ship)."""
    return rx.Var.create(translations(key)).to(dict)[AuthState.lang].to(str)


def tr_dict(var: rx.Var) -> rx.Var:
    """A state dict keyed by language (e.g. term labels), shown in the current language."""
    return var.to(dict)[AuthState.lang].to(str)
