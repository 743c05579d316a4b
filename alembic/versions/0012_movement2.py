"""movement2: the movement book's kinds get «retention» (kept in the same grade, issue 15)

Revision ID: 0012_movement2
Revises: 0011_api
Create Date: 2026-12-02

The CHECK constraint `ck_movementrecord_movement_kind` allows one more kind, `retention`: a pupil
kept in the same grade is enrolled in a class of the same grade of the next year under the
year-end order (services/promotion.py). PostgreSQL: drop and re-create the constraint. SQLite can
change a CHECK only by rebuilding the table: batch mode with foreign keys off (alembic/env.py),
the table's indexes read before and put back as they were, and `PRAGMA foreign_key_check` before
it commits — as 0008_house does. Downgrade refuses while a retention record exists (it would no
longer fit), else puts the old constraint back.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_movement2"
down_revision: str | None = "0011_api"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "movementrecord"
NAME = "ck_movementrecord_movement_kind"
OLD = ("arrival", "departure", "transfer_in_school", "promotion", "graduation")
NEW = (*OLD, "retention")


def upgrade() -> None:
    _set_kinds(NEW)


def downgrade() -> None:
    bind = op.get_bind()
    kept = bind.exec_driver_sql(f"SELECT count(*) FROM {TABLE} WHERE kind = 'retention'").scalar()
    if kept:
        raise RuntimeError(f"{kept} retention records would not fit the old kinds: correct them first")
    _set_kinds(OLD)


def _condition(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ",".join(f"'{k}'" for k in kinds) + ")"


def _set_kinds(kinds: tuple[str, ...]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(NAME), TABLE, type_="check")
        op.create_check_constraint(op.f(NAME), TABLE, _condition(kinds))
        return
    _require_foreign_keys_off(bind)
    saved = bind.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL",
        (TABLE,),
    ).all()
    with op.batch_alter_table(TABLE, recreate="always") as batch:
        batch.drop_constraint(op.f(NAME), type_="check")
        batch.create_check_constraint(op.f(NAME), _condition(kinds))
    now = dict(
        bind.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger')", (TABLE,)
        ).all()
    )
    for type_, name, sql in saved:
        if now.get(name) == sql:
            continue
        if name in now:
            bind.exec_driver_sql(f'DROP {type_.upper()} "{name}"')
        bind.exec_driver_sql(sql)
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"rebuilding {TABLE} left rows pointing at nothing: {broken[:5]}")


def _require_foreign_keys_off(bind) -> None:
    """Dropping a referenced table with foreign keys on fails (or cascades): they must be off, and
    the pragma only takes effect outside a transaction."""
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "0012_movement2 rebuilds a table on SQLite: run it with foreign keys off (alembic/env.py does)"
        )
