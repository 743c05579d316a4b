"""api: OAuth2 clients of the integration API and their access tokens (issue 19)

Revision ID: 0011_api
Revises: 0010_comm
Create Date: 2026-12-02

Two new tables (models/api.py): `apiclient` (a school's registered client: name, public client_id,
SHA-256 of its random secret, scopes, active) and `apitoken` (SHA-256 of an opaque bearer token,
its scopes, audience, expiry and revocation). Nothing existing changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0011_api"
down_revision: str | None = "0010_comm"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "apiclient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("name", _text(120), nullable=False),
        sa.Column("client_id", _text(64), nullable=False),
        sa.Column("secret_sha256", _text(64), nullable=False),
        sa.Column("scopes", _text(300), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_by", _text(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_apiclient_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apiclient")),
        sa.UniqueConstraint("client_id", name=op.f("uq_apiclient_client_id")),
    )
    op.create_index(op.f("ix_apiclient_school_id"), "apiclient", ["school_id"], unique=False)
    op.create_table(
        "apitoken",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", _text(64), nullable=False),
        sa.Column("scopes", _text(300), nullable=False),
        sa.Column("audience", _text(300), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["apiclient.id"], name=op.f("fk_apitoken_client_id_apiclient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apitoken")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_apitoken_token_sha256")),
    )
    op.create_index("ix_apitoken_client_expires", "apitoken", ["client_id", "expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_apitoken_client_expires", table_name="apitoken")
    op.drop_table("apitoken")
    op.drop_index(op.f("ix_apiclient_school_id"), table_name="apiclient")
    op.drop_table("apiclient")
