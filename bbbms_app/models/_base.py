"""Shared column helpers for the tables: UTC timestamps, soft-delete columns."""

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
