"""guard: account requests the director approves; a request id on every audit row

Revision ID: 0006_guard
Revises: 0005_conventions
Create Date: 2026-12-02

accountrequest holds a change to an account (a link to a person, a deputy-level role, a password
for an account at or above the requester's role) until the director confirms or rejects it.
auditevent gains request_id: the id of the event that wrote the row, also in the log line and in
the error message the user sees. consent gains third_parties (to whom the data is passed on,
Regulation No. 759). Columns are added with ALTER TABLE ADD COLUMN (no table rebuild on SQLite,
so the append-only triggers of 0002_rights stay).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0006_guard"
down_revision: str | None = "0005_conventions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "accountrequest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", _text(16), nullable=False),
        sa.Column("field", _text(20), nullable=False),
        sa.Column("value", _text(40), nullable=False),
        sa.Column("password_hash", _text(200), nullable=False),
        sa.Column("status", _text(10), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_by_name", _text(200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_by_name", _text(200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('link','role','password')", name=op.f("ck_accountrequest_kind")),
        sa.CheckConstraint("status IN ('pending','approved','rejected')", name=op.f("ck_accountrequest_status")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_accountrequest_school_id_school")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_accountrequest_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accountrequest")),
    )
    op.create_index("ix_accountrequest_status", "accountrequest", ["school_id", "status"], unique=False)
    op.create_index(op.f("ix_accountrequest_user_id"), "accountrequest", ["user_id"], unique=False)
    op.add_column("auditevent", sa.Column("request_id", _text(16), server_default="", nullable=False))
    op.add_column("consent", sa.Column("third_parties", _text(500), server_default="", nullable=False))


def downgrade() -> None:
    op.drop_column("consent", "third_parties")  # SQLite >= 3.35 drops a column in place
    op.drop_column("auditevent", "request_id")
    op.drop_index(op.f("ix_accountrequest_user_id"), table_name="accountrequest")
    op.drop_index("ix_accountrequest_status", table_name="accountrequest")
    op.drop_table("accountrequest")
