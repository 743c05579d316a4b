"""movement: the director's orders and the pupil movement book; a pupil's PIN unique per school

Revision ID: 0002_movement
Revises: 0001
Create Date: 2026-11-26

Adds the tables order and movementrecord. Changes a table of 0001 (owned by the foundation): the
pupil's PIN was unique in the whole database; it becomes unique per school (school_id, pin), so a
district database keeps a child who moved from school A to school B in both schools' books.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0002_movement"
down_revision: str | None = "0002_consent"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("number", _TEXT(length=20), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", _TEXT(length=20), nullable=False),
        sa.Column("summary", _TEXT(length=300), nullable=False),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("note", _TEXT(length=1000), nullable=False),
        sa.Column("search_key", _TEXT(length=400), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", _TEXT(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('enrollment','departure','transfer','graduation','other')", name=op.f("ck_order_order_kind")
        ),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_order_school_id_school")),
        sa.ForeignKeyConstraint(["signed_by_id"], ["staff.id"], name=op.f("fk_order_signed_by_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order")),
        sa.UniqueConstraint("school_id", "number", "date", name=op.f("uq_order_school_id_number_date")),
    )
    op.create_index(op.f("ix_order_school_id"), "order", ["school_id"], unique=False)
    op.create_index("ix_order_school_date", "order", ["school_id", "date"], unique=False)

    op.create_table(
        "movementrecord",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("kind", _TEXT(length=20), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("from_class_id", sa.Integer(), nullable=True),
        sa.Column("to_class_id", sa.Integer(), nullable=True),
        sa.Column("from_school", _TEXT(length=300), nullable=False),
        sa.Column("to_school", _TEXT(length=300), nullable=False),
        sa.Column("reason", _TEXT(length=300), nullable=False),
        sa.Column("note", _TEXT(length=1000), nullable=False),
        sa.Column("search_key", _TEXT(length=400), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", _TEXT(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('arrival','departure','transfer_in_school','promotion','graduation')",
            name=op.f("ck_movementrecord_movement_kind"),
        ),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_movementrecord_school_id_school")),
        sa.ForeignKeyConstraint(["pupil_id"], ["pupil.id"], name=op.f("fk_movementrecord_pupil_id_pupil")),
        sa.ForeignKeyConstraint(["order_id"], ["order.id"], name=op.f("fk_movementrecord_order_id_order")),
        sa.ForeignKeyConstraint(
            ["from_class_id"], ["schoolclass.id"], name=op.f("fk_movementrecord_from_class_id_schoolclass")
        ),
        sa.ForeignKeyConstraint(
            ["to_class_id"], ["schoolclass.id"], name=op.f("fk_movementrecord_to_class_id_schoolclass")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_movementrecord")),
    )
    op.create_index(op.f("ix_movementrecord_school_id"), "movementrecord", ["school_id"], unique=False)
    op.create_index("ix_movementrecord_school_date", "movementrecord", ["school_id", "date"], unique=False)
    op.create_index("ix_movementrecord_pupil", "movementrecord", ["pupil_id", "date"], unique=False)
    op.create_index("ix_movementrecord_order", "movementrecord", ["order_id"], unique=False)

    # A PIN is unique per school, no longer in the whole (district) database.
    with op.batch_alter_table("pupil", schema=None) as batch_op:
        batch_op.drop_constraint("uq_pupil_pin", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_pupil_school_id_pin"), ["school_id", "pin"])


def downgrade() -> None:
    # Fails (as it should) when two schools hold the same PIN: decide which record stays first.
    with op.batch_alter_table("pupil", schema=None) as batch_op:
        batch_op.drop_constraint("uq_pupil_school_id_pin", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_pupil_pin"), ["pin"])
    op.drop_index("ix_movementrecord_order", table_name="movementrecord")
    op.drop_index("ix_movementrecord_pupil", table_name="movementrecord")
    op.drop_index("ix_movementrecord_school_date", table_name="movementrecord")
    op.drop_index(op.f("ix_movementrecord_school_id"), table_name="movementrecord")
    op.drop_table("movementrecord")
    op.drop_index("ix_order_school_date", table_name="order")
    op.drop_index(op.f("ix_order_school_id"), table_name="order")
    op.drop_table("order")
