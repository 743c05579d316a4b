"""«database is locked»: a session that reads and then writes, while someone else writes.

On SQLite a transaction that began deferred and read something cannot become a writer once another
connection has committed (SQLITE_BUSY_SNAPSHOT), nor wait for the write lock while it holds its
snapshot: the error comes at once, whatever the busy timeout. Users met it at sign-in (the user is
read, then the audit row inserted) and at the per-event session refresh (the session is read, then
`UPDATE loginsession`). These tests interleave a second writer exactly there; on PostgreSQL they
check the same behaviour holds under READ COMMITTED.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, text
from sqlmodel import select

from bbbms_app import db
from bbbms_app.i18n import t
from bbbms_app.models import AuditEvent, LoginSession, User
from bbbms_app.services import accounts
from tests.factories import PASSWORD


def _rename(username: str, name: str) -> None:
    with db.session(write=True) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        user.full_name = name
        s.add(user)


@contextmanager
def _another_writer_before(statement_start: str):
    """Just before this process's first statement starting with `statement_start`, another
    connection (a thread) writes and commits, or, if it must wait for our lock, waits."""
    hit = threading.Event()
    done = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with db.session(write=True) as s:
                s.exec(text("UPDATE school SET name_en = name_en || '.'"))  # type: ignore[call-overload]
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            done.set()

    def before(_conn, _cursor, statement, *_args) -> None:
        if not hit.is_set() and statement.lstrip().upper().startswith(statement_start):
            hit.set()
            threading.Thread(target=writer, daemon=True).start()
            # Until it has committed, or for a moment when it waits for a lock we already hold.
            done.wait(0.5)

    eng = db.engine()
    event.listen(eng, "before_cursor_execute", before)
    try:
        yield hit
    finally:
        event.remove(eng, "before_cursor_execute", before)
        done.wait(15)
        assert not errors, errors


def test_a_reader_may_write_after_another_writer_committed(school):
    teacher = school.users["teacher"]
    with db.session() as s:
        user = s.exec(select(User).where(User.username == teacher)).one()  # the read
        _rename(school.users["director"], "Асанов Бакыт")  # another connection writes and commits
        user.full_name = "Өмүрбекова Айжан Т."
        s.add(user)
    with db.session() as s:
        assert s.exec(select(User.full_name).where(User.username == teacher)).one() == "Өмүрбекова Айжан Т."


def test_a_reader_that_writes_waits_for_a_writer_holding_the_lock(school):
    teacher = school.users["teacher"]
    holding = threading.Event()

    def slow_writer() -> None:
        with db.session(write=True) as s:
            user = s.exec(select(User).where(User.username == school.users["director"])).one()
            user.full_name = "Асанов Б."
            s.add(user)
            s.flush()  # the write lock (SQLite) or the row lock (PostgreSQL) is held from here
            holding.set()
            time.sleep(0.4)

    with db.session() as s:
        user = s.exec(select(User).where(User.username == teacher)).one()
        th = threading.Thread(target=slow_writer)
        th.start()
        assert holding.wait(5)
        user.full_name = "Өмүрбекова А."
        s.add(user)
        s.flush()  # waits for the other writer instead of failing
    th.join(10)
    with db.session() as s:
        names = dict(s.exec(select(User.username, User.full_name)).all())
    assert names[teacher] == "Өмүрбекова А."
    assert names[school.users["director"]] == "Асанов Б."


def test_the_session_refresh_survives_a_concurrent_writer(school):
    with db.session() as s:
        signed = accounts.authenticate(s, school.users["teacher"], PASSWORD)
    assert signed.token
    with db.session(write=True) as s:
        login = s.exec(select(LoginSession)).one()
        login.last_seen_at = datetime.now(UTC) - timedelta(minutes=5)  # the refresh is due
        s.add(login)
    with _another_writer_before("UPDATE LOGINSESSION") as hit, db.session() as s:
        principal = accounts.resolve(s, signed.token)
    assert hit.is_set()
    assert principal is not None and principal.username == school.users["teacher"]
    with db.session() as s:
        seen = s.exec(select(LoginSession.last_seen_at)).one()
    assert datetime.now(UTC) - seen.replace(tzinfo=UTC) < timedelta(minutes=1)


def test_sign_in_survives_a_concurrent_writer(school):
    with _another_writer_before("INSERT INTO AUDITEVENT") as hit, db.session() as s:
        signed = accounts.authenticate(s, school.users["teacher"], PASSWORD)
    assert hit.is_set()
    assert signed.error is None and signed.token
    with db.session() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "login")).first() is not None
        assert s.exec(select(LoginSession)).first() is not None


@contextmanager
def _another_process_writing(username: str):
    """A writer outside this process's writer queue (a second worker, the command line): on SQLite
    a raw connection holding the write lock, on PostgreSQL a session holding the user's row lock."""
    url = db.engine().url
    if url.get_backend_name() == "sqlite":
        import sqlite3

        other = sqlite3.connect(url.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE user SET full_name = 'held' WHERE username = ?", (username,))
        try:
            yield
        finally:
            other.execute("COMMIT")
            other.close()
    else:
        with db.session(write=True) as holder:
            holder.exec(text("UPDATE \"user\" SET full_name = 'held' WHERE username = :u").bindparams(u=username))  # type: ignore[call-overload]
            holder.flush()
            yield


def test_a_database_locked_too_long_raises_a_translated_error_and_writes_nothing(school):
    director = school.users["director"]
    with _another_process_writing(director), pytest.raises(db.DatabaseBusy) as caught, db.session() as s:
        conn = s.connection()
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA busy_timeout=200")
        else:
            conn.exec_driver_sql("SET lock_timeout = '200ms'")
        s.exec(select(User.id).where(User.username == director)).one()
        s.exec(text("UPDATE \"user\" SET full_name = 'other' WHERE username = :u").bindparams(u=director))  # type: ignore[call-overload]
    db.dispose_all()  # no pooled connection keeps the short timeout
    exc = caught.value
    messages = {lang: t(exc.key, lang, **exc.params) for lang in ("ky", "ru", "en")}
    assert len(set(messages.values())) == 3 and all("locked" not in m for m in messages.values())
    with db.session() as s:
        assert s.exec(select(User.full_name).where(User.username == director)).one() == "held"


def test_writers_of_one_process_queue_and_a_stuck_queue_answers_busy(school, monkeypatch):
    """In one process SQLite writers wait on a lock (no busy-handler naps); one that waits longer
    than WRITER_WAIT_S gets DatabaseBusy, e.g. a writer nested inside another one's transaction."""
    if db.engine().dialect.name != "sqlite":
        assert db.WRITER_WAIT_S > 0  # PostgreSQL queues on its row locks instead
        return
    monkeypatch.setattr(db, "WRITER_WAIT_S", 0.2)
    order: list[str] = []
    with db.session(write=True) as first:
        first.exec(text("UPDATE school SET name_en = name_en || '1'"))  # type: ignore[call-overload]

        def second() -> None:
            with db.session() as s:
                s.exec(text("UPDATE school SET name_en = name_en || '2'"))  # type: ignore[call-overload]
            order.append("second")

        monkeypatch.setattr(db, "WRITER_WAIT_S", 10.0)
        th = threading.Thread(target=second)
        th.start()
        time.sleep(0.3)
        order.append("first")
        monkeypatch.setattr(db, "WRITER_WAIT_S", 0.2)
        with pytest.raises(db.DatabaseBusy), db.session() as nested:  # the same thread: it cannot wait
            nested.exec(text("UPDATE school SET name_en = name_en || '3'"))  # type: ignore[call-overload]
    th.join(10)
    assert order == ["first", "second"]
    with db.session() as s:
        assert s.exec(text("SELECT name_en FROM school")).one()[0].endswith("12")  # type: ignore[call-overload]


async def test_a_rights_matrix_that_failed_to_load_is_not_shown_as_read_only(school, monkeypatch):
    from bbbms_app.pages.rights import RightsState
    from bbbms_app.services import rights
    from tests.states import new_tab, sub

    def busy(*_args, **_kwargs):
        raise db.DatabaseBusy()

    state = sub(new_tab("t_director"), RightsState)
    assert state.load_state == ""  # the page says «loading», not «view only», before the first answer
    with monkeypatch.context() as patched:
        patched.setattr(rights, "grid", busy)
        result = await state.load()
    assert state.load_state == "failed" and state.rows == [] and not state.can_edit
    assert t("rights.load_failed", "ky") in repr(result)
    await state.load()
    assert state.load_state == "ok" and state.rows and state.can_edit
