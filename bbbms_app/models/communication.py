"""Communication: announcements to an audience of the school, and who has read them (issue 17)."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from bbbms_app.models._base import ts_field

# To whom an announcement goes: the whole school, one parallel (all 9th classes), one class, or
# one role (all teachers, all parents).
AUDIENCES = ("school", "grade", "class", "role")
# An announcement may also go to named people (AnnouncementRecipient); an event may not.
ANNOUNCEMENT_AUDIENCES = (*AUDIENCES, "people")
# Who among that audience reads it: everybody, its staff, its parents, its pupils, or its
# families (parents and pupils).
REACHES = ("all", "staff", "parents", "pupils", "families")
# The roles an announcement can be addressed to («teacher» reaches class teachers too).
AUDIENCE_ROLES = ("teacher", "class_teacher", "deputy", "clerk", "parent", "pupil")


class Announcement(SQLModel, table=True):
    """One announcement: plain text (never rendered as HTML or markdown), its audience and its dates."""

    __table_args__ = (
        CheckConstraint("audience IN ('school','grade','class','role','people')", name="audience"),
        CheckConstraint("reach IN ('all','staff','parents','pupils','families')", name="reach"),
        CheckConstraint("audience <> 'grade' OR grade BETWEEN 1 AND 12", name="grade"),
        CheckConstraint("audience <> 'class' OR class_id IS NOT NULL", name="class"),
        CheckConstraint("audience <> 'role' OR role <> ''", name="role"),
        CheckConstraint("expires_on IS NULL OR publish_on <= expires_on", name="dates"),
        Index("ix_announcement_feed", "school_id", "publish_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    author_id: int = Field(foreign_key="user.id", index=True)
    author_name: str = Field(default="", max_length=200)
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=4000)
    audience: str = Field(default="school", max_length=10)
    grade: int | None = None
    class_id: int | None = Field(default=None, foreign_key="schoolclass.id", index=True)
    role: str = Field(default="", max_length=16)
    reach: str = Field(default="all", max_length=10)
    pinned: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    publish_on: date
    expires_on: date | None = None
    created_at: datetime = ts_field(default_now=True)
    # Withdrawn by its author (or the director): kept for the record, shown to no recipient.
    withdrawn_at: datetime | None = ts_field()


class AnnouncementRead(SQLModel, table=True):
    """A read receipt: this user opened this announcement at this time (once)."""

    __table_args__ = (UniqueConstraint("announcement_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    read_at: datetime = ts_field(default_now=True)


class AnnouncementRecipient(SQLModel, table=True):
    """A person an announcement of the audience «people» is addressed to."""

    __table_args__ = (UniqueConstraint("announcement_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)


class AnnouncementAttachment(SQLModel, table=True):
    """A file attached to an announcement: stored privately (services/private_files, kind
    «documents»), downloaded by its recipients and its author through /private/announcement-file/{id}."""

    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    file_name: str = Field(max_length=80)
    original_name: str = Field(default="", max_length=200)
    sha256: str = Field(max_length=64)
    size: int
    content_type: str = Field(max_length=120)


class SchoolEvent(SQLModel, table=True):
    """An event of the school calendar (a parent meeting, an exam, an Olympiad, the last bell) for
    an audience like an announcement's; its day and times are the school's wall clock."""

    __table_args__ = (
        CheckConstraint("audience IN ('school','grade','class','role')", name="audience"),
        CheckConstraint("reach IN ('all','staff','parents','pupils','families')", name="reach"),
        CheckConstraint("audience <> 'grade' OR grade BETWEEN 1 AND 12", name="grade"),
        CheckConstraint("audience <> 'class' OR class_id IS NOT NULL", name="class"),
        CheckConstraint("audience <> 'role' OR role <> ''", name="role"),
        CheckConstraint("ends_at IS NULL OR starts_at IS NOT NULL", name="times"),
        Index("ix_schoolevent_day", "school_id", "on_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    author_id: int = Field(foreign_key="user.id", index=True)
    author_name: str = Field(default="", max_length=200)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    place: str = Field(default="", max_length=200)
    on_day: date
    starts_at: time | None = None  # none: an all-day event
    ends_at: time | None = None
    audience: str = Field(default="school", max_length=10)
    grade: int | None = None
    class_id: int | None = Field(default=None, foreign_key="schoolclass.id", index=True)
    role: str = Field(default="", max_length=16)
    reach: str = Field(default="all", max_length=10)
    created_at: datetime = ts_field(default_now=True)
    withdrawn_at: datetime | None = ts_field()  # cancelled: kept, shown to nobody, gone from the feeds


class CalendarFeed(SQLModel, table=True):
    """A user's secret iCalendar address: only the SHA-256 of its token is stored; a new address
    revokes the old one, and the user may revoke it without a new one."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = ts_field(default_now=True)
    revoked_at: datetime | None = ts_field()
