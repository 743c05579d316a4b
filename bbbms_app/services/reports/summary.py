"""The class teacher's summary sheet (сводная ведомость): every subject's period marks and absences per pupil.

A subject of few weekly hours that the policy assesses by half-year in a class assessed by quarter
(grades 2–9, grading.half_year_subjects) shows its half-year mark in Q2 / Q4 and nothing owed in
Q1 / Q3 (`Summary.half_year`, `Summary.not_assessed`): the screen, the XLSX and the print mark its
column and say so in a footnote, and its Q1 / Q3 column counts in no indicator — as the results
report (reports/results.py), which leaves it out of Q1 / Q3 and counts its half-year in Q2 / Q4."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from bbbms_app.models import (
    AcademicYear,
    Attendance,
    Lesson,
    Mark,
    PeriodMark,
    SchoolClass,
    Subject,
    TeachingAssignment,
    Term,
)
from bbbms_app.services import curriculum, grading
from bbbms_app.services.access import Principal
from bbbms_app.services.journal.access import OutOfScope, class_in_school, class_label, is_leader, year_terms
from bbbms_app.services.journal.cells import ABSENT_CODES
from bbbms_app.services.journal.grid import assessed_period, period_term_ids, pupils_of, year_shape
from bbbms_app.services.reports import formulas

# ---------------------------------------------------------------------------------------------
# The class teacher's summary sheet (сводная ведомость)
# ---------------------------------------------------------------------------------------------

ABSENCE_COLUMNS = ("total", "б", "у", "п", "н", "о")


@dataclass
class SummaryRow:
    pupil_id: int
    name: str
    left_on: date | None  # left the class before the period ended
    marks: dict[int, tuple[int | None, str]]  # subject -> (value, special)
    absences: dict[str, int]
    suggested: set[int] = field(default_factory=set)  # subjects whose mark is the policy's suggestion, not yet set


@dataclass
class Summary:
    cls: SchoolClass
    period: str  # "term" or "year"
    term: Term | None
    subjects: list[Subject]
    rows: list[SummaryRow]
    by_subject: dict[int, grading.Indicators]
    overall: grading.Indicators
    # The period whose marks a term's sheet shows: the quarter, or the half-year Q2 / Q4 closes for
    # grades 10–11; None for the year and for Q1 / Q3 of grades 10–11 (no period marks there).
    assessed: grading.YearPeriod | None = None
    # A term's sheet of a class assessed by quarter: its subjects of few hours assessed by
    # half-year (the curriculum's order), and those of them owing no mark this quarter (Q1 / Q3).
    half_year: list[int] = field(default_factory=list)
    not_assessed: set[int] = field(default_factory=set)


def can_read_summary(principal: Principal, cls: SchoolClass) -> bool:
    """The class teacher reads his class's sheet; the director and deputies read every class's."""
    if principal.school_id is None or cls.school_id != principal.school_id or not principal.can("report.read"):
        return False
    return is_leader(principal) or (principal.staff_id is not None and cls.class_teacher_id == principal.staff_id)


def summary_classes(session: Session, principal: Principal, year_id: int | None) -> list[dict[str, str]]:
    """Classes whose summary sheet the principal may read."""
    if principal.school_id is None or year_id is None or not principal.can("report.read"):
        return []
    q = select(SchoolClass).where(
        SchoolClass.academic_year_id == year_id,
        SchoolClass.school_id == principal.school_id,
        SchoolClass.deleted_at.is_(None),  # type: ignore[union-attr]
    )
    if not is_leader(principal):
        if principal.staff_id is None:
            return []
        q = q.where(SchoolClass.class_teacher_id == principal.staff_id)
    return [
        {"id": str(c.id), "name": class_label(c)}
        for c in session.exec(q.order_by(SchoolClass.grade, SchoolClass.letter)).all()
    ]


def summary(
    session: Session, principal: Principal, class_id: int, term_id: int | None, *, with_suggestions: bool = False
) -> Summary:
    """Every subject's period marks (term_id) or year marks (None) and absence totals, per pupil, with indicators.

    With `with_suggestions`, a mark not yet set is replaced by the policy's suggestion (flagged in
    `SummaryRow.suggested`) and counts in the indicators: a forecast before the teachers confirm.
    """
    cls = class_in_school(session, principal, class_id)
    if not can_read_summary(principal, cls):
        raise OutOfScope(f"summary {class_id}")
    terms = year_terms(session, cls.academic_year_id)
    if term_id is not None:
        term = next((t for t in terms if t.id == term_id), None)
        if term is None:
            raise OutOfScope(f"term {term_id}")
        starts, ends = term.starts_on, term.ends_on
        # The quarter's marks, or for grades 10–11 the half-year's (in Q2 / Q4; none in Q1 / Q3), its
        # absences counted over the whole half-year. A subject of few hours the policy assesses by
        # half-year in grades 2–9 has its own column's period (`owed` below).
        assessed = assessed_period(term, grading.assessment(cls.grade))
        if assessed is not None:
            span = [t for t in terms if t.kind == term.kind and t.number in assessed.quarters]
            starts = min([term.starts_on, *(t.starts_on for t in span)])
    else:
        term = None
        year = session.get(AcademicYear, cls.academic_year_id)
        starts = terms[0].starts_on if terms else (year.starts_on if year else date.min)
        ends = terms[-1].ends_on if terms else (year.ends_on if year else date.max)
        assessed = None
    subject_ids = sorted(
        set(
            session.exec(
                select(TeachingAssignment.subject_id).where(
                    TeachingAssignment.class_id == class_id,
                    TeachingAssignment.deleted_at.is_(None),  # type: ignore[union-attr]
                )
            ).all()
        )
    )
    subjects = sorted(
        session.exec(
            select(Subject).where(
                Subject.id.in_(subject_ids or [-1]),  # type: ignore[union-attr]
                Subject.deleted_at.is_(None),  # type: ignore[union-attr]
            )
        ).all(),
        key=curriculum.subject_key,
    )
    pupils = pupils_of(session, class_id, starts, ends)
    ids = [p.id for p in pupils]
    few_hours = grading.half_year_subjects(session, [cls]) if term is not None else set()
    owed = subject_periods(session, cls, term, subject_ids, few_hours)
    wanted = {sid: (p.kind, p.number) for sid, p in owed.items() if p is not None}
    marks: dict[int, dict[int, tuple[int | None, str]]] = defaultdict(dict)
    if ids:
        for pm in session.exec(
            select(PeriodMark).where(
                PeriodMark.pupil_id.in_(ids),  # type: ignore[attr-defined]
                PeriodMark.academic_year_id == cls.academic_year_id,
                PeriodMark.kind.in_({k for k, _n in wanted.values()} if term else {"year"}),  # type: ignore[attr-defined]
            )
        ).all():
            if term is None or wanted.get(pm.subject_id) == (pm.kind, pm.number):
                marks[pm.pupil_id][pm.subject_id] = (pm.value, pm.special)
    absences: dict[int, dict[str, int]] = {pid: dict.fromkeys(ABSENCE_COLUMNS, 0) for pid in ids}
    if ids:
        for pupil_id, code, n in session.exec(
            select(Attendance.pupil_id, Attendance.code, func.count())
            .join(Lesson, Lesson.id == Attendance.lesson_id)  # type: ignore[arg-type]
            .where(
                Lesson.class_id == class_id,
                Lesson.date >= starts,
                Lesson.date <= ends,
                Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
                Attendance.pupil_id.in_(ids),  # type: ignore[attr-defined]
            )
            .group_by(Attendance.pupil_id, Attendance.code)
        ).all():
            absences[pupil_id][code] = n
            if code in ABSENT_CODES:
                absences[pupil_id]["total"] += n
    rows = [
        SummaryRow(
            p.id,
            p.name,
            p.ends_on if p.ends_on is not None and p.ends_on < ends else None,
            {sid: v for sid, v in marks[p.id].items() if sid in subject_ids},
            absences[p.id],
        )
        for p in pupils
    ]
    if with_suggestions and ids:
        _fill_suggestions(session, cls, term, owed, subject_ids, rows)
    # The subjects of few hours whose column differs from the class's quarter (grades 10–11 are
    # half-year whole: the sheet's heading says so). A Q1 / Q3 column has no marks read above
    # (`wanted`), so it counts in no indicator.
    by_quarter = term is not None and grading.assessment(cls.grade) == grading.QUARTER
    half_year: list[int] = [
        sub.id  # type: ignore[misc]
        for sub in subjects
        if by_quarter and grading.class_subject_assessment(cls, sub.id, few_hours) == grading.HALF_YEAR  # type: ignore[arg-type]
    ]
    not_assessed = {sid for sid in half_year if owed.get(sid) is None}
    counted = [r for r in rows if r.left_on is None]  # pupils who left before the end are out of N
    by_subject: dict[int, grading.Indicators] = {}
    every_mark = formulas.Tally()
    for subject in subjects:
        sid = subject.id
        tally = formulas.tally_of(_outcome(r.marks.get(sid)) for r in counted)  # type: ignore[arg-type]
        by_subject[sid] = formulas.indicators(tally)  # type: ignore[index]
        every_mark += tally
    # Pass rate and quality per pupil (his worst mark); СОУ and the average over every pupil × subject mark.
    overall = formulas.indicators(
        formulas.tally_of(grading.pupil_outcome(r.marks.get(s.id, (None, "")) for s in subjects) for r in counted),
        every_mark,
    )
    return Summary(
        cls, "term" if term else "year", term, list(subjects), rows, by_subject, overall, assessed,
        half_year, not_assessed,
    )  # fmt: skip


def subject_periods(
    session: Session,
    cls: SchoolClass,
    term: Term | None,
    subject_ids: list[int],
    half_year: set[tuple[int, int]] | None = None,
) -> dict[int, grading.YearPeriod | None]:
    """Subject -> the period whose mark the class owes for it in `term` (grading.assessment of the
    class × subject: the quarter, a half-year in Q2 / Q4, none in Q1 / Q3); empty for the year.
    `half_year`: grading.half_year_subjects of the class, when the caller has it."""
    if term is None:
        return {}
    if half_year is None:
        half_year = grading.half_year_subjects(session, [cls])
    return {sid: assessed_period(term, grading.class_subject_assessment(cls, sid, half_year)) for sid in subject_ids}


def _fill_suggestions(
    session: Session,
    cls: SchoolClass,
    term: Term | None,
    owed: dict[int, grading.YearPeriod | None],
    subject_ids: list[int],
    rows: list[SummaryRow],
) -> None:
    rules = grading.policy_for_class(session, cls.id)  # type: ignore[arg-type]
    ids = [r.pupil_id for r in rows]
    if term is not None:
        # Each subject's period counts the lessons of its quarters (a half-year: both of them); Q1 / Q3
        # of a half-year assessment has no period mark to forecast.
        quarters_of = {sid: period_term_ids(session, term, p) for sid, p in owed.items() if p is not None}
        if not quarters_of:
            return
        current: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)
        for pupil_id, subject_id, term_id, kind, value in session.exec(
            select(Mark.pupil_id, Lesson.subject_id, Lesson.term_id, Mark.kind, Mark.value)
            .join(Lesson, Lesson.id == Mark.lesson_id)  # type: ignore[arg-type]
            .where(
                Lesson.class_id == cls.id,
                Lesson.term_id.in_({t for ts in quarters_of.values() for t in ts}),  # type: ignore[attr-defined]
                Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
                Mark.pupil_id.in_(ids),  # type: ignore[attr-defined]
            )
        ).all():
            if term_id in quarters_of.get(subject_id, ()):
                current[(pupil_id, subject_id)].append((kind, value))
        hours = {sid: grading.weekly_hours(session, cls.id, sid) for sid in subject_ids}  # type: ignore[arg-type]
        codes = dict(session.exec(select(Subject.id, Subject.code).where(Subject.id.in_(subject_ids))).all())  # type: ignore[union-attr]
        for row in rows:
            for sid in subject_ids:
                if sid in row.marks or (row.pupil_id, sid) not in current:
                    continue
                sug = grading.suggest_period_mark(
                    rules, current[(row.pupil_id, sid)], hours=hours[sid], subject_code=codes.get(sid, "")
                )
                if sug.text:
                    row.marks[sid] = (sug.value, sug.special)
                    row.suggested.add(sid)
        return
    # Four quarters, or two half-years (grades 10–11, a subject of few hours), per subject.
    half_year = grading.half_year_subjects(session, [cls])
    shape = {
        sid: year_shape(session, cls, grading.class_subject_assessment(cls, sid, half_year)) for sid in subject_ids
    }
    periods: dict[tuple[int, int], list[tuple[int | None, str]]] = defaultdict(list)
    for pm in session.exec(
        select(PeriodMark).where(
            PeriodMark.pupil_id.in_(ids),  # type: ignore[attr-defined]
            PeriodMark.academic_year_id == cls.academic_year_id,
            PeriodMark.kind.in_({kind for kind, _n in shape.values()} or {""}),  # type: ignore[attr-defined]
        )
    ).all():
        if pm.subject_id in shape and shape[pm.subject_id][0] == pm.kind:
            periods[(pm.pupil_id, pm.subject_id)].append((pm.value, pm.special))
    for row in rows:
        for sid in subject_ids:
            if sid in row.marks:
                continue
            sug = grading.suggest_year_mark(rules, periods.get((row.pupil_id, sid), []), shape[sid][1])
            if sug.text:
                row.marks[sid] = (sug.value, sug.special)
                row.suggested.add(sid)


def _outcome(result: tuple[int | None, str] | None) -> int | str | None:
    if result is None:
        return None
    value, special = result
    return value if value is not None else (special or None)
