"""Migration 0008_house: the soft-delete / version columns of guardian, movementrecord, order, pupil
and staff get the server defaults the mixins declare (models/_base.py).

On SQLite the five tables are rebuilt (batch mode): a database *with data* is migrated from
0007_movement and must keep every row, foreign key, index (the partial one too), trigger and the
pupil search; on both databases a raw INSERT without the two columns now gets 1 and ''.
"""

from __future__ import annotations

from datetime import date

from alembic.config import Config
from sqlalchemy import inspect, text

from alembic import command
from bbbms_app import db, settings
from bbbms_app.cli import ROOT
from bbbms_app.models import MovementRecord, Order, search_index
from bbbms_app.services.engine import listing
from bbbms_app.services.engine.registry import ENTITIES

TABLES = ("guardian", "movementrecord", "order", "pupil", "staff")


def _config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["configure_logger"] = False
    cfg.attributes["url"] = url
    return cfg


def _shape(url: str) -> dict:
    """Everything of the schema a rebuild could lose, and the row counts of every table."""
    eng = db.engine(url)
    insp = inspect(eng)
    with eng.connect() as conn:
        master = conn.exec_driver_sql(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('index', 'trigger', 'view') "
            "AND sql IS NOT NULL ORDER BY name"
        ).all()
        counts = {
            t: conn.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar()  # noqa: S608 (reflected names)
            for t in insp.get_table_names()
        }
    per_table = {
        t: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(t)],
            sorted((k["name"], k["referred_table"], tuple(k["constrained_columns"])) for k in insp.get_foreign_keys(t)),
            sorted((u["name"], tuple(u["column_names"])) for u in insp.get_unique_constraints(t)),
            sorted((c["name"], c["sqltext"]) for c in insp.get_check_constraints(t)),
            insp.get_pk_constraint(t)["name"],
        )
        for t in insp.get_table_names()
    }
    return {"master": [tuple(r) for r in master], "counts": counts, "tables": per_table}


def _defaults(url: str) -> dict[tuple[str, str], str | None]:
    insp = inspect(db.engine(url))
    return {
        (t, c["name"]): c["default"]
        for t in TABLES
        for c in insp.get_columns(t)
        if c["name"] in ("version", "deleted_reason")
    }


def _search(session, principal, words: str) -> list[str]:
    page = listing.list_page(session, ENTITIES.get("pupil"), principal, search=words, limit=50)
    return sorted(row["name"] for row in page.rows)


def test_sqlite_database_with_data_keeps_everything_through_0008(tmp_path, monkeypatch):
    from tests import factories
    from tests.factories import principal_of

    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(_config(url), "0007_movement")
    with db.engine(url).begin() as conn:
        search_index.ensure(conn)  # as `migrate` leaves a database
    monkeypatch.setenv("DATABASE_URL", url)
    settings.reload()
    with db.session() as s:
        school = factories.build_school(s)
        order = Order(school_id=school.school_id, number="12-к", date=date(2025, 9, 1), summary="О зачислении")
        s.add(order)
        s.flush()
        s.add(
            MovementRecord(
                school_id=school.school_id,
                pupil_id=school.pupils_5a[0],
                kind="arrival",
                date=date(2025, 9, 1),
                order_id=order.id,  # type: ignore[arg-type]
                from_school="№ 5 мектеп",
            )
        )
        s.commit()
    director = principal_of("t_director")
    with db.session() as s:
        found_before = _search(s, director, "үсөн")
    assert found_before == ["Үсөнов Нурбек"]
    before = _shape(url)
    assert all(before["counts"][t] > 0 for t in TABLES)
    assert set(_defaults(url).values()) == {None}  # what 0008 is for

    db.dispose_all()
    command.upgrade(_config(url), "0008_house")

    after = _shape(url)
    assert after["counts"] == before["counts"]
    assert after["tables"] == before["tables"]  # columns, foreign keys, uniques, checks, primary keys
    assert after["master"] == before["master"]  # every index (ix_pupil_live_seek … WHERE) and trigger, as it was
    assert any("WHERE deleted_at IS NULL" in (sql or "") for *_r, sql in after["master"])
    triggers = {r[1] for r in after["master"] if r[0] == "trigger"}
    assert triggers >= {"pupil_search_ai", "pupil_search_ad", "pupil_search_au"}
    with db.engine(url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # the connection got them back
        conn.exec_driver_sql("INSERT INTO pupil_search(pupil_search, rank) VALUES ('integrity-check', 1)")
    with db.session() as s:
        assert _search(s, director, "үсөн") == found_before
    assert {k: str(v).strip("()'") for k, v in _defaults(url).items()} == {
        (t, c): v for t in TABLES for c, v in (("version", "1"), ("deleted_reason", ""))
    }
    _raw_insert_gets_defaults(url, school.school_id)
    with db.session() as s:  # the search triggers follow the new row
        assert _search(s, director, "сыдык") == ["Сыдыкова Айпери"]
    settings.reload()
    db.dispose_all()


def _raw_insert_gets_defaults(url: str, school_id: int) -> None:
    with db.engine(url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO pupil (school_id, last_name, first_name, patronymic, birth_date, sex, alpha_book_no, "
                "search_key, sort_key) VALUES (:s, 'Сыдыкова', 'Айпери', '', '2014-05-01', 'f', 'С/1', "
                "'сыдыкова айпери', 'сыдыкова айпери')"
            ),
            {"s": school_id},
        )
        conn.execute(
            text(
                "INSERT INTO guardian (school_id, last_name, first_name, patronymic, phone, search_key, sort_key) "
                "VALUES (:s, 'Сыдыков', 'Бакыт', '', '', 'сыдыков бакыт', 'сыдыков бакыт')"
            ),
            {"s": school_id},
        )
        conn.execute(
            text(
                "INSERT INTO staff (school_id, last_name, first_name, patronymic, position, phone, email, "
                "search_key, sort_key) VALUES (:s, 'Осмонов', 'Улан', '', 'teacher', '', '', 'осмонов', 'осмонов')"
            ),
            {"s": school_id},
        )
        conn.execute(
            text(
                'INSERT INTO "order" (school_id, number, date, kind, summary, note, search_key) '
                "VALUES (:s, '99-к', '2025-10-01', 'other', '', '', '99-к')"
            ),
            {"s": school_id},
        )
        order_id = conn.execute(text('SELECT max(id) FROM "order"')).scalar()
        pupil_id = conn.execute(text("SELECT max(id) FROM pupil")).scalar()
        conn.execute(
            text(
                "INSERT INTO movementrecord (school_id, pupil_id, kind, date, order_id, from_school, to_school, "
                "reason, note, search_key) VALUES (:s, :p, 'arrival', '2025-10-01', :o, '', '', '', '', '')"
            ),
            {"s": school_id, "p": pupil_id, "o": order_id},
        )
        for table in TABLES:
            version, reason = conn.execute(
                text(f'SELECT version, deleted_reason FROM "{table}" ORDER BY id DESC LIMIT 1')  # noqa: S608
            ).one()
            assert (version, reason) == (1, ""), table


def test_a_raw_insert_gets_the_defaults(school, db_url):
    """On the database under test (SQLite or PostgreSQL), migrated to head by the fixtures."""
    _raw_insert_gets_defaults(db_url, school.school_id)


def test_downgrade_drops_the_defaults_and_upgrade_puts_them_back(db_url):
    command.downgrade(_config(db_url), "0007_movement")
    db.dispose_all()
    assert set(_defaults(db_url).values()) == {None}
    command.upgrade(_config(db_url), "head")
    db.dispose_all()
    assert None not in set(_defaults(db_url).values())
