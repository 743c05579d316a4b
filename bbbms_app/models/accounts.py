"""Who may sign in and what they did: User, LoginSession, AuditEvent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from bbbms_app.models._base import Versioned, ts_field

ROLES = (
    "administrator",
    "director",
    "deputy",
    "teacher",
    "class_teacher",
    "clerk",
    "parent",
    "pupil",
)
UI_LANGUAGES = ("ky", "ru", "en")


class User(Versioned, table=True):
    """An account; linked to the Staff, Pupil or Guardian it speaks for."""

    __table_args__ = (
        CheckConstraint(
            "role IN ('administrator','director','deputy','teacher','class_teacher','clerk','parent','pupil')",
            name="user_role",
        ),
        CheckConstraint("language IN ('ky','ru','en')", name="user_language"),
        UniqueConstraint("oidc_issuer", "oidc_subject"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int | None = Field(default=None, foreign_key="school.id", index=True)
    username: str = Field(max_length=80, unique=True)
    password_hash: str = Field(default="", max_length=200)
    role: str = Field(max_length=16)
    full_name: str = Field(default="", max_length=200)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    pupil_id: int | None = Field(default=None, foreign_key="pupil.id", index=True)
    guardian_id: int | None = Field(default=None, foreign_key="guardian.id", index=True)
    language: str = Field(default="ky", max_length=2)
    is_active: bool = Field(default=True)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = ts_field()
    last_login_at: datetime | None = ts_field()
    password_changed_at: datetime | None = ts_field()
    # Set when someone else chose the password (an import's credential slip, an administrator's
    # reset): until the user sets his own, every event but changing it and signing out is refused.
    must_change_password: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    oidc_issuer: str | None = Field(default=None, max_length=300)
    oidc_subject: str | None = Field(default=None, max_length=300)
    created_at: datetime = ts_field(default_now=True)
    # Case-folded username + name (SQLite folds no Cyrillic case) and the optimistic-lock version.
    search_key: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})


class LoginSession(SQLModel, table=True):
    """A signed-in browser; only the SHA-256 of its token is stored."""

    __table_args__ = (Index("ix_loginsession_user", "user_id", "revoked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = ts_field(default_now=True)
    last_seen_at: datetime = ts_field(default_now=True)
    expires_at: datetime = ts_field(default_now=True)
    revoked_at: datetime | None = ts_field()
    user_agent: str = Field(default="", max_length=300)


class AuditEvent(SQLModel, table=True):
    """Append-only record of a write or a refusal: who, role, when, what changed and why."""

    __table_args__ = (
        Index("ix_audit_entity", "entity", "entity_id"),
        Index("ix_audit_user_at", "user_id", "at"),
        Index("ix_audit_pupil", "pupil_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = ts_field(default_now=True, index=True)
    user_id: int | None = Field(default=None)
    username: str = Field(default="", max_length=80)
    role: str = Field(default="", max_length=16)
    school_id: int | None = Field(default=None)
    action: str = Field(max_length=20)  # create, update, delete, restore, login, logout, denied, export …
    entity: str = Field(default="", max_length=40)
    entity_id: int | None = None
    field: str = Field(default="", max_length=60)
    old_value: str = Field(default="", max_length=2000)
    new_value: str = Field(default="", max_length=2000)
    reason: str = Field(default="", max_length=500)
    pupil_id: int | None = None
    # The id of the websocket event (or request) that wrote the row: the same id is in the log line
    # and in the generic error message the user sees, so a report can be traced (issue 10).
    request_id: str = Field(default="", max_length=16, sa_column_kwargs={"server_default": ""})


class AccountRequest(SQLModel, table=True):
    """A change to an account that waits for the director: linking it to a person, a deputy-level
    role, or a new password for an account at or above the requester's own role (issue 10 #1).

    The change is held here, never half applied: `field` and `value` name it (a password is held
    only as its argon2 hash). The director confirms or rejects it; both names stay on the row and
    in the audit trail.
    """

    __table_args__ = (
        CheckConstraint("kind IN ('link','role','password')", name="kind"),
        CheckConstraint("status IN ('pending','approved','rejected')", name="status"),
        Index("ix_accountrequest_status", "school_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int | None = Field(default=None, foreign_key="school.id")
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=16)
    field: str = Field(default="", max_length=20)  # staff_id, pupil_id, guardian_id, role
    value: str = Field(default="", max_length=40)
    password_hash: str = Field(default="", max_length=200)
    status: str = Field(default="pending", max_length=10)
    requested_by: int | None = Field(default=None)
    requested_by_name: str = Field(default="", max_length=200)
    requested_at: datetime = ts_field(default_now=True)
    decided_by: int | None = Field(default=None)
    decided_by_name: str = Field(default="", max_length=200)
    decided_at: datetime | None = ts_field()
