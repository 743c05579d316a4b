"""conv: the percentage of a criterion-based mark (issue 13, percent entry in the journal)

Revision ID: 0022_conv
Revises: 0021_district
Create Date: 2026-12-03

One nullable column on `mark`: ADD COLUMN on both databases, no table rebuild (the mark table is the
biggest of a school); existing marks read «typed as a mark». The range 0–100 is the save path's check.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0022_conv"
down_revision: str | None = "0021_district"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # DEFAULT NULL, as the model says: the ORM leaves a None percent out of its INSERT (models/journal.py).
    op.add_column("mark", sa.Column("percent", sa.Integer(), nullable=True, server_default=sa.text("NULL")))


def downgrade() -> None:
    with op.batch_alter_table("mark") as batch:
        batch.drop_column("percent")
