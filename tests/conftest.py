"""Test fixtures: a real database per test (SQLite file, or PostgreSQL when BBBMS_TEST_DATABASE_URL is set).

The schema comes from the Alembic history, never from create_all, so the tests also prove the
migrations. On SQLite a migrated template file is copied per test; on PostgreSQL the tables are
truncated between tests.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ["BBBMS_ENV"] = "test"
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
# Downloads, journal exports, consent scans and slips of the tests go to a temporary folder, never
# to the checkout's data/private (a test that needs its own folder sets BBBMS_DATA_DIR itself).
os.environ["BBBMS_DATA_DIR"] = tempfile.mkdtemp(prefix="bbbms-test-data-")

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bbbms_app import db, settings
from bbbms_app.cli import migrate

atexit.register(shutil.rmtree, os.environ["BBBMS_DATA_DIR"], True)


def _own_database_per_worker() -> None:
    """With pytest-xdist (`make test` runs two processes) each worker gets a PostgreSQL database of
    its own, `<test db>_gw0`, `_gw1`…, made here when missing; BBBMS_TEST_DATABASE_URL is pointed
    at it before any test module reads it, so the databases tests derive from it (`…_restore`,
    `…_migrate_<pid>`) are the worker's own too."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    base = os.environ.get("BBBMS_TEST_DATABASE_URL", "").replace("postgresql://", "postgresql+psycopg://")
    if not worker or not base:
        return
    url = make_url(base)
    name = f"{url.database}_{worker}"
    admin = db.make_engine(url.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    admin.dispose()
    os.environ["BBBMS_TEST_DATABASE_URL"] = url.set(database=name).render_as_string(hide_password=False)


_own_database_per_worker()
PG_URL = os.environ.get("BBBMS_TEST_DATABASE_URL", "").replace("postgresql://", "postgresql+psycopg://")


def is_postgres() -> bool:
    return bool(PG_URL)


def _reset_postgres(url: str) -> None:
    eng = db.make_engine(url)
    with eng.begin() as conn:
        # Only this test database's own schema is rebuilt; nothing else on the server is touched.
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    eng.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> str:
    """A database with the full migration history applied, made once per test session."""
    if is_postgres():
        _reset_postgres(PG_URL)
        migrate(PG_URL)
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    migrate(url)
    db.dispose_all()
    return url


def _truncate_all(url: str) -> None:
    """Empty every table a test wrote to and rewind every sequence it drew from.

    A TRUNCATE of all ~70 tables costs ~0.3 s on PostgreSQL (new files for each table, synced at
    commit): minutes of a run. One query finds the tables holding a row; those are emptied with
    DELETE (a few rows each: cheaper than new files); then every sequence read since the last reset
    (a rolled-back insert draws one too) starts at 1 again. Each test sees what a TRUNCATE …
    RESTART IDENTITY of everything would give."""
    from sqlmodel import SQLModel

    import bbbms_app.models  # noqa: F401

    tables = [t.name for t in SQLModel.metadata.sorted_tables]
    probe = " UNION ALL ".join(f"(SELECT '{n}' FROM \"{n}\" LIMIT 1)" for n in tables)  # noqa: S608 (table names from the models)
    with db.engine(url).begin() as conn:
        written = {row[0] for row in conn.execute(text(probe))}
        # The append-only audit table refuses DELETE by trigger; the test database's superuser
        # switches triggers (and the foreign-key checks, all tables being emptied) off here only.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for name in written:  # any order: the foreign-key checks are off too
            conn.execute(text(f'DELETE FROM "{name}"'))  # noqa: S608
        conn.execute(
            text(
                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false) "
                "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
            )
        )


@pytest.fixture
def db_url(migrated_template, tmp_path, monkeypatch) -> str:
    """An empty, migrated database for one test; the app's settings point at it."""
    db.dispose_all()
    if is_postgres():
        _truncate_all(PG_URL)
        url = PG_URL
    else:
        src = make_url(migrated_template).database
        assert src is not None
        dst = tmp_path / "bbbms.db"
        shutil.copyfile(src, dst)
        url = f"sqlite:///{dst}"
    monkeypatch.setenv("DATABASE_URL", url)
    settings.reload()
    yield url
    db.dispose_all()
    monkeypatch.delenv("DATABASE_URL")
    settings.reload()


@pytest.fixture
def school(db_url):
    """A small, fully known school (see tests/factories.py)."""
    from tests import factories

    with db.session() as s:
        return factories.build_school(s)
