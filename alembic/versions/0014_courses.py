"""courses: distance-learning courses, their modules, materials, assignments and hand-ins (issue 18)

Revision ID: 0014_courses
Revises: 0013_register
Create Date: 2026-12-02

course (a teacher's course of a subject for one or several parallel classes of a year, linked by
courseclass), coursemodule (a week or topic, published on a date), coursematerial (text, a private
file, a link or a video link), assignment (due time, the journal's mark kind, closed) and
submission / submissionfile (a pupil's hand-in; its mark is the journal cell on submission.lesson_id,
never a copy). New tables only: nothing to rebuild on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0014_courses"
down_revision: str | None = "0013_register"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "course",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sqlmodel.sql.sqltypes.AutoString(length=300), server_default="", nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("academic_year_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("copied_from_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["academic_year_id"], ["academicyear.id"], name=op.f("fk_course_academic_year_id_academicyear")
        ),
        sa.ForeignKeyConstraint(["copied_from_id"], ["course.id"], name=op.f("fk_course_copied_from_id_course")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_course_school_id_school")),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"], name=op.f("fk_course_subject_id_subject")),
        sa.ForeignKeyConstraint(["teacher_id"], ["staff.id"], name=op.f("fk_course_teacher_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course")),
    )
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_academic_year_id"), ["academic_year_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_school_id"), ["school_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_subject_id"), ["subject_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_teacher_id"), ["teacher_id"], unique=False)

    op.create_table(
        "courseclass",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["class_id"], ["schoolclass.id"], name=op.f("fk_courseclass_class_id_schoolclass")),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_courseclass_course_id_course")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courseclass")),
        sa.UniqueConstraint("course_id", "class_id", name=op.f("uq_courseclass_course_id_class_id")),
    )
    with op.batch_alter_table("courseclass", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_courseclass_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_courseclass_course_id"), ["course_id"], unique=False)

    op.create_table(
        "coursemodule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("publish_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_coursemodule_course_id_course")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coursemodule")),
    )
    with op.batch_alter_table("coursemodule", schema=None) as batch_op:
        batch_op.create_index("ix_coursemodule_course_position", ["course_id", "position"], unique=False)

    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("instructions", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mark_kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("closed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("mark_kind IN ('home','test','class','control')", name=op.f("ck_assignment_mark_kind")),
        sa.ForeignKeyConstraint(["module_id"], ["coursemodule.id"], name=op.f("fk_assignment_module_id_coursemodule")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_module_id"), ["module_id"], unique=False)

    op.create_table(
        "coursematerial",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=8000), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("file_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("file_type", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("file_size", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind <> 'file' OR file_name <> ''", name=op.f("ck_coursematerial_file")),
        sa.CheckConstraint("kind IN ('text','file','link','video')", name=op.f("ck_coursematerial_kind")),
        sa.CheckConstraint("kind NOT IN ('link','video') OR url <> ''", name=op.f("ck_coursematerial_url")),
        sa.ForeignKeyConstraint(
            ["module_id"], ["coursemodule.id"], name=op.f("fk_coursematerial_module_id_coursemodule")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coursematerial")),
    )
    with op.batch_alter_table("coursematerial", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coursematerial_module_id"), ["module_id"], unique=False)

    op.create_table(
        "submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=8000), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("late", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("teacher_comment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("status IN ('submitted','marked')", name=op.f("ck_submission_status")),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignment.id"], name=op.f("fk_submission_assignment_id_assignment")
        ),
        sa.ForeignKeyConstraint(["lesson_id"], ["lesson.id"], name=op.f("fk_submission_lesson_id_lesson")),
        sa.ForeignKeyConstraint(["pupil_id"], ["pupil.id"], name=op.f("fk_submission_pupil_id_pupil")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission")),
        sa.UniqueConstraint("assignment_id", "pupil_id", name=op.f("uq_submission_assignment_id_pupil_id")),
    )
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_submission_pupil_id"), ["pupil_id"], unique=False)

    op.create_table(
        "submissionfile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("file_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("file_type", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("file_size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submission.id"], name=op.f("fk_submissionfile_submission_id_submission")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissionfile")),
    )
    with op.batch_alter_table("submissionfile", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submissionfile_submission_id"), ["submission_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("submissionfile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissionfile_submission_id"))

    op.drop_table("submissionfile")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_pupil_id"))
        batch_op.drop_index(batch_op.f("ix_submission_assignment_id"))

    op.drop_table("submission")
    with op.batch_alter_table("coursematerial", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coursematerial_module_id"))

    op.drop_table("coursematerial")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_module_id"))

    op.drop_table("assignment")
    with op.batch_alter_table("coursemodule", schema=None) as batch_op:
        batch_op.drop_index("ix_coursemodule_course_position")

    op.drop_table("coursemodule")
    with op.batch_alter_table("courseclass", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_courseclass_course_id"))
        batch_op.drop_index(batch_op.f("ix_courseclass_class_id"))

    op.drop_table("courseclass")
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_teacher_id"))
        batch_op.drop_index(batch_op.f("ix_course_subject_id"))
        batch_op.drop_index(batch_op.f("ix_course_school_id"))
        batch_op.drop_index(batch_op.f("ix_course_academic_year_id"))

    op.drop_table("course")
