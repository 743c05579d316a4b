"""Exam and final marks of the graduating grades (9 and 11): the exam mark entered per subject, the
final mark suggested from the year and exam marks and confirmed by the teacher (issue 13,
research/mission.md §2.3).

- Only classes of grades 9 and 11 have them (EXAM_GRADES).
- The final mark's suggestion: round((year + exam) / 2) with a tie in the pupil's favour (a 4 and
  a 5 give 5); a subject without an exam takes the year mark; «осв» in the year stays «осв»;
  «н/а» in the year, or an exam without a numeric mark, suggests nothing (the teacher decides).
- In the 11th grade the «year» of that formula is the mean of the subject's half-year and year marks
  of grades 10 and 11, rounded mathematically (3.5 → 4; research/mission.md §2.3): the attestat
  counts both senior years. A subject studied only in the 11th takes its 11th-grade marks; any «н/а»
  among them suggests nothing; all «осв» stays «осв».
- Writing: the subject's own teacher (journal.write), or a leader's audited correction with a
  reason (journal.correct) — the exam commission is the school's. A final mark other than the
  suggestion needs a reason, as any period mark does; every write is audited (periodmark).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from sqlmodel import Session, select

from bbbms_app.models import PeriodMark, SchoolClass, Subject, TeachingAssignment
from bbbms_app.services import grading
from bbbms_app.services.access import Principal, can_teach
from bbbms_app.services.journal.access import JournalError, OutOfScope, access_for, class_in_school, year_terms
from bbbms_app.services.journal.cells import MAX_REASON, clean_text, edit_action
from bbbms_app.services.journal.grid import GridPupil, pupils_of
from bbbms_app.services.journal.periods import _period_target, _store_period, _validate_period_value

EXAM_GRADES = (9, 11)
KINDS = ("exam", "final")
SENIOR_GRADES = (10, 11)  # the 11th grade's final mark counts the marks of both senior years
SENIOR_KINDS = ("half_year", "year")


@dataclass
class ExamRow:
    """One pupil's marks of a subject: the year mark, the exam and the final mark (value, special, version)."""

    pupil: GridPupil
    year: tuple[int | None, str]  # in the 11th grade: the mean of grades 10–11 (see senior_mark)
    exam: tuple[int | None, str, int]
    final: tuple[int | None, str, int]
    suggestion: grading.Suggestion


@dataclass
class ExamSheet:
    cls: SchoolClass
    subject: Subject
    rows: list[ExamRow]
    write: bool
    correct: bool
    rules: grading.Rules


def suggest_final(
    rules: grading.Rules, year: tuple[int | None, str], exam: tuple[int | None, str]
) -> grading.Suggestion:
    """The final mark the year and exam marks suggest (see the module docstring)."""
    year_value, year_special = year
    exam_value, exam_special = exam
    if year_value is None:
        return grading.Suggestion(special=grading.EXEMPT) if year_special == grading.EXEMPT else grading.Suggestion()
    if exam_value is None:
        return grading.Suggestion() if exam_special else grading.Suggestion(value=year_value)
    mean = Fraction(year_value + exam_value, 2)
    value = min(rules.max_value, max(rules.min_value, int(mean + Fraction(1, 2))))  # a tie goes up
    return grading.Suggestion(value=value, average=float(mean), count=2)


def exam_classes(session: Session, principal: Principal, year_id: int | None) -> list[SchoolClass]:
    """The classes of grades 9 and 11 in the year whose exam sheet the principal may open."""
    if principal.school_id is None or year_id is None:
        return []
    classes = session.exec(
        select(SchoolClass)
        .where(SchoolClass.academic_year_id == year_id, SchoolClass.grade.in_(EXAM_GRADES))  # type: ignore[attr-defined]
        .order_by(SchoolClass.grade, SchoolClass.letter)
    ).all()
    out = []
    for cls in classes:
        if cls.school_id != principal.school_id:
            continue
        if exam_subjects(session, principal, cls):
            out.append(cls)
    return out


def exam_subjects(session: Session, principal: Principal, cls: SchoolClass) -> list[Subject]:
    """The subjects of a class whose exam sheet the principal may read (a teacher: his own)."""
    subjects = class_subjects(session, cls.id)  # type: ignore[arg-type]
    return [s for s in subjects if access_for(session, principal, cls, s.id, 0).read]  # type: ignore[arg-type]


def class_subjects(session: Session, class_id: int) -> list[Subject]:
    """The subjects taught in a class (its live teaching assignments), in the curriculum's order."""
    from bbbms_app.services import curriculum

    return list(
        session.exec(
            select(Subject)
            .join(TeachingAssignment, TeachingAssignment.subject_id == Subject.id)  # type: ignore[arg-type]
            .where(TeachingAssignment.class_id == class_id, TeachingAssignment.deleted_at.is_(None))  # type: ignore[union-attr]
            .distinct()
            .order_by(*curriculum.SUBJECT_ORDER)
        ).all()
    )


def senior_mark(marks: list[tuple[int | None, str]]) -> tuple[int | None, str]:
    """The 11th grade's «year» for the final mark: the mean of the half-year and year marks of grades
    10–11 (value, special), rounded mathematically. None when there is none or any is «н/а»; «осв»
    only when every one is «осв» (a pupil exempt in one year is judged by the other's marks)."""
    values = [v for v, special in marks if v is not None and not special]
    if any(special == grading.NOT_ATTESTED for _v, special in marks):
        return None, ""
    if not values:
        exempt = bool(marks) and all(special == grading.EXEMPT for _v, special in marks)
        return (None, grading.EXEMPT) if exempt else (None, "")
    mean = Fraction(sum(values), len(values))
    return int(mean + Fraction(1, 2)), ""


def _senior_marks(session: Session, subject_id: int, pupil_ids: list[int]) -> dict[int, tuple[int | None, str]]:
    """Pupil -> senior_mark over his half-year and year marks of the subject in grades 10 and 11."""
    found: dict[int, list[tuple[int | None, str]]] = {pid: [] for pid in pupil_ids}
    rows = session.exec(
        select(PeriodMark.pupil_id, PeriodMark.value, PeriodMark.special)
        .join(SchoolClass, SchoolClass.id == PeriodMark.class_id)  # type: ignore[arg-type]
        .where(
            PeriodMark.subject_id == subject_id,
            PeriodMark.kind.in_(SENIOR_KINDS),  # type: ignore[attr-defined]
            SchoolClass.grade.in_(SENIOR_GRADES),  # type: ignore[attr-defined]
            PeriodMark.pupil_id.in_(pupil_ids or [-1]),  # type: ignore[attr-defined]
        )
    ).all()
    for pupil_id, value, special in rows:
        if value is not None or special:
            found[pupil_id].append((value, special))
    return {pid: senior_mark(marks) for pid, marks in found.items()}


def _exam_class(session: Session, principal: Principal, class_id: int) -> SchoolClass:
    cls = class_in_school(session, principal, class_id)
    if cls.grade not in EXAM_GRADES:
        raise JournalError("exams.error.grade", grade=cls.grade)
    return cls


def exam_sheet(session: Session, principal: Principal, class_id: int, subject_id: int) -> ExamSheet:
    """The exam sheet of a class × subject, if the principal may read the subject's journal."""
    cls = _exam_class(session, principal, class_id)
    subject = session.get(Subject, subject_id)
    if subject is None or subject.school_id != cls.school_id:
        raise OutOfScope(f"subject {subject_id}")
    acc = access_for(session, principal, cls, subject_id, 0)
    if not acc.read:
        raise OutOfScope(f"exams {class_id}/{subject_id}")
    terms = year_terms(session, cls.academic_year_id)
    pupils = pupils_of(session, class_id, terms[0].starts_on, terms[-1].ends_on) if terms else []
    marks: dict[tuple[int, str], PeriodMark] = {}
    for row in session.exec(
        select(PeriodMark).where(
            PeriodMark.subject_id == subject_id,
            PeriodMark.academic_year_id == cls.academic_year_id,
            PeriodMark.kind.in_(("year", *KINDS)),  # type: ignore[attr-defined]
            PeriodMark.pupil_id.in_([p.id for p in pupils] or [-1]),  # type: ignore[attr-defined]
        )
    ).all():
        marks[(row.pupil_id, row.kind)] = row
    rules = grading.policy_for_class(session, class_id)
    senior = _senior_marks(session, subject_id, [p.id for p in pupils]) if cls.grade == 11 else {}
    rows = []
    for pupil in pupils:
        year, exam, final = (marks.get((pupil.id, kind)) for kind in ("year", *KINDS))
        year_pair = (year.value, year.special) if year else (None, "")
        if cls.grade == 11:
            year_pair = senior[pupil.id]
        exam_pair = (exam.value, exam.special) if exam else (None, "")
        rows.append(
            ExamRow(
                pupil=pupil,
                year=year_pair,
                exam=(*exam_pair, exam.version if exam else 0),
                final=(final.value, final.special, final.version) if final else (None, "", 0),
                suggestion=suggest_final(rules, year_pair, exam_pair),
            )
        )
    write = acc.write and can_teach(session, principal, class_id, subject_id)
    return ExamSheet(cls, subject, rows, write=write, correct=acc.correct, rules=rules)


def set_exam_mark(
    session: Session,
    principal: Principal,
    class_id: int,
    subject_id: int,
    pupil_id: int,
    kind: str,
    *,
    value: int | None,
    special: str = "",
    reason: str = "",
    expected_version: int,
) -> PeriodMark | None:
    """Set (or clear) a pupil's exam (`kind` "exam") or final ("final") mark of a subject."""
    if kind not in KINDS:
        raise JournalError("journal.error.period_value", value=str(kind)[:20])
    reason = clean_text(reason, MAX_REASON)
    special = str(special or "")
    _exam_class(session, principal, class_id)
    cls = _period_target(session, principal, class_id, subject_id, pupil_id)
    own = can_teach(session, principal, class_id, subject_id)
    # The teacher's own subject is an ordinary edit; anyone else's is a leader's correction with a reason.
    action = edit_action(principal, own, not own, reason)
    rules = grading.policy_for_class(session, class_id)
    if value is not None or special:
        subject = session.get(Subject, subject_id)
        _validate_period_value(rules, value, special, subject.code if subject else "")
    if kind == "exam":
        # An exam mark is what the commission gave: there is nothing to suggest, so no override.
        suggestion = grading.Suggestion(value=value, special=special)
    else:
        sheet_row = _pupil_marks(session, cls, subject_id, pupil_id)
        suggestion = suggest_final(rules, *sheet_row)
    return _store_period(
        session, principal, cls, subject_id, pupil_id, kind, 0, None, value, special, suggestion, reason,
        expected_version, action,
    )  # fmt: skip


def _pupil_marks(
    session: Session, cls: SchoolClass, subject_id: int, pupil_id: int
) -> tuple[tuple[int | None, str], tuple[int | None, str]]:
    found = {
        row.kind: (row.value, row.special)
        for row in session.exec(
            select(PeriodMark).where(
                PeriodMark.pupil_id == pupil_id,
                PeriodMark.subject_id == subject_id,
                PeriodMark.academic_year_id == cls.academic_year_id,
                PeriodMark.kind.in_(("year", "exam")),  # type: ignore[attr-defined]
            )
        ).all()
    }
    year = found.get("year", (None, ""))
    if cls.grade == 11:
        year = _senior_marks(session, subject_id, [pupil_id])[pupil_id]
    return year, found.get("exam", (None, ""))
