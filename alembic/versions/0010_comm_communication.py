"""comm: announcements and their read receipts, school events and personal calendar feeds (issue 17)

Revision ID: 0010_comm
Revises: 0009_reports
Create Date: 2026-12-02

announcement holds one announcement of a school: plain text, its audience (the school, a parallel,
a class, a role) and who among it reads it (all, staff, parents, pupils, families), pinned, the
publish and expiry dates, withdrawal. announcementread holds who opened it and when (once per user).
schoolevent holds an event of the school calendar (day, times, place, the same audience);
calendarfeed the SHA-256 of each user's secret iCalendar address and when it was revoked.
New tables only: nothing to rebuild on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0010_comm"
down_revision: str | None = "0009_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("audience", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reach", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("pinned", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("publish_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("audience <> 'class' OR class_id IS NOT NULL", name=op.f("ck_announcement_class")),
        sa.CheckConstraint("audience <> 'grade' OR grade BETWEEN 1 AND 12", name=op.f("ck_announcement_grade")),
        sa.CheckConstraint("audience <> 'role' OR role <> ''", name=op.f("ck_announcement_role")),
        sa.CheckConstraint("audience IN ('school','grade','class','role')", name=op.f("ck_announcement_audience")),
        sa.CheckConstraint(
            "reach IN ('all','staff','parents','pupils','families')", name=op.f("ck_announcement_reach")
        ),
        sa.CheckConstraint("expires_on IS NULL OR publish_on <= expires_on", name=op.f("ck_announcement_dates")),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_announcement_author_id_user")),
        sa.ForeignKeyConstraint(["class_id"], ["schoolclass.id"], name=op.f("fk_announcement_class_id_schoolclass")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_announcement_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement")),
    )
    with op.batch_alter_table("announcement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcement_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_announcement_class_id"), ["class_id"], unique=False)
        batch_op.create_index("ix_announcement_feed", ["school_id", "publish_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_announcement_school_id"), ["school_id"], unique=False)

    op.create_table(
        "announcementread",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"], ["announcement.id"], name=op.f("fk_announcementread_announcement_id_announcement")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_announcementread_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcementread")),
        sa.UniqueConstraint("announcement_id", "user_id", name=op.f("uq_announcementread_announcement_id_user_id")),
    )
    with op.batch_alter_table("announcementread", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcementread_announcement_id"), ["announcement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_announcementread_user_id"), ["user_id"], unique=False)
    op.create_table(
        "calendarfeed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_calendarfeed_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendarfeed")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendarfeed_token_hash")),
    )
    with op.batch_alter_table("calendarfeed", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendarfeed_user_id"), ["user_id"], unique=False)

    op.create_table(
        "schoolevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("on_day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=True),
        sa.Column("ends_at", sa.Time(), nullable=True),
        sa.Column("audience", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reach", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("audience <> 'class' OR class_id IS NOT NULL", name=op.f("ck_schoolevent_class")),
        sa.CheckConstraint("audience <> 'grade' OR grade BETWEEN 1 AND 12", name=op.f("ck_schoolevent_grade")),
        sa.CheckConstraint("audience <> 'role' OR role <> ''", name=op.f("ck_schoolevent_role")),
        sa.CheckConstraint("audience IN ('school','grade','class','role')", name=op.f("ck_schoolevent_audience")),
        sa.CheckConstraint("reach IN ('all','staff','parents','pupils','families')", name=op.f("ck_schoolevent_reach")),
        sa.CheckConstraint("ends_at IS NULL OR starts_at IS NOT NULL", name=op.f("ck_schoolevent_times")),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_schoolevent_author_id_user")),
        sa.ForeignKeyConstraint(["class_id"], ["schoolclass.id"], name=op.f("fk_schoolevent_class_id_schoolclass")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_schoolevent_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schoolevent")),
    )
    with op.batch_alter_table("schoolevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schoolevent_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_schoolevent_class_id"), ["class_id"], unique=False)
        batch_op.create_index("ix_schoolevent_day", ["school_id", "on_day"], unique=False)
        batch_op.create_index(batch_op.f("ix_schoolevent_school_id"), ["school_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("schoolevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schoolevent_school_id"))
        batch_op.drop_index("ix_schoolevent_day")
        batch_op.drop_index(batch_op.f("ix_schoolevent_class_id"))
        batch_op.drop_index(batch_op.f("ix_schoolevent_author_id"))

    op.drop_table("schoolevent")
    with op.batch_alter_table("calendarfeed", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendarfeed_user_id"))

    op.drop_table("calendarfeed")
    with op.batch_alter_table("announcementread", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcementread_user_id"))
        batch_op.drop_index(batch_op.f("ix_announcementread_announcement_id"))

    op.drop_table("announcementread")
    with op.batch_alter_table("announcement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcement_school_id"))
        batch_op.drop_index("ix_announcement_feed")
        batch_op.drop_index(batch_op.f("ix_announcement_class_id"))
        batch_op.drop_index(batch_op.f("ix_announcement_author_id"))

    op.drop_table("announcement")
