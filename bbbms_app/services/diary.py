"""A pupil's own record for pupils and parents: marks, averages and absences per subject in a term."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, select

from bbbms_app.models import Attendance, Lesson, Mark, Pupil, Subject
from bbbms_app.services.access import Principal, can_reach_pupil


class OutOfScope(PermissionError):
    """The principal's data scope does not include the requested pupil."""


def term_summary(session: Session, principal: Principal, pupil_id: int, term_id: int) -> list[dict[str, str]]:
    """Per subject: the marks in lesson order, their average and the absences, for one pupil and term."""
    pupil = session.get(Pupil, pupil_id)
    if (
        pupil is None
        or pupil.deleted_at is not None
        or not can_reach_pupil(session, principal, pupil_id, pupil.school_id)
    ):
        raise OutOfScope(pupil_id)
    marks = session.exec(
        select(Lesson.subject_id, Lesson.date, Mark.value)
        .join(Lesson, Lesson.id == Mark.lesson_id)  # type: ignore[arg-type]
        .where(Mark.pupil_id == pupil_id, Lesson.term_id == term_id)
        .order_by(Lesson.date, Lesson.number)
    ).all()
    absences = session.exec(
        select(Lesson.subject_id, Attendance.code)
        .join(Lesson, Lesson.id == Attendance.lesson_id)  # type: ignore[arg-type]
        .where(Attendance.pupil_id == pupil_id, Lesson.term_id == term_id)
    ).all()
    by_subject: dict[int, list[int]] = defaultdict(list)
    for subject_id, _day, value in marks:
        by_subject[subject_id].append(value)
    missed: dict[int, int] = defaultdict(int)
    for subject_id, code in absences:
        if code != "о":
            missed[subject_id] += 1
    subject_ids = set(by_subject) | set(missed)
    subjects = {
        s.id: s
        for s in session.exec(select(Subject).where(Subject.id.in_(subject_ids))).all()  # type: ignore[union-attr]
    }
    rows = []
    for sid in sorted(subject_ids, key=lambda i: subjects[i].name_ky):
        values = by_subject.get(sid, [])
        subject = subjects[sid]
        rows.append(
            {
                "subject_ky": subject.name_ky,
                "subject_ru": subject.name_ru,
                "subject_en": subject.name_en or subject.name_ru,
                "marks": " ".join(str(v) for v in values),
                "average": f"{sum(values) / len(values):.2f}" if values else "",
                "absences": str(missed.get(sid, 0)),
            }
        )
    return rows
