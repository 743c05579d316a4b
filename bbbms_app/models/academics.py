"""How teaching is organised: SchoolClass, Subject, TeachingAssignment, Enrollment."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bbbms_app.models._base import SoftDelete, ts_field

LANGUAGES_OF_INSTRUCTION = ("ky", "ru", "uz", "tg", "en")


class SchoolClass(SoftDelete, table=True):
    """A class such as 7«б»: grade, letter, language of instruction, shift, class teacher."""

    __table_args__ = (
        UniqueConstraint("academic_year_id", "grade", "letter"),
        CheckConstraint("grade BETWEEN 1 AND 12", name="class_grade"),
        CheckConstraint("shift IN (1, 2, 3)", name="class_shift"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    academic_year_id: int = Field(foreign_key="academicyear.id", index=True)
    grade: int
    letter: str = Field(max_length=4)
    language: str = Field(default="ky", max_length=4)
    shift: int = Field(default=1)
    class_teacher_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    # Soft delete and optimistic locking (the admin engine's contract; server defaults let bulk
    # inserts that name only their own columns keep working).


class Subject(SoftDelete, table=True):
    """A subject of the curriculum with its names in the three UI languages and its place in the curriculum.

    `position` orders subjects as the curriculum lists them (Кыргыз тили, Кыргыз адабияты, Орус
    тили, …, Дене тарбия) in every grid, summary, picker and export, in every language; the
    deputy edits it. Subjects with the same position follow their Kyrgyz name.
    """

    __table_args__ = (UniqueConstraint("school_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    code: str = Field(max_length=20)
    name_ky: str = Field(max_length=120)
    name_ru: str = Field(max_length=120)
    name_en: str = Field(default="", max_length=120)
    position: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Soft delete and optimistic locking (the admin engine's contract; server defaults let bulk
    # inserts that name only their own columns keep working).


class TeachingAssignment(SoftDelete, table=True):
    """Who teaches which subject to which class (or subgroup), and how many hours a week."""

    __table_args__ = (
        UniqueConstraint("class_id", "subject_id", "subgroup"),
        CheckConstraint("hours_per_week BETWEEN 0 AND 20", name="ta_hours"),
        Index("ix_ta_teacher", "teacher_id", "class_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    class_id: int = Field(foreign_key="schoolclass.id", index=True)
    subject_id: int = Field(foreign_key="subject.id", index=True)
    teacher_id: int = Field(foreign_key="staff.id")
    subgroup: int = Field(default=0)  # 0 = whole class; 1, 2 = groups (languages, labour)
    hours_per_week: float = Field(default=1)
    # Soft delete and optimistic locking (the admin engine's contract; server defaults let bulk
    # inserts that name only their own columns keep working).


class Enrollment(SQLModel, table=True):
    """A pupil in a class over a span of dates (ends_on empty while still there)."""

    __table_args__ = (
        Index("ix_enrollment_class", "class_id", "ends_on"),
        Index("ix_enrollment_pupil", "pupil_id", "starts_on"),
        CheckConstraint("ends_on IS NULL OR starts_on <= ends_on", name="enrollment_dates"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    pupil_id: int = Field(foreign_key="pupil.id")
    class_id: int = Field(foreign_key="schoolclass.id")
    starts_on: date
    ends_on: date | None = None


class SubgroupMember(SQLModel, table=True):
    """A pupil's subgroup (1–3) in a class × subject taught in groups (foreign languages, PE, IT, labour).

    One row per pupil × class × subject: a pupil is in one group of a subject. A class with no row
    for a subject is not split yet; the subgroup journals of that subject then list nobody.
    """

    __table_args__ = (
        UniqueConstraint("class_id", "subject_id", "pupil_id", name="uq_subgroupmember_class_subject_pupil"),
        CheckConstraint("subgroup BETWEEN 1 AND 3", name="subgroup"),
        Index("ix_subgroupmember_group", "class_id", "subject_id", "subgroup"),
        Index("ix_subgroupmember_pupil", "pupil_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    class_id: int = Field(foreign_key="schoolclass.id")
    subject_id: int = Field(foreign_key="subject.id")
    subgroup: int
    pupil_id: int = Field(foreign_key="pupil.id")
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = ts_field(default_now=True)
