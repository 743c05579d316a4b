"""Messages between people of a school, and free notifications by the channel each person chooses
(issue 17 #2, #3).

A conversation is either one to one (`direct`) or a class teacher's group to his class's parents
(`class`); who is in it is `ConversationMember`, whose `last_read_id` is the newest message he has
seen (the unread count is one indexed count). A message is never edited: it is followed up.

Notifications: the journal's save path writes one `JournalEvent` row (the outbox) in its own
transaction; the job fans each event out into `Notification` rows (the in-app list, one per person
and event, never twice: unique `(user_id, key)`) and delivers them by e-mail or Telegram as
`Delivery` rows (one per channel and notification or digest, never twice: unique `key`).
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, false, true
from sqlmodel import Field, SQLModel

from bbbms_app.models._base import ts_field

CONVERSATION_KINDS = ("direct", "class")
DIGESTS = ("off", "daily", "weekly")
MARK_SUBSCRIPTIONS = ("off", "all", "low")  # low: only a 2 or «н/а»
CHANNELS = ("email", "telegram")


class Conversation(SQLModel, table=True):
    """A conversation of one school: one to one, or a class teacher's group to his class's parents."""

    __table_args__ = (
        CheckConstraint("kind IN ('direct','class')", name="kind"),
        CheckConstraint("kind <> 'class' OR class_id IS NOT NULL", name="class"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    kind: str = Field(default="direct", max_length=10)
    class_id: int | None = Field(default=None, foreign_key="schoolclass.id", index=True)
    started_by: int = Field(foreign_key="user.id")
    subject: str = Field(default="", max_length=200)
    created_at: datetime = ts_field(default_now=True)
    last_message_at: datetime = ts_field(default_now=True)


class ConversationMember(SQLModel, table=True):
    """A person in a conversation; `last_read_id` is the newest message of it he has seen."""

    __table_args__ = (
        UniqueConstraint("conversation_id", "user_id"),
        Index("ix_conversationmember_user", "user_id", "conversation_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id")
    user_id: int = Field(foreign_key="user.id")
    last_read_id: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # A member of a class group who only reads (the parents); the class teacher writes.
    can_write: bool = Field(default=True, sa_column_kwargs={"server_default": true()})


class Message(SQLModel, table=True):
    """One message: plain text and at most one private attachment; never edited after it is sent."""

    __table_args__ = (Index("ix_message_conversation", "conversation_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id")
    author_id: int = Field(foreign_key="user.id", index=True)
    author_name: str = Field(default="", max_length=200)
    body: str = Field(default="", max_length=4000)
    file_name: str = Field(default="", max_length=120)  # the private file's stored name
    file_sha256: str = Field(default="", max_length=64)
    file_type: str = Field(default="", max_length=120)
    file_label: str = Field(default="", max_length=200)  # the name it had on the sender's device
    created_at: datetime = ts_field(default_now=True)


class NotifySettings(SQLModel, table=True):
    """One person's notification choices: channels, subscriptions, digest, quiet hours, office hours."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True)
    email: str = Field(default="", max_length=200)
    email_on: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    telegram_on: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    telegram_chat_id: str = Field(default="", max_length=40)
    telegram_code_hash: str = Field(default="", max_length=64, index=True)
    telegram_code_until: datetime | None = ts_field()
    absence: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    marks: str = Field(default="all", max_length=4)
    quarter: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    homework: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    announcements: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    messages: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    digest: str = Field(default="off", max_length=6)
    quiet_from: time | None = None
    quiet_to: time | None = None
    office_hours: str = Field(default="", max_length=300)  # a teacher's note shown to parents
    __table_args__ = (
        CheckConstraint("marks IN ('off','all','low')", name="marks"),
        CheckConstraint("digest IN ('off','daily','weekly')", name="digest"),
    )


class JournalEvent(SQLModel, table=True):
    """The journal's outbox: a mark or an attendance code saved, written in the save's own
    transaction; the notification job fans it out to the pupil's subscribed family and sets done_at."""

    __table_args__ = (Index("ix_journalevent_pending", "done_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id")
    pupil_id: int = Field(foreign_key="pupil.id")
    lesson_id: int | None = Field(default=None, foreign_key="lesson.id")  # none for a quarter mark
    subject_id: int | None = Field(default=None, foreign_key="subject.id")  # a quarter mark's
    what: str = Field(max_length=12)  # mark, attendance, quarter, half_year
    value: str = Field(default="", max_length=12)
    created_at: datetime = ts_field(default_now=True)
    done_at: datetime | None = ts_field()


class Notification(SQLModel, table=True):
    """One item of a person's in-app notification list (the outbox of his channels); one per
    person and event (`key`), so an event fanned out again adds nothing."""

    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_notification_unread", "user_id", "read_at"),
        Index("ix_notification_pending", "handed_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    school_id: int | None = Field(default=None, foreign_key="school.id")
    kind: str = Field(max_length=16)  # absence, late, mark, quarter, homework, announcement, message
    key: str = Field(max_length=80)
    payload: str = Field(default="{}", max_length=4000)  # JSON: what the text is made of
    created_at: datetime = ts_field(default_now=True)
    read_at: datetime | None = ts_field()
    # When it was handed to the person's channels (single or in a digest); none yet: pending.
    handed_at: datetime | None = ts_field()


class Delivery(SQLModel, table=True):
    """One delivery by one channel (one notification, or one digest of many); `key` makes it
    happen once whatever the job's retries; each attempt's outcome is kept."""

    __table_args__ = (
        CheckConstraint("channel IN ('email','telegram')", name="channel"),
        CheckConstraint("status IN ('pending','sending','sent','failed')", name="status"),
        Index("ix_delivery_open", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    channel: str = Field(max_length=10)
    key: str = Field(max_length=120, unique=True)
    subject: str = Field(default="", max_length=200)
    body: str = Field(default="", max_length=20000)
    status: str = Field(default="pending", max_length=8)
    attempts: int = Field(default=0)
    error: str = Field(default="", max_length=400)
    created_at: datetime = ts_field(default_now=True)
    tried_at: datetime | None = ts_field()  # the last attempt began (a «sending» left over is never resent)
    sent_at: datetime | None = ts_field()


class DiaryAck(SQLModel, table=True):
    """A parent's weekly «I have seen the diary» for one child (the week is its Monday), once."""

    __table_args__ = (
        UniqueConstraint("pupil_id", "week", "user_id"),
        Index("ix_diaryack_week", "week", "pupil_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pupil_id: int = Field(foreign_key="pupil.id")
    user_id: int = Field(foreign_key="user.id")
    week: date
    acked_at: datetime = ts_field(default_now=True)
