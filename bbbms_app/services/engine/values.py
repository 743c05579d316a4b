"""Values: form strings typed and checked against their FieldSpec, and a record shown as form
strings or as its detail card.

Every value a form or an import brings passes `check_value` (length, pattern, range, choices); a
problem is a ValueProblem with a catalog key and parameters, shown beside its field.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from sqlmodel import Session

from bbbms_app.i18n import t
from bbbms_app.i18n.collation import normalize
from bbbms_app.services.engine.listing import display_value, labels_for
from bbbms_app.services.engine.spec import EntitySpec, FieldSpec
from bbbms_app.services.errors import Refused

Errors = dict[str, tuple[str, dict[str, Any]]]


def form_values(spec: EntitySpec, row: Any | None) -> dict[str, str]:
    """A record's editable values as the form's strings (dates as yyyy-mm-dd for the date input)."""
    out: dict[str, str] = {}
    for name in spec.form_fields(creating=row is None):
        f = spec.fields[name]
        value = None if row is None or f.virtual else getattr(row, name)
        if value is None:
            out[name] = _default_text(spec, f) if row is None else ""
        elif f.widget == "bool":
            out[name] = "true" if value else ""
        elif f.widget == "date":
            out[name] = value.isoformat()
        elif f.widget == "time":
            out[name] = value.strftime("%H:%M")
        elif f.widget == "float":
            out[name] = f"{value:g}"
        else:
            out[name] = str(value)
    return out


def _default_text(spec: EntitySpec, f: FieldSpec) -> str:
    if f.virtual:
        return ""
    default = spec.model.model_fields[f.name].default
    if default is None or not isinstance(default, str | int | float | bool):
        return ""
    if f.widget == "bool":
        return "true" if default else ""
    return str(default)


def detail_rows(session: Session, spec: EntitySpec, row: Any, lang: str) -> list[dict[str, str]]:
    """The card of one record: every form field with its display value, in form order."""
    out = []
    for name in spec.form_fields(creating=False):
        f = spec.fields[name]
        if f.widget == "password" or f.virtual:
            continue
        value = getattr(row, name)
        if f.widget == "fk":
            text = labels_for(session, f.fk_table, [value], lang).get(value, "") if value else ""  # type: ignore[arg-type]
        elif f.widget == "choice":
            text = t(f.choice_key(value), lang) if value else ""
        elif f.widget == "bool":
            text = t("yes" if value else "no", lang)
        else:
            text = display_value(f, value, lang)
        out.append({"field": name, "value": text})
    return out


# --------------------------------------------------------------------------------- parsing

DATE_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class ValueProblem(Refused):
    """One value that cannot be taken: the message key and its parameters."""


def parse_date(text: str) -> date:
    """dd.mm.yyyy (as the school writes) or yyyy-mm-dd (the browser's date input)."""
    m = DATE_DMY.match(text) or DATE_ISO.match(text)
    if not m:
        raise ValueProblem("admin.error.date")
    parts = [int(p) for p in m.groups()]
    day, month, year = (parts[0], parts[1], parts[2]) if DATE_DMY.match(text) else (parts[2], parts[1], parts[0])
    try:
        value = date(year, month, day)
    except ValueError as exc:
        raise ValueProblem("admin.error.date") from exc
    if not 1900 <= value.year <= 2100:
        raise ValueProblem("admin.error.date")
    return value


TIME_HM = re.compile(r"^(\d{1,2})[:.](\d{2})(?::00)?$")


def parse_time(text: str) -> time:
    """hh:mm (the browser's time input; 8.30 as people type it is taken too)."""
    m = TIME_HM.match(text)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueProblem("admin.error.time")
    return time(int(m.group(1)), int(m.group(2)))


def check_value(f: FieldSpec, value: Any) -> Any:
    """Apply a field's own limits (length, pattern, range, choices) to an already typed value."""
    if value is None or value == "":
        if f.required:
            raise ValueProblem("admin.error.required")
        return None if f.nullable or f.widget in ("fk", "date", "time", "int", "float") else ""
    if isinstance(value, str):
        if f.max_length is not None and len(value) > f.max_length:
            raise ValueProblem("admin.error.too_long", max=f.max_length)
        if f.pattern is not None and not re.fullmatch(f.pattern, value):
            raise ValueProblem(f.pattern_key)
        if f.widget == "choice" and value not in f.choices:
            raise ValueProblem("admin.error.choice")
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric and ((f.minimum is not None and value < f.minimum) or (f.maximum is not None and value > f.maximum)):
        raise ValueProblem("admin.error.range", min=_num(f.minimum), max=_num(f.maximum))
    return value


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def parse_text(f: FieldSpec, raw: Any) -> Any:
    """A form string to the field's type, then its limits."""
    text = normalize(str(raw if raw is not None else ""))[:5000]
    if text == "":
        return check_value(f, None)
    if f.widget in ("int", "fk"):
        if not re.fullmatch(r"-?\d{1,9}", text):
            raise ValueProblem("admin.error.number")
        return check_value(f, int(text))
    if f.widget == "float":
        try:
            value = float(text.replace(",", ".").replace(" ", ""))
        except ValueError as exc:
            raise ValueProblem("admin.error.number") from exc
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueProblem("admin.error.number")
        return check_value(f, value)
    if f.widget == "date":
        return check_value(f, parse_date(text))
    if f.widget == "time":
        return check_value(f, parse_time(text))
    if f.widget == "bool":
        return text.lower() in ("true", "on", "1", "yes")
    if f.lowercase:
        text = text.lower()
    return check_value(f, text)


def parse_form(spec: EntitySpec, raw: dict[str, Any], *, creating: bool) -> tuple[dict[str, Any], Errors]:
    """The form's fields typed and checked. Only the spec's form fields are read: anything else
    a browser sends (school_id, version, password_hash …) is ignored."""
    values: dict[str, Any] = {}
    errors: Errors = {}
    for name in spec.form_fields(creating):
        if not creating and name in spec.fixed_after_create:
            continue
        f = spec.fields[name]
        try:
            if f.widget == "bool":
                values[name] = str(raw.get(name, "")).lower() in ("true", "on", "1", "yes")
            elif f.widget == "password":
                values[name] = str(raw.get(name, ""))[:256]
                if f.required and not values[name]:
                    raise ValueProblem("admin.error.required")
            else:
                values[name] = parse_text(f, raw.get(name))
        except ValueProblem as exc:
            errors[name] = (exc.key, exc.params)
    return values, errors
