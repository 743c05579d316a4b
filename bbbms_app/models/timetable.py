"""The school's week and its calendar: BellSchedule, TimetableSlot, Holiday.

A TimetableSlot places one teaching assignment (class × subject × teacher × subgroup) at a weekday
and lesson number for a span of dates inside a term; the term's Lesson rows are generated from the
slots, skipping weekends and holidays. A slot's clock time comes from the bell schedule of the
class's shift (first graders keep their own 35-minute bells).
"""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bbbms_app.models._base import SoftDelete

WEEKDAYS = (1, 2, 3, 4, 5)  # Monday–Friday: the five-day week is law since 2018
HOLIDAY_KINDS = ("vacation", "holiday")  # a school break, a public holiday


class BellSchedule(SoftDelete, table=True):
    """When lesson `number` of a shift begins and ends, for a band of grades (1st grade: 35 min)."""

    __table_args__ = (
        UniqueConstraint("school_id", "shift", "grade_from", "number"),
        CheckConstraint("shift IN (1, 2, 3)", name="bell_shift"),
        CheckConstraint("number BETWEEN 0 AND 12", name="bell_number"),
        CheckConstraint("grade_from BETWEEN 1 AND 12 AND grade_to BETWEEN grade_from AND 12", name="bell_grades"),
        CheckConstraint("starts_at < ends_at", name="bell_times"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    shift: int = Field(default=1)
    grade_from: int = Field(default=1)
    grade_to: int = Field(default=12)
    number: int
    starts_at: time
    ends_at: time


class TimetableSlot(SQLModel, table=True):
    """One cell of a class's weekly timetable: a subject and teacher at weekday × lesson number.

    The slot holds from `valid_from` to `valid_to` inside its term, so a change «from Monday on»
    ends the old slot and starts a new one. A teacher or a room twice at the same time is refused
    by services.timetable (it depends on the bells of both classes' shifts, which no index sees);
    the index below refuses two slots of one class × subgroup starting at the same place and day.
    """

    __table_args__ = (
        UniqueConstraint("class_id", "weekday", "number", "subgroup", "valid_from"),
        CheckConstraint("weekday BETWEEN 1 AND 5", name="slot_weekday"),
        CheckConstraint("number BETWEEN 0 AND 12", name="slot_number"),
        CheckConstraint("subgroup BETWEEN 0 AND 3", name="slot_subgroup"),
        CheckConstraint("valid_from <= valid_to", name="slot_dates"),
        Index("ix_slot_term_class", "term_id", "class_id"),
        Index("ix_slot_teacher_day", "teacher_id", "weekday"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    class_id: int = Field(foreign_key="schoolclass.id")
    term_id: int = Field(foreign_key="term.id")
    valid_from: date
    valid_to: date
    weekday: int  # 1 = Monday … 5 = Friday
    number: int  # lesson number within the day
    subject_id: int = Field(foreign_key="subject.id")
    teacher_id: int = Field(foreign_key="staff.id")
    subgroup: int = Field(default=0)  # 0 = whole class; 1, 2 = groups (languages, labour)
    room: str = Field(default="", max_length=20)


class Holiday(SoftDelete, table=True):
    """A school break or public holiday; a grade range limits it (1st grade's extra winter week)."""

    __table_args__ = (
        CheckConstraint("kind IN ('vacation','holiday')", name="holiday_kind"),
        CheckConstraint("starts_on <= ends_on", name="holiday_dates"),
        CheckConstraint(
            "(grade_from IS NULL AND grade_to IS NULL)"
            " OR (grade_from BETWEEN 1 AND 12 AND grade_to BETWEEN grade_from AND 12)",
            name="holiday_grades",
        ),
        Index("ix_holiday_school_dates", "school_id", "starts_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id")
    academic_year_id: int = Field(foreign_key="academicyear.id", index=True)
    kind: str = Field(default="vacation", max_length=10)
    name_ky: str = Field(max_length=120)
    name_ru: str = Field(max_length=120)
    name_en: str = Field(default="", max_length=120)
    starts_on: date
    ends_on: date
    grade_from: int | None = None  # empty: every grade
    grade_to: int | None = None
