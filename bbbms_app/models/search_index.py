"""Substring-search indexes on the folded `search_key` that SQLModel tables cannot declare themselves.

The admin lists search «асан нур» as `search_key LIKE '%асан%нур%'` (words in order, each anywhere).
A B-tree cannot serve a LIKE that starts with `%`, so a big school's search would read every row:

- **PostgreSQL**: a `pg_trgm` GIN index (`ix_pupil_search_trgm`, declared on the model with
  `ddl_if(dialect="postgresql")`) serves the same LIKE. Migration 0002_speed creates the extension
  when the server has it; otherwise a plain B-tree of the same name stands in (search stays correct,
  it just scans).
- **SQLite**: an FTS5 table with the `trigram` tokenizer over the column (external content: it
  stores only the index, the text stays in the table), kept in step by three triggers. The trigram
  tokenizer answers `LIKE` itself when a search word has at least 3 characters; shorter searches
  scan as before (see `services/engine/listing.py`).

The FTS5 table and its shadow tables are not SQLModel tables, so `comparison_filter` keeps them (and
indexes meant for another dialect) out of Alembic's comparison. A SQLite table rebuild by a later
migration (Alembic's batch mode) drops a table's triggers: `ensure()` runs after every `migrate`
and puts missing triggers back, rebuilding the index from the table when it does.
"""

from __future__ import annotations

from typing import Any

# table -> (FTS5 table, the column it indexes)
SQLITE_FTS: dict[str, tuple[str, str]] = {"pupil": ("pupil_search", "search_key")}
FTS_MIN_WORD = 3  # the trigram tokenizer needs one word of 3+ characters to use its index
_SHADOWS = ("data", "idx", "content", "docsize", "config")


def trigram_available(_ddl: Any, _target: Any, bind: Any, **_kw: Any) -> bool:
    """`ddl_if` of the pg_trgm index: `create_all` (test schemas, no migration) makes it only where
    the extension's operator class is visible; migration 0002_speed decides the same way."""
    if bind is None:
        return True  # DDL compiled without a connection (offline SQL)
    query = "SELECT 1 FROM pg_opclass WHERE opcname = 'gin_trgm_ops' AND pg_opclass_is_visible(oid)"
    return bind.exec_driver_sql(query).first() is not None


def _triggers(table: str, fts: str, column: str) -> dict[str, str]:
    # Names from SQLITE_FTS above, never user input.
    add = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"  # noqa: S608
    remove = f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"  # noqa: S608
    head = f"CREATE TRIGGER IF NOT EXISTS {fts}"
    return {
        f"{fts}_ai": f'{head}_ai AFTER INSERT ON "{table}" BEGIN {add} END',
        f"{fts}_ad": f'{head}_ad AFTER DELETE ON "{table}" BEGIN {remove} END',
        f"{fts}_au": f'{head}_au AFTER UPDATE OF {column} ON "{table}" BEGIN {remove} {add} END',
    }


def ensure(conn: Any) -> list[str]:
    """SQLite: create missing FTS5 tables and triggers; an index that lost a trigger is rebuilt from
    its table. Returns what it had to do (empty when all was in place). PostgreSQL: nothing."""
    if conn.dialect.name != "sqlite":
        return []
    done = []
    for table, (fts, column) in SQLITE_FTS.items():
        names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master").all()}
        if table not in names:
            continue
        rebuild = False
        if fts not in names:
            conn.exec_driver_sql(
                f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', content_rowid='id', "
                "tokenize='trigram', detail='none')"
            )
            done.append(f"created {fts}")
            rebuild = True
        for name, ddl in _triggers(table, fts, column).items():
            if name not in names:
                conn.exec_driver_sql(ddl)
                done.append(f"created trigger {name}")
                rebuild = True
        if rebuild:
            conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608
    return done


def drop(conn: Any) -> None:
    if conn.dialect.name != "sqlite":
        return
    for fts, _column in SQLITE_FTS.values():
        for suffix in ("_ai", "_ad", "_au"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {fts}{suffix}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {fts}")


def _is_fts_table(name: str | None) -> bool:
    return any(name == fts or name in {f"{fts}_{s}" for s in _SHADOWS} for fts, _c in SQLITE_FTS.values())


def comparison_filter(dialect_name: str):
    """include_object for a connection of this dialect (Alembic does not pass the dialect in)."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table" and reflected and compare_to is None and _is_fts_table(name):
            return False
        if type_ == "index" and not reflected:
            ddl_if = getattr(obj, "_ddl_if", None)
            if ddl_if is not None and ddl_if.dialect is not None and ddl_if.dialect != dialect_name:
                return False
        return True

    return include
