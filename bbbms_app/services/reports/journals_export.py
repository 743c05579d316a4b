"""Every class journal of a term in one workbook: a sheet per class × subject (× subgroup).

Today a year of journals is about 1,400 separate downloads; this is the term's journals at once,
each sheet the paper spread of `journal_export.layout` (pupils × lesson dates, the term and year
marks, the topics beside), named «5-А Математика» (a subgroup «5-А Англ. тили 1»), in class order
then the curriculum's order of subjects. Scope: the principal must read each journal
(`journal.grid` refuses otherwise); the caller audits the export.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sqlmodel import Session, select

from bbbms_app.i18n import t
from bbbms_app.models import AcademicYear, School, SchoolClass, Subject, TeachingAssignment, Term
from bbbms_app.services import journal, journal_export
from bbbms_app.services.access import Principal
from bbbms_app.services.curriculum import subject_key
from bbbms_app.services.engine import xlsx
from bbbms_app.services.school import localized_name


def journal_keys(session: Session, school_id: int, year_id: int) -> list[tuple[SchoolClass, Subject, int]]:
    """(class, subject, subgroup) of every live assignment of the year, in class and curriculum order."""
    rows = session.exec(
        select(SchoolClass, Subject, TeachingAssignment.subgroup)
        .join(TeachingAssignment, TeachingAssignment.class_id == SchoolClass.id)  # type: ignore[arg-type]
        .join(Subject, Subject.id == TeachingAssignment.subject_id)  # type: ignore[arg-type]
        .where(
            SchoolClass.school_id == school_id,
            SchoolClass.academic_year_id == year_id,
            SchoolClass.deleted_at.is_(None),  # type: ignore[union-attr]
            TeachingAssignment.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    unique = {(c.id, s.id, g): (c, s, g) for c, s, g in rows}
    return sorted(unique.values(), key=lambda k: (k[0].grade, k[0].letter, subject_key(k[1]), k[2]))


def write(
    out: Path,
    session: Session,
    principal: Principal,
    year_id: int,
    term_id: int,
    lang: str,
    progress: Callable[[int, int], None] | None = None,
    **marks,
) -> int:
    """Write the term's journals to `out`; the number of sheets. `progress(done, total)` after each."""
    keys = journal_keys(session, principal.school_id, year_id)  # type: ignore[arg-type]
    sheets = []
    for done, (cls, subject, subgroup) in enumerate(keys, start=1):
        g = journal.grid(session, principal, cls.id, subject.id, term_id, subgroup)  # type: ignore[arg-type]
        name = f"{journal.class_label(cls)} {journal_export.subject_name(subject, lang)}"
        sheets.append(replace(journal_export.layout(g, lang), name=f"{name} {subgroup}" if subgroup else name))
        if progress is not None:
            progress(done, len(keys))
    if not marks.get("title"):  # the printed page names the school, the year and the term (a sheet the rest)
        school, year = session.get(School, principal.school_id), session.get(AcademicYear, year_id)
        term = session.get(Term, term_id)
        parts = [localized_name(school, lang) if school else "", year.name if year else ""]
        if term is not None:
            parts.append(t(f"term.{term.kind}", lang, number=term.number))
        marks["title"] = " · ".join(p for p in parts if p)
    xlsx.write(out, sheets, **marks)
    return len(sheets)
