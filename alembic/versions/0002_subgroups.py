"""subgroups: which pupils are in which subgroup of a class × subject

Revision ID: 0002_subgroups
Revises: 0001
Create Date: 2026-11-25

New table only (subgroupmember); no table of 0001 changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002_subgroups"
down_revision: str | None = "0002_speed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subgroupmember",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("subgroup", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("subgroup BETWEEN 1 AND 3", name=op.f("ck_subgroupmember_subgroup")),
        sa.ForeignKeyConstraint(["class_id"], ["schoolclass.id"], name=op.f("fk_subgroupmember_class_id_schoolclass")),
        sa.ForeignKeyConstraint(["pupil_id"], ["pupil.id"], name=op.f("fk_subgroupmember_pupil_id_pupil")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_subgroupmember_school_id_school")),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"], name=op.f("fk_subgroupmember_subject_id_subject")),
        sa.ForeignKeyConstraint(["updated_by"], ["user.id"], name=op.f("fk_subgroupmember_updated_by_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subgroupmember")),
        sa.UniqueConstraint("class_id", "subject_id", "pupil_id", name="uq_subgroupmember_class_subject_pupil"),
    )
    with op.batch_alter_table("subgroupmember", schema=None) as batch_op:
        batch_op.create_index("ix_subgroupmember_group", ["class_id", "subject_id", "subgroup"], unique=False)
        batch_op.create_index("ix_subgroupmember_pupil", ["pupil_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subgroupmember_school_id"), ["school_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("subgroupmember", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subgroupmember_school_id"))
        batch_op.drop_index("ix_subgroupmember_pupil")
        batch_op.drop_index("ix_subgroupmember_group")
    op.drop_table("subgroupmember")
