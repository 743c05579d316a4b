"""Generic list, read, create, update, soft delete and restore for any entity the admin engine serves.

Every function takes the session first and an EntitySpec (admin/spec.py, plain data) that names
the model, its fields and permissions; the rules that differ per table are in services.entities.
Lists are paged, sorted and searched in SQL on the folded search_key, and return display-ready
rows. Writes validate each field (translated message keys beside the field), run the save rules
other areas registered (services.save_checks), compare the version the user saw (a save over a
newer change is refused, nothing overwritten) and are audited field by field in the same
transaction.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import column, func, literal_column, tuple_
from sqlalchemy import table as sql_table
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.selectable import Join
from sqlmodel import Session, select

from bbbms_app.i18n import format_date, format_datetime, t
from bbbms_app.i18n.collation import normalize, search_key
from bbbms_app.models import search_index
from bbbms_app.services import audit, entities, save_checks
from bbbms_app.services.access import SCHOOL_WIDE_ROLES, Principal

if TYPE_CHECKING:  # specs are plain data made in admin/; services take them as arguments
    from bbbms_app.admin.spec import EntitySpec, FieldSpec

MAX_PAGE = 100
NARROW_LIST = 20000  # a narrowed list this short is counted and sorted in one pass (see list_page)
# A search of only 1–2 letter words (the first keystrokes) matches most of a big school: its total
# is counted up to this many and shown as "10000+" beyond it (docs/performance.md).
COUNT_CAP = 10000
MIN_REASON = 3
Errors = dict[str, tuple[str, dict[str, Any]]]


class RecordError(Exception):
    """A refused write or read; the subclasses say why."""


class RecordInvalid(RecordError):
    """Values that may not be saved: field name -> (message key, params)."""

    def __init__(self, errors: Errors) -> None:
        super().__init__(", ".join(f"{k}: {v[0]}" for k, v in errors.items()))
        self.errors = errors


class StaleRecord(RecordError):
    """Someone saved a newer version since the user opened the record."""


class RecordNotFound(RecordError):
    """No such row (or it is deleted and the caller asked for a live one)."""


class OutOfScope(RecordError):
    """The row exists but lies outside the principal's data scope."""


@dataclass(frozen=True)
class Page:
    """One page of display-ready rows and the total of the whole (filtered) list.

    `first` and `last` are the keyset cursors of the page's first and last rows (their sort values
    and id): pass `after=page.last` for the next page, `before=page.first` for the previous one.
    """

    rows: list[dict[str, str]]
    total: int
    first: tuple | None = None
    last: tuple | None = None
    more: bool = False  # `total` is COUNT_CAP and the list holds more (a search of 1–2 letters)


# ------------------------------------------------------------------------------ list queries


def is_deleted(spec: EntitySpec, row: Any) -> bool:
    if spec.soft_delete == "is_active":
        return not row.is_active
    return getattr(row, "deleted_at", None) is not None


def _deleted_clause(spec: EntitySpec, deleted: bool):
    model = spec.model
    if spec.soft_delete == "is_active":
        return model.is_active.is_(not deleted)  # type: ignore[attr-defined]
    column = model.deleted_at  # type: ignore[attr-defined]
    return column.is_not(None) if deleted else column.is_(None)


def list_query(
    session: Session,
    spec: EntitySpec,
    principal: Principal | None,
    *,
    search: str = "",
    filters: dict[str, str] | None = None,
    deleted: bool = False,
    today: date | None = None,
    school_id: int | None = None,
):
    """The scoped, filtered, searched query behind a list (and behind its export).

    `school_id` narrows an operator's (principal None) query to one school.
    """
    base = select(spec.model)
    fts = _fts_search(session, spec, search) if spec.searchable else None
    if fts is not None:
        # SQLite: the trigram index finds the matches; each is then read by its id (CROSS JOIN
        # keeps that order, whatever the planner thinks of the school's own indexes).
        base = base.select_from(CrossJoin(fts, spec.model.__table__, spec.model.id == fts.c.rowid))  # type: ignore[attr-defined]
    q = entities.scope(session, spec.table, principal, base, today)
    if school_id is not None and "school_id" in spec.model.model_fields:
        q = q.where(spec.model.school_id == school_id)  # type: ignore[attr-defined]
    q = q.where(_deleted_clause(spec, deleted))
    if fts is not None:
        q = q.where(fts.c.search_key.like(entities.like_pattern(search[:100])))
    elif spec.searchable and search.strip():
        column = spec.model.search_key  # type: ignore[attr-defined]
        if session.get_bind().dialect.name == "postgresql" and not _has_trigram(search):
            # No word of 3+ letters, no trigram to look up: keep PostgreSQL off the trigram index
            # (a prepared, generic plan chose it and then read all of it: 77 ms instead of 30).
            column = column.op("||")(literal_column("''"))
        q = q.where(column.like(entities.like_pattern(search[:100]), escape="\\"))
    for name, value in (filters or {}).items():
        if value:
            q = entities.apply_filter(spec.table, name, value, q, today)
    return q


class CrossJoin(Join):
    """`a CROSS JOIN b ON …`: on SQLite, a join done in the written order (its planner's one hint)."""

    inherit_cache = True


@compiles(CrossJoin, "sqlite")
def _cross_join(element: CrossJoin, compiler: Any, **kw: Any) -> str:
    # The ordinary join's text (and its from-linting), with the join made a CROSS JOIN; the left
    # side is a plain table name, so its first " JOIN " is the join's own.
    return compiler.visit_join(element, **kw).replace(" JOIN ", " CROSS JOIN ", 1)


def _fts_search(session: Session, spec: EntitySpec, search: str):
    """The SQLite FTS5 trigram table to search `spec`'s rows with, or None (PostgreSQL has its
    trigram index on the column itself; a search of only 1–2 letter words, or with LIKE's own
    wildcard characters, scans the school's rows as before)."""
    if spec.table not in search_index.SQLITE_FTS or session.get_bind().dialect.name != "sqlite":
        return None
    words = search_key(search[:100]).split()[:6]
    if not _has_trigram(search):
        return None
    if any(ch in w for w in words for ch in "%_\\"):
        return None
    name, col = search_index.SQLITE_FTS[spec.table]
    return sql_table(name, column("rowid"), column(col))


def _has_trigram(search: str) -> bool:
    words = search_key(search[:100]).split()
    return bool(words) and max(len(w) for w in words) >= search_index.FTS_MIN_WORD


def sort_columns(spec: EntitySpec, sort: str = "") -> tuple[str, ...]:
    """The columns a list is ordered by (before the id): the chosen column's, else the default."""
    field = spec.fields.get(sort) if sort in spec.columns else None
    return field.sort_by if field is not None and field.sort_by else spec.order


def order_clause(spec: EntitySpec, sort: str = "", descending: bool = False) -> list[Any]:
    """ORDER BY for a list: the chosen column's sort columns (if sortable), else the default, then
    id (in the same direction, so that (sort values, id) is a keyset cursor)."""
    field = spec.fields.get(sort) if sort in spec.columns else None
    desc = descending and field is not None
    cols = [getattr(spec.model, name) for name in sort_columns(spec, sort)] + [spec.model.id]  # type: ignore[attr-defined]
    return [c.desc() if desc else c for c in cols]


def list_page(
    session: Session,
    spec: EntitySpec,
    principal: Principal | None,
    *,
    search: str = "",
    filters: dict[str, str] | None = None,
    deleted: bool = False,
    sort: str = "",
    descending: bool = False,
    offset: int = 0,
    limit: int = 25,
    lang: str = "ky",
    today: date | None = None,
    total: int | None = None,
    after: tuple | list | None = None,
    before: tuple | list | None = None,
    more: bool = False,
) -> Page:
    """One page of the list: rows formatted for display, and the total count.

    `total`: the count the caller already has for this very list (same search, filters, deleted):
    it is not counted again (with `more`, as the last page gave them). A search of only 1–2 letter
    words is counted up to COUNT_CAP: `more` says the list holds more than that.
    `after` / `before`: the `last` / `first` cursor of the page the user is on; the next /
    previous page is then sought from it through the index (keyset paging) instead of skipping
    `offset` rows. `offset` is still the page's position when a cursor cannot
    be used (a narrowed list sorted here, a sort column that may be empty).
    """
    offset = max(0, int(offset))
    limit = max(1, min(int(limit), MAX_PAGE))
    q = list_query(session, spec, principal, search=search, filters=filters, deleted=deleted, today=today)
    model = spec.model
    names = sort_columns(spec, sort)
    field = spec.fields.get(sort) if sort in spec.columns else None
    desc = descending and field is not None
    keyed = [getattr(model, n) for n in names] + [model.id]  # type: ignore[attr-defined]
    picked: list[tuple] | None = None
    filtered = any((filters or {}).values()) or not _school_wide(principal)
    # Words of 1–2 letters alone (the first keystrokes) match most of a school: counted in SQL
    # and paged through the index, not read whole into Python first to find that out.
    narrowed = filtered or _has_trigram(search)
    if narrowed and (total is None or total <= NARROW_LIST):
        # A narrowed list (a search, a filter, a teacher's classes) is found through the filter's
        # own index in one pass and, when it is small, counted and sorted here, instead of
        # walking the whole school in sorted order to find its few rows.
        probe = session.execute(q.with_only_columns(*keyed).order_by(None).limit(NARROW_LIST + 1)).all()
        if len(probe) <= NARROW_LIST:
            total, more = len(probe), False
            ordered = sorted(probe, key=lambda r: tuple(_sortable(v) for v in r), reverse=desc)
            picked = [tuple(r) for r in ordered[offset : offset + limit]]
        else:
            total = None  # more than NARROW_LIST: counted in SQL below
    if picked is None:
        if total is None and search.strip() and not _has_trigram(search):
            # The first keystrokes match nearly everyone: count no further than anyone pages.
            head = q.with_only_columns(model.id).order_by(None).limit(COUNT_CAP + 1).subquery()  # type: ignore[attr-defined]
            total = session.exec(select(func.count()).select_from(head)).one()
            more = total > COUNT_CAP
            total = min(total, COUNT_CAP)
        elif total is None:
            more = False
            total = session.exec(q.with_only_columns(func.count(model.id)).order_by(None)).one()  # type: ignore[attr-defined]
        # The page's ids (and cursors) come from an index alone; only its rows are then read in full.
        ids_q = q.with_only_columns(*keyed)
        seekable = all(not model.__table__.c[n].nullable for n in names)  # type: ignore[attr-defined]
        cursor = after if after is not None else before
        if seekable and cursor is not None and len(cursor) == len(keyed) and None not in cursor:
            forward = after is not None
            beyond = tuple_(*keyed) > tuple_(*cursor) if forward != desc else tuple_(*keyed) < tuple_(*cursor)
            ascending = forward != desc
            found = session.execute(
                ids_q.where(beyond).order_by(*[c if ascending else c.desc() for c in keyed]).limit(limit)
            ).all()
            picked = [tuple(r) for r in (found if forward else reversed(found))]
        else:
            order = order_clause(spec, sort, descending)
            picked = [tuple(r) for r in session.execute(ids_q.order_by(*order).offset(offset).limit(limit)).all()]
    ids = [r[-1] for r in picked]
    found_rows = {r.id: r for r in session.exec(select(model).where(model.id.in_(ids or [-1]))).all()}  # type: ignore[attr-defined]
    rows = [found_rows[i] for i in ids if i in found_rows]
    return Page(
        display_rows(session, spec, rows, lang, today),
        int(total),
        picked[0] if picked else None,
        picked[-1] if picked else None,
        more and total >= COUNT_CAP,
    )


def _sortable(value: Any) -> tuple:
    # None sorts first, as NULLs do in an ascending SQLite order; values of one column share a type.
    return (0, "") if value is None else (1, value)


def _school_wide(principal: Principal | None) -> bool:
    return principal is None or principal.role in SCHOOL_WIDE_ROLES


def display_rows(
    session: Session, spec: EntitySpec, rows: list[Any], lang: str, today: date | None = None
) -> list[dict[str, str]]:
    """Rows as {column: text}: dates dd.mm.yyyy, references by name, choices as their codes
    (the browser shows them in the current language), booleans as "yes"/"no"."""
    computed = entities.computed_columns(session, spec.table, rows, lang, today)
    fk_labels: dict[str, dict[int, str]] = {}
    for name in spec.columns:
        f = spec.fields[name]
        if f.widget == "fk" and not f.virtual:
            fk_labels[name] = entities.labels_for(session, f.fk_table, (getattr(r, name) for r in rows), lang)  # type: ignore[arg-type]
    out = []
    for r in rows:
        item = {"id": str(r.id), "deleted": "1" if is_deleted(spec, r) else ""}
        for name in spec.columns:
            f = spec.fields[name]
            if f.virtual:
                item[name] = computed.get(r.id, {}).get(name, "")
            elif f.widget == "fk":
                item[name] = fk_labels[name].get(getattr(r, name), "")
            else:
                item[name] = display_value(f, getattr(r, name), lang)
        out.append(item)
    return out


def display_value(field: FieldSpec, value: Any, lang: str) -> str:
    if value is None:
        return ""
    if field.widget == "bool":
        return "yes" if value else "no"
    if field.widget == "date":
        return format_date(value, lang)
    if field.widget == "datetime":
        return format_datetime(value, lang)
    if field.widget == "time":
        return value.strftime("%H:%M")
    if field.widget == "float":
        return f"{value:g}"
    return str(value)


# ----------------------------------------------------------------------------- one record


def get_record(
    session: Session, spec: EntitySpec, principal: Principal | None, record_id: int, *, live: bool = False
) -> Any:
    """The row `record_id` if the principal reaches it; `live` refuses a deleted one."""
    row = session.get(spec.model, int(record_id))
    if row is None or (live and is_deleted(spec, row)):
        raise RecordNotFound(spec.table)
    if principal is not None and not entities.in_scope(session, spec.table, principal, row.id):
        raise OutOfScope(f"{spec.table} {record_id}")
    return row


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
            text = entities.labels_for(session, f.fk_table, [value], lang).get(value, "") if value else ""  # type: ignore[arg-type]
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


class ValueProblem(ValueError):
    """One value that cannot be taken: the message key and its parameters."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


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
    if f.name == "username":
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


# -------------------------------------------------------------------------- shared checks


def reference_errors(session: Session, spec: EntitySpec, principal: Principal | None, values: dict[str, Any]) -> Errors:
    """Foreign keys must point at live rows the principal reaches (a forged id is refused)."""
    errors: Errors = {}
    for name, value in values.items():
        f = spec.fields[name]
        if f.widget != "fk" or value is None:
            continue
        target = entities.MODELS[f.fk_table]  # type: ignore[index]
        row = session.get(target, value)
        alive = row is not None and getattr(row, "deleted_at", None) is None
        if not alive or not entities.in_scope(session, f.fk_table, principal, value):  # type: ignore[arg-type]
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
    """A natural key already taken by another row (a deleted one says so: restore it instead)."""
    key = [k for k in spec.natural_key if not spec.fields[k].virtual]
    if not key or any(values.get(k) in (None, "") for k in key):
        return {}
    model = spec.model
    q = select(model).where(*[getattr(model, k) == values[k] for k in key])
    # A column unique on its own is unique in the whole database, not only in one school.
    globally_unique = len(key) == 1 and bool(model.__table__.c[key[0]].unique)  # type: ignore[attr-defined]
    if spec.school_scoped and school_id is not None and not globally_unique:
        q = q.where(model.school_id == school_id)  # type: ignore[attr-defined]
    if record_id is not None:
        q = q.where(model.id != record_id)  # type: ignore[attr-defined]
    other = session.exec(q.limit(1)).first()
    if other is None:
        return {}
    if is_deleted(spec, other):
        return {key[-1]: ("admin.error.duplicate_deleted", {})}
    return {key[-1]: ("admin.error.duplicate", {})}


def _save_rule_errors(
    session: Session, spec: EntitySpec, principal: Principal | None, record_id: int | None, values: dict[str, Any]
) -> Errors:
    try:
        save_checks.run(session, spec.table, principal, record_id, values)
    except save_checks.FieldError as exc:
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


def _pupil_of(spec: EntitySpec, row_id: int | None) -> int | None:
    return row_id if spec.table == "pupil" else None


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
    if spec.table == "user":
        row = _create_user(session, principal, data, str(values.get("password", "")))
    else:
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
    if spec.school_scoped or spec.table == "user":
        school_id = school_id if school_id is not None else (principal.school_id if principal else None)
        if school_id is None and spec.school_scoped:
            raise RecordInvalid({"": ("admin.error.no_school", {})})
    columns = {k: v for k, v in values.items() if not spec.fields[k].virtual}
    if not trusted:
        errors.update({k: v for k, v in reference_errors(session, spec, principal, values).items() if k not in errors})
    errors.update(entities.cross_field_errors(spec.table, columns))
    if not errors and not trusted:
        errors.update(duplicate_errors(session, spec, principal, columns, None, school_id))
    if not errors:
        errors.update(_save_rule_errors(session, spec, principal, None, columns))
    data = dict(columns)
    if spec.school_scoped or spec.table == "user":
        data["school_id"] = school_id
    data.update(entities.keys(spec.table, data))
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
        pupil_id=_pupil_of(spec, row.id),
        school_id=data.get("school_id"),
    )


def create_account(session: Session, principal: Principal | None, data: dict[str, Any], password: str) -> Any:
    """A checked user row (check_create) made into an account with `password` (the import's
    one-time one); RecordInvalid names the field a refusal is about (a role he may not grant)."""
    return _create_user(session, principal, data, password)


def _create_user(session: Session, principal: Principal | None, data: dict[str, Any], password: str) -> Any:
    from bbbms_app.services import accounts, passwords

    try:
        user = accounts.create_user(
            session,
            data["username"],
            data["role"],
            password,
            school_id=data.get("school_id"),
            full_name=data.get("full_name", ""),
            staff_id=data.get("staff_id"),
            pupil_id=data.get("pupil_id"),
            guardian_id=data.get("guardian_id"),
            language=data.get("language", "ky"),
            actor=principal,
            must_change_password=True,  # chosen by the administrator or an import: the user sets his own
        )
    except passwords.PasswordRejected as exc:
        raise RecordInvalid({"password": (exc.key, dict(exc.params))}) from exc
    except accounts.AccountError as exc:
        raise RecordInvalid({str(exc.params.get("field", "role")): (exc.key, {})}) from exc
    return user


def _after_create(
    session: Session,
    spec: EntitySpec,
    principal: Principal | None,
    created: list[tuple[Any, dict[str, Any]]],
    today: date | None,
) -> None:
    """A new pupil given a class is enrolled in it from today (moves later go through the movement book);
    other areas' hooks run on their tables' new rows (a movement record moves the enrollment)."""
    from bbbms_app.models import Enrollment

    try:
        save_checks.after_create(session, spec.table, principal, [row for row, _values in created])
    except save_checks.FieldError as exc:
        raise RecordInvalid({exc.field: (exc.key, dict(exc.params))}) from exc
    if spec.table != "pupil":
        return
    enrollments = [
        Enrollment(
            school_id=row.school_id, pupil_id=row.id, class_id=values["class_id"], starts_on=today or date.today()
        )
        for row, values in created
        if values.get("class_id")
    ]
    if not enrollments:
        return
    session.add_all(enrollments)
    session.flush()
    for e in enrollments:
        audit.record(
            session,
            principal,
            "create",
            "enrollment",
            e.id,
            new=f"class {e.class_id}",
            pupil_id=e.pupil_id,
            school_id=e.school_id,
        )


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
    errors.update(entities.cross_field_errors(spec.table, merged))
    if not errors and not trusted:
        errors.update(duplicate_errors(session, spec, principal, merged, row.id, getattr(row, "school_id", None)))
    if not errors and changes:
        errors.update(_save_rule_errors(session, spec, principal, row.id, changes))
    if not errors:
        errors.update(_model_errors(spec, {**merged, **entities.keys(spec.table, merged)}))
    if errors:
        raise RecordInvalid(errors)
    if spec.table == "user":  # a link or a deputy-level role waits for the director (services.accounts)
        changes = _account_changes(session, principal, row, changes)
    if not changes:
        return row
    new_keys = {k: v for k, v in entities.keys(spec.table, merged).items() if getattr(row, k) != v}
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
            pupil_id=_pupil_of(spec, row.id),
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
    if spec.table == "user" and principal is not None and row.id == principal.user_id:
        raise RecordInvalid({"reason": ("admin.error.own_account", {})})
    if spec.table == "user":
        _account_reach(principal, row, "reason")
    refusal = entities.delete_refusal(session, spec.table, row)
    if refusal is not None:
        raise RecordInvalid({"reason": (refusal[0], refusal[1])})
    _set_deleted(session, spec, row, deleted=True, reason=reason)
    if spec.table == "user":
        from bbbms_app.services import accounts

        accounts.revoke_all(session, row.id)
    audit.record(
        session,
        principal,
        "delete",
        spec.table,
        row.id,
        old=_summary(spec, row),
        reason=reason,
        pupil_id=_pupil_of(spec, row.id),
        school_id=getattr(row, "school_id", None),
    )
    return row


def restore(session: Session, spec: EntitySpec, principal: Principal | None, record_id: int) -> Any:
    """Bring a deleted record back (an account: enable it again)."""
    row = get_record(session, spec, principal, record_id)
    if not is_deleted(spec, row):
        return row
    if spec.table == "user" and principal is not None:
        from bbbms_app.services import rights

        refusal = rights.role_assignment_refusal(session, principal, row.id, row.role)
        if refusal is not None:
            raise RecordInvalid({"role": (refusal, {})})
        _account_reach(principal, row, "role")
    _set_deleted(session, spec, row, deleted=False, reason="")
    audit.record(
        session,
        principal,
        "restore",
        spec.table,
        row.id,
        new=_summary(spec, row),
        pupil_id=_pupil_of(spec, row.id),
        school_id=getattr(row, "school_id", None),
    )
    return row


def _account_reach(principal: Principal | None, user: Any, field: str) -> None:
    from bbbms_app.services import accounts

    key = accounts.action_refusal(principal, user)
    if key is not None:
        raise RecordInvalid({field: (key, {})})


def _account_changes(session: Session, principal: Principal | None, user: Any, changes: dict) -> dict:
    from bbbms_app.services import accounts

    try:
        return accounts.hold_for_approval(session, principal, user, changes)
    except accounts.AccountError as exc:
        raise RecordInvalid({str(exc.params.get("field", "role")): (exc.key, {})}) from exc


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
    try:
        return entities.label(spec.table, row, "ky")
    except KeyError:
        return str(row.id)


# ------------------------------------------------------------------ pupils and guardians


def link_guardian(
    session: Session, principal: Principal | None, pupil_id: int, guardian_id: int, relation: str
) -> None:
    """Link a guardian to a pupil with the relation (mother, father …); audited on the pupil."""
    from bbbms_app.models import PupilGuardian
    from bbbms_app.models.people import RELATIONS

    if relation not in RELATIONS:
        raise RecordInvalid({"relation": ("admin.error.choice", {})})
    for table, rid in (("pupil", pupil_id), ("guardian", guardian_id)):
        model = entities.MODELS[table]
        row = session.get(model, rid)
        if row is None or row.deleted_at is not None:
            raise RecordNotFound(table)
        # A guardian not yet linked to any reachable pupil is still in the school.
        reachable = principal is None or entities.in_scope(session, table, principal, rid)
        if not reachable and (table == "pupil" or row.school_id != principal.school_id):  # type: ignore[union-attr]
            raise OutOfScope(f"{table} {rid}")
    existing = session.exec(
        select(PupilGuardian).where(PupilGuardian.pupil_id == pupil_id, PupilGuardian.guardian_id == guardian_id)
    ).first()
    if existing is not None:
        if existing.relation == relation:
            return
        old = existing.relation
        existing.relation = relation
        session.add(existing)
        audit.record(
            session,
            principal,
            "update",
            "pupilguardian",
            existing.id,
            field="relation",
            old=old,
            new=relation,
            pupil_id=pupil_id,
        )
        return
    first = session.exec(select(PupilGuardian.id).where(PupilGuardian.pupil_id == pupil_id).limit(1)).first() is None
    link = PupilGuardian(pupil_id=pupil_id, guardian_id=guardian_id, relation=relation, is_primary=first)
    session.add(link)
    session.flush()
    audit.record(
        session,
        principal,
        "create",
        "pupilguardian",
        link.id,
        new=f"guardian {guardian_id}: {relation}",
        pupil_id=pupil_id,
    )


def link_guardians(session: Session, principal: Principal | None, links: list[tuple[int, int, str]]) -> None:
    """Many (pupil, guardian, relation) links at once, for the import: the caller checked scope.

    An existing link keeps its id (its relation is updated if it changed); a pupil's first link
    is his primary one. Audited on the pupil, written in one flush.
    """
    from bbbms_app.models import PupilGuardian

    pupil_ids = sorted({p for p, _g, _r in links})
    existing: dict[tuple[int, int], Any] = {}
    with_links: set[int] = set()
    for start in range(0, len(pupil_ids), 500):
        chunk = pupil_ids[start : start + 500]
        for link in session.exec(select(PupilGuardian).where(PupilGuardian.pupil_id.in_(chunk))).all():  # type: ignore[attr-defined]
            existing[(link.pupil_id, link.guardian_id)] = link
            with_links.add(link.pupil_id)
    new = []
    for pupil_id, guardian_id, relation in links:
        link = existing.get((pupil_id, guardian_id))
        if link is not None:
            if link.relation != relation:
                audit.record(
                    session,
                    principal,
                    "update",
                    "pupilguardian",
                    link.id,
                    field="relation",
                    old=link.relation,
                    new=relation,
                    pupil_id=pupil_id,
                )
                link.relation = relation
                session.add(link)
            continue
        link = PupilGuardian(
            pupil_id=pupil_id, guardian_id=guardian_id, relation=relation, is_primary=pupil_id not in with_links
        )
        with_links.add(pupil_id)
        existing[(pupil_id, guardian_id)] = link
        new.append(link)
    session.add_all(new)
    session.flush()
    for link in new:
        audit.record(
            session,
            principal,
            "create",
            "pupilguardian",
            link.id,
            new=f"guardian {link.guardian_id}: {link.relation}",
            pupil_id=link.pupil_id,
        )


def unlink_guardian(session: Session, principal: Principal | None, pupil_id: int, link_id: int) -> None:
    """Remove a pupil–guardian link (the guardian record itself stays)."""
    from bbbms_app.models import PupilGuardian

    link = session.get(PupilGuardian, link_id)
    if link is None or link.pupil_id != pupil_id:
        raise RecordNotFound("pupilguardian")
    if principal is not None and not entities.in_scope(session, "pupil", principal, pupil_id):
        raise OutOfScope(f"pupil {pupil_id}")
    audit.record(
        session,
        principal,
        "delete",
        "pupilguardian",
        link.id,
        old=f"guardian {link.guardian_id}: {link.relation}",
        pupil_id=pupil_id,
        reason="unlinked",
    )
    session.delete(link)
    session.flush()
