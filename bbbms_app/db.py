"""The one place engine options live: engine per URL, `session()` context manager, SQLite pragmas."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from bbbms_app import settings

_engines: dict[str, Engine] = {}


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers work while a teacher saves; NORMAL is durable at checkpoint and fast;
    # busy_timeout makes concurrent writers wait instead of failing with "database is locked".
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


ANALYZE_EVERY_S = 3600.0


def _sqlite_statistics(engine: Engine) -> None:
    """Keep SQLite's planner statistics (sqlite_stat1) fresh: at the first checkout of an engine
    and then once an hour, a sampled ANALYZE (analysis_limit: ~6 ms on a 100,000-pupil database).

    Without them SQLite takes `school_id = ?` for a selective index term and, in a school of
    100,000 pupils, walks all of them to find a class teacher's 30 (44 ms instead of 0.5 ms) or
    the matches of a search. PostgreSQL's autovacuum does the same there.
    """
    state = {"at": -ANALYZE_EVERY_S}

    @event.listens_for(engine, "checkout")
    def _analyze_if_due(dbapi_conn, _record, _proxy) -> None:
        now = time.monotonic()
        if now - state["at"] < ANALYZE_EVERY_S:
            return
        state["at"] = now
        cur = dbapi_conn.cursor()
        try:
            # Never wait for a writer for this: skipped now, it runs at a later checkout.
            cur.execute("PRAGMA busy_timeout=0")
            cur.execute("PRAGMA analysis_limit=400")
            cur.execute("ANALYZE")
        except sqlite3.OperationalError:
            state["at"] = now - ANALYZE_EVERY_S + 60
        finally:
            cur.execute("PRAGMA busy_timeout=10000")
            cur.close()


# Writers of one process queue here before BEGIN IMMEDIATE, one per database. SQLite's busy
# handler polls with naps of up to 100 ms, so under many writers (50 sign-ins and session refreshes
# beside 16 teachers saving marks) most of the time went to naps and a writer could wait past the
# busy timeout; a Python lock wakes the next writer the moment the last one is done. Another
# process (a second worker, the command line) still meets the busy handler.
WRITER_WAIT_S = 10.0
_writer_locks: dict[str, threading.Lock] = {}
_writer_locks_guard = threading.Lock()


def _writer_lock(conn) -> threading.Lock:
    key = str(conn.engine.url)
    with _writer_locks_guard:
        return _writer_locks.setdefault(key, threading.Lock())


def _take_writer_turn(conn) -> None:
    info = conn.info  # the pooled connection's own dict: the turn ends when it goes back to the pool
    if "bbbms_writer" in info:
        return
    lock = _writer_lock(conn)
    if not lock.acquire(timeout=WRITER_WAIT_S):
        raise DatabaseBusy()
    info["bbbms_writer"] = lock


def _end_writer_turn(_dbapi_conn, record, *_args) -> None:
    # At check-in the transaction has been committed or rolled back (the pool's reset-on-return).
    lock = record.info.pop("bbbms_writer", None)
    if lock is not None:
        lock.release()


def _sqlite_begin(conn) -> None:
    # A write session takes the write lock at BEGIN: its read-then-write cannot then fail half
    # way with SQLITE_BUSY when another writer committed in between. Every other session begins
    # nothing here: see _sqlite_writer_on_first_write.
    if conn.get_execution_options().get("bbbms_write"):
        _take_writer_turn(conn)
        conn.exec_driver_sql("BEGIN IMMEDIATE")


# What SQLite runs outside a transaction without taking the write lock, and transaction control.
_READ_ONLY = re.compile(r"^\s*(SELECT|PRAGMA|EXPLAIN|VALUES|BEGIN|COMMIT|END|ROLLBACK|RELEASE)\b", re.IGNORECASE)
_CTE_WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def _is_write(statement: str) -> bool:
    if _READ_ONLY.match(statement):
        return False
    if re.match(r"^\s*WITH\b", statement, re.IGNORECASE):
        return bool(_CTE_WRITE.search(statement))
    return True  # INSERT, UPDATE, DELETE, DDL, SAVEPOINT …


def _sqlite_writer_on_first_write(conn, cursor, statement, _params, _context, _executemany) -> None:
    """An ordinary session reads statement by statement (each SELECT sees the latest commit, as
    PostgreSQL's READ COMMITTED does) and becomes a writer, BEGIN IMMEDIATE, at its first write.

    SQLite cannot turn a read transaction into a write transaction once another connection has
    committed since its snapshot (SQLITE_BUSY_SNAPSHOT), nor wait for the write lock while it holds
    a snapshot: the busy timeout is not even consulted and «database is locked» comes at once.
    That is what users met at sign-in (read the user, then insert the audit row) and at the
    session refresh (read the session, then UPDATE loginsession). A transaction that holds no
    snapshot when it asks for the write lock waits for it like any writer.
    """
    dbapi_conn = conn.connection.dbapi_connection
    if dbapi_conn is not None and not dbapi_conn.in_transaction and _is_write(statement):
        _take_writer_turn(conn)
        cursor.execute("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """Create an engine with the project's options for this URL (SQLite file or PostgreSQL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # No folder is made here: a mistyped DATABASE_URL must fail, not become a new empty
        # database (only `python -m bbbms_app migrate` makes one).
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "connect")
        def _no_pysqlite_begin(dbapi_conn, _rec):
            # pysqlite's own implicit BEGIN is deferred; we begin transactions ourselves.
            dbapi_conn.isolation_level = None

        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "before_cursor_execute", _sqlite_writer_on_first_write)
        event.listen(engine, "checkin", _end_writer_turn)
        event.listen(engine, "invalidate", _end_writer_turn)
        _sqlite_statistics(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def engine(url: str | None = None) -> Engine:
    """The shared engine for `url` (default: the configured database)."""
    url = url or settings.get().database_url
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


@contextmanager
def session(url: str | None = None, *, write: bool = False) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error.

    `write=True` marks a read-modify-write unit: on SQLite it begins IMMEDIATE, so what it read
    cannot change before it writes. Any other session becomes a writer at its first write (on
    SQLite, see `_sqlite_writer_on_first_write`). A database that stays busy past the wait raises
    `DatabaseBusy`, whose `key` is a translated message, never the driver's English.
    """
    eng = engine(url)
    if write:
        eng = eng.execution_options(bbbms_write=True)
    with Session(eng, expire_on_commit=False) as s:
        try:
            yield s
            s.commit()
        except DBAPIError as exc:
            s.rollback()
            if is_busy(exc):
                raise DatabaseBusy() from exc
            raise
        except BaseException:
            s.rollback()
            raise


class DatabaseBusy(RuntimeError):
    """The database stayed locked by other writers longer than the wait (SQLite's busy timeout,
    PostgreSQL's lock timeout, deadlock or serialization failure). Nothing was written; the user
    may simply try again. `key` and `params` name the translated message."""

    key = "error.db_busy"
    params: dict[str, object] = {}

    def __init__(self) -> None:
        super().__init__("the database is busy; nothing was written")


# PostgreSQL: serialization failure, deadlock detected, lock not available (lock_timeout).
_PG_BUSY = {"40001", "40P01", "55P03"}


def is_busy(exc: BaseException) -> bool:
    """True for a driver error that means «locked by someone else, try again»."""
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, sqlite3.OperationalError):
        text = str(orig).lower()
        return "locked" in text or "busy" in text
    return getattr(orig, "sqlstate", None) in _PG_BUSY


def dispose_all() -> None:
    """Close every pooled connection (tests switch databases)."""
    for eng in _engines.values():
        eng.dispose()
    _engines.clear()
