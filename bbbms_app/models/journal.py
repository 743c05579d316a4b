"""The class journal's facts: Lesson, Mark, Attendance, PeriodMark."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bbbms_app.models._base import ts_field

MARK_KINDS = ("class", "home", "test", "control")
ATTENDANCE_CODES = ("н", "б", "у", "п", "о")  # absent, ill, excused, unexcused, late (+ minutes)
PERIOD_KINDS = ("quarter", "half_year", "year", "exam", "final")
SPECIAL_MARKS = ("н/а", "осв", "зач", "незач")


class Lesson(SQLModel, table=True):
    """One lesson held (or planned) for a class × subject on a date, with topic and homework."""

    __table_args__ = (
        Index("ix_lesson_grid", "class_id", "subject_id", "term_id", "date"),
        Index("ix_lesson_teacher_date", "teacher_id", "date"),
        CheckConstraint("number BETWEEN 0 AND 12", name="lesson_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    class_id: int = Field(foreign_key="schoolclass.id")
    subject_id: int = Field(foreign_key="subject.id")
    teacher_id: int = Field(foreign_key="staff.id")
    term_id: int = Field(foreign_key="term.id", index=True)
    date: date
    number: int = Field(default=1)  # lesson number within the day
    subgroup: int = Field(default=0)
    topic: str = Field(default="", max_length=300)
    homework: str = Field(default="", max_length=500)
    cancelled: bool = Field(default=False)


class Mark(SQLModel, table=True):
    """A current mark for a pupil in a lesson; one per kind (class work and a test may share a day)."""

    __table_args__ = (
        UniqueConstraint("lesson_id", "pupil_id", "kind"),
        Index("ix_mark_pupil", "pupil_id", "lesson_id"),
        Index("ix_mark_school_updated", "school_id", "updated_at"),  # the API's incremental pulls
        # The precise range comes from the class's grading policy (checked in services);
        # the database still refuses anything no scale allows.
        CheckConstraint("value BETWEEN 1 AND 100", name="mark_value"),
        CheckConstraint("kind IN ('class','home','test','control')", name="mark_kind"),
    )

    # The server's default (percent) is not RETURNed by the INSERT: a RETURNING naming it fails on a
    # database of an older schema (see percent below).
    __mapper_args__ = {"eager_defaults": False}

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    lesson_id: int = Field(foreign_key="lesson.id")
    pupil_id: int = Field(foreign_key="pupil.id")
    value: int
    kind: str = Field(default="class", max_length=10)
    version: int = Field(default=1)
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = ts_field(default_now=True)
    # A criterion-based result typed as a percentage (0–100): `value` is the mark the class's policy
    # table gives it, the percentage is kept to be shown beside the mark. None for a mark typed as a mark.
    # Its server default (NULL) lets the ORM leave it out of an INSERT while it is None, so code (and
    # tests) writing a mark into a database of an older schema keep working, as School's region does.
    percent: int | None = Field(default=None, sa_column_kwargs={"server_default": text("NULL")})


class Attendance(SQLModel, table=True):
    """An absence or lateness of a pupil at a lesson; presence is the absence of a row."""

    __table_args__ = (
        UniqueConstraint("lesson_id", "pupil_id"),
        Index("ix_attendance_pupil", "pupil_id", "lesson_id"),
        Index("ix_attendance_school_updated", "school_id", "updated_at"),  # the API's incremental pulls
        CheckConstraint("code IN ('н','б','у','п','о')", name="attendance_code"),
        CheckConstraint("late_minutes BETWEEN 0 AND 90", name="attendance_late"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    lesson_id: int = Field(foreign_key="lesson.id")
    pupil_id: int = Field(foreign_key="pupil.id")
    code: str = Field(max_length=2)
    late_minutes: int = Field(default=0)
    version: int = Field(default=1)
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = ts_field(default_now=True)


class PeriodMark(SQLModel, table=True):
    """A quarter / half-year / year / exam / final mark: suggested by the policy, set by the teacher."""

    __table_args__ = (
        UniqueConstraint("pupil_id", "subject_id", "academic_year_id", "kind", "number"),
        Index("ix_periodmark_class", "class_id", "subject_id", "kind", "number"),
        # The reports read one period of a year at a time (services/reports/results.py).
        Index("ix_periodmark_period", "academic_year_id", "kind", "number", "class_id"),
        CheckConstraint("kind IN ('quarter','half_year','year','exam','final')", name="periodmark_kind"),
        CheckConstraint("value IS NULL OR value BETWEEN 1 AND 100", name="periodmark_value"),
        CheckConstraint("special IN ('','н/а','осв','зач','незач')", name="periodmark_special"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    pupil_id: int = Field(foreign_key="pupil.id")
    subject_id: int = Field(foreign_key="subject.id")
    class_id: int = Field(foreign_key="schoolclass.id")
    academic_year_id: int = Field(foreign_key="academicyear.id")
    term_id: int | None = Field(default=None, foreign_key="term.id")
    kind: str = Field(default="quarter", max_length=10)
    number: int = Field(default=0)  # quarter 1–4, half-year 1–2, 0 for year/exam/final
    value: int | None = None
    special: str = Field(default="", max_length=6)
    suggested_value: int | None = None
    average: float | None = None
    reason: str = Field(default="", max_length=300)
    version: int = Field(default=1)
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = ts_field(default_now=True)
    date_set: date | None = None


class ClassTermClose(SQLModel, table=True):
    """A term closed for one class only (closing a grade writes one row per class of it).

    The school-wide close is `Term.closed_at`; a class's journals of a term are closed when either is set.
    """

    __table_args__ = (UniqueConstraint("term_id", "class_id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    term_id: int = Field(foreign_key="term.id")
    class_id: int = Field(foreign_key="schoolclass.id")
    closed_at: datetime = ts_field(default_now=True)
    closed_by: int | None = Field(default=None)  # the user who closed it
