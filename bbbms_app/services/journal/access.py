"""Who may open which journal: scope of a class × subject × subgroup journal, and the refusals.

A teacher writes his class × subject × subgroup assignments (TeachingAssignment) and the lessons he
taught himself (a substitution); a class teacher reads every subject of his class; the director and
deputies read every journal of the school and correct a closed term with a reason.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, select

from bbbms_app.models import (
    Lesson,
    SchoolClass,
    Staff,
    Subject,
    TeachingAssignment,
    Term,
)
from bbbms_app.services import curriculum, errors
from bbbms_app.services.access import SCHOOL_WIDE_ROLES, Principal, can_teach
from bbbms_app.services.errors import OutOfScope, Refused


class JournalError(Refused):
    """A refused edit the user must read: a catalog key and its parameters; nothing was written."""


class Stale(JournalError, errors.Stale):
    """The save was made against an older state of the cell (or period mark) than the database's."""


# ---------------------------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalAccess:
    """What a principal may do in one class × subject × subgroup journal."""

    read: bool = False
    write: bool = False  # enter marks in an open term (his assignment, or the lessons he substituted)
    correct: bool = False  # correct a closed term, with a reason
    leader: bool = False
    substitute: bool = False  # no assignment: he writes only the lessons he taught himself (a substitution)


def is_leader(principal: Principal) -> bool:
    """Director and deputies (any school-wide role with journal.read) read every journal of the school."""
    return principal.role in SCHOOL_WIDE_ROLES and principal.can("journal.read")


def substituted(
    session: Session,
    principal: Principal,
    class_id: int,
    subject_id: int,
    subgroup: int,
    term_id: int | None = None,
) -> bool:
    """Whether the principal taught a (not cancelled) lesson of this journal himself (in `term_id`)."""
    if principal.staff_id is None:
        return False
    q = select(Lesson.id).where(
        Lesson.teacher_id == principal.staff_id,
        Lesson.class_id == class_id,
        Lesson.subject_id == subject_id,
        Lesson.subgroup == subgroup,
        Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
    )
    if term_id is not None:
        q = q.where(Lesson.term_id == term_id)
    return session.exec(q.limit(1)).first() is not None


def access_for(
    session: Session,
    principal: Principal,
    cls: SchoolClass,
    subject_id: int,
    subgroup: int,
    term_id: int | None = None,
) -> JournalAccess:
    """The principal's rights in the journal of `cls` × subject × subgroup (in `term_id`).

    A substitute (a teacher with no assignment here who taught some of its lessons in the term)
    reads the journal and writes the lessons he taught: the write itself is checked per lesson.
    """
    if principal.school_id is None or cls.school_id != principal.school_id or not principal.can("journal.read"):
        return JournalAccess()
    leader = is_leader(principal)
    correct = principal.can("journal.correct") and leader
    assigned = can_teach(session, principal, cls.id, subject_id, subgroup)  # type: ignore[arg-type]
    class_teacher = principal.staff_id is not None and cls.class_teacher_id == principal.staff_id
    substitute = not assigned and substituted(session, principal, cls.id, subject_id, subgroup, term_id)  # type: ignore[arg-type]
    write = (assigned or substitute) and principal.can("journal.write")
    return JournalAccess(
        read=leader or assigned or class_teacher or substitute,
        write=write,
        correct=correct,
        leader=leader,
        substitute=substitute,
    )


def class_in_school(session: Session, principal: Principal, class_id: int) -> SchoolClass:
    cls = session.get(SchoolClass, class_id)
    if cls is None or principal.school_id is None or cls.school_id != principal.school_id:
        raise OutOfScope(f"class {class_id}")
    return cls


def class_label(cls: SchoolClass) -> str:
    return f"{cls.grade}-{cls.letter}"


def journal_classes(session: Session, principal: Principal, year_id: int | None) -> list[dict[str, str]]:
    """Classes whose journals the principal may open: leaders all, others their assignments and own class."""
    if principal.school_id is None or year_id is None or not principal.can("journal.read"):
        return []
    q = select(SchoolClass).where(
        SchoolClass.academic_year_id == year_id,
        SchoolClass.school_id == principal.school_id,
        SchoolClass.deleted_at.is_(None),  # type: ignore[union-attr]
    )
    if not is_leader(principal):
        if principal.staff_id is None:
            return []
        taught = select(TeachingAssignment.class_id).where(
            TeachingAssignment.teacher_id == principal.staff_id,
            TeachingAssignment.deleted_at.is_(None),  # type: ignore[union-attr]
        )
        # A substitute reaches the journals of the classes where he taught a lesson himself.
        stood_in = select(Lesson.class_id).where(
            Lesson.teacher_id == principal.staff_id,
            Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
        )
        q = q.where(
            or_(
                SchoolClass.id.in_(taught),  # type: ignore[union-attr]
                SchoolClass.id.in_(stood_in),  # type: ignore[union-attr]
                SchoolClass.class_teacher_id == principal.staff_id,
            )
        )
    classes = session.exec(q.order_by(SchoolClass.grade, SchoolClass.letter)).all()
    mine = principal.staff_id
    # Interned: every open journal of the school holds these labels and ids (docs/performance.md).
    return [
        {
            "id": sys.intern(str(c.id)),
            "name": sys.intern(class_label(c)),
            "own_class": "1" if mine and c.class_teacher_id == mine else "",
        }
        for c in classes
    ]


def journal_subjects(session: Session, principal: Principal, class_id: int) -> list[dict[str, str]]:
    """The class's subject journals (subject × subgroup) the principal may open, with their teacher."""
    cls = class_in_school(session, principal, class_id)
    rows = session.exec(
        select(TeachingAssignment, Subject, Staff)
        .join(Subject, Subject.id == TeachingAssignment.subject_id)  # type: ignore[arg-type]
        .join(Staff, Staff.id == TeachingAssignment.teacher_id)  # type: ignore[arg-type]
        .where(
            TeachingAssignment.class_id == class_id,
            TeachingAssignment.deleted_at.is_(None),  # type: ignore[union-attr]
            Subject.deleted_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(*curriculum.SUBJECT_ORDER, TeachingAssignment.subgroup)
    ).all()
    whole_class = is_leader(principal) or (
        principal.staff_id is not None and cls.class_teacher_id == principal.staff_id
    )
    stood_in: set[tuple[int, int]] = set()
    if principal.staff_id is not None:
        stood_in = set(
            session.exec(
                select(Lesson.subject_id, Lesson.subgroup)
                .where(
                    Lesson.class_id == class_id,
                    Lesson.teacher_id == principal.staff_id,
                    Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
                )
                .distinct()
            ).all()
        )
    out = []
    for ta, subject, teacher in rows:
        own = principal.staff_id is not None and (
            ta.teacher_id == principal.staff_id or (subject.id, ta.subgroup) in stood_in
        )
        if not (whole_class or own):
            continue
        out.append(
            {
                "key": f"{subject.id}:{ta.subgroup}",
                "subject_id": str(subject.id),
                "subgroup": str(ta.subgroup),
                "ky": subject.name_ky,
                "ru": subject.name_ru,
                "en": subject.name_en or subject.name_ru,
                "teacher": f"{teacher.last_name} {teacher.first_name[:1]}.".strip(),
                "own": "1" if own else "",
            }
        )
    return out


def year_terms(session: Session, year_id: int | None) -> list[Term]:
    if year_id is None:
        return []
    return list(session.exec(select(Term).where(Term.academic_year_id == year_id).order_by(Term.starts_on)).all())


def journal_of_lesson(session: Session, principal: Principal, lesson_id: int) -> tuple[int, str, int] | None:
    """(class id, "subject:subgroup", term id) of the journal a lesson belongs to, if the principal may read it.

    The way from a teacher's list of lessons (a substitution too) straight to the lesson's column.
    """
    lesson = session.get(Lesson, lesson_id)
    if lesson is None or principal.school_id is None or lesson.school_id != principal.school_id:
        return None
    cls = session.get(SchoolClass, lesson.class_id)
    if cls is None or cls.deleted_at is not None:
        return None
    if not access_for(session, principal, cls, lesson.subject_id, lesson.subgroup, lesson.term_id).read:
        return None
    return lesson.class_id, f"{lesson.subject_id}:{lesson.subgroup}", lesson.term_id
