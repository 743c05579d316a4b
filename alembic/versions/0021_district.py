"""district: a school's region and rayon (issue 16, the district's list of schools)

Revision ID: 0021_district
Revises: 0018_roster
Create Date: 2026-12-03

Two plain columns with an empty default (codes of bbbms_app/data/kg_places.csv): ADD COLUMN on
both databases, no table rebuild, existing schools read «not given».
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0021_district"
down_revision: str | None = "0020_courses2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("school", sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default=""))
    op.add_column("school", sa.Column("rayon", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("school") as batch:
        batch.drop_column("rayon")
        batch.drop_column("region")
