"""Quarter (half-year) and year marks, and closing a term: the suggestion, overrides with a reason, the lock."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from bbbms_app.models import (
    Enrollment,
    Lesson,
    Mark,
    PeriodMark,
    SchoolClass,
    Subject,
    Term,
)
from bbbms_app.services import audit, grading, subgroups
from bbbms_app.services.access import Principal, can_teach
from bbbms_app.services.journal.access import JournalError, OutOfScope, Stale, class_in_school, year_terms
from bbbms_app.services.journal.cells import MAX_REASON, PERIOD_SPECIALS, clean_text, edit_action, utcnow
from bbbms_app.services.journal.grid import grid, year_period_values

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


def _validate_period_value(rules: grading.Rules, value: int | None, special: str) -> None:
    if not rules.has_marks:
        raise JournalError("journal.error.no_marks")
    if value is not None and special:
        raise JournalError("journal.error.period_value", value=f"{value} {special}"[:20])
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not rules.allows(value)):
        raise JournalError("journal.error.mark_range", value=str(value)[:10], low=rules.min_value, high=rules.max_value)
    if special and special not in PERIOD_SPECIALS:
        raise JournalError("journal.error.period_value", value=str(special)[:20])


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
    return row


def period_suggestion(
    session: Session, cls: SchoolClass, subject_id: int, term: Term, pupil_id: int, subgroup: int, exempt: bool
) -> grading.Suggestion:
    rules = grading.policy_for_class(session, cls.id)  # type: ignore[arg-type]
    marks = session.exec(
        select(Mark.kind, Mark.value)
        .join(Lesson, Lesson.id == Mark.lesson_id)  # type: ignore[arg-type]
        .where(
            Mark.pupil_id == pupil_id,
            Lesson.class_id == cls.id,
            Lesson.subject_id == subject_id,
            Lesson.term_id == term.id,
            Lesson.subgroup == subgroup,
            Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
        )
    ).all()
    return grading.suggest_period_mark(rules, [(k, v) for k, v in marks], exempt=exempt)


def pupil_suggestion(
    session: Session, class_id: int, subject_id: int, term_id: int, pupil_id: int, subgroup: int = 0
) -> grading.Suggestion:
    """A pupil's period suggestion in a journal as it stands now (after a period mark was set or cleared)."""
    cls = session.get(SchoolClass, class_id)
    term = session.get(Term, term_id)
    if cls is None or term is None:
        return grading.Suggestion()
    exempt = (
        session.exec(
            select(PeriodMark.id).where(
                PeriodMark.pupil_id == pupil_id,
                PeriodMark.subject_id == subject_id,
                PeriodMark.term_id == term_id,
                PeriodMark.special == grading.EXEMPT,
            )
        ).first()
        is not None
    )
    return period_suggestion(session, cls, subject_id, term, pupil_id, subgroup, exempt)


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
    action = edit_action(principal, own, term.closed_at is not None, reason)
    rules = grading.policy_for_class(session, class_id)
    if value is not None or special:
        _validate_period_value(rules, value, special)
    suggestion = period_suggestion(session, cls, subject_id, term, pupil_id, subgroup, special == grading.EXEMPT)
    if special == grading.EXEMPT and not reason:
        raise JournalError("journal.error.override_reason", suggestion=suggestion.text or "—")
    return _store_period(
        session, principal, cls, subject_id, pupil_id, term.kind, term.number, term.id, value, special,
        suggestion, reason, expected_version, action,
    )  # fmt: skip


def year_suggestion(session: Session, cls: SchoolClass, subject_id: int, pupil_id: int) -> grading.Suggestion:
    rules = grading.policy_for_class(session, cls.id)  # type: ignore[arg-type]
    terms = year_terms(session, cls.academic_year_id)
    kind = terms[0].kind if terms else "quarter"
    expected = sum(1 for t in terms if t.kind == kind)
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
    closed = bool(terms) and terms[-1].closed_at is not None
    own = can_teach(session, principal, class_id, subject_id, subgroup)
    action = edit_action(principal, own, closed, reason)
    rules = grading.policy_for_class(session, class_id)
    if value is not None or special:
        _validate_period_value(rules, value, special)
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


def close_term(session: Session, principal: Principal, term_id: int) -> Term:
    """Close a term: its journals, period marks and lessons refuse edits from now on."""
    term = _term_in_school(session, principal, term_id)
    if term.closed_at is not None:
        raise JournalError("journal.error.already_closed")
    term.closed_at = utcnow()
    session.add(term)
    audit.record(
        session, principal, "close", "term", term.id, field="closed_at", old="", new=term.closed_at.isoformat()
    )
    session.flush()
    return term


def reopen_term(session: Session, principal: Principal, term_id: int, reason: str) -> Term:
    """Reopen a closed term (with a reason, audited)."""
    term = _term_in_school(session, principal, term_id)
    reason = clean_text(reason, MAX_REASON)
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
