"""Migration 0012_movement2: the movement book's kinds get «retention».

On SQLite the movementrecord table is rebuilt (batch mode): a database *with data* migrated from
0011_api keeps every row, column, key, check, index and trigger, and the new kind fits only after
it; on the database under test a retention record fits, and the downgrade refuses while one exists.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from alembic import command
from bbbms_app import db, settings
from bbbms_app.models import MovementRecord, Order, search_index
from tests.test_migration_house import _config, _shape


def _kinds_check(url: str) -> str:
    checks = inspect(db.engine(url)).get_check_constraints("movementrecord")
    return next(c["sqltext"] for c in checks if c["name"] == "ck_movementrecord_movement_kind")


def _insert_retention(url: str, school_id: int, pupil_id: int, order_id: int) -> None:
    with db.engine(url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO movementrecord (school_id, pupil_id, kind, date, order_id, from_school, to_school, "
                "reason, note, search_key) VALUES (:s, :p, 'retention', '2026-09-01', :o, '', '', '', '', '')"
            ),
            {"s": school_id, "p": pupil_id, "o": order_id},
        )


def test_sqlite_database_with_data_keeps_everything_through_0012(tmp_path, monkeypatch):
    from tests import factories

    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(_config(url), "0011_api")
    with db.engine(url).begin() as conn:
        search_index.ensure(conn)
    monkeypatch.setenv("DATABASE_URL", url)
    settings.reload()
    with db.session() as s:
        school = factories.build_school(s)
        order = Order(school_id=school.school_id, number="39", date=date(2026, 5, 30), kind="transfer")
        s.add(order)
        s.flush()
        order_id = order.id
        s.add(
            MovementRecord(
                school_id=school.school_id,
                pupil_id=school.pupils_5a[0],
                kind="promotion",
                date=date(2026, 9, 1),
                order_id=order_id,  # type: ignore[arg-type]
                from_class_id=school.class_5a,
                to_class_id=school.class_6b,
            )
        )
        s.commit()
    with pytest.raises(IntegrityError):  # what 0012 is for
        _insert_retention(url, school.school_id, school.pupils_5a[1], order_id)  # type: ignore[arg-type]
    before = _shape(url)
    db.dispose_all()
    command.upgrade(_config(url), "0012_movement2")

    after = _shape(url)
    assert after["counts"] == before["counts"]
    assert after["master"] == before["master"]
    changed = {t for t in before["tables"] if before["tables"][t] != after["tables"][t]}
    assert changed == {"movementrecord"}
    columns, keys, uniques, checks, pk = after["tables"]["movementrecord"]
    assert (columns, keys, uniques, pk) == (
        before["tables"]["movementrecord"][0],
        before["tables"]["movementrecord"][1],
        before["tables"]["movementrecord"][2],
        before["tables"]["movementrecord"][4],
    )
    assert [n for n, _sql in checks] == ["ck_movementrecord_movement_kind"]
    assert "'retention'" in _kinds_check(url)
    with db.engine(url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    _insert_retention(url, school.school_id, school.pupils_5a[1], order_id)  # type: ignore[arg-type]
    settings.reload()
    db.dispose_all()


def test_downgrade_refuses_while_a_retention_exists_and_works_without(school, db_url):
    with db.session(write=True) as s:
        order = Order(school_id=school.school_id, number="39", date=date(2026, 5, 30), kind="transfer")
        s.add(order)
        s.flush()
        order_id = order.id
    _insert_retention(db_url, school.school_id, school.pupils_5a[0], order_id)  # type: ignore[arg-type]
    db.dispose_all()
    with pytest.raises(RuntimeError, match="retention"):
        command.downgrade(_config(db_url), "0011_api")
    db.dispose_all()
    assert "retention" in _kinds_check(db_url)
    with db.engine(db_url).begin() as conn:
        conn.execute(text("DELETE FROM movementrecord WHERE kind = 'retention'"))
    db.dispose_all()
    command.downgrade(_config(db_url), "0011_api")
    db.dispose_all()
    assert "retention" not in _kinds_check(db_url)
    command.upgrade(_config(db_url), "head")
    db.dispose_all()
    assert "retention" in _kinds_check(db_url)
