"""One Alembic history: it upgrades an empty database and leaves nothing for autogenerate."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import bbbms_app.models  # noqa: F401
from bbbms_app import db
from bbbms_app.models import comparison


def test_upgrade_creates_every_table_and_autogenerate_finds_no_diff(db_url):
    eng = db.engine(db_url)
    tables = set(inspect(eng).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables
    with eng.connect() as conn:
        # The options of alembic/env.py: types and server defaults compared (by value: SQLite's
        # "('')" and PostgreSQL's "''::character varying" are the model's ''), FTS5 tables left out.
        ctx = MigrationContext.configure(conn, opts=comparison.options(conn.dialect.name))
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == []


def test_server_defaults_compare_by_value():
    """The normalising comparison still sees a real difference (a missing or another default)."""
    for sql in ("''", "('')", "''::character varying", "(''::character varying)"):
        assert comparison.default_value(sql) == ""
    assert comparison.default_value("'1'") == comparison.default_value("1") == "1"
    assert comparison.default_value("'it''s'") == "it's"
    assert comparison.compare_server_default(None, None, None, None, None, "''") is True
    assert comparison.compare_server_default(None, None, None, "'0'", None, "'1'") is True
    assert comparison.compare_server_default(None, None, None, "('')", None, "''") is False
    # DEFAULT NULL: PostgreSQL keeps no default, SQLite reflects NULL; the model renders NULL.
    assert comparison.compare_server_default(None, None, None, None, None, "NULL") is False
    assert comparison.compare_server_default(None, None, None, "NULL", None, "NULL") is False
    assert comparison.compare_server_default(None, None, None, "'NULL'", None, "NULL") is True  # the text «NULL»


def test_constraints_hold_in_the_database(school, db_url):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from bbbms_app.models import Attendance, Mark

    bad_rows = [
        Mark(school_id=school.school_id, lesson_id=school.lessons_5a_math[2], pupil_id=school.pupils_5a[2], value=0),
        Mark(
            school_id=school.school_id,
            lesson_id=school.lessons_5a_math[2],
            pupil_id=school.pupils_5a[2],
            value=4,
            kind="bonus",
        ),
        # one attendance record per pupil × lesson (the factory already put one here)
        Attendance(
            school_id=school.school_id, lesson_id=school.lessons_5a_math[2], pupil_id=school.pupils_5a[0], code="н"
        ),
        Attendance(
            school_id=school.school_id, lesson_id=school.lessons_5a_math[1], pupil_id=school.pupils_5a[2], code="x"
        ),
        # one mark per kind per pupil × lesson
        Mark(school_id=school.school_id, lesson_id=school.lessons_5a_math[0], pupil_id=school.pupils_5a[0], value=3),
    ]
    for row in bad_rows:
        with pytest.raises(IntegrityError), db.session() as s:
            s.add(row)
            s.flush()


def test_connection_settings(db_url):
    """SQLite: WAL and enforced foreign keys. PostgreSQL: UTF-8 (names with ң, ө, ү)."""
    with db.engine(db_url).connect() as conn:
        if db_url.startswith("sqlite"):
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        else:
            assert conn.execute(text("SHOW server_encoding")).scalar() == "UTF8"


def test_one_linear_history():
    """A second head (two migrations with one parent) fails here, before `alembic revision` does."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bbbms_app.cli import ROOT

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    script = ScriptDirectory.from_config(cfg)
    assert len(script.get_heads()) == 1
    for rev in script.walk_revisions():
        assert not isinstance(rev.down_revision, tuple | list), f"{rev.revision} merges branches"


def test_a_database_of_the_old_branched_history_is_collapsed_to_one_row(tmp_path):
    """Databases migrated before the history became linear hold one row per old branch head."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from alembic import command
    from bbbms_app.cli import ROOT, migrate

    url = f"sqlite:///{tmp_path / 'old.db'}"
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["configure_logger"] = False
    cfg.attributes["url"] = url
    command.upgrade(cfg, "0003_timetable_admin")
    old_heads = [
        "0002_admin",
        "0002_consent",
        "0002_movement",
        "0002_password_change",
        "0002_rights",
        "0002_speed",
        "0002_subgroups",
        "0003_timetable_admin",
    ]
    eng = db.engine(url)
    with eng.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
        for rev in old_heads:
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": rev})
    migrate(url)
    with eng.connect() as conn:
        rows = [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
    assert rows == list(ScriptDirectory.from_config(cfg).get_heads())
    db.dispose_all()
