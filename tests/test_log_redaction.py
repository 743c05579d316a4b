"""Issue 10 #4 and the request id: nothing secret reaches the server log, and one id per event ties
the log line, the audit row and the message the user sees.

Events go through Reflex's own event processor (the one the server runs) with a real log handler
on the root logger; the captured text is grepped for the password, the session token, the tab's
state token and a PIN.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import re
import uuid

import pytest
from reflex_base.event import Event
from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor
from sqlalchemy.exc import OperationalError
from sqlmodel import select

import bbbms_app.app as web
from bbbms_app import db
from bbbms_app.auth import guard
from bbbms_app.auth.state import COOKIE_NAME, AuthState
from bbbms_app.i18n import t
from bbbms_app.logs import redact
from bbbms_app.models import AuditEvent, User
from bbbms_app.pages.profile import ProfileState
from bbbms_app.services import accounts, passwords
from tests.factories import PASSWORD

SECRET = "Жашыруун-сырсөз-42"
PIN = "21204201600501"
UNKNOWN_HANDLER = "No registered handler found"  # what Reflex logs for an event of no handler


@pytest.fixture
def captured():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


class Tab:
    """One browser tab talking to the in-process event processor."""

    def __init__(self, processor: BaseStateEventProcessor, session_token: str = "", log: io.StringIO | None = None):
        self.processor = processor
        self.token = str(uuid.uuid4())
        self.session_token = session_token
        self.log = log

    def router(self) -> dict:
        headers = {"cookie": f"{COOKIE_NAME}={self.session_token}"} if self.session_token else {}
        return {"pathname": "/profile", "sid": "sid-1", "headers": headers}

    async def send(self, name: str, **payload) -> None:
        unknown = self._unknown_lines()
        future = await self.processor.enqueue(self.token, Event(name=name, payload=payload, router_data=self.router()))
        # The failure is what the test looks for in the log. An event for a handler that does not
        # exist is logged and dropped, its future never resolved (Reflex 0.10.1): it is done when
        # its log line is there (waiting the future out cost 10 s a test).
        deadline = asyncio.get_running_loop().time() + 10
        while not future.done() and self._unknown_lines() == unknown:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{name}: no answer and no log line in 10 s")
            await asyncio.sleep(0.02)
        if future.done():
            with contextlib.suppress(Exception):
                future.result()

    def _unknown_lines(self) -> int:
        return self.log.getvalue().count(UNKNOWN_HANDLER) if self.log is not None else 0


def _name(cls, handler: str) -> str:
    return f"{cls.get_full_name()}.{handler}"


async def _run(events, session_token: str = "", answers: list | None = None, log: io.StringIO | None = None):
    handler = web.app.backend_exception_handler

    def keep(exc):
        answer = handler(exc)
        if answers is not None:
            answers.append(answer)
        return answer

    processor = BaseStateEventProcessor(middleware=web.app, backend_exception_handler=keep).configure()
    async with processor:
        tab = Tab(processor, session_token, log)
        if session_token:
            # The tab hydrated earlier and holds the session (a fresh state would be rehydrated).
            async with processor._root_context.state_manager.modify_state(_token(tab.token)) as root:  # type: ignore[union-attr]
                root.router_data = tab.router()
                (await root.get_state(AuthState)).session_token = session_token
        for name, payload in events:
            await tab.send(name, **payload)
    return tab


def _token(ident: str):
    from reflex.istate.manager.token import BaseStateToken
    from reflex.state import State

    return BaseStateToken(ident=ident, cls=State)


def _assert_clean(text: str, *secrets: str) -> None:
    for secret in (SECRET, PIN, *secrets):
        assert secret not in text, f"{secret!r} in the log:\n{text}"


async def test_an_unknown_handler_with_a_password_and_the_tab_token_is_logged_redacted(school, captured):
    event = (_name(AuthState, "old_login"), {"form_data": {"username": "t_director", "password": SECRET}})
    tab = await _run([event], log=captured)
    text = captured.getvalue()
    assert UNKNOWN_HANDLER in text and "[redacted]" in text
    _assert_clean(text, tab.token)


async def test_a_failing_sign_in_logs_no_password_and_answers_with_a_reference(school, captured, monkeypatch):
    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT user WHERE pin = ?", (PIN,), Exception("database is locked"))

    monkeypatch.setattr(accounts, "authenticate", broken)
    answers: list = []
    tab = await _run(
        [(_name(AuthState, "login"), {"form_data": {"username": "t_director", "password": SECRET}})], answers=answers
    )
    text = captured.getvalue()
    assert "OperationalError" in text
    _assert_clean(text, tab.token)
    # The message the user gets names the reference that the log line carries.
    (answer,) = answers
    ref = re.search(r"айтыңыз: ([0-9a-f]{12})", str(answer)).group(1)  # type: ignore[union-attr]
    assert f"[ref {ref}]" in text
    assert "OperationalError" not in repr(answer) and SECRET not in repr(answer)


async def test_a_failing_handler_of_a_signed_in_user_logs_no_secret(school, captured, monkeypatch):
    with db.session() as s:
        token = accounts.authenticate(s, "t_teacher", PASSWORD).token
    assert token

    def broken(_hash, password):
        raise RuntimeError(f"hasher failed for {password!r} of {token}")

    monkeypatch.setattr(passwords, "verify", broken)
    events = [
        (_name(ProfileState, "change_password"), {"form_data": {"current": PASSWORD, "new": SECRET}}),
        # A refused one writes an audit row with its own request id.
        (_name(ProfileState, "no_such_thing"), {"password": SECRET}),
    ]
    tab = await _run(events, session_token=token, log=captured)
    text = captured.getvalue()
    assert "RuntimeError" in text and UNKNOWN_HANDLER in text
    _assert_clean(text, token, tab.token, PASSWORD)


async def test_the_audit_row_of_an_event_carries_the_request_id_of_its_log_line(school, captured):
    tab = await _run([(_name(ProfileState, "change_password"), {"form_data": {"current": "x", "new": "y"}})])
    assert tab
    with db.session() as s:
        denied = s.exec(select(AuditEvent).where(AuditEvent.action == "denied")).all()
    assert denied and all(re.fullmatch(r"[0-9a-f]{12}", row.request_id) for row in denied)
    guard.log.warning("checked")  # outside an event: no reference
    assert "checked [ref" not in captured.getvalue()


def test_redaction_covers_the_shapes_secrets_take():
    text = redact(
        "Event(token='0b6ae1c2-5d5e-4b6f-9b9e-7c1d2e3f4a5b', payload={'form_data': {'password': 'p w', "
        "\"new\": \"n\", 'current': 'c'}}) cookie: bbbms_session=abc; pin=21204201600501 GET /journal-files/xyz123"
    )
    for secret in ("0b6ae1c2", "p w", '"n"', "'c'", "bbbms_session=abc", "21204201600501", "xyz123"):
        assert secret not in text, text


async def test_a_busy_database_is_told_in_the_users_language_with_its_reference(school, captured, monkeypatch):
    """Issue 11 #4: an error no handler expected reaches the user translated (his language, not
    the server's), with the reference of its log line; a busy database says nothing was saved."""
    with db.session(write=True) as s:
        user = s.exec(select(User).where(User.username == "t_teacher")).one()
        user.language = "ru"
        s.add(user)
    with db.session() as s:
        token = accounts.authenticate(s, "t_teacher", PASSWORD).token

    def busy(_hash, _password):
        raise db.DatabaseBusy()

    monkeypatch.setattr(passwords, "verify", busy)
    answers: list = []
    events = [(_name(ProfileState, "change_password"), {"form_data": {"current": PASSWORD, "new": SECRET}})]
    await _run(events, session_token=token, answers=answers)
    (answer,) = answers
    ref = re.search(r"\(([0-9a-f]{12})\)", str(answer)).group(1)  # type: ignore[union-attr]
    assert t("error.db_busy", "ru") in str(answer)
    assert f"[ref {ref}]" in captured.getvalue()
