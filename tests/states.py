"""Helpers to drive Reflex State handlers directly, as a forged or a real browser event would."""

from __future__ import annotations

import os

import reflex as rx

import bbbms_app.app  # noqa: F401  (registers every page and state)
from bbbms_app import db
from bbbms_app.auth.state import AuthState
from bbbms_app.services import accounts
from tests.factories import PASSWORD


def new_tab(username: str | None = None, password: str = PASSWORD) -> rx.State:
    """A fresh state tree, as for a new browser tab; signed in as `username` when given."""
    os.environ.setdefault("PYTEST_CURRENT_TEST", "states")
    root = rx.State()
    if username is not None:
        with db.session() as s:
            result = accounts.authenticate(s, username, password)
        assert result.token, f"cannot sign in {username}: {result.error}"
        sub(root, AuthState).session_token = result.token
    return root


def sub(root: rx.State, cls: type[rx.State]) -> rx.State:
    """The instance of state class `cls` in the tree of `root`."""
    return root.get_substate(cls.get_full_name().split(".")[1:])


def is_refusal(result: object) -> bool:
    """True when a handler answered with the guard's refusal (an error toast)."""
    items = result if isinstance(result, list) else [result]
    text = repr(items)
    return "__toast" in text and '"error"' in text
