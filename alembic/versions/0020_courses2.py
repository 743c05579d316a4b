"""courses2: soft delete of a course's modules, materials and assignments; modules linked to lessons (issue 18)

Revision ID: 0020_courses2
Revises: 0018_roster
Create Date: 2026-12-03

coursemodule, coursematerial, assignment get a nullable deleted_at (the teacher's delete hides the
row; the audit keeps what it was); modulelesson ties a module to the journal lessons whose topic it
follows (the diary links those lessons to the course). A nullable column and a new table: no table
rebuild on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0020_courses2"
down_revision: str | None = "0019_exports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("coursemodule", "coursematerial", "assignment")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "modulelesson",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["lesson_id"], ["lesson.id"], name=op.f("fk_modulelesson_lesson_id_lesson")),
        sa.ForeignKeyConstraint(
            ["module_id"], ["coursemodule.id"], name=op.f("fk_modulelesson_module_id_coursemodule")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_modulelesson")),
        sa.UniqueConstraint("module_id", "lesson_id", name=op.f("uq_modulelesson_module_id_lesson_id")),
    )
    with op.batch_alter_table("modulelesson", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_modulelesson_lesson_id"), ["lesson_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_modulelesson_module_id"), ["module_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("modulelesson", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_modulelesson_module_id"))
        batch_op.drop_index(batch_op.f("ix_modulelesson_lesson_id"))
    op.drop_table("modulelesson")
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("deleted_at")
