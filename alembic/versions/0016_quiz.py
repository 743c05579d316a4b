"""quiz: the question bank, tests given to classes, pupils' attempts and answers (issue 18 #3)

Revision ID: 0016_quiz
Revises: 0015_portfolio
Create Date: 2026-12-02

quizquestion holds a subject's bank (school-wide): kind, texts in Kyrgyz and Russian, options and
key as JSON, points, an optional private image. quiz holds a test (chosen questions or N of a
topic, time limit, attempts, window, mark kind; course_id the course it belongs to), quizclass
the classes it is given to and each one's journal lesson, quizattempt a pupil's attempt (seed,
drawn layout, server deadline, score, confirmation), quizanswer his answers with their points.
New tables only: nothing to rebuild on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0016_quiz"
down_revision: str | None = "0015_portfolio"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quiz",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sqlmodel.sql.sqltypes.AutoString(length=300), server_default="", nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("question_ids", sa.Text(), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("draw_count", sa.Integer(), nullable=False),
        sa.Column("time_limit_min", sa.Integer(), nullable=False),
        sa.Column("attempts_allowed", sa.Integer(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mark_kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("mark_kind IN ('class','home','test','control')", name=op.f("ck_quiz_mark_kind")),
        sa.CheckConstraint("attempts_allowed BETWEEN 1 AND 10", name=op.f("ck_quiz_attempts")),
        sa.CheckConstraint("opens_at < closes_at", name=op.f("ck_quiz_window")),
        sa.CheckConstraint("time_limit_min BETWEEN 1 AND 300", name=op.f("ck_quiz_time_limit")),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_quiz_author_id_user")),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_quiz_course_id_course")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_quiz_school_id_school")),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"], name=op.f("fk_quiz_subject_id_subject")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz")),
    )
    with op.batch_alter_table("quiz", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quiz_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quiz_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quiz_school_id"), ["school_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quiz_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "quizquestion",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sqlmodel.sql.sqltypes.AutoString(length=300), server_default="", nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("text_ky", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("text_ru", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("options_json", sa.Text(), nullable=False),
        sa.Column("key_json", sa.Text(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("image", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("image_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('single','multi','text','number','match','order')", name=op.f("ck_quizquestion_kind")
        ),
        sa.CheckConstraint("points BETWEEN 1 AND 100", name=op.f("ck_quizquestion_points")),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_quizquestion_author_id_user")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_quizquestion_school_id_school")),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"], name=op.f("fk_quizquestion_subject_id_subject")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quizquestion")),
    )
    with op.batch_alter_table("quizquestion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quizquestion_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_quizquestion_bank", ["school_id", "subject_id", "topic"], unique=False)
        batch_op.create_index(batch_op.f("ix_quizquestion_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "quizattempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("layout_json", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("max_score", sa.Float(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("number >= 1", name=op.f("ck_quizattempt_number")),
        sa.ForeignKeyConstraint(["class_id"], ["schoolclass.id"], name=op.f("fk_quizattempt_class_id_schoolclass")),
        sa.ForeignKeyConstraint(["confirmed_by"], ["user.id"], name=op.f("fk_quizattempt_confirmed_by_user")),
        sa.ForeignKeyConstraint(["pupil_id"], ["pupil.id"], name=op.f("fk_quizattempt_pupil_id_pupil")),
        sa.ForeignKeyConstraint(["quiz_id"], ["quiz.id"], name=op.f("fk_quizattempt_quiz_id_quiz")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_quizattempt_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quizattempt")),
        sa.UniqueConstraint("quiz_id", "pupil_id", "number", name=op.f("uq_quizattempt_quiz_id_pupil_id_number")),
    )
    with op.batch_alter_table("quizattempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quizattempt_pupil_id"), ["pupil_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quizattempt_quiz_id"), ["quiz_id"], unique=False)

    op.create_table(
        "quizclass",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["class_id"], ["schoolclass.id"], name=op.f("fk_quizclass_class_id_schoolclass")),
        sa.ForeignKeyConstraint(["lesson_id"], ["lesson.id"], name=op.f("fk_quizclass_lesson_id_lesson")),
        sa.ForeignKeyConstraint(["quiz_id"], ["quiz.id"], name=op.f("fk_quizclass_quiz_id_quiz")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quizclass")),
        sa.UniqueConstraint("quiz_id", "class_id", name=op.f("uq_quizclass_quiz_id_class_id")),
    )
    with op.batch_alter_table("quizclass", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quizclass_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quizclass_quiz_id"), ["quiz_id"], unique=False)

    op.create_table(
        "quizanswer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("response_json", sa.Text(), nullable=False),
        sa.Column("auto_points", sa.Float(), nullable=True),
        sa.Column("override_points", sa.Float(), nullable=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["quizattempt.id"], name=op.f("fk_quizanswer_attempt_id_quizattempt")),
        sa.ForeignKeyConstraint(
            ["question_id"], ["quizquestion.id"], name=op.f("fk_quizanswer_question_id_quizquestion")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quizanswer")),
        sa.UniqueConstraint("attempt_id", "question_id", name=op.f("uq_quizanswer_attempt_id_question_id")),
    )
    with op.batch_alter_table("quizanswer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quizanswer_attempt_id"), ["attempt_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quizanswer_question_id"), ["question_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("quizanswer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quizanswer_question_id"))
        batch_op.drop_index(batch_op.f("ix_quizanswer_attempt_id"))

    op.drop_table("quizanswer")
    with op.batch_alter_table("quizclass", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quizclass_quiz_id"))
        batch_op.drop_index(batch_op.f("ix_quizclass_class_id"))

    op.drop_table("quizclass")
    with op.batch_alter_table("quizattempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quizattempt_quiz_id"))
        batch_op.drop_index(batch_op.f("ix_quizattempt_pupil_id"))

    op.drop_table("quizattempt")
    with op.batch_alter_table("quizquestion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quizquestion_subject_id"))
        batch_op.drop_index("ix_quizquestion_bank")
        batch_op.drop_index(batch_op.f("ix_quizquestion_author_id"))

    op.drop_table("quizquestion")
    with op.batch_alter_table("quiz", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quiz_subject_id"))
        batch_op.drop_index(batch_op.f("ix_quiz_school_id"))
        batch_op.drop_index(batch_op.f("ix_quiz_author_id"))

    op.drop_table("quiz")
