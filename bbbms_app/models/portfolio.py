"""The pupil's e-portfolio and project work (issue 18 #4, #5).

An **Achievement** is one line of a pupil's portfolio (an Olympiad, a contest, a certificate …)
with its evidence (a private file of kind «portfolio», or a link) and a status: the pupil writes a
draft, submits it, and the class teacher or a deputy verifies or rejects it with a comment; only
verified entries count, print and show on the public link. A **PortfolioLink** is the family's
secret public address of the portfolio (only its SHA-256 is stored; revoked, never deleted).

A **Project** has a supervisor (staff), members (pupils of one class or several), tasks and
milestones with owners and due dates, and an append-only thread of posts (text and a shared
file of kind «projects»). The supervisor's assessment puts a mark in the journal through the
grid's save path (the journal cell is the mark) and a verified «project» entry into each
member's portfolio.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from bbbms_app.models._base import ts_field

ACHIEVEMENT_KINDS = ("olympiad", "contest", "certificate", "sport", "art", "club", "volunteering", "project")
LEVELS = ("school", "rayon", "oblast", "republic", "international")
STATUSES = ("draft", "submitted", "verified", "rejected")


class Achievement(SQLModel, table=True):
    """One achievement of a pupil, with its evidence and its verification."""

    __table_args__ = (
        CheckConstraint(
            "kind IN ('olympiad','contest','certificate','sport','art','club','volunteering','project')", name="kind"
        ),
        CheckConstraint("level IN ('school','rayon','oblast','republic','international')", name="level"),
        CheckConstraint("status IN ('draft','submitted','verified','rejected')", name="status"),
        Index("ix_achievement_school_status", "school_id", "status", "achieved_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    pupil_id: int = Field(foreign_key="pupil.id", index=True)
    kind: str = Field(max_length=16)
    level: str = Field(default="school", max_length=16)
    place: str = Field(default="", max_length=40)  # «1», «II даража», «катышуучу»
    achieved_on: date
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    # Evidence: a private file (services.private_files, kind «portfolio») and/or a link.
    evidence_name: str = Field(default="", max_length=80)
    evidence_sha256: str = Field(default="", max_length=64)
    evidence_type: str = Field(default="", max_length=100)
    evidence_link: str = Field(default="", max_length=500)
    status: str = Field(default="draft", max_length=10)
    review_comment: str = Field(default="", max_length=500)
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = ts_field(default_now=True)
    submitted_at: datetime | None = ts_field()
    reviewed_by: int | None = Field(default=None, foreign_key="user.id")
    reviewer_name: str = Field(default="", max_length=200)
    reviewed_at: datetime | None = ts_field()
    # The project whose assessment made this entry (verified by the supervisor's assessment).
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    deleted_at: datetime | None = ts_field()


class PortfolioLink(SQLModel, table=True):
    """The family's public address of a pupil's portfolio: the SHA-256 of its token; revocable."""

    id: int | None = Field(default=None, primary_key=True)
    pupil_id: int = Field(foreign_key="pupil.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = ts_field(default_now=True)
    revoked_at: datetime | None = ts_field()


class Project(SQLModel, table=True):
    """A project with its supervisor; `subject_id` is the subject whose journal may count it."""

    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="dates"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    supervisor_id: int = Field(foreign_key="staff.id", index=True)
    supervisor_name: str = Field(default="", max_length=200)
    title: str = Field(max_length=200)
    goal: str = Field(default="", max_length=2000)
    starts_on: date
    ends_on: date
    subject_id: int | None = Field(default=None, foreign_key="subject.id")
    created_at: datetime = ts_field(default_now=True)
    assessed_at: datetime | None = ts_field()
    assessment: str = Field(default="", max_length=2000)


class ProjectMember(SQLModel, table=True):
    """A pupil taking part in a project."""

    __table_args__ = (UniqueConstraint("project_id", "pupil_id"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    pupil_id: int = Field(foreign_key="pupil.id", index=True)


class ProjectTask(SQLModel, table=True):
    """A task of a project (or a milestone), with its owner (a member) and its due date."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    title: str = Field(max_length=200)
    owner_pupil_id: int | None = Field(default=None, foreign_key="pupil.id")
    due_on: date | None = None
    milestone: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    done_at: datetime | None = ts_field()


class ProjectPost(SQLModel, table=True):
    """A post of the project's thread (append-only): text and/or a shared file."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    author_name: str = Field(default="", max_length=200)
    text: str = Field(default="", max_length=4000)
    file_name: str = Field(default="", max_length=80)
    file_sha256: str = Field(default="", max_length=64)
    file_type: str = Field(default="", max_length=100)
    file_title: str = Field(default="", max_length=200)
    created_at: datetime = ts_field(default_now=True)
