"""timetable: bell schedules and holidays become admin-engine entities (soft delete, version)

Revision ID: 0003_timetable_admin
Revises: 0002_timetable
Create Date: 2026-11-25

The deputy edits bells and holidays in the generated admin screens, which soft-delete with a
reason and compare a version on every save: bellschedule and holiday gain deleted_at,
deleted_reason and version. Existing rows stay live at version 1.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0003_timetable_admin"
down_revision: str | None = "0002_timetable"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("bellschedule", "holiday")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(
                sa.Column(
                    "deleted_reason",
                    sqlmodel.sql.sqltypes.AutoString(length=300),
                    server_default="",
                    nullable=False,
                )
            )
            batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
            batch_op.drop_column("deleted_reason")
            batch_op.drop_column("deleted_at")
