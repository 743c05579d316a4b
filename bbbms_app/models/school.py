"""The school and its calendar: School, AcademicYear, Term, GradingPolicy."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlmodel import Field

from bbbms_app.models._base import SoftDelete, ts_field

TERM_KINDS = ("quarter", "half_year")
SCALES = ("five_point", "none", "points", "criterion")


class School(SoftDelete, table=True):
    """A general-education school; every school-scoped row carries its id."""

    # The server's defaults (region, rayon) are read when first asked for, not RETURNed by the INSERT:
    # a RETURNING names every such column, which a database of an older schema does not have.
    __mapper_args__ = {"eager_defaults": False}

    id: int | None = Field(default=None, primary_key=True)
    okpo: str = Field(max_length=10, unique=True, title="OKPO")
    name_ky: str = Field(max_length=200)
    name_ru: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)
    languages: str = Field(default="ky,ru", max_length=40)  # languages of instruction it offers
    address: str = Field(default="", max_length=300)
    # Where it is (codes of bbbms_app/data/kg_places.csv): its region (oblast, or a city of
    # republican significance) and its rayon (or the same city); the district's /schools lists them.
    # None in Python until given: the ORM then leaves the column out of its INSERT and the server's ''
    # fills it, so code (and tests) writing a school into a database of an older schema keep working.
    region: str | None = Field(default=None, max_length=40, nullable=False, sa_column_kwargs={"server_default": ""})
    rayon: str | None = Field(default=None, max_length=40, nullable=False, sa_column_kwargs={"server_default": ""})
    created_at: datetime = ts_field(default_now=True)
    # Soft delete and optimistic locking (the admin engine's contract; server defaults let bulk
    # inserts that name only their own columns keep working).


class AcademicYear(SoftDelete, table=True):
    """A school year such as 2025–2026."""

    __table_args__ = (
        UniqueConstraint("school_id", "name"),
        CheckConstraint("starts_on < ends_on", name="year_dates"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    name: str = Field(max_length=20)
    starts_on: date
    ends_on: date
    is_current: bool = Field(default=False)
    # Soft delete and optimistic locking (the admin engine's contract; server defaults let bulk
    # inserts that name only their own columns keep working).


class Term(SoftDelete, table=True):
    """A quarter or half-year; dates are set per year (the ministry moves them)."""

    __table_args__ = (
        UniqueConstraint("academic_year_id", "kind", "number"),
        CheckConstraint("kind IN ('quarter','half_year')", name="term_kind"),
        CheckConstraint("starts_on <= ends_on", name="term_dates"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    academic_year_id: int = Field(foreign_key="academicyear.id", index=True)
    kind: str = Field(default="quarter", max_length=12)
    number: int
    starts_on: date
    ends_on: date
    closed_at: datetime | None = ts_field()
    # Soft delete and optimistic locking (the admin engine's contract; server defaults let bulk
    # inserts that name only their own columns keep working).


class GradingPolicy(SoftDelete, table=True):
    """How a range of grades is assessed in one year: scale, thresholds, minimum marks, weights."""

    __table_args__ = (
        CheckConstraint("scale IN ('five_point','none','points','criterion')", name="policy_scale"),
        CheckConstraint("grade_from <= grade_to", name="policy_grades"),
        CheckConstraint("min_value <= max_value", name="policy_values"),
        CheckConstraint("year_ties IN ('favour','last')", name="policy_year_ties"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    academic_year_id: int = Field(foreign_key="academicyear.id", index=True)
    grade_from: int
    grade_to: int
    scale: str = Field(default="five_point", max_length=12)
    min_value: int = 2
    max_value: int = 5
    threshold_5: float = 4.65
    threshold_4: float = 3.65
    threshold_3: float = 2.65
    min_marks: int = 3
    # Mark kind -> weight, e.g. {"class": 1, "home": 1, "test": 2, "control": 3}.
    weights_json: str = Field(default='{"class": 1, "home": 1, "test": 2, "control": 3}', max_length=400)
    # The school's local act (docs/grading.md). Minimum marks by weekly hours, e.g. {"1": 3, "2": 5,
    # "4": 6}: a subject of h hours needs the value of the largest key ≤ h (empty: `min_marks`).
    min_marks_by_hours: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    # Subjects of at most this many hours a week are assessed by half-year (0: none; 1.5 is usual).
    half_year_max_hours: float = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Subject codes assessed «зач» / «незач» instead of a mark, comma separated.
    pass_fail_codes: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})
    # A 2 among a pupil's current marks of the period blocks a 5 for the period.
    two_blocks_five: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    # A year mean exactly between two marks: "favour" (the pupil's way) or "last" (the last period's way).
    year_ties: str = Field(default="favour", max_length=10, sa_column_kwargs={"server_default": "favour"})
    # Criterion-based assessment: lowest percentage -> mark, e.g. [[0, 2], [40, 3], [65, 4], [85, 5]].
    criterion_json: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    # Soft delete and optimistic locking (the admin engine's contract; server defaults let bulk
    # inserts that name only their own columns keep working).
