"""Logging: every log record of every logger is redacted, and carries the event's request id.

A record factory (not a handler filter) does it, so no logger or handler can miss it — Reflex's
own, the server's, ours (issue 10 #4). Redacted: the value of any field named like a password,
token, secret, PIN, cookie or authorization header (`'password': '…'`, `token=…`), the profile
form's `current`/`new` passwords, every UUID (Reflex's tab state tokens), 14-digit numbers
(personal identification numbers) and the tokens in private-download paths; the traceback text of
a record is redacted the same way. Within an event the record ends with `[ref <id>]`: the id also
written to the audit rows of that event and shown to the user in the generic error message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from contextvars import ContextVar, Token
from typing import Any

# The id of the event (or request) being handled: in its log lines, on every audit row it writes
# (services/audit.py) and in the generic error message, so one report leads to all three. It lives
# here, not in the audit service, so that importing the package (every process: the server's
# parent, the job consumer, the CLI) does not import the models and SQLAlchemy just for it.
_request_id: ContextVar[str] = ContextVar("bbbms_request_id", default="")


def request_id() -> str:
    """The current event's request id ('' outside an event)."""
    return _request_id.get()


def set_request_id(value: str) -> Token[str]:
    """Make `value` the request id of the running event; reset with the returned token."""
    return _request_id.set(value[:16])


def reset_request_id(token: Token[str]) -> None:
    _request_id.reset(token)


REDACTED = "[redacted]"
# A pattern of field names, not a password.
_SECRET_KEY = r"[\w-]*(?:password|passwd|pwd|secret|token|pin|cookie|authorization|current|new)[\w-]*"  # noqa: S105
_KEY_VALUE = re.compile(
    rf"""(?ix)
    (?P<key>(?:["']{_SECRET_KEY}["']|\b{_SECRET_KEY})\s*[:=]\s*)
    (?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s,;&}}\])]+)
    """
)
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_PIN = re.compile(r"(?<!\d)\d{14}(?!\d)")
_DOWNLOAD = re.compile(r"(/(?:journal-files|private-files|admin-files|files)/)[^\s/?\"']+")
_SECRET_NAME = re.compile(rf"(?i){_SECRET_KEY}")
_installed = False
# The secret values of the event being handled (its password fields, its session token): an
# exception message that quotes one without its field name is redacted too.
_event_secrets: ContextVar[tuple[str, ...]] = ContextVar("bbbms_event_secrets", default=())


def secret_values(value: Any, key: str = "") -> list[str]:
    """The values under secret-named keys anywhere in `value` (dicts and lists walked)."""
    if isinstance(value, dict):
        return [v for k, item in value.items() for v in secret_values(item, str(k))]
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in secret_values(item, key)]
    if key and isinstance(value, str) and _SECRET_NAME.fullmatch(key):
        return [value]
    return []


def hold_secrets(values: Iterable[str]) -> Token[tuple[str, ...]]:
    """Redact these exact values (at least 4 characters long) from the log of this event."""
    return _event_secrets.set(tuple(sorted({v for v in values if len(v) >= 4}, key=len, reverse=True)))


def release_secrets(token: Token[tuple[str, ...]]) -> None:
    _event_secrets.reset(token)


def redact(text: str) -> str:
    """`text` with every secret-looking value replaced."""
    for value in _event_secrets.get():
        text = text.replace(value, REDACTED)
    text = _KEY_VALUE.sub(lambda m: m.group("key") + REDACTED, text)
    text = _UUID.sub(REDACTED, text)
    text = _PIN.sub(REDACTED, text)
    return _DOWNLOAD.sub(lambda m: m.group(1) + REDACTED, text)


def install() -> None:
    """Wrap the log record factory once per process."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()
    formatter = logging.Formatter()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the template only
            message = str(record.msg)
        clean = redact(message)
        ref = request_id()
        record.request_id = ref
        if ref:
            clean = f"{clean} [ref {ref}]"
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact(formatter.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
