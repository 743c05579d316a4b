"""Parsing what a browser sends to a handler: bounded ints, ids, strings, choices, dates, forms.

Any browser can call any handler with any JSON (DESIGN §6), and Reflex passes a value through
unchanged when it does not match the handler's annotation. So:

- the guard checks every argument against the handler's annotation with `conforms()` (shape and
  generic size limits) before the handler runs;
- the handler then parses each value with the helpers below, which return a clean Python value
  or raise BadInput naming the field. The guard turns BadInput into an audited refusal
  (action "invalid") and a translated toast, and puts the tab's state back as it was.
"""

from __future__ import annotations

import types
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Literal, Union, get_args, get_origin

from reflex import UploadFile

from bbbms_app.services.errors import Refused

MAX_ID = 2**31 - 1  # ids are 32-bit integers in both databases
MAX_ARG_CHARS = 65_536  # no handler argument string is longer (a long form field is a few KB)
MAX_ARG_ITEMS = 1_000  # no list or dict argument has more items
MAX_ARG_DEPTH = 4
_DIGITS = 12  # enough for any id or bounded int; more is an attack on int()


class BadInput(Refused):
    """A handler argument is not what the screen can send; `field` names it (the audit keeps `detail`)."""

    field: str

    def __init__(self, field: str, detail: str = "") -> None:
        super().__init__("rights.error.invalid_input", field)
        self.args = (f"{field}: {detail}" if detail else field,)
        self.detail = detail


def bounded_int(value: object, lo: int, hi: int, field: str = "value") -> int:
    """An integer in [lo, hi] from an int or a decimal string ("12", "-3"); bool is not an int here."""
    if isinstance(value, bool):
        raise BadInput(field, "not a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        raw = value.strip()
        body = raw[1:] if raw.startswith("-") else raw
        if not body or len(body) > _DIGITS or not body.isascii() or not body.isdigit():
            raise BadInput(field, "not a number")
        number = int(raw)
    else:
        raise BadInput(field, "not a number")
    if not lo <= number <= hi:
        raise BadInput(field, f"out of range {lo}..{hi}")
    return number


def record_id(value: object, field: str = "id") -> int:
    """A database id (1 .. 2^31-1)."""
    return bounded_int(value, 1, MAX_ID, field)


def optional_id(value: object, field: str = "id") -> int | None:
    """A database id, or None for an empty choice ("" or None)."""
    if value is None or value == "":
        return None
    return record_id(value, field)


def _clean(value: object, field: str, multiline: bool) -> str:
    if not isinstance(value, str):
        raise BadInput(field, "not text")
    text = unicodedata.normalize("NFC", value)
    allowed = {"\n", "\t"} if multiline else set()
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text):
        raise BadInput(field, "control characters")
    return text.strip()


def text(value: object, max_len: int, field: str = "text", *, multiline: bool = False) -> str:
    """A string the user typed: NFC, trimmed, no control characters, at most `max_len` characters."""
    cleaned = _clean(value, field, multiline)
    if len(cleaned) > max_len:
        raise BadInput(field, f"longer than {max_len}")
    return cleaned


def search_text(value: object, max_len: int = 100, field: str = "search") -> str:
    """A search box: like `text`, but cut to `max_len` (typing one letter too many is no attack)."""
    if not isinstance(value, str):
        raise BadInput(field, "not text")
    return _clean(value[: max_len * 2], field, False)[:max_len]


def choice(value: object, allowed: Iterable[str], field: str = "choice") -> str:
    """One of the values the screen offers."""
    if not isinstance(value, str) or value not in set(allowed):
        raise BadInput(field, "not one of the choices")
    return value


def offered(value: object, options: Iterable[Mapping[str, str]], key: str = "id") -> str | None:
    """The value when the screen offered it (one of the pickers' options), else None: a picker's
    change that no option matches is ignored, whatever the browser sent."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value)
    return text if any(o.get(key) == text for o in options) else None


def flag(value: object, field: str = "flag") -> bool:
    """A switch or checkbox: a real bool only."""
    if not isinstance(value, bool):
        raise BadInput(field, "not true/false")
    return value


def iso_date(value: object, field: str = "date", *, optional: bool = True) -> date | None:
    """A date from an <input type=date> ("2025-09-01"), within 1900..2100; "" is None when optional."""
    if optional and (value is None or value == ""):
        return None
    if not isinstance(value, str) or len(value) != 10:
        raise BadInput(field, "not a date")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadInput(field, "not a date") from None
    if not 1900 <= day.year <= 2100:
        raise BadInput(field, "out of range")
    return day


def form(form_data: object, fields: Mapping[str, int], field: str = "form") -> dict[str, str]:
    """A submitted form: only the named fields, each a string no longer than its limit.

    Unknown keys are refused rather than ignored: the form on the screen never sends them.
    Missing keys read as "". Values are `text()`-cleaned.
    """
    if not isinstance(form_data, dict):
        raise BadInput(field, "not a form")
    unknown = set(form_data) - set(fields)
    if unknown:
        raise BadInput(field, f"unknown fields {sorted(map(str, unknown))[:5]}")
    return {name: text(form_data.get(name, ""), limit, name) for name, limit in fields.items()}


# -- the shape check the guard runs on every argument ------------------------------------------

_SCALARS: tuple[type, ...] = (str, int, float, bool, type(None))


def supported(hint: Any) -> bool:
    """Whether `conforms` can check this annotation (the handler walk refuses any other).

    UploadFile is the one object allowed: Reflex builds it from the multipart upload on the server
    (list[rx.UploadFile] of an upload handler), never from a JSON dict of the client.
    """
    origin = get_origin(hint)
    if hint is Any:
        return True  # any JSON value, within the size limits: the handler parses it itself
    if hint in _SCALARS or hint in (dict, list, UploadFile):
        return True
    if origin in (Union, types.UnionType):
        return all(supported(a) for a in get_args(hint))
    if origin is Literal:
        return all(isinstance(a, _SCALARS) for a in get_args(hint))
    if origin is list:
        return all(supported(a) for a in get_args(hint))
    if origin is dict:
        key, val = get_args(hint)
        return key is str and (val is Any or supported(val))
    return False


def _json_like(value: object, depth: int) -> bool:
    if depth > MAX_ARG_DEPTH:
        return False
    if isinstance(value, str):
        return len(value) <= MAX_ARG_CHARS
    if isinstance(value, _SCALARS):
        return True
    if isinstance(value, list):
        return len(value) <= MAX_ARG_ITEMS and all(_json_like(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return len(value) <= MAX_ARG_ITEMS and all(
            isinstance(k, str) and len(k) <= 200 and _json_like(v, depth + 1) for k, v in value.items()
        )
    return False


def conforms(value: object, hint: Any, depth: int = 0) -> bool:
    """Whether `value` has the shape of annotation `hint`, within the generic size limits."""
    if depth > MAX_ARG_DEPTH:
        return False
    origin = get_origin(hint)
    if hint is Any:
        return _json_like(value, depth)
    if origin in (Union, types.UnionType):
        return any(conforms(value, a, depth) for a in get_args(hint))
    if origin is Literal:
        return any(value == a and type(value) is type(a) for a in get_args(hint))
    if hint is type(None):
        return value is None
    if hint is UploadFile:
        return isinstance(value, UploadFile)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 2**53
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str) and len(value) <= MAX_ARG_CHARS
    if hint is list or origin is list:
        if not isinstance(value, list) or len(value) > MAX_ARG_ITEMS:
            return False
        (item,) = get_args(hint) or (Any,)
        return all(conforms(v, item, depth + 1) for v in value)
    if hint is dict or origin is dict:
        if not isinstance(value, dict) or len(value) > MAX_ARG_ITEMS:
            return False
        _key, item = get_args(hint) or (str, Any)
        return all(isinstance(k, str) and len(k) <= 200 and conforms(v, item, depth + 1) for k, v in value.items())
    return False


def school_date(value: object, field: str = "date") -> date | None:
    """A date typed in the date field (components/date_input.py) as dd.mm.yyyy, or an ISO date;
    "" is None. Within 1900..2100; anything else is refused naming the field."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) != 10:
        raise BadInput(field, "not a date")
    if value[2:3] == "." and value[5:6] == ".":
        value = f"{value[6:]}-{value[3:5]}-{value[:2]}"
    return iso_date(value, field, optional=False)
