"""consent: consent records with their private scans, and the personal fields they gate

Revision ID: 0002_consent
Revises: 0001
Create Date: 2026-11-26

Adds the table consent. Changes tables of 0001 (owned by the foundation): pupil gets address, phone,
photo and health_notes; guardian and staff get address and photo. These are personal fields beyond
the legal minimum, saved only under an active consent (services.consent). Server defaults keep bulk
inserts that name only the old columns working.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0002_consent"
down_revision: str | None = "0002_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
PERSONAL_COLUMNS = {
    "pupil": (("address", 300), ("phone", 30), ("photo", 200), ("health_notes", 1000)),
    "guardian": (("address", 300), ("photo", 200)),
    "staff": (("address", 300), ("photo", 200)),
}


def upgrade() -> None:
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("subject_type", _TEXT(length=10), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("representative_id", sa.Integer(), nullable=True),
        sa.Column("signed_by_name", _TEXT(length=200), nullable=False),
        sa.Column("representative_basis", _TEXT(length=200), nullable=False),
        sa.Column("categories", _TEXT(length=200), nullable=False),
        sa.Column("purpose", _TEXT(length=500), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("scan_name", _TEXT(length=200), nullable=False),
        sa.Column("scan_sha256", _TEXT(length=64), nullable=False),
        sa.Column("scan_size", sa.Integer(), nullable=False),
        sa.Column("scan_content_type", _TEXT(length=60), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawal_reason", _TEXT(length=300), nullable=False),
        sa.Column("withdrawn_by", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "subject_type IN ('pupil','guardian','staff')", name=op.f("ck_consent_consent_subject_type")
        ),
        sa.CheckConstraint("valid_until IS NULL OR given_on <= valid_until", name=op.f("ck_consent_consent_dates")),
        sa.CheckConstraint(
            "withdrawn_on IS NULL OR given_on <= withdrawn_on", name=op.f("ck_consent_consent_withdrawal")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["user.id"], name=op.f("fk_consent_created_by_user")),
        sa.ForeignKeyConstraint(
            ["representative_id"], ["guardian.id"], name=op.f("fk_consent_representative_id_guardian")
        ),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_consent_school_id_school")),
        sa.ForeignKeyConstraint(["withdrawn_by"], ["user.id"], name=op.f("fk_consent_withdrawn_by_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_representative_id"), ["representative_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consent_school_id"), ["school_id"], unique=False)
        batch_op.create_index("ix_consent_subject", ["school_id", "subject_type", "subject_id"], unique=False)
    for table, columns in PERSONAL_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, length in columns:
                batch_op.add_column(sa.Column(name, _TEXT(length=length), server_default="", nullable=False))


def downgrade() -> None:
    for table, columns in PERSONAL_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _length in reversed(columns):
                batch_op.drop_column(name)
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_subject")
        batch_op.drop_index(batch_op.f("ix_consent_school_id"))
        batch_op.drop_index(batch_op.f("ix_consent_representative_id"))
    op.drop_table("consent")
