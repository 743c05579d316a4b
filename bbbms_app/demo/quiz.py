"""A demo test: a small question bank of the demo pupil's first subject and a test open this week
for his class, so /tests shows the pupil something to take and the teachers something to review."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from bbbms_app.models import Enrollment, TeachingAssignment, User
from bbbms_app.models.quiz import Quiz
from bbbms_app.services import accounts
from bbbms_app.services import quiz as quizzes
from bbbms_app.services.quiz import QuestionDraft, QuizDraft

TITLE = "Кайталоо: 2-чейрек"


def add_quiz(engine: Engine, school_id: int, today: date) -> int:
    """Six questions and one test by the demo director for the demo pupil's class (none when the
    school has a test already). Returns the number of tests written."""
    with Session(engine) as s:
        if s.exec(select(Quiz.id).where(Quiz.school_id == school_id).limit(1)).first() is not None:
            return 0
        users = {u.username: u for u in s.exec(select(User).where(User.school_id == school_id)).all()}
        director, pupil = users.get("director"), users.get("pupil")
        if director is None or pupil is None or pupil.pupil_id is None:
            return 0
        class_id = s.exec(
            select(Enrollment.class_id).where(
                Enrollment.pupil_id == pupil.pupil_id,
                Enrollment.starts_on <= today,
                or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= today),
            )
        ).first()
        subject_id = s.exec(
            select(TeachingAssignment.subject_id)
            .where(TeachingAssignment.class_id == class_id, col(TeachingAssignment.deleted_at).is_(None))
            .order_by(TeachingAssignment.id)
        ).first()
        if class_id is None or subject_id is None:
            return 0
        principal = accounts.principal_for(director, session=s)
        topic = "Кайталоо"

        def draft(kind: str, ky: str, ru: str, options=(), key=None, points: int = 1) -> QuestionDraft:
            opts = [o if isinstance(o, dict) else {"ky": o} for o in options]
            return QuestionDraft(subject_id, kind, ky, ru, topic, opts, key, points)

        drafts = [
            draft("single", "12 × 12 канча болот?", "Сколько будет 12 × 12?", ["124", "144", "154"], [1], 2),
            draft("multi", "Жөнөкөй сандарды тандагыла", "Выберите простые числа", ["2", "9", "11", "15"], [0, 2], 2),
            draft("text", "Кыргызстандын борбору", "Столица Кыргызстана", key=["Бишкек"]),
            draft("number", "0,5 + 0,25 = ?", "0,5 + 0,25 = ?", key={"value": 0.75, "tolerance": 0}),
            draft(
                "match",
                "Дал келтиргиле",
                "Сопоставьте",
                [{"ky": "1/2", "to_ky": "0,5"}, {"ky": "1/4", "to_ky": "0,25"}, {"ky": "1/10", "to_ky": "0,1"}],
                points=3,
            ),
            draft("order", "Кичинесинен чоңуна карай", "От меньшего к большему", ["0,1", "0,25", "0,5", "1"], points=2),
        ]
        ids = [quizzes.add_question(s, principal, d, reason="demo") for d in drafts]
        monday = today - timedelta(days=today.weekday())
        quizzes.create_quiz(
            s,
            principal,
            QuizDraft(
                subject_id=subject_id,
                title=TITLE,
                classes={class_id: None},
                opens_at=datetime.combine(monday, time(3, 0), tzinfo=UTC),
                closes_at=datetime.combine(monday + timedelta(days=6), time(17, 0), tzinfo=UTC),
                question_ids=ids,
                time_limit_min=20,
                attempts_allowed=2,
            ),
        )
        s.commit()
        return 1
