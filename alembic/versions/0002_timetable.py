"""timetable: bell schedule, weekly timetable slots, holidays

Revision ID: 0002_timetable
Revises: 0001
Create Date: 2026-11-25

New tables only (bellschedule, timetableslot, holiday); no table of 0001 changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0002_timetable"
down_revision: str | None = "0002_subgroups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bellschedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("shift", sa.Integer(), nullable=False),
        sa.Column("grade_from", sa.Integer(), nullable=False),
        sa.Column("grade_to", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("ends_at", sa.Time(), nullable=False),
        sa.CheckConstraint(
            "grade_from BETWEEN 1 AND 12 AND grade_to BETWEEN grade_from AND 12",
            name=op.f("ck_bellschedule_bell_grades"),
        ),
        sa.CheckConstraint("number BETWEEN 0 AND 12", name=op.f("ck_bellschedule_bell_number")),
        sa.CheckConstraint("shift IN (1, 2, 3)", name=op.f("ck_bellschedule_bell_shift")),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_bellschedule_bell_times")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_bellschedule_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bellschedule")),
        sa.UniqueConstraint(
            "school_id", "shift", "grade_from", "number", name=op.f("uq_bellschedule_school_id_shift_grade_from_number")
        ),
    )
    with op.batch_alter_table("bellschedule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bellschedule_school_id"), ["school_id"], unique=False)

    op.create_table(
        "holiday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("academic_year_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("name_ky", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("name_ru", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("grade_from", sa.Integer(), nullable=True),
        sa.Column("grade_to", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('vacation','holiday')", name=op.f("ck_holiday_holiday_kind")),
        sa.CheckConstraint(
            "(grade_from IS NULL AND grade_to IS NULL)"
            " OR (grade_from BETWEEN 1 AND 12 AND grade_to BETWEEN grade_from AND 12)",
            name=op.f("ck_holiday_holiday_grades"),
        ),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_holiday_holiday_dates")),
        sa.ForeignKeyConstraint(
            ["academic_year_id"], ["academicyear.id"], name=op.f("fk_holiday_academic_year_id_academicyear")
        ),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_holiday_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday")),
    )
    with op.batch_alter_table("holiday", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_holiday_academic_year_id"), ["academic_year_id"], unique=False)
        batch_op.create_index("ix_holiday_school_dates", ["school_id", "starts_on"], unique=False)

    op.create_table(
        "timetableslot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("subgroup", sa.Integer(), nullable=False),
        sa.Column("room", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.CheckConstraint("number BETWEEN 0 AND 12", name=op.f("ck_timetableslot_slot_number")),
        sa.CheckConstraint("subgroup BETWEEN 0 AND 3", name=op.f("ck_timetableslot_slot_subgroup")),
        sa.CheckConstraint("valid_from <= valid_to", name=op.f("ck_timetableslot_slot_dates")),
        sa.CheckConstraint("weekday BETWEEN 1 AND 5", name=op.f("ck_timetableslot_slot_weekday")),
        sa.ForeignKeyConstraint(["class_id"], ["schoolclass.id"], name=op.f("fk_timetableslot_class_id_schoolclass")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_timetableslot_school_id_school")),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"], name=op.f("fk_timetableslot_subject_id_subject")),
        sa.ForeignKeyConstraint(["teacher_id"], ["staff.id"], name=op.f("fk_timetableslot_teacher_id_staff")),
        sa.ForeignKeyConstraint(["term_id"], ["term.id"], name=op.f("fk_timetableslot_term_id_term")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timetableslot")),
        sa.UniqueConstraint(
            "class_id",
            "weekday",
            "number",
            "subgroup",
            "valid_from",
            name=op.f("uq_timetableslot_class_id_weekday_number_subgroup_valid_from"),
        ),
    )
    with op.batch_alter_table("timetableslot", schema=None) as batch_op:
        batch_op.create_index("ix_slot_teacher_day", ["teacher_id", "weekday"], unique=False)
        batch_op.create_index("ix_slot_term_class", ["term_id", "class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_timetableslot_school_id"), ["school_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("timetableslot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timetableslot_school_id"))
        batch_op.drop_index("ix_slot_term_class")
        batch_op.drop_index("ix_slot_teacher_day")
    op.drop_table("timetableslot")
    with op.batch_alter_table("holiday", schema=None) as batch_op:
        batch_op.drop_index("ix_holiday_school_dates")
        batch_op.drop_index(batch_op.f("ix_holiday_academic_year_id"))
    op.drop_table("holiday")
    with op.batch_alter_table("bellschedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bellschedule_school_id"))
    op.drop_table("bellschedule")
