"""How the demo writes its rows: column lists taken from the table metadata, ids, bulk writes.

A `Table` names the columns the builder fills, in its tuples' order; every other NOT NULL column
without a server default is completed from the model's own default (read from the SQLAlchemy
column, so a column added to a model later needs no edit here — or fails at import, naming the
column, when it has no default). Rows are written in one transaction per school: COPY on
PostgreSQL with psycopg 3, Core executemany elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import bbbms_app.models  # noqa: F401  (registers every table)

STAMP = datetime(2025, 8, 25, 3, 0, tzinfo=UTC)  # a fixed time for "now" defaults keeps runs identical
_CHUNK = 20_000


class Table:
    """One table the demo writes: the builder's columns, then the completed defaults."""

    def __init__(self, name: str, columns: str) -> None:
        meta = SQLModel.metadata.tables[name]
        own = tuple(columns.split())
        unknown = set(own) - set(meta.c.keys())
        if unknown:
            raise KeyError(f"{name}: no columns {sorted(unknown)}")
        names: list[str] = []
        values: list[object] = []
        for column in meta.columns:
            if column.name in own or column.nullable:
                continue  # written by the builder, or NULL when left out
            default = column.default
            if default is None and column.server_default is not None:
                continue  # the database's own default
            # A model default is written even where the model also names a server default: older
            # migrations made some of those columns without one in the database.
            if default is None:
                raise ValueError(f"{name}.{column.name} is NOT NULL with no default: the demo must write it")
            names.append(column.name)
            values.append(STAMP if default.is_callable else default.arg)  # type: ignore[attr-defined]
        self.name = name
        self.columns = own + tuple(names)
        self.tail = tuple(values)


# Parents before children (foreign keys are checked per row). Each entry: the columns the builder's
# tuples carry, in order.
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("school", "id okpo name_ky name_ru name_en languages address created_at"),
        Table("academicyear", "id school_id name starts_on ends_on is_current"),
        Table("term", "id school_id academic_year_id kind number starts_on ends_on closed_at"),
        Table(
            "gradingpolicy",
            "id school_id academic_year_id grade_from grade_to scale min_value max_value threshold_5 threshold_4"
            " threshold_3 min_marks weights_json half_year_max_hours",
        ),
        Table("subject", "id school_id code name_ky name_ru name_en position"),
        Table("staff", "id school_id last_name first_name patronymic position phone search_key sort_key"),
        Table("schoolclass", "id school_id academic_year_id grade letter language shift class_teacher_id"),
        Table("teachingassignment", "id school_id class_id subject_id teacher_id subgroup hours_per_week"),
        Table("bellschedule", "id school_id shift grade_from grade_to number starts_at ends_at"),
        Table(
            "holiday",
            "id school_id academic_year_id kind name_ky name_ru name_en starts_on ends_on grade_from grade_to",
        ),
        Table(
            "timetableslot",
            "id school_id class_id term_id valid_from valid_to weekday number subject_id teacher_id subgroup room",
        ),
        Table("guardian", "id school_id last_name first_name patronymic pin phone search_key sort_key"),
        Table(
            "pupil", "id school_id pin last_name first_name patronymic birth_date sex alpha_book_no search_key sort_key"
        ),
        Table("pupilguardian", "id pupil_id guardian_id relation is_primary"),
        Table("enrollment", "id school_id pupil_id class_id starts_on ends_on"),
        Table("subgroupmember", "id school_id class_id subject_id subgroup pupil_id"),
        Table("lesson", "id school_id class_id subject_id teacher_id term_id date number subgroup topic homework"),
        Table("mark", "id school_id lesson_id pupil_id value kind updated_at percent"),
        Table("attendance", "id school_id lesson_id pupil_id code late_minutes updated_at"),
        Table(
            "periodmark",
            "id school_id pupil_id subject_id class_id academic_year_id term_id kind number value special"
            " suggested_value average updated_at date_set",
        ),
        Table("order", "id school_id number date kind summary signed_by_id search_key"),
        Table(
            "movementrecord",
            "id school_id pupil_id kind date order_id from_class_id to_class_id from_school to_school reason"
            " search_key from_category from_place to_category to_place",
        ),
    )
}
TABLE_ORDER = tuple(TABLES)


class Ids:
    """Explicit ids for every table, allocated from max(id) + 1 so rows need no round trip."""

    def __init__(self, conn: Connection) -> None:
        self.next: dict[str, int] = {}
        for name in TABLE_ORDER:
            table = SQLModel.metadata.tables[name]
            self.next[name] = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1

    def take(self, table: str, n: int = 1) -> int:
        first = self.next[table]
        self.next[table] = first + n
        return first


def _uses_copy(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def write(conn: Connection, name: str, rows: list[tuple]) -> None:
    """Bulk-write rows: COPY on PostgreSQL + psycopg, Core executemany elsewhere."""
    if not rows:
        return
    table = TABLES[name]
    columns, tail = table.columns, table.tail
    if _uses_copy(conn):
        raw = conn.connection.driver_connection
        column_list = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cur, cur.copy(f'COPY "{name}" ({column_list}) FROM STDIN') as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row + tail)
        return
    meta = SQLModel.metadata.tables[name]
    if conn.dialect.name == "sqlite":
        # The DB-API's executemany with the column types' own bind processors (dates to the text
        # SQLAlchemy stores): the same values as an ORM insert, without a dict per row. A demo has
        # few distinct dates and times, so each is converted once.
        n = len(columns) - len(tail)
        processors = [meta.c[c].type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for c in columns]
        convert = [(i, f, {}) for i, f in enumerate(processors[:n]) if f is not None]
        done_tail = tuple(f(v) if f is not None else v for f, v in zip(processors[n:], tail, strict=True))
        sql = f'INSERT INTO "{name}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'  # noqa: S608
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        for start in range(0, len(rows), _CHUNK):
            batch = []
            for row in rows[start : start + _CHUNK]:
                if convert:
                    values = list(row)
                    for i, f, seen in convert:
                        v = values[i]
                        done = seen.get(v, seen)
                        if done is seen:
                            done = seen[v] = f(v)
                        values[i] = done
                    row = tuple(values)
                batch.append(row + done_tail)
            cursor.executemany(sql, batch)
        return
    stmt = insert(meta)
    for start in range(0, len(rows), _CHUNK):
        conn.execute(stmt, [dict(zip(columns, row + tail, strict=True)) for row in rows[start : start + _CHUNK]])


def write_school(engine: Engine, parts: Iterable[dict[str, list[tuple]] | BaseException]) -> None:
    """All rows of one school in one transaction, handed over in parts (each part parents first, a
    part's rows referring only to its own or earlier parts). An exception handed over instead of a
    part rolls the school back."""
    with engine.begin() as conn:
        for part in parts:
            if isinstance(part, BaseException):
                raise RuntimeError("the demo school was not built") from part
            for name in TABLE_ORDER:
                write(conn, name, part.get(name, []))


def reset_sequences(conn: Connection, tables: Iterable[str]) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; the next ORM insert would collide."""
    for name in tables:
        # Table names come from TABLES, never from input.
        seq = f"pg_get_serial_sequence('\"{name}\"', 'id')"
        sql = f'SELECT setval({seq}, COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{name}"'  # noqa: S608
        conn.execute(text(sql))
