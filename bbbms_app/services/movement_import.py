"""Movement import: many lines of the movement book from one XLSX or CSV, all or nothing.

One line per movement: the pupil's PIN, the kind, the date, the order («45-у» or «45-у 12.09.2025»),
the class moved to, where from / where to (category, place, school) and the reason. Headers in
any UI language. The lines are written in date order (then file order) through the book's own rules
(services/movement.py) inside the caller's transaction, so several lines for one pupil are checked
against each other — an arrival and a later departure pass, two arrivals do not — and every
problem is reported with its row and column. Any problem, or a dry run, rolls everything back.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, select

from bbbms_app.i18n import LANGUAGES, t
from bbbms_app.models import Pupil
from bbbms_app.models.movement import MOVEMENT_KINDS
from bbbms_app.services import movement, places
from bbbms_app.services.access import Principal
from bbbms_app.services.engine.hooks import FieldError
from bbbms_app.services.engine.imports import (
    ImportResult,
    RowError,
    date_from_cell,
    pin_from_cell,
    read_file,
    reference_index,
    school_of,
)
from bbbms_app.services.engine.profile import ENTITIES, reference_fold
from bbbms_app.services.engine.values import ValueProblem

# column -> its header's catalog key
COLUMNS = {
    "pin": "field.pupil.pin",
    "kind": "field.movementrecord.kind",
    "date": "field.movementrecord.date",
    "order": "field.movementrecord.order_id",
    "class": "field.movementrecord.to_class_id",
    "from_category": "field.movementrecord.from_category",
    "from_place": "field.movementrecord.from_place",
    "from_school": "field.movementrecord.from_school",
    "to_category": "field.movementrecord.to_category",
    "to_place": "field.movementrecord.to_place",
    "to_school": "field.movementrecord.to_school",
    "reason": "field.movementrecord.reason",
    "note": "field.movementrecord.note",
}
REQUIRED = ("pin", "kind", "date", "order")
# A refusal of services.movement names a field of the record: the file's column it came from.
FIELD_COLUMN = {"pupil_id": "pin", "order_id": "order", "to_class_id": "class"}


def _index(values: dict[str, str], prefix: str) -> dict[str, str]:
    """folded label in any language (or the value itself) -> value."""
    out = {}
    for value in values:
        out[reference_fold(value)] = value
        for lang in LANGUAGES:
            out[reference_fold(t(f"{prefix}.{value}", lang))] = value
    return out


KINDS = _index(dict.fromkeys(MOVEMENT_KINDS), "movement.kind")
FROM_CATEGORIES = _index(dict.fromkeys(places.CATEGORIES), "place.category")
TO_CATEGORIES = _index(dict.fromkeys(places.CATEGORIES), "place.to")
PLACES = _index(dict.fromkeys(places.CODES), "place")


def map_columns(
    headers: list[str], columns: dict[str, str], required: tuple[str, ...], lang: str, result: ImportResult
) -> dict[int, str]:
    """The file's column index -> our column name, by its header in any UI language (or the name
    itself); an unknown, repeated or missing column is a row-1 error in `result`. Shared with the
    contingent import of the exchange files (services/exchange.py)."""
    known = {reference_fold(name): name for name in columns}
    for name, key in columns.items():
        for language in LANGUAGES:
            known[reference_fold(t(key, language))] = name
    mapping: dict[int, str] = {}
    for i, text in enumerate(headers):
        if not str(text).strip():
            continue
        name = known.get(reference_fold(text))
        if name is None or name in mapping.values():
            key = "admin.import.unknown_column" if name is None else "admin.import.repeated_column"
            result.errors.append(RowError(1, str(text), str(text), t(key, lang)))
        else:
            mapping[i] = name
    for name in required:
        if name not in mapping.values():
            result.errors.append(RowError(1, t(columns[name], lang), "", t("admin.import.missing_column", lang)))
    return mapping


def run(
    session: Session,
    principal: Principal | None,
    data: bytes,
    filename: str,
    *,
    lang: str = "ky",
    dry_run: bool = False,
    school_id: int | None = None,
) -> ImportResult:
    """Check and write the file's movements in `session`'s transaction; rolled back on any problem."""
    result = ImportResult()
    school_id = school_of(principal, school_id, lang, result)
    if school_id is None:
        return result
    if principal is not None and not principal.can(movement.WRITE_PERMISSION):
        raise movement.MovementForbidden(movement.WRITE_PERMISSION)
    table = read_file(data, filename, lang, result)
    if table is None:
        return result
    mapping = map_columns(table.headers, COLUMNS, REQUIRED, lang, result)
    if result.errors:
        return result

    pupils = {
        p.pin: p.id
        for p in session.exec(select(Pupil).where(Pupil.school_id == school_id, Pupil.deleted_at.is_(None))).all()  # type: ignore[union-attr]
        if p.pin
    }
    orders = reference_index(session, principal, "order", school_id)
    classes = reference_index(session, principal, "schoolclass", school_id)
    order_key, class_key = ENTITIES.by_table("order").profile, ENTITIES.by_table("schoolclass").profile

    def error(number: int, name: str, raw: Any, key: str, **params: Any) -> None:
        shown = raw.strftime("%d.%m.%Y") if isinstance(raw, date) else ("" if raw is None else str(raw))
        result.errors.append(RowError(number, t(COLUMNS[name], lang), shown, t(key, lang, **params)))

    lines: list[tuple[date, int, dict[str, Any], dict[str, Any]]] = []
    for number, cells in table.rows:
        raw = {name: (cells[i] if i < len(cells) else None) for i, name in mapping.items()}
        values: dict[str, Any] = {}
        ok = True
        for name, cell in raw.items():
            text = "" if cell is None else str(cell).strip()
            try:
                if name in REQUIRED and not text:
                    raise ValueProblem("admin.error.required")
                if not text:
                    continue
                if name == "pin":
                    pin = pin_from_cell(cell)
                    if pin not in pupils:
                        raise ValueProblem("admin.import.unknown_reference")
                    values["pupil_id"] = pupils[pin]
                elif name == "kind":
                    values["kind"] = _choice(KINDS, text)
                elif name == "date":
                    values["date"] = date_from_cell(cell)
                elif name in ("order", "class"):
                    index, profile = (orders, order_key) if name == "order" else (classes, class_key)
                    ids = index.get(profile.reference_key(text), set())
                    if len(ids) != 1:
                        raise ValueProblem("admin.import.ambiguous" if ids else "admin.import.unknown_reference")
                    values["order_id" if name == "order" else "to_class_id"] = next(iter(ids))
                elif name in ("from_category", "to_category"):
                    values[name] = _choice(FROM_CATEGORIES if name == "from_category" else TO_CATEGORIES, text)
                elif name in ("from_place", "to_place"):
                    values[name] = _choice(PLACES, text)
                else:
                    values[name] = text
            except ValueProblem as exc:
                error(number, name, cell, exc.key, **exc.params)
                ok = False
        if ok:
            lines.append((values["date"], number, values, raw))
    result.rows = len(table.rows)
    if result.errors:
        session.rollback()
        return result
    # In the order things happened: each line is checked against the book as the lines before it left it.
    for _day, number, values, raw in sorted(lines, key=lambda line: (line[0], line[1])):
        try:
            with session.begin_nested():
                movement.record(session, principal, values, school_id=school_id)
            result.created += 1
        except FieldError as exc:
            column = FIELD_COLUMN.get(exc.field, exc.field)
            column = column if column in COLUMNS else "pin"
            error(number, column, raw.get(column), exc.key, **exc.params)
    if result.errors or dry_run:
        session.rollback()
        result.created = 0 if result.errors else result.created
        return result
    session.flush()
    result.written = True
    return result


def _choice(index: dict[str, str], text: str) -> str:
    value = index.get(reference_fold(text))
    if value is None:
        raise ValueProblem("admin.import.unknown_choice")
    return value


def template(lang: str) -> bytes:
    """An empty file with the columns' headers in `lang`."""
    from bbbms_app.services.engine import xlsx

    columns = [xlsx.Column(t(key, lang), "date" if name == "date" else "text", 18) for name, key in COLUMNS.items()]
    return xlsx.to_bytes([xlsx.Sheet(t("movement.nav", lang), columns, ())])
