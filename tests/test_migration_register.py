"""Migration 0013_register on a database with announcements: the SQLite rebuild of `announcement`
(its audience check admits 'people') keeps every row, column, key, index and the other checks;
downgrade and upgrade again, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from alembic import command
from bbbms_app import db, settings
from bbbms_app.models import search_index
from bbbms_app.models.communication import Announcement, AnnouncementRead
from tests.test_migration_house import _config, _shape


def _checks(url: str) -> dict[str, str]:
    return {c["name"]: c["sqltext"] for c in inspect(db.engine(url)).get_check_constraints("announcement")}


def _insert_people(url: str, school_id: int, author_id: int) -> None:
    with db.engine(url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO announcement (school_id, author_id, author_name, title, body, audience, role, reach, "
                "pinned, publish_on, created_at) VALUES (:s, :a, '', 't', '', 'people', '', 'all', false, "
                "'2026-12-01', '2026-12-01 08:00:00')"
            ),
            {"s": school_id, "a": author_id},
        )


def test_sqlite_announcements_keep_everything_through_0013(tmp_path, monkeypatch):
    from tests import factories
    from tests.factories import principal_of

    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(_config(url), "0012_movement2")
    with db.engine(url).begin() as conn:
        search_index.ensure(conn)
    monkeypatch.setenv("DATABASE_URL", url)
    settings.reload()
    with db.session() as s:
        school = factories.build_school(s)
        director = principal_of("t_director", s)
        a = Announcement(
            school_id=school.school_id,
            author_id=director.user_id,
            title="Каникул",
            publish_on=date(2026, 12, 1),
            audience="class",
            class_id=school.class_5a,
            reach="parents",
        )
        s.add(a)
        s.flush()
        s.add(AnnouncementRead(announcement_id=a.id, user_id=principal_of("t_parent", s).user_id))
    db.dispose_all()
    before = _shape(url)
    with db.engine(url).connect() as conn:
        rows_before = conn.exec_driver_sql("SELECT * FROM announcement ORDER BY id").all()
    command.upgrade(_config(url), "head")
    db.dispose_all()
    after = _shape(url)
    with db.engine(url).connect() as conn:
        rows_after = conn.exec_driver_sql("SELECT * FROM announcement ORDER BY id").all()
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    assert rows_after == rows_before
    assert [r for r in after["master"] if r[2] == "announcement"] == [
        r for r in before["master"] if r[2] == "announcement"
    ]  # the same indexes, by name and SQL
    cols_b, fks_b, uqs_b, checks_b, pk_b = before["tables"]["announcement"]
    cols_a, fks_a, uqs_a, checks_a, pk_a = after["tables"]["announcement"]
    assert (cols_a, fks_a, uqs_a, pk_a) == (cols_b, fks_b, uqs_b, pk_b)
    changed = {n for n, sql in checks_a} ^ {n for n, sql in checks_b}
    assert changed == set() and len(checks_a) == len(checks_b) == 6
    assert dict(checks_a)["ck_announcement_audience"] == "audience IN ('school','grade','class','role','people')"
    assert {k: v for k, v in dict(checks_a).items() if k != "ck_announcement_audience"} == {
        k: v for k, v in dict(checks_b).items() if k != "ck_announcement_audience"
    }
    assert {k: v for k, v in after["counts"].items() if k in before["counts"]} == before["counts"]
    _insert_people(url, school.school_id, director.user_id)
    # Still checked: an unknown audience is refused by the database.
    with db.engine(url).begin() as conn:
        try:
            conn.execute(text("UPDATE announcement SET audience = 'nobody'"))
            raised = False
        except IntegrityError:
            raised = True
    assert raised


def test_downgrade_and_upgrade_again(school, db_url):
    """On the database under test (SQLite or PostgreSQL), migrated to head by the fixtures."""
    from tests.factories import principal_of

    with db.session() as s:
        author = principal_of("t_director", s).user_id
    _insert_people(db_url, school.school_id, author)
    command.downgrade(_config(db_url), "0012_movement2")
    db.dispose_all()
    assert "announcementrecipient" not in inspect(db.engine(db_url)).get_table_names()
    assert "'people'" not in _checks(db_url)["ck_announcement_audience"]
    command.upgrade(_config(db_url), "head")
    db.dispose_all()
    assert "'people'" in _checks(db_url)["ck_announcement_audience"]
    _insert_people(db_url, school.school_id, author)
