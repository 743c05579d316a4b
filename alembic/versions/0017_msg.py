"""msg: messages and free notifications (issue 17 #2, #3)

Revision ID: 0017_msg
Revises: 0016_quiz
Create Date: 2026-12-02

conversation (one to one, or a class teacher's group to his class's parents), conversationmember
(who is in it and the newest message he has read), message (plain text, one private attachment,
never edited); diaryack (a parent's weekly «I have seen the diary»); notifysettings (a person's
channels, subscriptions, digest, quiet hours, office hours); journalevent (the journal's outbox of saved marks and absences), notification (the in-app
list, one per person and event) and delivery (one per channel and notification or digest).
New tables only: nothing to rebuild on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0017_msg"
down_revision: str | None = "0016_quiz"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("started_by", sa.Integer(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind <> 'class' OR class_id IS NOT NULL", name=op.f("ck_conversation_class")),
        sa.CheckConstraint("kind IN ('direct','class')", name=op.f("ck_conversation_kind")),
        sa.ForeignKeyConstraint(["class_id"], ["schoolclass.id"], name=op.f("fk_conversation_class_id_schoolclass")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_conversation_school_id_school")),
        sa.ForeignKeyConstraint(["started_by"], ["user.id"], name=op.f("fk_conversation_started_by_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation")),
    )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversation_school_id"), ["school_id"], unique=False)

    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tried_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("channel IN ('email','telegram')", name=op.f("ck_delivery_channel")),
        sa.CheckConstraint("status IN ('pending','sending','sent','failed')", name=op.f("ck_delivery_status")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_delivery_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint("key", name=op.f("uq_delivery_key")),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.create_index("ix_delivery_open", ["status", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_delivery_user_id"), ["user_id"], unique=False)

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("payload", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_notification_school_id_school")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_notification_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_notification_user_id_key")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index("ix_notification_pending", ["handed_at", "id"], unique=False)
        batch_op.create_index("ix_notification_unread", ["user_id", "read_at"], unique=False)

    op.create_table(
        "notifysettings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("email_on", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("telegram_on", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("telegram_chat_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("telegram_code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("telegram_code_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("absence", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("marks", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("quarter", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("homework", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("announcements", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("messages", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("quiet_from", sa.Time(), nullable=True),
        sa.Column("quiet_to", sa.Time(), nullable=True),
        sa.Column("office_hours", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.CheckConstraint("digest IN ('off','daily','weekly')", name=op.f("ck_notifysettings_digest")),
        sa.CheckConstraint("marks IN ('off','all','low')", name=op.f("ck_notifysettings_marks")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_notifysettings_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifysettings")),
        sa.UniqueConstraint("user_id", name=op.f("uq_notifysettings_user_id")),
    )
    with op.batch_alter_table("notifysettings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifysettings_telegram_code_hash"), ["telegram_code_hash"], unique=False)

    op.create_table(
        "conversationmember",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("last_read_id", sa.Integer(), server_default="0", nullable=False),
        sa.Column("can_write", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversation.id"], name=op.f("fk_conversationmember_conversation_id_conversation")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_conversationmember_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversationmember")),
        sa.UniqueConstraint("conversation_id", "user_id", name=op.f("uq_conversationmember_conversation_id_user_id")),
    )
    with op.batch_alter_table("conversationmember", schema=None) as batch_op:
        batch_op.create_index("ix_conversationmember_user", ["user_id", "conversation_id"], unique=False)

    op.create_table(
        "journalevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("what", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["lesson_id"], ["lesson.id"], name=op.f("fk_journalevent_lesson_id_lesson")),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"], name=op.f("fk_journalevent_subject_id_subject")),
        sa.ForeignKeyConstraint(["pupil_id"], ["pupil.id"], name=op.f("fk_journalevent_pupil_id_pupil")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_journalevent_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journalevent")),
    )
    with op.batch_alter_table("journalevent", schema=None) as batch_op:
        batch_op.create_index("ix_journalevent_pending", ["done_at", "id"], unique=False)

    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("file_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("file_type", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("file_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_message_author_id_user")),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversation.id"], name=op.f("fk_message_conversation_id_conversation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_message_conversation", ["conversation_id", "id"], unique=False)


    op.create_table(
        "diaryack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pupil_id"], ["pupil.id"], name=op.f("fk_diaryack_pupil_id_pupil")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_diaryack_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diaryack")),
        sa.UniqueConstraint("pupil_id", "week", "user_id", name=op.f("uq_diaryack_pupil_id_week_user_id")),
    )
    with op.batch_alter_table("diaryack", schema=None) as batch_op:
        batch_op.create_index("ix_diaryack_week", ["week", "pupil_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("diaryack", schema=None) as batch_op:
        batch_op.drop_index("ix_diaryack_week")

    op.drop_table("diaryack")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_conversation")
        batch_op.drop_index(batch_op.f("ix_message_author_id"))

    op.drop_table("message")
    with op.batch_alter_table("journalevent", schema=None) as batch_op:
        batch_op.drop_index("ix_journalevent_pending")

    op.drop_table("journalevent")
    with op.batch_alter_table("conversationmember", schema=None) as batch_op:
        batch_op.drop_index("ix_conversationmember_user")

    op.drop_table("conversationmember")
    with op.batch_alter_table("notifysettings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifysettings_telegram_code_hash"))

    op.drop_table("notifysettings")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_unread")
        batch_op.drop_index("ix_notification_pending")

    op.drop_table("notification")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_user_id"))
        batch_op.drop_index("ix_delivery_open")

    op.drop_table("delivery")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_school_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_class_id"))

    op.drop_table("conversation")
