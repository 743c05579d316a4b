"""Quarter (half-year) and year marks, and closing a term: the suggestion, overrides with a reason, the lock."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, select

from bbbms_app.models import (
    ClassTermClose,
    Enrollment,
    PeriodMark,
    Pupil,
    SchoolClass,
    Staff,
    SubgroupMember,
    Subject,
    TeachingAssignment,
    Term,
)
from bbbms_app.services import audit, grading, notify, subgroups
from bbbms_app.services.access import Principal, can_teach
from bbbms_app.services.journal.access import (
    JournalError,
    OutOfScope,
    Stale,
    class_in_school,
    class_label,
    year_terms,
)
from bbbms_app.services.journal.cells import MAX_REASON, PERIOD_SPECIALS, clean_text, edit_action, utcnow
from bbbms_app.services.journal.grid import (
    assessed_period,
    earlier_marks,
    grid,
    period_term_ids,
    year_period_values,
    year_shape,
)

# ---------------------------------------------------------------------------------------------
# Period and year marks
# ---------------------------------------------------------------------------------------------


def _period_target(
    session: Session, principal: Principal, class_id: int, subject_id: int, pupil_id: int, subgroup: int = 0
) -> SchoolClass:
    cls = class_in_school(session, principal, class_id)
    subject = session.get(Subject, subject_id)
    if subject is None or subject.school_id != cls.school_id:
        raise OutOfScope(f"subject {subject_id}")
    enrolled = session.exec(
        select(Enrollment.id).where(Enrollment.pupil_id == pupil_id, Enrollment.class_id == class_id)
    ).first()
    if enrolled is None:
        raise JournalError("journal.error.not_enrolled")
    if subgroup and pupil_id not in subgroups.members(session, class_id, subject_id, subgroup):
        raise JournalError("journal.error.not_in_subgroup", subgroup=subgroup)
    return cls


def _validate_period_value(rules: grading.Rules, value: int | None, special: str, subject_code: str = "") -> None:
    if not rules.has_marks:
        raise JournalError("journal.error.no_marks")
    if value is not None and special:
        raise JournalError("journal.error.period_value", value=f"{value} {special}"[:20])
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not rules.allows(value)):
        raise JournalError("journal.error.mark_range", value=str(value)[:10], low=rules.min_value, high=rules.max_value)
    if special and special not in PERIOD_SPECIALS and special not in grading.period_specials(rules, subject_code):
        raise JournalError("journal.error.period_value", value=str(special)[:20])


def _subject_code(session: Session, subject_id: int) -> str:
    subject = session.get(Subject, subject_id)
    return subject.code if subject is not None else ""


def _store_period(
    session: Session,
    principal: Principal,
    cls: SchoolClass,
    subject_id: int,
    pupil_id: int,
    kind: str,
    number: int,
    term_id: int | None,
    value: int | None,
    special: str,
    suggestion: grading.Suggestion,
    reason: str,
    expected_version: int,
    action: str,
) -> PeriodMark | None:
    row = session.exec(
        select(PeriodMark)
        .where(
            PeriodMark.pupil_id == pupil_id,
            PeriodMark.subject_id == subject_id,
            PeriodMark.academic_year_id == cls.academic_year_id,
            PeriodMark.kind == kind,
            PeriodMark.number == number,
        )
        .with_for_update()  # PostgreSQL: the version read here holds until commit (SQLite: the write lock does)
    ).first()
    if (row.version if row else 0) != expected_version:
        raise Stale("journal.error.stale")
    old = (str(row.value) if row.value is not None else row.special) if row else ""
    new = str(value) if value is not None else special
    overrides = bool(new) and new != suggestion.text
    if overrides and not reason:
        raise JournalError("journal.error.override_reason", suggestion=suggestion.text or "—")
    label = f"{kind}.{number}" if number else kind
    if not new:
        if row is None:
            return None
        session.delete(row)
        audit.record(
            session, principal, action or "delete", "periodmark", row.id, field=label, old=old, new="",
            reason=reason, pupil_id=pupil_id, school_id=cls.school_id,
        )  # fmt: skip
        session.flush()
        return None
    if row is not None and old == new and row.reason == reason:
        return row
    if row is None:
        row = PeriodMark(
            school_id=cls.school_id,
            pupil_id=pupil_id,
            subject_id=subject_id,
            class_id=cls.id,  # type: ignore[arg-type]
            academic_year_id=cls.academic_year_id,
            term_id=term_id,
            kind=kind,
            number=number,
            version=0,
        )
    row.value, row.special = value, special
    row.suggested_value = suggestion.value
    row.average = suggestion.average
    row.reason = reason
    row.class_id = cls.id  # type: ignore[assignment]
    row.version += 1
    row.updated_by, row.updated_at, row.date_set = principal.user_id, utcnow(), date.today()
    session.add(row)
    session.flush()
    audit.record(
        session, principal, action or ("update" if old else "create"), "periodmark", row.id, field=label,
        old=old, new=new, reason=reason, pupil_id=pupil_id, school_id=cls.school_id,
    )  # fmt: skip
    if kind in ("quarter", "half_year") and old != new:  # the notifications' outbox (services/notify.py)
        notify.journal_event(session.connection(), cls.school_id, pupil_id, None, kind, new, subject_id)
    return row


def period_suggestion(
    session: Session, cls: SchoolClass, subject_id: int, term: Term, pupil_id: int, subgroup: int, exempt: bool
) -> grading.Suggestion:
    return _suggestions(session, cls, subject_id, term, subgroup, {pupil_id: exempt})[pupil_id]


def _suggestions(
    session: Session, cls: SchoolClass, subject_id: int, term: Term, subgroup: int, exempt: dict[int, bool]
) -> dict[int, grading.Suggestion]:
    """Pupil -> his period suggestion; `exempt` names the pupils and whether each is exempt («осв»)."""
    assessed = assessed_period(term, grading.subject_assessment(session, cls, subject_id))
    if assessed is None:  # Q1 / Q3 of a half-year assessment: its mark is suggested in Q2 / Q4
        return {pid: grading.Suggestion() for pid in exempt}
    rules = grading.policy_for_class(session, cls.id)  # type: ignore[arg-type]
    hours = grading.weekly_hours(session, cls.id, subject_id)  # type: ignore[arg-type]
    code = _subject_code(session, subject_id)
    term_ids = period_term_ids(session, term, assessed)
    marks = earlier_marks(session, cls.id, subject_id, subgroup, term_ids, list(exempt))  # type: ignore[arg-type]
    return {
        pid: grading.suggest_period_mark(rules, marks.get(pid, []), exempt=ex, hours=hours, subject_code=code)
        for pid, ex in exempt.items()
    }


def pupil_suggestion(
    session: Session, class_id: int, subject_id: int, term_id: int, pupil_id: int, subgroup: int = 0
) -> grading.Suggestion:
    """A pupil's period suggestion in a journal as it stands now (after a period mark was set or cleared)."""
    return period_suggestions(session, class_id, subject_id, term_id, [pupil_id], subgroup)[pupil_id]


def period_suggestions(
    session: Session, class_id: int, subject_id: int, term_id: int, pupil_ids: list[int], subgroup: int = 0
) -> dict[int, grading.Suggestion]:
    """Pupil -> his period suggestion in a journal as it stands now, for many pupils in one read of
    their marks (the journal's poll after several teachers saved, or a whole test's column at once)."""
    pids = list(dict.fromkeys(pupil_ids))
    cls = session.get(SchoolClass, class_id)
    term = session.get(Term, term_id)
    if cls is None or term is None or not pids:
        return {pid: grading.Suggestion() for pid in pids}
    exempt = set(
        session.exec(
            select(PeriodMark.pupil_id).where(
                PeriodMark.pupil_id.in_(pids),  # type: ignore[attr-defined]
                PeriodMark.subject_id == subject_id,
                PeriodMark.term_id == term_id,
                PeriodMark.special == grading.EXEMPT,
            )
        ).all()
    )
    return _suggestions(session, cls, subject_id, term, subgroup, {pid: pid in exempt for pid in pids})


def set_period_mark(
    session: Session,
    principal: Principal,
    class_id: int,
    subject_id: int,
    term_id: int,
    pupil_id: int,
    *,
    value: int | None,
    special: str = "",
    reason: str = "",
    expected_version: int,
    subgroup: int = 0,
) -> PeriodMark | None:
    """Set (or clear, with neither value nor special) a pupil's quarter / half-year mark.

    Confirming the suggestion needs no reason; any other mark is an override and needs one.
    Setting «осв» (exempt) needs a reason too (a medical certificate, an order).
    """
    reason = clean_text(reason, MAX_REASON)
    special = str(special or "")
    cls = _period_target(session, principal, class_id, subject_id, pupil_id, subgroup)
    term = session.get(Term, term_id)
    if term is None or term.academic_year_id != cls.academic_year_id:
        raise OutOfScope(f"term {term_id}")
    own = can_teach(session, principal, class_id, subject_id, subgroup)
    action = edit_action(principal, own, term_closed_for(session, term, class_id), reason)
    how = grading.subject_assessment(session, cls, subject_id)
    assessed = assessed_period(term, how)
    if assessed is None:
        # Grades 10–11 and subjects of few hours are assessed by half-year: its mark is set in the
        # quarter that closes it (Q2 / Q4).
        half = grading.period_during(how, term.kind, term.number)
        senior = cls.grade in grading.HALF_YEAR_GRADES  # else a subject of few hours (the policy's local act)
        key = "journal.error.half_year_later" if senior else "journal.error.half_year_subject_later"
        raise JournalError(key, half=half.number, quarter=half.closing_quarter)
    rules = grading.policy_for_class(session, class_id)
    if value is not None or special:
        _validate_period_value(rules, value, special, _subject_code(session, subject_id))
    suggestion = period_suggestion(session, cls, subject_id, term, pupil_id, subgroup, special == grading.EXEMPT)
    if special == grading.EXEMPT and not reason:
        raise JournalError("journal.error.override_reason", suggestion=suggestion.text or "—")
    return _store_period(
        session, principal, cls, subject_id, pupil_id, assessed.kind, assessed.number, term.id, value, special,
        suggestion, reason, expected_version, action,
    )  # fmt: skip


def year_suggestion(session: Session, cls: SchoolClass, subject_id: int, pupil_id: int) -> grading.Suggestion:
    rules = grading.policy_for_class(session, cls.id)  # type: ignore[arg-type]
    how = grading.subject_assessment(session, cls, subject_id)
    kind, expected = year_shape(session, cls, how)  # four quarters, or two half-years
    periods = year_period_values(session, subject_id, cls.academic_year_id, kind, [pupil_id]).get(pupil_id, [])
    return grading.suggest_year_mark(rules, periods, expected)


def set_year_mark(
    session: Session,
    principal: Principal,
    class_id: int,
    subject_id: int,
    pupil_id: int,
    *,
    value: int | None,
    special: str = "",
    reason: str = "",
    expected_version: int,
    subgroup: int = 0,
) -> PeriodMark | None:
    """Set (or clear) a pupil's year mark; it locks with the year's last term."""
    reason = clean_text(reason, MAX_REASON)
    special = str(special or "")
    cls = _period_target(session, principal, class_id, subject_id, pupil_id, subgroup)
    terms = year_terms(session, cls.academic_year_id)
    closed = bool(terms) and term_closed_for(session, terms[-1], class_id)
    own = can_teach(session, principal, class_id, subject_id, subgroup)
    action = edit_action(principal, own, closed, reason)
    rules = grading.policy_for_class(session, class_id)
    if value is not None or special:
        _validate_period_value(rules, value, special, _subject_code(session, subject_id))
    suggestion = year_suggestion(session, cls, subject_id, pupil_id)
    return _store_period(
        session, principal, cls, subject_id, pupil_id, "year", 0, None, value, special, suggestion, reason,
        expected_version, action,
    )  # fmt: skip


def confirm_suggestions(
    session: Session, principal: Principal, class_id: int, subject_id: int, term_id: int, subgroup: int = 0
) -> int:
    """Set every pupil's period mark that is still empty to the policy's suggestion; returns how many."""
    g = grid(session, principal, class_id, subject_id, term_id, subgroup)
    done = 0
    if g.assessed is None:  # Q1 / Q3 of a half-year grade: nothing to confirm yet
        return 0
    for pupil in g.pupils:
        cell = g.period[pupil.id]
        sug = cell.suggestion
        if cell.is_set or not sug.text or (pupil.ends_on is not None and pupil.ends_on < g.term.ends_on):
            continue
        set_period_mark(
            session, principal, class_id, subject_id, term_id, pupil.id, value=sug.value, special=sug.special,
            expected_version=cell.version, subgroup=subgroup,
        )  # fmt: skip
        done += 1
    return done


# ---------------------------------------------------------------------------------------------
# Terms
# ---------------------------------------------------------------------------------------------


def _term_in_school(session: Session, principal: Principal, term_id: int) -> Term:
    term = session.get(Term, term_id)
    if term is None or principal.school_id is None or term.school_id != principal.school_id:
        raise OutOfScope(f"term {term_id}")
    if not principal.can("term.close"):
        raise OutOfScope("term.close")
    return term


CLOSE_SCOPES = ("school", "grade", "class")


def closed_classes(session: Session, term_id: int) -> set[int]:
    """Classes whose journals of the term were closed on their own (not by the school-wide close)."""
    return set(session.exec(select(ClassTermClose.class_id).where(ClassTermClose.term_id == term_id)).all())


def term_closed_for(session: Session, term: Term, class_id: int) -> bool:
    """Whether the term is closed for this class: for the whole school, or for the class (its grade) alone."""
    return term.closed_at is not None or class_id in closed_classes(session, term.id)  # type: ignore[arg-type]


def _scope_classes(session: Session, term: Term, scope: str, value: int) -> list[SchoolClass]:
    if scope not in CLOSE_SCOPES:
        raise JournalError("journal.error.close_scope")
    q = select(SchoolClass).where(
        SchoolClass.school_id == term.school_id,
        SchoolClass.academic_year_id == term.academic_year_id,
        SchoolClass.deleted_at.is_(None),  # type: ignore[union-attr]
    )
    if scope == "grade":
        q = q.where(SchoolClass.grade == value)
    elif scope == "class":
        q = q.where(SchoolClass.id == value)
    classes = list(session.exec(q.order_by(SchoolClass.grade, SchoolClass.letter)).all())
    if scope != "school" and not classes:
        raise OutOfScope(f"{scope} {value}")
    return classes


@dataclass
class MissingMarks:
    """One journal (class × subject × subgroup) with pupils still without the term's mark."""

    class_id: int
    class_name: str
    subject: dict[str, str]  # ky / ru / en
    subgroup: int
    teacher: str
    missing: int
    pupils: int
    names: list[str]  # the first few of them, to say who


def close_check(session: Session, principal: Principal, term_id: int, scope: str = "school", value: int = 0):
    """Before closing: who still lacks a term mark, per class × subject (× subgroup), in the scope.

    The mark owed is the quarter's, or under a half-year assessment (grades 10–11, and a subject of
    few hours, grading.assessment) the half-year's when the quarter closes it (Q2, Q4); their Q1 and
    Q3 close without period marks.

    A pupil counts when he is on the class list on the term's last day (a pupil who left before it
    needs no mark here); a subgroup's journal counts only its members. Classes already closed are
    left out. Returns (the classes the close would lock, the journals with missing marks).
    """
    term = _term_in_school(session, principal, term_id)
    done = closed_classes(session, term.id)  # type: ignore[arg-type]
    classes = [c for c in _scope_classes(session, term, scope, value) if c.id not in done and not term.closed_at]
    ids = [c.id for c in classes]
    if not ids:
        return classes, []
    on_list: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for class_id, pupil_id, last, first in session.exec(
        select(Enrollment.class_id, Pupil.id, Pupil.last_name, Pupil.first_name)
        .join(Pupil, Pupil.id == Enrollment.pupil_id)  # type: ignore[arg-type]
        .where(
            Enrollment.class_id.in_(ids),  # type: ignore[attr-defined]
            Enrollment.starts_on <= term.ends_on,
            or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= term.ends_on),  # type: ignore[union-attr]
            Pupil.deleted_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(Pupil.sort_key, Pupil.id)
    ).all():
        on_list[class_id].append((pupil_id, f"{last} {first}"))
    # The mark each class × subject owes in this term: the quarter's, or under a half-year
    # assessment the half-year's in Q2 / Q4 and none in Q1 / Q3 (grading.assessment and
    # period_of_term: one rule with the journal).
    half_year = grading.half_year_subjects(session, classes)
    by_id = {c.id: c for c in classes}
    owing = {how: assessed_period(term, how) for how in (grading.QUARTER, grading.HALF_YEAR)}

    def owed(class_id: int, subject_id: int) -> grading.YearPeriod | None:
        return owing[grading.class_subject_assessment(by_id[class_id], subject_id, half_year)]

    wanted = {(p.kind, p.number) for p in owing.values() if p is not None}
    marked = {
        (class_id, subject_id, pupil_id)
        for class_id, subject_id, pupil_id, kind, number in session.exec(
            select(
                PeriodMark.class_id, PeriodMark.subject_id, PeriodMark.pupil_id, PeriodMark.kind, PeriodMark.number
            ).where(
                PeriodMark.class_id.in_(ids),  # type: ignore[attr-defined]
                PeriodMark.academic_year_id == term.academic_year_id,
                PeriodMark.kind.in_(sorted({k for k, _n in wanted}) or [""]),  # type: ignore[attr-defined]
            )
        ).all()
        if (p := owed(class_id, subject_id)) is not None and (p.kind, p.number) == (kind, number)
    }
    groups: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for class_id, subject_id, pupil_id, group in session.exec(
        select(
            SubgroupMember.class_id, SubgroupMember.subject_id, SubgroupMember.pupil_id, SubgroupMember.subgroup
        ).where(SubgroupMember.class_id.in_(ids))  # type: ignore[attr-defined]
    ).all():
        groups[(class_id, subject_id)][pupil_id] = group
    names = {c.id: class_label(c) for c in classes}
    # A grade the policy gives no marks (the first graders' «none» scale) has no term marks to miss.
    marking = {c.id for c in classes if grading.policy_for_class(session, c.id).has_marks}  # type: ignore[arg-type]
    out: list[MissingMarks] = []
    for ta, subject, teacher in session.exec(
        select(TeachingAssignment, Subject, Staff)
        .join(Subject, Subject.id == TeachingAssignment.subject_id)  # type: ignore[arg-type]
        .join(Staff, Staff.id == TeachingAssignment.teacher_id)  # type: ignore[arg-type]
        .where(
            TeachingAssignment.class_id.in_(ids),  # type: ignore[attr-defined]
            TeachingAssignment.deleted_at.is_(None),  # type: ignore[union-attr]
            Subject.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ).all():
        if ta.class_id not in marking or owed(ta.class_id, ta.subject_id) is None:
            continue
        pupils = on_list.get(ta.class_id, [])
        if ta.subgroup:
            split = groups.get((ta.class_id, ta.subject_id), {})
            pupils = [(pid, name) for pid, name in pupils if split.get(pid) == ta.subgroup]
        lacking = [name for pid, name in pupils if (ta.class_id, ta.subject_id, pid) not in marked]
        if not lacking:
            continue
        out.append(
            MissingMarks(
                ta.class_id, names[ta.class_id],
                {"ky": subject.name_ky, "ru": subject.name_ru, "en": subject.name_en or subject.name_ru},
                ta.subgroup, f"{teacher.last_name} {teacher.first_name[:1]}.", len(lacking), len(pupils), lacking[:5],
            )
        )  # fmt: skip
    grade_of = {c.id: (c.grade, c.letter) for c in classes}
    out.sort(key=lambda m: (grade_of[m.class_id], m.subject["ky"], m.subgroup))
    return classes, out


def close_term(session: Session, principal: Principal, term_id: int, scope: str = "school", value: int = 0) -> int:
    """Close a term for the school, a grade or a class: those journals, period marks and lessons refuse
    edits from now on. Audited (one row per class for a grade or a class). Returns the classes closed."""
    term = _term_in_school(session, principal, term_id)
    if term.closed_at is not None:
        raise JournalError("journal.error.already_closed")
    now = utcnow()
    if scope == "school":
        classes = _scope_classes(session, term, scope, value)
        term.closed_at = now
        session.add(term)
        audit.record(session, principal, "close", "term", term.id, field="closed_at", old="", new=now.isoformat())
        session.flush()
        return len(classes)
    done = closed_classes(session, term.id)  # type: ignore[arg-type]
    classes = [c for c in _scope_classes(session, term, scope, value) if c.id not in done]
    if not classes:
        raise JournalError("journal.error.already_closed")
    for cls in classes:
        session.add(
            ClassTermClose(
                school_id=term.school_id, term_id=term.id, class_id=cls.id, closed_at=now, closed_by=principal.user_id
            )  # type: ignore[arg-type]
        )
        audit.record(
            session, principal, "close", "term", term.id, field=f"class:{class_label(cls)}", old="",
            new=now.isoformat(), school_id=term.school_id,
        )  # fmt: skip
    session.flush()
    return len(classes)


def reopen_term(session: Session, principal: Principal, term_id: int, reason: str, class_id: int | None = None) -> Term:
    """Reopen a closed term (with a reason, audited): for the whole school, or for one class closed on its own."""
    term = _term_in_school(session, principal, term_id)
    reason = clean_text(reason, MAX_REASON)
    if class_id is not None and term.closed_at is None:
        row = session.exec(
            select(ClassTermClose).where(ClassTermClose.term_id == term.id, ClassTermClose.class_id == class_id)
        ).first()
        if row is None:
            raise JournalError("journal.error.not_closed")
        if not reason:
            raise JournalError("journal.error.reason_required")
        cls = session.get(SchoolClass, class_id)
        label = class_label(cls) if cls is not None else str(class_id)
        session.delete(row)
        audit.record(
            session, principal, "reopen", "term", term.id, field=f"class:{label}", old=row.closed_at.isoformat(),
            new="", reason=reason, school_id=term.school_id,
        )  # fmt: skip
        session.flush()
        return term
    if term.closed_at is None:
        raise JournalError("journal.error.not_closed")
    if not reason:
        raise JournalError("journal.error.reason_required")
    old = term.closed_at.isoformat()
    term.closed_at = None
    session.add(term)
    audit.record(session, principal, "reopen", "term", term.id, field="closed_at", old=old, new="", reason=reason)
    session.flush()
    return term
