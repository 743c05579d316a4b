"""Helpers to drive Reflex State handlers directly, as a forged or a real browser event would."""

from __future__ import annotations

import os
import uuid

import reflex as rx
from sqlmodel import col, func, select

import bbbms_app.app  # noqa: F401  (registers every page and state)
from bbbms_app import db
from bbbms_app.auth.state import COOKIE_NAME, AuthState
from bbbms_app.models import AuditEvent
from bbbms_app.services import accounts
from tests.factories import PASSWORD


def connect(root: rx.State, cookie_token: str = "") -> rx.State:
    """Give the tab a new websocket, as a reload or a reconnect does: a new socket id, and the
    handshake's Cookie header carrying `cookie_token` as the session cookie (none when empty)."""
    headers = {"cookie": f"{COOKIE_NAME}={cookie_token}"} if cookie_token else {}
    root.router_data = {"sid": f"sid-{uuid.uuid4().hex}", "headers": headers}
    return root


def new_tab(username: str | None = None, password: str = PASSWORD) -> rx.State:
    """A fresh state tree, as for a new browser tab; signed in as `username` when given (the
    browser then holds the session cookie, which its websocket handshake carries)."""
    os.environ.setdefault("PYTEST_CURRENT_TEST", "states")
    root = connect(rx.State())
    if username is not None:
        with db.session() as s:
            result = accounts.authenticate(s, username, password)
        assert result.token, f"cannot sign in {username}: {result.error}"
        sub(root, AuthState).session_token = result.token
        connect(root, result.token)
    return root


async def login(auth: rx.State, form: dict) -> object:
    """Run the sign-in (a background event: Reflex refuses a direct call) as the app runs it."""
    return await type(auth).event_handlers["login"].fn(auth, form)


async def handle(state: rx.State, name: str, *args: object) -> object:
    """Run the handler `name` of `state` as the app runs it: a background event's function
    directly (Reflex refuses a direct call of one; on a plain state `async with self` is a no-op),
    any other through its bound event handler."""
    handler = type(state).event_handlers[name]
    if handler.is_background:
        return await handler.fn(state, *args)
    return await getattr(state, name)(*args)


def sub(root: rx.State, cls: type[rx.State]) -> rx.State:
    """The instance of state class `cls` in the tree of `root`."""
    return root.get_substate(cls.get_full_name().split(".")[1:])


_checked = {"test": "", "id": 0}  # the audit rows an earlier check of this test has read


def new_refusals() -> list[AuditEvent]:
    """The refusal rows written since the last check in this test: the guard's (`denied`,
    `invalid`) and the journal's refused edits (`refused`)."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]
    if _checked["test"] != test:  # a new test: a new database
        _checked.update(test=test, id=0)
    with db.session() as s:
        rows = list(
            s.exec(
                select(AuditEvent)
                .where(AuditEvent.id > _checked["id"], col(AuditEvent.action).in_(("denied", "invalid", "refused")))
                .order_by(col(AuditEvent.id))
            ).all()
        )
        last = s.exec(select(func.max(AuditEvent.id))).one()
    _checked["id"] = last or 0
    return rows


def shows_error(result: object) -> bool:
    """True when a handler answered with an error toast (a refusal the screen tells, audited or not)."""
    items = result if isinstance(result, list) else [result]
    text = repr(items)
    return "__toast" in text and '"error"' in text


def is_refusal(result: object) -> bool:
    """True when a handler was refused: its audit row (`denied`, `invalid`, `refused`) was
    written since the last check, and the handler answered with the error toast."""
    return bool(new_refusals()) and shows_error(result)
