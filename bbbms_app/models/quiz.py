"""Tests (quizzes): a question bank per subject, tests drawn from it for classes, pupils' attempts
and their answers (issue 18 #3). Named `Quiz*` in code so pytest never takes a table for a test."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bbbms_app.models._base import SoftDelete, ts_field

# single: one right option; multi: several; text: a short answer among accepted ones; number:
# a value with a tolerance; match: each left item to its right item; order: the items in order.
QUESTION_KINDS = ("single", "multi", "text", "number", "match", "order")


class QuizQuestion(SoftDelete, table=True):
    """A question of a subject's bank (school-wide): its text in Kyrgyz and/or Russian, its options
    (JSON), its key (JSON, never sent to a pupil's browser) and its points."""

    __table_args__ = (
        CheckConstraint("kind IN ('single','multi','text','number','match','order')", name="kind"),
        CheckConstraint("points BETWEEN 1 AND 100", name="points"),
        Index("ix_quizquestion_bank", "school_id", "subject_id", "topic"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id")
    subject_id: int = Field(foreign_key="subject.id", index=True)
    author_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=10)
    topic: str = Field(default="", max_length=200)
    text_ky: str = Field(default="", max_length=2000)
    text_ru: str = Field(default="", max_length=2000)
    # single/multi/order: [{"ky", "ru"}]; match: [{"ky", "ru", "to_ky", "to_ru"}] (left → right).
    options_json: str = Field(default="[]", sa_type=Text)
    # single/multi: [right option indexes]; text: ["accepted", …]; number: {"value", "tolerance"};
    # match and order: [] (the stored order of the options is the key).
    key_json: str = Field(default="[]", sa_type=Text)
    points: int = Field(default=1)
    image: str = Field(default="", max_length=60)  # a private file of kind "quiz"
    image_sha256: str = Field(default="", max_length=64)
    created_at: datetime = ts_field(default_now=True)


class Quiz(SoftDelete, table=True):
    """A test of a subject given to one or several classes: its questions (chosen, or N drawn from a
    topic per attempt), its time limit, attempts allowed, open window and the journal mark kind."""

    __table_args__ = (
        CheckConstraint("time_limit_min BETWEEN 1 AND 300", name="time_limit"),
        CheckConstraint("attempts_allowed BETWEEN 1 AND 10", name="attempts"),
        CheckConstraint("opens_at < closes_at", name="window"),
        CheckConstraint("mark_kind IN ('class','home','test','control')", name="mark_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    subject_id: int = Field(foreign_key="subject.id", index=True)
    author_id: int = Field(foreign_key="user.id", index=True)
    course_id: int | None = Field(default=None, foreign_key="course.id", index=True)  # the course it belongs to
    title: str = Field(max_length=200)
    question_ids: str = Field(default="[]", sa_type=Text)  # chosen questions (JSON list), or []
    topic: str = Field(default="", max_length=200)  # with draw_count: N random of this topic
    draw_count: int = Field(default=0)
    time_limit_min: int = Field(default=20)
    attempts_allowed: int = Field(default=1)
    opens_at: datetime = ts_field(nullable=False)
    closes_at: datetime = ts_field(nullable=False)
    mark_kind: str = Field(default="test", max_length=10)
    created_at: datetime = ts_field(default_now=True)


class QuizClass(SQLModel, table=True):
    """A class the test is given to, and the lesson of that class whose journal column gets the mark."""

    __table_args__ = (UniqueConstraint("quiz_id", "class_id"),)

    id: int | None = Field(default=None, primary_key=True)
    quiz_id: int = Field(foreign_key="quiz.id", index=True)
    class_id: int = Field(foreign_key="schoolclass.id", index=True)
    lesson_id: int | None = Field(default=None, foreign_key="lesson.id")


class QuizAttempt(SQLModel, table=True):
    """A pupil's attempt: its seed and drawn layout (questions and option orders, stored so a reload
    shows the same), its server-time deadline, submission, score and the teacher's confirmation."""

    __table_args__ = (
        UniqueConstraint("quiz_id", "pupil_id", "number"),
        CheckConstraint("number >= 1", name="number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id")
    quiz_id: int = Field(foreign_key="quiz.id", index=True)
    pupil_id: int = Field(foreign_key="pupil.id", index=True)
    class_id: int = Field(foreign_key="schoolclass.id")
    number: int = Field(default=1)
    seed: int = Field(default=0)
    layout_json: str = Field(default="[]", sa_type=Text)  # [{"q": id, "perm": [...], "perm2": [...]}]
    started_at: datetime = ts_field(nullable=False)
    deadline: datetime = ts_field(nullable=False)
    submitted_at: datetime | None = ts_field()
    score: float = Field(default=0)
    max_score: float = Field(default=0)
    confirmed_at: datetime | None = ts_field()
    confirmed_by: int | None = Field(default=None, foreign_key="user.id")


class QuizAnswer(SQLModel, table=True):
    """A pupil's answer to one question of an attempt (in the question's own option indexes), saved
    as he goes; its auto-graded points and the teacher's override."""

    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="quizattempt.id", index=True)
    question_id: int = Field(foreign_key="quizquestion.id", index=True)
    response_json: str = Field(default="null", sa_type=Text)
    auto_points: float | None = None
    override_points: float | None = None
    saved_at: datetime = ts_field(default_now=True)
