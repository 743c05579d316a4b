"""The results' rule written a second way, in SQL, for the tests: which period marks a report counts
(`counted`: one WHERE) and the counts of a GROUP BY (`count_columns`). services/reports/results.py
reads the marks once and counts in Python (`_counted_rows`, `_add`); tests/test_demo.py checks that
both readings give the same figures on every period of the demo's last year, for the results and
for the grouping by teacher (`by_teacher_sql`: GROUP BY teacher × class × subject × sex, a pupil's
mark given to the teachers of his class × subject and of his own subgroup)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import and_, case, exists, false, func, or_, tuple_
from sqlmodel import Session, select

from bbbms_app.models import PeriodMark, Pupil, SchoolClass, SubgroupMember, TeachingAssignment
from bbbms_app.services import grading
from bbbms_app.services.grading import NOT_ATTESTED
from bbbms_app.services.reports.formulas import Tally
from bbbms_app.services.reports.results import Period


def period_marks_of(period: Period, classes: list[SchoolClass], half_year: set[tuple[int, int]]):
    """Which period marks a report of `period` counts, class × subject by class × subject: the
    quarter's, or under a half-year assessment (grading.assessment: grades 10–11, and the subjects of
    few hours in `half_year`, grading.half_year_subjects) the half-year's in Q2 / Q4 and none in
    Q1 / Q3; the year's marks for the year."""
    if period.kind == "year":
        ids = [c.id for c in classes] or [-1]
        return and_(PeriodMark.kind == "year", PeriodMark.number == 0, PeriodMark.class_id.in_(ids))  # type: ignore[attr-defined]
    owed = {
        how: grading.period_of_term(how, period.kind, period.number) for how in (grading.QUARTER, grading.HALF_YEAR)
    }
    by_period: dict[tuple[str, int], list[int]] = defaultdict(list)
    for c in classes:
        p = owed[grading.assessment(c.grade)]
        if p is not None:
            by_period[(p.kind, p.number)].append(c.id)  # type: ignore[arg-type]
    pair = tuple_(PeriodMark.class_id, PeriodMark.subject_id)
    parts = [
        and_(PeriodMark.kind == kind, PeriodMark.number == number, PeriodMark.class_id.in_(ids))  # type: ignore[attr-defined]
        for (kind, number), ids in sorted(by_period.items())
    ]
    if half_year:  # the subjects of few hours: not their quarter's marks, their half-year's
        parts = [and_(part, pair.not_in(sorted(half_year))) for part in parts]
    half = owed[grading.HALF_YEAR]
    if half_year and half is not None:
        parts.append(and_(PeriodMark.kind == half.kind, PeriodMark.number == half.number, pair.in_(sorted(half_year))))
    return or_(*parts) if parts else false()


def counted(
    school_id: int,
    period: Period,
    classes: list[SchoolClass],
    subject_ids: list[int],
    gone: list,
    half_year: set[tuple[int, int]],
):
    """The WHERE of the period marks that count (see the module's docstring); joined with Pupil;
    `half_year`: grading.half_year_subjects of the classes.

    The period's marks are found by ix_periodmark_period; live subjects are a list, not a join; the
    few pupils who left before the period's end are a list of (pupil, class) pairs left out."""
    value = PeriodMark.value
    return and_(
        PeriodMark.academic_year_id == period.year_id,
        period_marks_of(period, classes, half_year),
        PeriodMark.school_id == school_id,
        PeriodMark.subject_id.in_(subject_ids),  # type: ignore[attr-defined]
        or_(value.is_not(None), PeriodMark.special == NOT_ATTESTED),  # type: ignore[union-attr]
        Pupil.deleted_at.is_(None),  # type: ignore[union-attr]
        tuple_(PeriodMark.pupil_id, PeriodMark.class_id).not_in(gone),
    )


def count_columns():
    value = PeriodMark.value
    na = and_(value.is_(None), PeriodMark.special == NOT_ATTESTED)  # type: ignore[union-attr]
    return (
        func.sum(case((value >= 5, 1), else_=0)),
        func.sum(case((value == 4, 1), else_=0)),
        func.sum(case((value == 3, 1), else_=0)),
        func.sum(case((value <= 2, 1), else_=0)),
        func.sum(case((na, 1), else_=0)),
        func.coalesce(func.sum(value), 0),
        func.count(value),
    )


def by_teacher_sql(session: Session, res, subject_ids: list[int], gone: list, half_year) -> dict:
    """{teacher id: {(class id, subject id, sex): Tally}} of `res`' period, counted in SQL."""
    where = counted(res.school.id, res.period, list(res.classes), subject_ids, gone, half_year)
    ta = TeachingAssignment
    own_group = exists().where(
        SubgroupMember.class_id == PeriodMark.class_id,
        SubgroupMember.subject_id == PeriodMark.subject_id,
        SubgroupMember.pupil_id == PeriodMark.pupil_id,
        SubgroupMember.subgroup == ta.subgroup,
    )
    q = (
        select(ta.teacher_id, ta.class_id, ta.subject_id, Pupil.sex, *count_columns())
        .select_from(PeriodMark)
        .join(Pupil, Pupil.id == PeriodMark.pupil_id)  # type: ignore[arg-type]
        .join(
            ta,
            and_(
                ta.class_id == PeriodMark.class_id,
                ta.subject_id == PeriodMark.subject_id,
                ta.deleted_at.is_(None),  # type: ignore[union-attr]
            ),
        )
        .where(where, or_(ta.subgroup == 0, own_group))
        .group_by(ta.teacher_id, ta.class_id, ta.subject_id, Pupil.sex)
    )
    found: dict[int, dict] = defaultdict(dict)
    for teacher_id, class_id, subject_id, sex, *counts in session.connection().execute(q).all():
        key = (class_id, subject_id, sex)
        found[teacher_id][key] = found[teacher_id].get(key, Tally()) + Tally(*(int(n) for n in counts))
    return dict(found)
