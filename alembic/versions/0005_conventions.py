"""conventions: subjects in the curriculum's order, the marking rules a school's local act sets

Revision ID: 0005_conventions
Revises: 0004_journal
Create Date: 2026-12-02

- subject.position: the subject's place in the curriculum (Кыргыз тили, Кыргыз адабияты, …,
  Дене тарбия); every list of subjects follows it. Existing subjects get 0 and so keep their
  alphabetical order until the deputy numbers them.
- gradingpolicy: minimum marks by weekly hours, half-year assessment for subjects of few hours,
  «зач/незач» subjects, «a 2 blocks a 5», how a tie of the year mean goes, and the criterion
  table (percentage -> mark). Existing policies keep today's behaviour (empty / 0 / false / favour).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0005_conventions"
down_revision: str | None = "0004_journal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("gradingpolicy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "min_marks_by_hours", sqlmodel.sql.sqltypes.AutoString(length=200), server_default="", nullable=False
            )
        )
        batch_op.add_column(sa.Column("half_year_max_hours", sa.Float(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column(
                "pass_fail_codes", sqlmodel.sql.sqltypes.AutoString(length=300), server_default="", nullable=False
            )
        )
        batch_op.add_column(sa.Column("two_blocks_five", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(
            sa.Column("year_ties", sqlmodel.sql.sqltypes.AutoString(length=10), server_default="favour", nullable=False)
        )
        batch_op.add_column(
            sa.Column("criterion_json", sqlmodel.sql.sqltypes.AutoString(length=200), server_default="", nullable=False)
        )
        batch_op.create_check_constraint(op.f("ck_gradingpolicy_policy_year_ties"), "year_ties IN ('favour','last')")

    with op.batch_alter_table("subject", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("subject", schema=None) as batch_op:
        batch_op.drop_column("position")

    with op.batch_alter_table("gradingpolicy", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_gradingpolicy_policy_year_ties"), type_="check")
        batch_op.drop_column("criterion_json")
        batch_op.drop_column("year_ties")
        batch_op.drop_column("two_blocks_five")
        batch_op.drop_column("pass_fail_codes")
        batch_op.drop_column("half_year_max_hours")
        batch_op.drop_column("min_marks_by_hours")
