"""journal: a term closed for one class (closing a quarter per grade or class, not only the school)

Revision ID: 0004_journal
Revises: 0003_timetable_admin
Create Date: 2026-12-02

`classtermclose` holds one row per class whose journals of a term were closed on their own; the
school-wide close stays `term.closed_at`. A class's term is closed when either is set.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004_journal"
down_revision: str | None = "0003_timetable_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "classtermclose",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["class_id"], ["schoolclass.id"], name=op.f("fk_classtermclose_class_id_schoolclass")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_classtermclose_school_id_school")),
        sa.ForeignKeyConstraint(["term_id"], ["term.id"], name=op.f("fk_classtermclose_term_id_term")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classtermclose")),
        sa.UniqueConstraint("term_id", "class_id", name=op.f("uq_classtermclose_term_id_class_id")),
    )
    with op.batch_alter_table("classtermclose", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_classtermclose_school_id"), ["school_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("classtermclose", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classtermclose_school_id"))
    op.drop_table("classtermclose")
