"""People the school keeps records on: Staff, Pupil, Guardian and the pupil–guardian link."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bbbms_app.models._base import SoftDelete
from bbbms_app.models.search_index import trigram_available

SEXES = ("m", "f")
RELATIONS = ("mother", "father", "grandmother", "grandfather", "guardian", "other")
POSITIONS = ("director", "deputy", "teacher", "clerk", "administrator", "psychologist", "librarian", "other")


class Staff(SoftDelete, table=True):
    """A member of staff: teachers, the director, deputies, the clerk."""

    __table_args__ = (Index("ix_staff_school_sort", "school_id", "sort_key"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    last_name: str = Field(max_length=80)
    first_name: str = Field(max_length=80)
    patronymic: str = Field(default="", max_length=80)
    position: str = Field(default="teacher", max_length=20)
    phone: str = Field(default="", max_length=30)
    email: str = Field(default="", max_length=120)
    # Beyond the legal minimum: saved only under an active consent (services.consent, GATED_FIELDS).
    address: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})
    # The name of a private file under data/private (never the public /_upload folder).
    photo: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    search_key: str = Field(default="", max_length=300)
    sort_key: str = Field(default="", max_length=600)


class Pupil(SoftDelete, table=True):
    """A pupil of the school, keyed by the 14-digit PIN within the school."""

    __table_args__ = (
        CheckConstraint("sex IN ('m','f')", name="pupil_sex"),
        Index("ix_pupil_school_sort", "school_id", "sort_key"),
        Index("ix_pupil_school_search", "school_id", "search_key"),
        # The admin lists: live pupils of a school in Kyrgyz order, and searched, from the index alone.
        Index("ix_pupil_live_sort", "school_id", "deleted_at", "sort_key"),
        Index("ix_pupil_live_search", "school_id", "deleted_at", "search_key", "sort_key"),
        # Keyset paging (migration 0002_speed): the next page seeks past the last (sort_key, id) of
        # a school's live pupils. Partial, so PostgreSQL reads it in order (it does not take
        # `deleted_at IS NULL` as fixing a column of the index, and sorted what it read).
        Index(
            "ix_pupil_live_seek",
            "school_id",
            "sort_key",
            "id",
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        # Substring search on PostgreSQL (pg_trgm); SQLite has an FTS5 table (models/search_index.py).
        Index(
            "ix_pupil_search_trgm",
            "search_key",
            postgresql_using="gin",
            postgresql_ops={"search_key": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql", callable_=trigram_available),
        # Unique per school, not in the whole database: in a district database a child who moved
        # from school A to school B has a record in each (docs/architecture.md, «Movement book»).
        UniqueConstraint("school_id", "pin"),
        # The alphabetic book's number is the personal-file number: one pupil each in a school
        # (services/alpha_book.py; migration 0007_movement numbered the pupils who had none).
        Index(
            "uq_pupil_alpha_book",
            "school_id",
            "alpha_book_no",
            unique=True,
            postgresql_where=text("alpha_book_no <> ''"),
            sqlite_where=text("alpha_book_no <> ''"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    pin: str | None = Field(default=None, max_length=14)
    last_name: str = Field(max_length=80)
    first_name: str = Field(max_length=80)
    patronymic: str = Field(default="", max_length=80)
    birth_date: date
    sex: str = Field(max_length=1)
    alpha_book_no: str = Field(default="", max_length=12)  # «В/13»: letter / number in the alphabetic book
    # Beyond the legal minimum: saved only under an active consent (services.consent, GATED_FIELDS).
    address: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})
    phone: str = Field(default="", max_length=30, sa_column_kwargs={"server_default": ""})
    # The name of a private file under data/private (never the public /_upload folder).
    photo: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    health_notes: str = Field(default="", max_length=1000, sa_column_kwargs={"server_default": ""})
    search_key: str = Field(default="", max_length=300)
    sort_key: str = Field(default="", max_length=600)


class Guardian(SoftDelete, table=True):
    """A parent or legal representative."""

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    last_name: str = Field(max_length=80)
    first_name: str = Field(max_length=80)
    patronymic: str = Field(default="", max_length=80)
    pin: str | None = Field(default=None, max_length=14)
    phone: str = Field(default="", max_length=30)
    # Beyond the legal minimum: saved only under an active consent (services.consent, GATED_FIELDS).
    address: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})
    # The name of a private file under data/private (never the public /_upload folder).
    photo: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    search_key: str = Field(default="", max_length=300)
    sort_key: str = Field(default="", max_length=600)


class PupilGuardian(SQLModel, table=True):
    """Links a pupil to a guardian with the relation (mother, father, …)."""

    __table_args__ = (
        UniqueConstraint("pupil_id", "guardian_id"),
        CheckConstraint(
            "relation IN ('mother','father','grandmother','grandfather','guardian','other')", name="pg_relation"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    pupil_id: int = Field(foreign_key="pupil.id", index=True)
    guardian_id: int = Field(foreign_key="guardian.id", index=True)
    relation: str = Field(default="mother", max_length=12)
    is_primary: bool = Field(default=False)
