"""reports: an index on the period marks of one period (year × kind × number × class)

Revision ID: 0009_reports
Revises: 0008_house
Create Date: 2026-12-02

The quarter results read every period mark of one quarter of a year (services/reports/results.py);
without it SQLite walked all the school's marks of every year and period (ix_periodmark_school_id).
A plain CREATE INDEX: no table rebuild on SQLite, so the triggers of 0002_rights stay.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_reports"
down_revision: str | None = "0008_house"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_periodmark_period", "periodmark", ["academic_year_id", "kind", "number", "class_id"])


def downgrade() -> None:
    op.drop_index("ix_periodmark_period", table_name="periodmark")
