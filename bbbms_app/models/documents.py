"""The register of internal documents (issue 17 #5): orders, plans, the pedagogical council's
minutes, local acts, reports; their versions (files), named readers and acknowledgements.

A document is numbered per school × kind × year when the director approves it (a draft has no
number, so an abandoned draft leaves no gap). The director's orders of the movement book are not
copied here: the register's listing reads them from the `order` table (services/documents.py).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bbbms_app.models._base import ts_field

DOCUMENT_KINDS = ("order", "plan", "minutes", "local_act", "report", "other")
DOCUMENT_STATUSES = ("draft", "approved", "cancelled")


class Document(SQLModel, table=True):
    """One document of the register: its kind, number (once approved), date, title and who reads it."""

    __table_args__ = (
        CheckConstraint("kind IN ('order','plan','minutes','local_act','report','other')", name="kind"),
        CheckConstraint("status IN ('draft','approved','cancelled')", name="status"),
        CheckConstraint("status = 'draft' OR number IS NOT NULL", name="numbered"),
        CheckConstraint("retention_years BETWEEN 1 AND 100", name="retention"),
        UniqueConstraint("school_id", "kind", "year", "number"),
        Index("ix_document_list", "school_id", "doc_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    kind: str = Field(max_length=12)
    year: int  # the year of doc_date: numbers restart every year
    number: int | None = None  # given at approval
    doc_date: date
    title: str = Field(max_length=300)
    description: str = Field(default="", max_length=2000)
    search_key: str = Field(default="", max_length=2400)
    author_id: int = Field(foreign_key="user.id", index=True)
    author_name: str = Field(default="", max_length=200)
    status: str = Field(default="draft", max_length=10)
    # Who reads it besides its author and the director/deputy: staff of these roles (a comma list;
    # «teacher» covers class teachers) and the named users (DocumentReader). Neither: all staff.
    reader_roles: str = Field(default="", max_length=200)
    retention_years: int = 5
    approved_at: datetime | None = ts_field()
    approved_by: str = Field(default="", max_length=200)
    cancelled_at: datetime | None = ts_field()
    cancel_reason: str = Field(default="", max_length=500)
    created_at: datetime = ts_field(default_now=True)


class DocumentVersion(SQLModel, table=True):
    """One file of a document: a new file is a new version; the old ones are kept."""

    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    number: int
    file_name: str = Field(max_length=80)  # the private store's name (services/private_files)
    original_name: str = Field(default="", max_length=200)  # shown only, never a path
    sha256: str = Field(max_length=64)
    size: int
    content_type: str = Field(max_length=120)
    uploaded_by: str = Field(default="", max_length=200)
    uploaded_at: datetime = ts_field(default_now=True)


class DocumentReader(SQLModel, table=True):
    """A user named as a reader of a document."""

    __table_args__ = (UniqueConstraint("document_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)


class DocumentAck(SQLModel, table=True):
    """«Read and acknowledged»: this user acknowledged this document (at its version then) once."""

    __table_args__ = (UniqueConstraint("document_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    version_number: int = 0
    acked_at: datetime = ts_field(default_now=True)
