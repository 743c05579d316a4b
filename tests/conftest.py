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
    from sqlmodel import SQLModel

    import bbbms_app.models  # noqa: F401

    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with db.engine(url).begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


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
