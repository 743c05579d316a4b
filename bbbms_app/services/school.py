"""The school context of a user (school, year, term) and the figures of the home page."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from bbbms_app.i18n import LANGUAGES, translations
from bbbms_app.models import (
    AcademicYear,
    Attendance,
    Enrollment,
    Lesson,
    Mark,
    Pupil,
    School,
    SchoolClass,
    Staff,
    Subject,
    TeachingAssignment,
    Term,
)
from bbbms_app.services import curriculum
from bbbms_app.services.access import Principal, visible_pupil_ids_own


def current_year(session: Session, school_id: int) -> AcademicYear | None:
    """The academic year marked current, else the latest one."""
    return session.exec(
        select(AcademicYear)
        .where(AcademicYear.school_id == school_id)
        .order_by(AcademicYear.is_current.desc(), AcademicYear.starts_on.desc())  # type: ignore[attr-defined]
    ).first()


def current_term(session: Session, year: AcademicYear, today: date) -> Term | None:
    """The term containing `today`; outside the terms, the latest term that has lessons, else the first."""
    terms = session.exec(select(Term).where(Term.academic_year_id == year.id).order_by(Term.starts_on)).all()
    for term in terms:
        if term.starts_on <= today <= term.ends_on:
            return term
    with_lessons = [
        term for term in terms if session.exec(select(Lesson.id).where(Lesson.term_id == term.id).limit(1)).first()
    ]
    if with_lessons:
        return with_lessons[-1]
    return terms[0] if terms else None


def term_labels(term: Term | None) -> dict[str, str]:
    """A term's name in every UI language («1-чейрек», «1-я четверть», «Quarter 1»)."""
    if term is None:
        return translations("term.none")
    return translations(f"term.{term.kind}", number=term.number)


def localized_names(row: Any) -> dict[str, str]:
    """A row's name in each UI language from its name_ky / name_ru / name_en columns (English
    falls back to Russian, which every school fills)."""
    if row is None:
        return dict.fromkeys(LANGUAGES, "")
    return {"ky": row.name_ky or row.name_ru, "ru": row.name_ru or row.name_ky, "en": row.name_en or row.name_ru}


def localized_name(row: Any, lang: str) -> str:
    """A school's, subject's or holiday's name in `lang`."""
    return localized_names(row).get(lang) or row.name_ru


def full_name(row: Any) -> str:
    """A person's name as lists write it: last, first, patronymic."""
    return " ".join(p for p in (row.last_name, row.first_name, row.patronymic) if p)


def school_names(school: School | None) -> dict[str, str]:
    return localized_names(school)


def context(session: Session, principal: Principal, today: date) -> dict:
    """School, year and term shown in the header for this user."""
    school = session.get(School, principal.school_id) if principal.school_id else None
    year = current_year(session, school.id) if school else None  # type: ignore[arg-type]
    term = current_term(session, year, today) if year else None
    return {
        "school_names": school_names(school),
        "year_name": year.name if year else "",
        "year_id": year.id if year else None,
        "term_id": term.id if term else None,
        "term_labels": term_labels(term),
    }


def school_figures(session: Session, school_id: int, term_id: int | None) -> dict[str, int]:
    """Headline counts for the director's home page."""
    pupils = session.exec(
        select(func.count()).select_from(Pupil).where(Pupil.school_id == school_id, Pupil.deleted_at.is_(None))  # type: ignore[union-attr]
    ).one()
    year = current_year(session, school_id)
    classes = session.exec(
        select(func.count()).select_from(SchoolClass).where(SchoolClass.academic_year_id == (year.id if year else -1))
    ).one()
    staff = session.exec(
        select(func.count()).select_from(Staff).where(Staff.school_id == school_id, Staff.deleted_at.is_(None))  # type: ignore[union-attr]
    ).one()
    lessons = marks = absences = 0
    if term_id is not None:
        lessons = session.exec(select(func.count()).select_from(Lesson).where(Lesson.term_id == term_id)).one()
        marks = session.exec(
            select(func.count())
            .select_from(Mark)
            .join(Lesson, Lesson.id == Mark.lesson_id)
            .where(Lesson.term_id == term_id)  # type: ignore[arg-type]
        ).one()
        absences = session.exec(
            select(func.count())
            .select_from(Attendance)
            .join(Lesson, Lesson.id == Attendance.lesson_id)  # type: ignore[arg-type]
            .where(Lesson.term_id == term_id, Attendance.code != "о")
        ).one()
    return {
        "pupils": pupils,
        "classes": classes,
        "staff": staff,
        "lessons": lessons,
        "marks": marks,
        "absences": absences,
    }


def class_name(grade: int, letter: str) -> str:
    """7«Б» as the school writes it."""
    return f"{grade}-{letter}"


def teaching_load(session: Session, staff_id: int, year_id: int | None) -> list[dict[str, str]]:
    """A teacher's classes × subjects with hours, for his home page."""
    rows = session.exec(
        select(
            SchoolClass.grade,
            SchoolClass.letter,
            Subject.name_ky,
            Subject.name_ru,
            Subject.name_en,
            TeachingAssignment.hours_per_week,
            TeachingAssignment.subgroup,
        )
        .join(SchoolClass, SchoolClass.id == TeachingAssignment.class_id)  # type: ignore[arg-type]
        .join(Subject, Subject.id == TeachingAssignment.subject_id)  # type: ignore[arg-type]
        .where(TeachingAssignment.teacher_id == staff_id, SchoolClass.academic_year_id == (year_id or -1))
        .order_by(SchoolClass.grade, SchoolClass.letter, *curriculum.SUBJECT_ORDER)
    ).all()
    return [
        {
            "class_name": class_name(g, letter) + (f" ({sub})" if sub else ""),
            "subject_ky": ky,
            "subject_ru": ru,
            "subject_en": en or ru,
            "hours": f"{h:g}",
        }
        for g, letter, ky, ru, en, h, sub in rows
    ]


def own_children(session: Session, principal: Principal, today: date) -> list[dict[str, str]]:
    """The pupils a parent (or a pupil himself) may open, with their current class."""
    ids = visible_pupil_ids_own(session, principal)
    if not ids:
        return []
    # The class he is on today (last year's enrollments and a class he moved out of are not his).
    on_list_today = and_(
        Enrollment.pupil_id == Pupil.id,
        Enrollment.starts_on <= today,
        or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= today),  # type: ignore[union-attr]
    )
    rows = session.exec(
        select(Pupil, SchoolClass.grade, SchoolClass.letter)
        .join(Enrollment, on_list_today, isouter=True)  # type: ignore[arg-type]
        .join(SchoolClass, SchoolClass.id == Enrollment.class_id, isouter=True)  # type: ignore[arg-type]
        .where(Pupil.id.in_(ids), Pupil.deleted_at.is_(None))  # type: ignore[union-attr]
        .order_by(Pupil.sort_key)
    ).all()
    seen: dict[int, dict[str, str]] = {}
    for pupil, grade, letter in rows:
        seen.setdefault(
            pupil.id,  # type: ignore[arg-type]
            {
                "id": str(pupil.id),
                "name": f"{pupil.last_name} {pupil.first_name}",
                "class_name": class_name(grade, letter) if grade else "",
            },
        )
    return list(seen.values())
