"""Lists: scope, paged / sorted / searched queries, display-ready rows, labels, pickers and filters.

Generic over every entity: what differs per table is asked of its profile (`spec.profile`:
scope, computed columns, labels, filters). Lists are paged, sorted and searched in SQL on the
folded search_key, and return display-ready rows (docs/admin.md, "How a big list stays fast").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import column, func, literal_column, tuple_
from sqlalchemy import table as sql_table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.selectable import Join
from sqlmodel import Session, select

from bbbms_app.i18n import format_date, format_datetime
from bbbms_app.i18n.collation import search_key
from bbbms_app.models import search_index
from bbbms_app.services.access import SCHOOL_WIDE_ROLES, Principal
from bbbms_app.services.engine.profile import ENTITIES, profile_of
from bbbms_app.services.engine.spec import EntitySpec, FieldSpec

MAX_PAGE = 100
NARROW_LIST = 20000  # a narrowed list this short is counted and sorted in one pass (see list_page)
# A search of only 1–2 letter words (the first keystrokes) matches most of a big school: its total
# is counted up to this many and shown as "10000+" beyond it (docs/performance.md).
COUNT_CAP = 10000
PICKER_LIMIT = 200  # options in a select; larger tables (pupils, guardians) are searched instead
SEARCH_PICKER_LIMIT = 20


# ------------------------------------------------------------------------------------ scope


def scope(session: Session, table: str, principal: Principal | None, query: Any, today: date | None = None) -> Any:
    """Narrow `query` (over `table`'s model) to the rows the principal reaches (its profile says how)."""
    if principal is None:
        return query  # the operator's command line
    return profile_of(table).scope(session, principal, query, today or date.today())


def in_scope(session: Session, table: str, principal: Principal | None, record_id: int) -> bool:
    """Whether one row is reachable (the same rule as the lists, for forged ids)."""
    model = ENTITIES.by_table(table).model
    q = scope(session, table, principal, select(model.id).where(model.id == record_id))  # type: ignore[attr-defined]
    return session.exec(q).first() is not None


# ----------------------------------------------------------------------------------- labels


def label(table: str, row: Any, lang: str) -> str:
    """How a row is named in a picker, a reference cell and its card's title."""
    return profile_of(table).label(row, lang)


def labels_for(session: Session, table: str, ids: Iterable[int | None], lang: str) -> dict[int, str]:
    """Labels of the rows `ids` of `table`, in one query."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    spec = ENTITIES.by_table(table)
    rows = session.exec(select(spec.model).where(spec.model.id.in_(wanted))).all()  # type: ignore[attr-defined]
    return {r.id: spec.profile.label(r, lang) for r in rows}


def picker_options(
    session: Session, principal: Principal | None, table: str, lang: str, search: str = "", include: int | None = None
) -> list[dict[str, str]]:
    """Choices for a foreign-key field: rows of `table` in the principal's scope, not deleted.

    A profile may narrow them further (classes: the current year's). Tables with too many rows
    for a select (pupils, guardians) offer only rows matching `search` (plus `include`, the value
    already chosen).
    """
    spec = ENTITIES.by_table(table)
    model, profile = spec.model, spec.profile
    q = scope(session, table, principal, select(model))
    if "deleted_at" in model.model_fields:
        q = q.where(model.deleted_at.is_(None))  # type: ignore[attr-defined]
    q = profile.picker_query(session, principal, q)
    limit = PICKER_LIMIT
    if profile.picker_searched:
        limit = SEARCH_PICKER_LIMIT
        if not search.strip():
            q = q.where(model.id == (include or -1))  # type: ignore[attr-defined]
    if search.strip() and "search_key" in model.model_fields:
        q = q.where(model.search_key.like(like_pattern(search), escape="\\"))  # type: ignore[attr-defined]
    for name in profile.picker_order or spec.order:
        q = q.order_by(getattr(model, name).desc() if profile.picker_newest_first else getattr(model, name))
    rows = list(session.exec(q.limit(limit)).all())
    if include is not None and all(r.id != include for r in rows):
        extra = session.get(model, include)
        if extra is not None and in_scope(session, table, principal, include):
            rows.insert(0, extra)
    return [{"id": str(r.id), "label": profile.label(r, lang)} for r in rows]


def like_pattern(term: str) -> str:
    """A LIKE pattern for the folded words of `term` in that order, each anywhere («асан нур» finds
    «Асанов Нурбек»), with LIKE's own wildcards escaped."""
    words = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in search_key(term).split()]
    return "%" + "%".join(words[:6]) + "%"


# ---------------------------------------------------------------------------------- filters


def filter_options(
    session: Session, principal: Principal | None, spec: EntitySpec, name: str, lang: str
) -> list[dict[str, str]]:
    """The values a list filter offers; the same list bounds what a filter accepts."""
    own = spec.profile.filter_options(session, principal, name, lang)
    if own is not None:
        return own
    f = spec.fields[name]
    if f.widget == "choice":
        from bbbms_app.i18n import t

        return [{"id": v, "label": t(f.choice_key(v), lang)} for v in f.choices]
    if f.fk_table is not None:
        return picker_options(session, principal, f.fk_table, lang)
    return []


def apply_filter(spec: EntitySpec, name: str, value: str, query: Any, today: date | None = None) -> Any:
    """Narrow a list by one filter value that was already checked against filter_options."""
    today = today or date.today()
    own = spec.profile.apply_filter(name, value, query, today)
    if own is not None:
        return own
    column = getattr(spec.model, name)
    return query.where(column == (int(value) if value.isdigit() and name.endswith("_id") else value))


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
    q = scope(session, spec.table, principal, base, today)
    if school_id is not None and "school_id" in spec.model.model_fields:
        q = q.where(spec.model.school_id == school_id)  # type: ignore[attr-defined]
    q = q.where(_deleted_clause(spec, deleted))
    if fts is not None:
        q = q.where(fts.c.search_key.like(like_pattern(search[:100])))
    elif spec.searchable and search.strip():
        column = spec.model.search_key  # type: ignore[attr-defined]
        if session.get_bind().dialect.name == "postgresql" and not _has_trigram(search):
            # No word of 3+ letters, no trigram to look up: keep PostgreSQL off the trigram index
            # (a prepared, generic plan chose it and then read all of it: 77 ms instead of 30).
            column = column.op("||")(literal_column("''"))
        q = q.where(column.like(like_pattern(search[:100]), escape="\\"))
    for name, value in (filters or {}).items():
        if value:
            q = apply_filter(spec, name, value, q, today)
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
    computed = spec.profile.computed(session, rows, lang, today or date.today())
    fk_labels: dict[str, dict[int, str]] = {}
    for name in spec.columns:
        f = spec.fields[name]
        if f.widget == "fk" and not f.virtual:
            fk_labels[name] = labels_for(session, f.fk_table, (getattr(r, name) for r in rows), lang)  # type: ignore[arg-type]
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
