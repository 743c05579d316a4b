"""Consent to the processing of personal data (Law No. 58, Regulation No. 759): who agreed, to what, the signed scan."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from bbbms_app.models._base import ts_field

SUBJECT_TYPES = ("pupil", "guardian", "staff")

# The categories of personal data a consent can cover (labels in the catalog as consent.category.<code>).
# identity and education are processed by a school under the education law anyway; they are listed so
# that a signed form that names them is recorded faithfully.
CONSENT_CATEGORIES = ("identity", "contacts", "address", "photo", "health", "education")

# Personal fields beyond the legal minimum, per table, and the category a consent must cover to store them.
GATED_FIELDS: dict[str, dict[str, str]] = {
    "pupil": {"address": "address", "phone": "contacts", "photo": "photo", "health_notes": "health"},
    "guardian": {"address": "address", "phone": "contacts", "photo": "photo"},
    "staff": {"address": "address", "phone": "contacts", "photo": "photo"},
}


class Consent(SQLModel, table=True):
    """One signed consent form: the subject, who signed it, the categories covered, dates, scan, withdrawal."""

    __table_args__ = (
        Index("ix_consent_subject", "school_id", "subject_type", "subject_id"),
        CheckConstraint("subject_type IN ('pupil','guardian','staff')", name="consent_subject_type"),
        CheckConstraint("valid_until IS NULL OR given_on <= valid_until", name="consent_dates"),
        CheckConstraint("withdrawn_on IS NULL OR given_on <= withdrawn_on", name="consent_withdrawal"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    subject_type: str = Field(max_length=10)
    subject_id: int
    # Who signed: the subject himself, or for a minor his legal representative (a guardian of the pupil).
    representative_id: int | None = Field(default=None, foreign_key="guardian.id", index=True)
    signed_by_name: str = Field(max_length=200)
    representative_basis: str = Field(default="", max_length=200)  # mother, father, guardian by order №…
    categories: str = Field(max_length=200)  # comma-separated codes of CONSENT_CATEGORIES, sorted
    purpose: str = Field(default="", max_length=500)
    # To whom the data is passed on (Regulation No. 759: the subject is told of any transfer to a
    # third party): the ministry's EMIS, the district education office, a clinic… as signed.
    third_parties: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": ""})
    given_on: date
    valid_until: date | None = None
    # The scanned signed form, stored under data/private/consents (never the public upload folder).
    scan_name: str = Field(max_length=200)
    scan_sha256: str = Field(max_length=64)
    scan_size: int
    scan_content_type: str = Field(max_length=60)
    withdrawn_on: date | None = None
    withdrawal_reason: str = Field(default="", max_length=300)
    withdrawn_by: int | None = Field(default=None, foreign_key="user.id")
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = ts_field(default_now=True)
