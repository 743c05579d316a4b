"""exports: the whole-school export jobs made in the background (issue 14 §7)

Revision ID: 0019_exports
Revises: 0018_roster
Create Date: 2026-12-03

One table, `exportjob`: who asked for which workbook, how far its job is, and its private file.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019_exports"
down_revision: str | None = "0018_roster"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exportjob",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("params", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("file_label", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_exportjob_school_id_school")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_exportjob_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exportjob")),
    )
    with op.batch_alter_table("exportjob", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exportjob_school_id"), ["school_id"], unique=False)
        batch_op.create_index("ix_exportjob_user_created", ["user_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("exportjob", schema=None) as batch_op:
        batch_op.drop_index("ix_exportjob_user_created")
        batch_op.drop_index(batch_op.f("ix_exportjob_school_id"))
    op.drop_table("exportjob")
