"""Writes: read one record, create, update, soft delete and restore any entity, checked and audited.

Every function takes the session first and an EntitySpec; what differs per entity is asked of its
profile (`spec.profile`: cross-field rules, the areas' save rules, a row made another way, what a
new row sets in motion, why a row may not be deleted). Writes validate each field (translated
message keys beside the field), check references and the natural key, run the profile's rules,
compare the version the user saw (a save over a newer change is refused, nothing overwritten),
recompute the search and sort keys, and are audited field by field in the same transaction.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import ValidationError
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bbbms_app.i18n.collation import normalize
from bbbms_app.services import audit, names, pin_check
from bbbms_app.services.access import Principal
from bbbms_app.services.engine.hooks import FieldError
from bbbms_app.services.engine.listing import in_scope, is_deleted
from bbbms_app.services.engine.profile import ENTITIES, PERSON
from bbbms_app.services.engine.spec import EntitySpec
from bbbms_app.services.engine.values import Errors, parse_form
from bbbms_app.services.errors import NotFound, OutOfScope, Refused, Stale
from bbbms_app.services.school import full_name

MIN_REASON = 3

__all__ = ["in_scope"]


class RecordInvalid(Refused):
    """Values that may not be saved: field name -> (message key, params); the first one is the message."""

    def __init__(self, errors: Errors) -> None:
        field, (key, params) = next(iter(errors.items()))
        super().__init__(key, field or None, **params)
        self.args = (", ".join(f"{k}: {v[0]}" for k, v in errors.items()),)
        self.errors = errors


class StaleRecord(Stale):
    """Someone saved a newer version since the user opened the record."""

    def __init__(self, table: str) -> None:
        super().__init__("admin.stale", table=table)


class RecordNotFound(NotFound):
    """No such row (or it is deleted and the caller asked for a live one)."""


# ----------------------------------------------------------------------------- one record


def get_record(
    session: Session, spec: EntitySpec, principal: Principal | None, record_id: int, *, live: bool = False
) -> Any:
    """The row `record_id` if the principal reaches it; `live` refuses a deleted one."""
    row = session.get(spec.model, int(record_id))
    if row is None or (live and is_deleted(spec, row)):
        raise RecordNotFound(spec.table)
    if principal is not None and not in_scope(session, spec.table, principal, row.id):
        raise OutOfScope(f"{spec.table} {record_id}")
    return row


# -------------------------------------------------------------------------- shared checks


def reference_errors(session: Session, spec: EntitySpec, principal: Principal | None, values: dict[str, Any]) -> Errors:
    """Foreign keys must point at live rows the principal reaches (a forged id is refused)."""
    errors: Errors = {}
    for name, value in values.items():
        f = spec.fields[name]
        if f.widget != "fk" or value is None:
            continue
        target = ENTITIES.by_table(f.fk_table).model  # type: ignore[arg-type]
        row = session.get(target, value)
        alive = row is not None and getattr(row, "deleted_at", None) is None
        if not alive or not in_scope(session, f.fk_table, principal, value):  # type: ignore[arg-type]
            errors[name] = ("admin.error.reference", {})
    return errors


def duplicate_errors(
    session: Session,
    spec: EntitySpec,
    principal: Principal | None,
    values: dict[str, Any],
    record_id: int | None,
    school_id: int | None,
) -> Errors:
    """A natural key already taken by another row (a deleted one says so: restore it instead).
    Names in the key are compared as canonical spellings (case, spaces, look-alike letters)."""
    key = [k for k in spec.natural_key if not spec.fields[k].virtual]
    # An optional part left empty (a patronymic) is a part of the key all the same.
    if not key or any(values.get(k) in (None, "") and (spec.fields[k].required or len(key) == 1) for k in key):
        return {}
    model = spec.model
    named = [k for k in key if k in spec.profile.name_columns()]
    q = select(model).where(*[getattr(model, k) == values[k] for k in key if k not in named])
    # A column unique on its own is unique in the whole database, not only in one school.
    globally_unique = len(key) == 1 and bool(model.__table__.c[key[0]].unique)  # type: ignore[attr-defined]
    if spec.school_scoped and school_id is not None and not globally_unique:
        q = q.where(model.school_id == school_id)  # type: ignore[attr-defined]
    if record_id is not None:
        q = q.where(model.id != record_id)  # type: ignore[attr-defined]
    if named:
        wanted = [names.canonical(values[k]) for k in named]
        candidates = session.exec(q).all()
        other = next((r for r in candidates if [names.canonical(getattr(r, k)) for k in named] == wanted), None)
    else:
        other = session.exec(q.limit(1)).first()
    if other is None:
        return {}
    if is_deleted(spec, other):
        return {key[-1]: ("admin.error.duplicate_deleted", {})}
    return {key[-1]: ("admin.error.duplicate", {})}


def name_errors(spec: EntitySpec, values: dict[str, Any]) -> Errors:
    """A person's name that mixes alphabets or has a non-Kyrgyz look-alike letter, beside its field."""
    errors: Errors = {}
    for column in spec.profile.name_columns():
        value = values.get(column)
        if isinstance(value, str) and (problem := names.name_problem(value)) is not None:
            errors[column] = (problem.key, problem.params)
    return errors


def record_warnings(spec: EntitySpec, values: dict[str, Any], changed: set[str] | None = None) -> Errors:
    """What the clerk is warned of, not refused (issue 13): a PIN whose sex digit or DDMMYYYY birth
    date disagrees with the sex and birth date entered beside it (services/pin_check.py). Only when
    the PIN, the sex or the birth date is among `changed` (None: a new record)."""
    fields = spec.model.model_fields
    if "pin" not in fields or (changed is not None and not {"pin", "sex", "birth_date"} & changed):
        return {}
    found = pin_check.pin_warnings(values.get("pin"), values.get("sex"), values.get("birth_date"))
    return {w.field: (w.key, dict(w.params)) for w in found if w.field in fields}


def same_person_rows(
    session: Session, spec: EntitySpec, items: list[dict[str, Any]], school_id: int | None, exclude: set[int]
) -> list[Any]:
    """For each of `items` (values of a person with a birth date), the row of the same school that
    is the same person typed again (the same canonical name and birth date), or None. Two PINs
    that differ are two people whatever their names."""
    model = spec.model
    fields = model.model_fields
    if not all(p in fields for p in PERSON) or "birth_date" not in fields:
        return [None] * len(items)
    births = sorted({v["birth_date"] for v in items if v.get("birth_date")})
    known: dict[tuple, list[Any]] = {}
    for start in range(0, len(births), 500):
        q = select(model).where(model.birth_date.in_(births[start : start + 500]))  # type: ignore[attr-defined]
        if school_id is not None and "school_id" in fields:
            q = q.where(model.school_id == school_id)  # type: ignore[attr-defined]
        for row in session.exec(q).all():
            if row.id not in exclude:
                known.setdefault(_person_key(row.model_dump()), []).append(row)
    out = []
    for v in items:
        pin = v.get("pin") or ""
        rows = known.get(_person_key(v), []) if v.get("birth_date") else []
        out.append(next((r for r in rows if not (pin and getattr(r, "pin", "") and r.pin != pin)), None))
    return out


def _person_key(values: dict[str, Any]) -> tuple:
    return (*(names.canonical(str(values.get(p) or "")) for p in PERSON), values.get("birth_date"))


def same_person_errors(
    session: Session, spec: EntitySpec, values: dict[str, Any], record_id: int | None, school_id: int | None
) -> Errors:
    """The same person already on the list (see same_person_rows), named beside the last name."""
    [other] = same_person_rows(session, spec, [values], school_id, {record_id} if record_id else set())
    if other is None:
        return {}
    if is_deleted(spec, other):
        return {"last_name": ("admin.error.duplicate_deleted", {})}
    return {"last_name": ("names.same_person", {"person": full_name(other)})}


def _save_rule_errors(
    session: Session, spec: EntitySpec, principal: Principal | None, record_id: int | None, values: dict[str, Any]
) -> Errors:
    try:
        spec.profile.check_save(session, principal, record_id, values)
    except FieldError as exc:
        return {exc.field: (exc.key, dict(exc.params))}
    return {}


def _model_errors(spec: EntitySpec, data: dict[str, Any]) -> Errors:
    # The model's own validation (types, lengths) as a last net under the field checks.
    try:
        spec.model.model_validate(data)
    except ValidationError as exc:
        errors: Errors = {}
        for problem in exc.errors():
            loc = problem.get("loc") or ("",)
            errors.setdefault(str(loc[0]), ("admin.error.invalid", {}))
        return errors
    return {}


def _audit_text(value: Any) -> str:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return "" if value is None else str(value)


def _pupil_of(spec: EntitySpec, row: Any) -> int | None:
    return spec.profile.pupil_of(row)


def _now() -> datetime:
    return datetime.now(UTC)


# ------------------------------------------------------------------------------- writes


def create(
    session: Session,
    spec: EntitySpec,
    principal: Principal | None,
    raw: dict[str, Any],
    *,
    school_id: int | None = None,
    today: date | None = None,
) -> Any:
    """Create a record from form strings; RecordInvalid with every field's problem, or the row."""
    values, errors = parse_form(spec, raw, creating=True)
    return create_values(session, spec, principal, values, errors=errors, school_id=school_id, today=today)


def create_values(
    session: Session,
    spec: EntitySpec,
    principal: Principal | None,
    values: dict[str, Any],
    *,
    errors: Errors | None = None,
    school_id: int | None = None,
    today: date | None = None,
    trusted: bool = False,
) -> Any:
    """Create a record from typed values (the form ends here; the import checks each row the same way)."""
    data = check_create(session, spec, principal, values, errors=errors, school_id=school_id, trusted=trusted)
    row = spec.profile.insert(session, principal, data, values)
    if row is None:
        row = spec.model.model_validate(data)
        session.add(row)
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError as exc:
            raise RecordInvalid(
                {spec.natural_key[-1] if spec.natural_key else "": ("admin.error.duplicate", {})}
            ) from exc
        _audit_create(session, spec, principal, row, data)
    _after_create(session, spec, principal, [(row, values)], today)
    return row


def check_create(
    session: Session,
    spec: EntitySpec,
    principal: Principal | None,
    values: dict[str, Any],
    *,
    errors: Errors | None = None,
    school_id: int | None = None,
    trusted: bool = False,
) -> dict[str, Any]:
    """Every check of a new record, writing nothing; returns the row's data (school, keys added).

    `trusted`: the caller already resolved the references within the principal's scope and
    matched the natural key (the import does both for the whole file at once).
    """
    errors = dict(errors or {})
    if spec.school_scoped or spec.stamps_school:
        school_id = school_id if school_id is not None else (principal.school_id if principal else None)
        if school_id is None and spec.school_scoped:
            raise RecordInvalid({"": ("admin.error.no_school", {})})
    columns = {k: v for k, v in values.items() if not spec.fields[k].virtual}
    if not trusted:
        errors.update({k: v for k, v in reference_errors(session, spec, principal, values).items() if k not in errors})
    errors.update(spec.profile.validate(columns))
    errors.update({k: v for k, v in name_errors(spec, columns).items() if k not in errors})
    if not errors and not trusted:
        errors.update(duplicate_errors(session, spec, principal, columns, None, school_id))
    if not errors and not trusted:
        errors.update(same_person_errors(session, spec, columns, None, school_id))
    if not errors:
        errors.update(_save_rule_errors(session, spec, principal, None, columns))
    data = dict(columns)
    if spec.school_scoped or spec.stamps_school:
        data["school_id"] = school_id
    data.update(spec.profile.keys(data))
    if not errors:
        errors.update(_model_errors(spec, data))
    if errors:
        raise RecordInvalid(errors)
    return data


def insert_checked(
    session: Session,
    spec: EntitySpec,
    principal: Principal | None,
    items: list[tuple[dict[str, Any], dict[str, Any]]],
    today: date | None = None,
) -> list[Any]:
    """Write records already passed by check_create, in one flush: (data, values) per record."""
    rows = [spec.model.model_validate(data) for data, _values in items]
    session.add_all(rows)
    session.flush()
    for row, (data, _values) in zip(rows, items, strict=True):
        _audit_create(session, spec, principal, row, data)
    _after_create(session, spec, principal, [(r, v) for r, (_d, v) in zip(rows, items, strict=True)], today)
    return rows


def _audit_create(session: Session, spec: EntitySpec, principal: Principal | None, row: Any, data: dict) -> None:
    snapshot = {k: _audit_text(v) for k, v in data.items() if k not in ("search_key", "sort_key", "school_id")}
    audit.record(
        session,
        principal,
        "create",
        spec.table,
        row.id,
        new=json.dumps(snapshot, ensure_ascii=False),
        pupil_id=_pupil_of(spec, row),
        school_id=data.get("school_id"),
    )


def _after_create(
    session: Session,
    spec: EntitySpec,
    principal: Principal | None,
    created: list[tuple[Any, dict[str, Any]]],
    today: date | None,
) -> None:
    """What new rows set in motion, in the same transaction (the profile's after_create: a new
    pupil is enrolled, a movement record moves the enrollment); a refusal names its field."""
    try:
        spec.profile.after_create(session, principal, created, today or date.today())
    except FieldError as exc:
        raise RecordInvalid({exc.field: (exc.key, dict(exc.params))}) from exc


def update(
    session: Session,
    spec: EntitySpec,
    principal: Principal | None,
    record_id: int,
    raw: dict[str, Any],
    expected_version: int,
) -> Any:
    """Save an edit made on version `expected_version`; StaleRecord if someone saved since."""
    values, errors = parse_form(spec, raw, creating=False)
    return update_values(session, spec, principal, record_id, values, expected_version, errors=errors)


def update_values(
    session: Session,
    spec: EntitySpec,
    principal: Principal | None,
    record_id: int,
    values: dict[str, Any],
    expected_version: int | None,
    *,
    errors: Errors | None = None,
    trusted: bool = False,
) -> Any:
    """Apply typed values to a live record with a compare-and-swap on its version."""
    row = get_record(session, spec, principal, record_id, live=True)
    if expected_version is not None and row.version != expected_version:
        raise StaleRecord(spec.table)
    errors = dict(errors or {})
    columns = {k: v for k, v in values.items() if not spec.fields[k].virtual}
    changes = {k: v for k, v in columns.items() if getattr(row, k) != v}
    merged = {**row.model_dump(), **columns}
    if not trusted:
        errors.update({k: v for k, v in reference_errors(session, spec, principal, changes).items() if k not in errors})
    errors.update(spec.profile.validate(merged))
    # Only a name being changed is checked: an old spelling does not block an edit of the phone.
    errors.update({k: v for k, v in name_errors(spec, changes).items() if k not in errors})
    if not errors and not trusted:
        errors.update(duplicate_errors(session, spec, principal, merged, row.id, getattr(row, "school_id", None)))
    if not errors and not trusted and {*PERSON, "birth_date", "pin"} & changes.keys():
        errors.update(same_person_errors(session, spec, merged, row.id, getattr(row, "school_id", None)))
    if not errors and changes:
        errors.update(_save_rule_errors(session, spec, principal, row.id, changes))
    if not errors:
        errors.update(_model_errors(spec, {**merged, **spec.profile.keys(merged)}))
    if errors:
        raise RecordInvalid(errors)
    changes = spec.profile.hold_changes(session, principal, row, changes)
    if not changes:
        return row
    # The keys follow every write of the columns they are made of.
    new_keys = {k: v for k, v in spec.profile.keys(merged).items() if getattr(row, k) != v}
    old = {k: getattr(row, k) for k in changes}
    version = row.version
    table = spec.model.__table__  # type: ignore[attr-defined]
    result = session.execute(
        sql_update(table)
        .where(table.c.id == row.id, table.c.version == version)
        .values(**changes, **new_keys, version=version + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleRecord(spec.table)
    for name, new in changes.items():
        audit.record(
            session,
            principal,
            "update",
            spec.table,
            row.id,
            field=name,
            old=_audit_text(old[name]),
            new=_audit_text(new),
            pupil_id=_pupil_of(spec, row),
            school_id=getattr(row, "school_id", None),
        )
    session.expire(row)
    return row


def soft_delete(
    session: Session,
    spec: EntitySpec,
    principal: Principal | None,
    record_id: int,
    reason: str,
    expected_version: int | None = None,
) -> Any:
    """Delete softly with a reason (accounts are disabled and signed out); restorable."""
    reason = normalize(str(reason or ""))[:300]
    if len(reason) < MIN_REASON:
        raise RecordInvalid({"reason": ("admin.error.reason", {"min": MIN_REASON})})
    row = get_record(session, spec, principal, record_id, live=True)
    if expected_version is not None and row.version != expected_version:
        raise StaleRecord(spec.table)
    refusal = spec.profile.delete_refusal(session, principal, row, date.today())
    if refusal is not None:
        raise RecordInvalid({"reason": (refusal[0], refusal[1])})
    _set_deleted(session, spec, row, deleted=True, reason=reason)
    spec.profile.after_delete(session, row)
    audit.record(
        session,
        principal,
        "delete",
        spec.table,
        row.id,
        old=_summary(spec, row),
        reason=reason,
        pupil_id=_pupil_of(spec, row),
        school_id=getattr(row, "school_id", None),
    )
    return row


def restore(session: Session, spec: EntitySpec, principal: Principal | None, record_id: int) -> Any:
    """Bring a deleted record back (an account: enable it again)."""
    row = get_record(session, spec, principal, record_id)
    if not is_deleted(spec, row):
        return row
    refusal = spec.profile.restore_refusal(session, principal, row)
    if refusal is not None:
        raise RecordInvalid({refusal[0]: (refusal[1], {})})
    _set_deleted(session, spec, row, deleted=False, reason="")
    audit.record(
        session,
        principal,
        "restore",
        spec.table,
        row.id,
        new=_summary(spec, row),
        pupil_id=_pupil_of(spec, row),
        school_id=getattr(row, "school_id", None),
    )
    return row


def _set_deleted(session: Session, spec: EntitySpec, row: Any, *, deleted: bool, reason: str) -> None:
    table = spec.model.__table__  # type: ignore[attr-defined]
    if spec.soft_delete == "is_active":
        values: dict[str, Any] = {"is_active": not deleted}
    else:
        values = {"deleted_at": _now() if deleted else None, "deleted_reason": reason}
    result = session.execute(
        sql_update(table)
        .where(table.c.id == row.id, table.c.version == row.version)
        .values(**values, version=row.version + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleRecord(spec.table)
    session.expire(row)


def _summary(spec: EntitySpec, row: Any) -> str:
    return spec.profile.label(row, "ky")
