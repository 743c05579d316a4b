"""Shared column helpers for the tables: UTC timestamps, and the soft-delete and version columns
every entity of the engine carries (`SoftDelete`, `Versioned`)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

# Stable constraint names, so Alembic autogenerate and both databases agree on them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware now in UTC (every stored timestamp is UTC)."""
    return datetime.now(UTC)


def ts_field(*, nullable: bool = True, default_now: bool = False, index: bool = False):
    """A timezone-aware timestamp column."""
    if default_now:
        return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False, index=index)
    return Field(default=None, sa_type=DateTime(timezone=True), nullable=nullable, index=index)


class Versioned(SQLModel):
    """A version counter: every write compares the version the user saw and adds one."""

    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class SoftDelete(Versioned):
    """Soft delete with a reason (restorable; readers skip rows whose deleted_at is set) and a version."""

    deleted_at: datetime | None = ts_field()
    deleted_reason: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})
