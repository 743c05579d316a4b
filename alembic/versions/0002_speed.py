"""speed: keyset paging index and substring-search index for the pupil list of a big school

Revision ID: 0002_speed
Revises: 0001
Create Date: 2026-11-26

Changes a table of 0001 (owned by the foundation), indexes only:

- `ix_pupil_live_seek (school_id, sort_key, id) WHERE deleted_at IS NULL`: the next/previous page
  seeks past the last row shown instead of counting an OFFSET through the index
  (services.crud.list_page); partial, so that PostgreSQL reads it in order.
- PostgreSQL: `ix_pupil_search_trgm`, a pg_trgm GIN index on `search_key` for `LIKE '%…%'`. The
  extension is created if the server offers it (pg_trgm is a trusted extension: the database's
  owner may create it); if not, a plain B-tree of the same name stands in and search scans.
- SQLite: the FTS5 trigram table `pupil_search` over `pupil.search_key` with its triggers
  (bbbms_app/models/search_index.py, which `migrate` also runs afterwards to repair triggers a
  later table rebuild dropped).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002_speed"
down_revision: str | None = "0002_rights"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from bbbms_app.models import search_index

    conn = op.get_bind()
    op.create_index(
        "ix_pupil_live_seek",
        "pupil",
        ["school_id", "sort_key", "id"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
        sqlite_where=sa.text("deleted_at IS NULL"),
    )
    if conn.dialect.name == "postgresql":
        available = conn.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first()
        trigram = False
        if available is not None:
            try:
                with conn.begin_nested():
                    conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
                trigram = True
            except sa.exc.DBAPIError:
                trigram = False  # not allowed to create it here: the fallback below
        if trigram:
            op.create_index(
                "ix_pupil_search_trgm",
                "pupil",
                ["search_key"],
                unique=False,
                postgresql_using="gin",
                postgresql_ops={"search_key": "gin_trgm_ops"},
            )
        else:
            op.create_index("ix_pupil_search_trgm", "pupil", ["search_key"], unique=False)
    else:
        search_index.ensure(conn)


def downgrade() -> None:
    from bbbms_app.models import search_index

    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.drop_index("ix_pupil_search_trgm", table_name="pupil")
    else:
        search_index.drop(conn)
    op.drop_index("ix_pupil_live_seek", table_name="pupil")
