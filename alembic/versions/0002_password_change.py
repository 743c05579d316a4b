"""password change: accounts whose password someone else chose must set their own

Revision ID: 0002_password_change
Revises: 0001
Create Date: 2026-11-26

Adds `user.must_change_password` (a table of 0001). Set for accounts made by an import or the
admin form and after an administrator's reset; cleared when the user sets his own password.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002_password_change"
down_revision: str | None = "0002_movement"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("user", sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("must_change_password")
