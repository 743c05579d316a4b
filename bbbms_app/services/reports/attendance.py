"""Attendance: lessons and full days missed by reason, per pupil, class and school (research/mission.md §2.4).

For a month, a term or the year of one school: every pupil's lessons missed by reason — «б» ill,
«у» excused, «п» unexcused, «н» reason not given — and his late arrivals («о», with minutes);
his **full days** missed: a day counts only when he missed every lesson of it that was his (the
class's lessons of that date not cancelled, a subgroup's only for its members). A day's reason is
the reason of most of its lessons (ties: ill, excused, unexcused, not given). Totals per class and
for the school, and the pupils above a threshold of unexcused lessons.

Counted in SQL (GROUP BY pupil × code, and pupil × day with the day's own lessons counted by a
correlated sub-query); scope as the results (`results.report_classes`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, exists, func, or_
from sqlmodel import Session, select

from bbbms_app.models import Attendance, Lesson, Pupil, School, SchoolClass, SubgroupMember
from bbbms_app.services.access import Principal
from bbbms_app.services.journal.access import OutOfScope, class_label
from bbbms_app.services.journal.cells import LATE
from bbbms_app.services.reports.results import Period, may_name_pupils, period_of, report_classes

REASONS = ("б", "у", "п", "н")  # ill, excused, unexcused, not given: also the order that breaks a day's tie
UNEXCUSED = "п"


@dataclass
class Missed:
    """Lessons and days missed by reason, and the late arrivals: additive."""

    lessons: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    days: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    late: int = 0
    late_minutes: int = 0

    @property
    def lessons_total(self) -> int:
        return sum(self.lessons.values())

    @property
    def days_total(self) -> int:
        return sum(self.days.values())

    def __iadd__(self, other: Missed) -> Missed:
        for code in REASONS:
            self.lessons[code] += other.lessons[code]
            self.days[code] += other.days[code]
        self.late += other.late
        self.late_minutes += other.late_minutes
        return self


@dataclass
class PupilAttendance:
    pupil_id: int
    name: str
    class_id: int
    class_label: str
    sort_key: str
    missed: Missed


@dataclass
class AttendanceReport:
    school: School
    starts_on: date
    ends_on: date
    classes: list[SchoolClass]
    pupils: list[PupilAttendance]  # pupils with anything missed or late, by class then alphabet
    by_class: dict[int, Missed]
    total: Missed
    threshold: int
    above: list[PupilAttendance]  # unexcused lessons ≥ threshold
    named: bool = True  # False: `pupils` and `above` withheld (results.may_name_pupils); the counts stay
    above_count: int = 0  # how many pupils are above the threshold, named or not


def month_span(month: str) -> tuple[date, date]:
    """'2025-10' -> (1 Oct 2025, 31 Oct 2025); ValueError for anything else."""
    year, mon = (int(x) for x in month.split("-", 1))
    if not (2000 <= year <= 2100 and 1 <= mon <= 12):
        raise ValueError(month)
    starts = date(year, mon, 1)
    ends = date(year + (mon == 12), mon % 12 + 1, 1)
    return starts, date.fromordinal(ends.toordinal() - 1)


def attendance(
    session: Session,
    principal: Principal,
    year_id: int,
    term_id: int | None = None,
    *,
    month: str | None = None,
    threshold: int = 10,
) -> AttendanceReport:
    """The attendance of a term (`term_id`), a month of the year ('YYYY-MM') or the whole year (neither)."""
    period: Period = period_of(session, principal, year_id, term_id)
    starts, ends = period.starts_on, period.ends_on
    if month is not None:
        m_starts, m_ends = month_span(month)
        if m_ends < starts or m_starts > ends:
            raise OutOfScope(f"month {month}")
        starts, ends = max(starts, m_starts), min(ends, m_ends)
    classes = report_classes(session, principal, year_id)
    school = session.get(School, principal.school_id)
    class_ids = [c.id for c in classes] or [-1]
    labels = {c.id: class_label(c) for c in classes}
    in_period = _lessons_of(principal, class_ids, starts, ends)
    missed: dict[tuple[int, int], Missed] = defaultdict(Missed)
    for pupil_id, class_id, code, n, minutes in session.exec(
        select(Attendance.pupil_id, Lesson.class_id, Attendance.code, func.count(), func.sum(Attendance.late_minutes))
        .join(Lesson, Lesson.id == Attendance.lesson_id)  # type: ignore[arg-type]
        .where(in_period)
        .group_by(Attendance.pupil_id, Lesson.class_id, Attendance.code)
    ).all():
        m = missed[(pupil_id, class_id)]
        if code == LATE:
            m.late += n
            m.late_minutes += int(minutes or 0)
        elif code in m.lessons:
            m.lessons[code] += n
    for pupil_id, class_id, *by_code in _full_days(session, in_period):
        counts = dict(zip(REASONS, (int(n) for n in by_code), strict=True))
        reason = max(REASONS, key=lambda code: (counts[code], -REASONS.index(code)))
        missed[(pupil_id, class_id)].days[reason] += 1
    names = {}
    if missed:
        ids = sorted({pid for pid, _c in missed})
        for pid, last, first, sort in session.exec(
            select(Pupil.id, Pupil.last_name, Pupil.first_name, Pupil.sort_key).where(
                Pupil.id.in_(ids),  # type: ignore[union-attr]
                Pupil.deleted_at.is_(None),  # type: ignore[union-attr]
            )
        ).all():
            names[pid] = (f"{last} {first}", sort)
    order = {c.id: i for i, c in enumerate(classes)}
    pupils = sorted(
        (
            PupilAttendance(pid, names[pid][0], cid, labels[cid], names[pid][1], m)
            for (pid, cid), m in missed.items()
            if pid in names
        ),
        key=lambda p: (order[p.class_id], p.sort_key, p.pupil_id),
    )
    by_class: dict[int, Missed] = {c.id: Missed() for c in classes}  # type: ignore[misc]
    total = Missed()
    for p in pupils:
        by_class[p.class_id] += p.missed
        total += p.missed
    above = [p for p in pupils if p.missed.lessons[UNEXCUSED] >= threshold]
    named = may_name_pupils(principal)
    return AttendanceReport(
        school,  # type: ignore[arg-type]
        starts,
        ends,
        classes,
        pupils if named else [],
        by_class,  # type: ignore[arg-type]
        total,
        threshold,
        above if named else [],
        named=named,
        above_count=len(above),
    )


def _lessons_of(principal: Principal, class_ids: list[int], starts: date, ends: date):
    """The WHERE of the lessons a report counts: the classes', held (not cancelled) from–to."""
    return and_(
        Lesson.school_id == principal.school_id,
        Lesson.class_id.in_(class_ids),  # type: ignore[attr-defined]
        Lesson.date >= starts,
        Lesson.date <= ends,
        Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
    )


def lessons_missed(session: Session, principal: Principal, year_id: int, term_id: int) -> int:
    """The lessons missed in a term, every reason: `attendance(…).total.lessons_total` counted alone.

    One COUNT over the same lessons, codes and live pupils as the report, without the per-pupil rows
    and the full days (their correlated sub-query is most of the report's time) that a summary of
    the school's total does not show: the district's row of a school (reports/district.py)."""
    period = period_of(session, principal, year_id, term_id)
    class_ids = [c.id for c in report_classes(session, principal, year_id)] or [-1]
    return session.exec(
        select(func.count())
        .select_from(Attendance)
        .join(Lesson, Lesson.id == Attendance.lesson_id)  # type: ignore[arg-type]
        .join(Pupil, Pupil.id == Attendance.pupil_id)  # type: ignore[arg-type]
        .where(
            _lessons_of(principal, class_ids, period.starts_on, period.ends_on),  # type: ignore[arg-type]
            Attendance.code.in_(REASONS),  # type: ignore[attr-defined]
            Pupil.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ).one()


def _full_days(session: Session, in_period):
    """(pupil, class, lessons missed that day by reason…) for each day he missed every lesson that was his."""
    absent = Attendance.code.in_(REASONS)  # type: ignore[attr-defined]
    per_day = (
        select(
            Attendance.pupil_id.label("pupil_id"),  # type: ignore[attr-defined]
            Lesson.class_id.label("class_id"),  # type: ignore[attr-defined]
            Lesson.date.label("day"),  # type: ignore[attr-defined]
            func.count().label("absent"),
            *(func.sum(case((Attendance.code == code, 1), else_=0)).label(f"r{i}") for i, code in enumerate(REASONS)),
        )
        .join(Lesson, Lesson.id == Attendance.lesson_id)  # type: ignore[arg-type]
        .where(in_period, absent)
        .group_by(Attendance.pupil_id, Lesson.class_id, Lesson.date)
        .subquery()
    )
    day = Lesson.__table__.alias("day_lesson")  # type: ignore[attr-defined]
    own_lessons = (
        select(func.count())
        .select_from(day)
        .where(
            day.c.class_id == per_day.c.class_id,
            day.c.date == per_day.c.day,
            day.c.cancelled.is_(False),
            or_(
                day.c.subgroup == 0,
                exists()
                .where(
                    SubgroupMember.class_id == day.c.class_id,
                    SubgroupMember.subject_id == day.c.subject_id,
                    SubgroupMember.subgroup == day.c.subgroup,
                    SubgroupMember.pupil_id == per_day.c.pupil_id,
                )
                .correlate_except(SubgroupMember),  # the day's lesson and the pupil come from outside
            ),
        )
        .scalar_subquery()
    )
    return session.exec(
        select(per_day.c.pupil_id, per_day.c.class_id, *(per_day.c[f"r{i}"] for i in range(len(REASONS)))).where(
            per_day.c.absent >= own_lessons
        )
    ).all()
