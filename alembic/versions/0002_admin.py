"""admin engine: soft delete and optimistic-lock versions on reference tables, user search key

Revision ID: 0002_admin
Revises: 0001
Create Date: 2026-11-26

Changes tables of 0001 (owned by the foundation): school, academicyear, term, gradingpolicy,
schoolclass, subject and teachingassignment get deleted_at / deleted_reason / version; user gets
search_key and version; pupil gets two indexes for the paged, searched list of live pupils. Server
defaults keep bulk inserts that name only the old columns working.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0002_admin"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOFT_DELETE_TABLES = (
    "school",
    "academicyear",
    "term",
    "gradingpolicy",
    "schoolclass",
    "subject",
    "teachingassignment",
)


def upgrade() -> None:
    for table in SOFT_DELETE_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(
                sa.Column(
                    "deleted_reason", sqlmodel.sql.sqltypes.AutoString(length=300), server_default="", nullable=False
                )
            )
            batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_key", sqlmodel.sql.sqltypes.AutoString(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    _fill_user_search_keys()
    with op.batch_alter_table("pupil", schema=None) as batch_op:
        batch_op.create_index("ix_pupil_live_sort", ["school_id", "deleted_at", "sort_key"], unique=False)
        batch_op.create_index(
            "ix_pupil_live_search", ["school_id", "deleted_at", "search_key", "sort_key"], unique=False
        )


def _fill_user_search_keys() -> None:
    # Accounts made before this revision become findable by their (Cyrillic) names too.
    from bbbms_app.i18n.collation import search_key

    conn = op.get_bind()
    users = sa.table("user", sa.column("id"), sa.column("username"), sa.column("full_name"), sa.column("search_key"))
    for uid, username, full_name in conn.execute(sa.select(users.c.id, users.c.username, users.c.full_name)).all():
        conn.execute(sa.update(users).where(users.c.id == uid).values(search_key=search_key(username, full_name)))


def downgrade() -> None:
    with op.batch_alter_table("pupil", schema=None) as batch_op:
        batch_op.drop_index("ix_pupil_live_search")
        batch_op.drop_index("ix_pupil_live_sort")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("search_key")
    for table in reversed(SOFT_DELETE_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
            batch_op.drop_column("deleted_reason")
            batch_op.drop_column("deleted_at")
