"""roster: indexes for incremental pulls of the integration API (marks and attendance changed since)

Revision ID: 0018_roster
Revises: 0017_msg
Create Date: 2026-12-02

An LMS polls `results?filter=dateLastModified>'…'` (OneRoster) or `marks?updated_since=…` (v1)
every few minutes; with nothing changed the answer must come from an index, not a walk over every
mark of the school. Plain CREATE INDEX: no table rebuild on SQLite, the triggers of 0002 stay.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018_roster"
down_revision: str | None = "0017_msg"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_mark_school_updated", "mark", ["school_id", "updated_at"])
    op.create_index("ix_attendance_school_updated", "attendance", ["school_id", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_attendance_school_updated", table_name="attendance")
    op.drop_index("ix_mark_school_updated", table_name="mark")
