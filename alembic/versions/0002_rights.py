"""rights: the director's role × permission matrix, and the append-only audit trail in the database

Revision ID: 0002_rights
Revises: 0001
Create Date: 2026-11-26

Adds the table rolepermission. Adds triggers (no column change) to auditevent, a table of 0001:
UPDATE and DELETE of an audit event are refused by the database itself, on SQLite and PostgreSQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0002_rights"
down_revision: str | None = "0002_password_change"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "auditevent is append-only"


def upgrade() -> None:
    op.create_table(
        "rolepermission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("permission", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('administrator','director','deputy','teacher','class_teacher','clerk','parent','pupil')",
            name=op.f("ck_rolepermission_role"),
        ),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_rolepermission_school_id_school")),
        sa.ForeignKeyConstraint(["updated_by"], ["user.id"], name=op.f("fk_rolepermission_updated_by_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rolepermission")),
    )
    with op.batch_alter_table("rolepermission", schema=None) as batch_op:
        batch_op.create_index(
            "uq_rolepermission_district",
            ["role", "permission"],
            unique=True,
            sqlite_where=sa.text("school_id IS NULL"),
            postgresql_where=sa.text("school_id IS NULL"),
        )
        batch_op.create_index(
            "uq_rolepermission_school",
            ["school_id", "role", "permission"],
            unique=True,
            sqlite_where=sa.text("school_id IS NOT NULL"),
            postgresql_where=sa.text("school_id IS NOT NULL"),
        )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER auditevent_no_update_delete BEFORE UPDATE OR DELETE ON auditevent "
            "FOR EACH ROW EXECUTE FUNCTION auditevent_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER auditevent_no_{verb.lower()} BEFORE {verb} ON auditevent "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS auditevent_no_update_delete ON auditevent")
        op.execute("DROP FUNCTION IF EXISTS auditevent_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS auditevent_no_update")
        op.execute("DROP TRIGGER IF EXISTS auditevent_no_delete")
    with op.batch_alter_table("rolepermission", schema=None) as batch_op:
        batch_op.drop_index("uq_rolepermission_school")
        batch_op.drop_index("uq_rolepermission_district")
    op.drop_table("rolepermission")
