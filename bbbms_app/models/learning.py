"""Distance learning (issue 18): courses of a class × subject, their modules and materials,
assignments and the pupils' hand-ins. A hand-in's mark is never stored here: it is the journal
cell's mark (`Submission.lesson_id` names the lesson it went to)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from bbbms_app.models._base import SoftDelete, ts_field

MATERIAL_KINDS = ("text", "file", "link", "video")
ASSIGNMENT_MARK_KINDS = ("home", "test", "class", "control")
SUBMISSION_STATUSES = ("submitted", "marked")


class Course(SoftDelete, table=True):
    """A teacher's course for one or several parallel classes of a subject in one school year."""

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    academic_year_id: int = Field(foreign_key="academicyear.id", index=True)
    subject_id: int = Field(foreign_key="subject.id", index=True)
    teacher_id: int = Field(foreign_key="staff.id", index=True)
    grade: int
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    # The course this one was copied from (a course copied to next year's classes).
    copied_from_id: int | None = Field(default=None, foreign_key="course.id")
    created_at: datetime = ts_field(default_now=True)


class CourseClass(SQLModel, table=True):
    """A class the course is for (several parallel classes of one grade may share a course)."""

    __table_args__ = (UniqueConstraint("course_id", "class_id"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    class_id: int = Field(foreign_key="schoolclass.id", index=True)


class CourseModule(SQLModel, table=True):
    """A week or topic of a course; pupils and parents see it from its publish date on."""

    __table_args__ = (Index("ix_coursemodule_course_position", "course_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id")
    title: str = Field(max_length=200)
    topic: str = Field(default="", max_length=300)  # the week or the lessons' topic it follows
    position: int = Field(default=0)
    publish_on: date | None = None  # none: a draft only its teacher sees
    created_at: datetime = ts_field(default_now=True)
    # Soft delete by its teacher (readers skip it; the audit keeps what it was).
    deleted_at: datetime | None = ts_field()


class CourseMaterial(SQLModel, table=True):
    """Text (plain text with a tiny markup shown as text), a private file, a link or a video link."""

    __table_args__ = (
        CheckConstraint("kind IN ('text','file','link','video')", name="kind"),
        CheckConstraint("kind <> 'file' OR file_name <> ''", name="file"),
        CheckConstraint("kind NOT IN ('link','video') OR url <> ''", name="url"),
    )

    id: int | None = Field(default=None, primary_key=True)
    module_id: int = Field(foreign_key="coursemodule.id", index=True)
    kind: str = Field(max_length=8)
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=8000)
    url: str = Field(default="", max_length=500)
    file_name: str = Field(default="", max_length=80)  # the private file's stored name (services.private_files)
    file_sha256: str = Field(default="", max_length=64)
    file_type: str = Field(default="", max_length=120)
    file_size: int = Field(default=0)
    position: int = Field(default=0)
    created_at: datetime = ts_field(default_now=True)
    deleted_at: datetime | None = ts_field()


class Assignment(SQLModel, table=True):
    """A task of a module with a due time; its mark goes to the journal as `mark_kind`."""

    __table_args__ = (CheckConstraint("mark_kind IN ('home','test','class','control')", name="mark_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    module_id: int = Field(foreign_key="coursemodule.id", index=True)
    title: str = Field(max_length=200)
    instructions: str = Field(default="", max_length=4000)
    due_at: datetime = ts_field(nullable=False)
    mark_kind: str = Field(default="home", max_length=10)
    # Closed by its teacher: no more hand-ins (before that a late one is taken and marked late).
    closed: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = ts_field(default_now=True)
    deleted_at: datetime | None = ts_field()


class ModuleLesson(SQLModel, table=True):
    """A journal lesson a module follows (its topic): the pupil's and the parent's diary links the
    lesson to the course's materials."""

    __table_args__ = (UniqueConstraint("module_id", "lesson_id"),)

    id: int | None = Field(default=None, primary_key=True)
    module_id: int = Field(foreign_key="coursemodule.id", index=True)
    lesson_id: int = Field(foreign_key="lesson.id", index=True)


class Submission(SQLModel, table=True):
    """A pupil's hand-in of an assignment (one per pupil, handed in again until it is marked)."""

    __table_args__ = (
        UniqueConstraint("assignment_id", "pupil_id"),
        CheckConstraint("status IN ('submitted','marked')", name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    pupil_id: int = Field(foreign_key="pupil.id", index=True)
    body: str = Field(default="", max_length=8000)
    submitted_at: datetime = ts_field(nullable=False)
    late: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    status: str = Field(default="submitted", max_length=10)
    teacher_comment: str = Field(default="", max_length=2000)
    # The journal lesson the teacher put the mark on: the mark itself is that journal cell.
    lesson_id: int | None = Field(default=None, foreign_key="lesson.id")
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class SubmissionFile(SQLModel, table=True):
    """A file handed in with a submission, kept privately (services.private_files, kind "courses")."""

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    file_name: str = Field(max_length=80)
    file_sha256: str = Field(max_length=64)
    file_type: str = Field(max_length=120)
    file_size: int = Field(default=0)
    created_at: datetime = ts_field(default_now=True)
