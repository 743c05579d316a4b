"""The director's changes to the role × permission matrix: RolePermission rows over the default.

No row means the default matrix of `services.access.DEFAULT_MATRIX`. A row with no school is a
district-wide change; a school's own row wins over it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from bbbms_app.models._base import ts_field


class RolePermission(SQLModel, table=True):
    """One permission granted to (or taken from) one role, in one school or district-wide."""

    __table_args__ = (
        CheckConstraint(
            "role IN ('administrator','director','deputy','teacher','class_teacher','clerk','parent','pupil')",
            name="role",
        ),
        # NULL never equals NULL in a unique constraint, so the district-wide rows get their own
        # partial unique index: one row per (school, role, permission) either way.
        Index(
            "uq_rolepermission_school",
            "school_id",
            "role",
            "permission",
            unique=True,
            sqlite_where=text("school_id IS NOT NULL"),
            postgresql_where=text("school_id IS NOT NULL"),
        ),
        Index(
            "uq_rolepermission_district",
            "role",
            "permission",
            unique=True,
            sqlite_where=text("school_id IS NULL"),
            postgresql_where=text("school_id IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int | None = Field(default=None, foreign_key="school.id")
    role: str = Field(max_length=16)
    permission: str = Field(max_length=40)
    granted: bool
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = ts_field(default_now=True)
