"""house: the server defaults of the soft-delete / version columns on the five oldest entities

Revision ID: 0008_house
Revises: 0007_movement
Create Date: 2026-12-02

`version` (1) and `deleted_reason` ('') of guardian, movementrecord, order, pupil and staff were
made without the server defaults the mixins of models/_base.py declare (the other entities have
them): a row inserted by hand, by a bulk load or by an older app version without those columns
failed NOT NULL. PostgreSQL: ALTER COLUMN … SET DEFAULT. SQLite cannot change a default in
place: batch mode rebuilds each table (copy, drop, rename) with foreign keys off (alembic/env.py
turns them off outside the transaction); the table's triggers (pupil's search index) and indexes
(the partial ix_pupil_live_seek too) are read before and put back exactly as they were, and the
rebuild is refused if any row then points at nothing (`PRAGMA foreign_key_check`).
Downgrade drops the defaults again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0008_house"
down_revision: str | None = "0007_movement"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("guardian", "movementrecord", "order", "pupil", "staff")


def upgrade() -> None:
    _set_defaults(version="1", deleted_reason="")


def downgrade() -> None:
    _set_defaults(version=None, deleted_reason=None)


def _set_defaults(*, version: str | None, deleted_reason: str | None) -> None:
    bind = op.get_bind()
    columns = (
        ("version", sa.Integer(), version),
        ("deleted_reason", sqlmodel.sql.sqltypes.AutoString(length=300), deleted_reason),
    )
    if bind.dialect.name != "sqlite":
        for table in TABLES:
            for name, type_, default in columns:
                op.alter_column(table, name, existing_type=type_, existing_nullable=False, server_default=default)
        return
    _require_foreign_keys_off(bind)
    for table in TABLES:
        # Batch mode reflects the table; what it may not carry over (triggers, a partial index's
        # WHERE) is read here first and put back afterwards.
        saved = bind.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') "
            "AND sql IS NOT NULL",
            (table,),
        ).all()
        with op.batch_alter_table(table, recreate="always") as batch:
            for name, type_, default in columns:
                batch.alter_column(name, existing_type=type_, existing_nullable=False, server_default=default)
        now = dict(
            bind.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger')", (table,)
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
        raise RuntimeError(f"rebuilding {TABLES} left rows pointing at nothing: {broken[:5]}")


def _require_foreign_keys_off(bind) -> None:
    """Dropping a referenced table with foreign keys on fails (or cascades): they must be off, and
    the pragma only takes effect outside a transaction."""
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("0008_house rebuilds tables on SQLite: run it with foreign keys off (alembic/env.py does)")
