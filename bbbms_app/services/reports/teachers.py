"""Teacher reports of a term (research/mission.md §2; the journal is a financial document).

For one term (or the year) of one school, per teacher:

- **hours**: per class × subject × subgroup he is assigned to, the plan (weekly hours × the
  period's school days ÷ 5, the school's own holidays and breaks left out, for the whole period
  and up to the report's day), the lessons he gave (not cancelled, up to the report's day) and
  those given in his place by a substitute; a substitute's lessons are counted for the one who
  taught them (a row of his own, marked as a substitution, with no plan);
- **lessons without a topic or homework** he taught, up to the report's day;
- **pupils with too few marks** for a term mark in his class × subject (× subgroup): fewer marks of
  a counted kind (weight > 0) than the policy's minimum for the subject's weekly hours
  (`grading.min_marks_for`); pupils exempt («осв») are left out, and so is a subject assessed by
  half-year in a quarter (no quarter mark) or a class without a marks scale; grades 10–11 owe
  nothing in Q1 / Q3 and in Q2 / Q4 count the marks of the whole half-year;
- **marks entered late**: more than `late_days` days between the lesson and the day (school time)
  the mark was first written — the audit's record of its entry, else the mark's own timestamp
  (rows loaded in bulk have no audit record).

Scope (here, whatever the caller): the director and deputies (a school-wide role holding
`report.teacher`) read every teacher, a teacher with `report.teacher` only himself; anyone else
is OutOfScope. Counted in SQL (GROUP BY); only the late marks' day arithmetic is done in Python
(the school's time zone).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from sqlalchemy import and_, case, func, literal, or_, tuple_
from sqlmodel import Session, select

from bbbms_app.models import (
    AuditEvent,
    Enrollment,
    Lesson,
    Mark,
    PeriodMark,
    Pupil,
    School,
    SchoolClass,
    Staff,
    SubgroupMember,
    Subject,
    TeachingAssignment,
    Term,
)
from bbbms_app.models.journal import MARK_KINDS
from bbbms_app.services import grading
from bbbms_app.services.access import SCHOOL_WIDE_ROLES, Principal
from bbbms_app.services.curriculum import sort_subjects
from bbbms_app.services.journal.access import OutOfScope, class_label
from bbbms_app.services.reports.results import Period, period_of
from bbbms_app.services.school_events import school_zone
from bbbms_app.services.timetable import holiday_on, holidays_between, staff_short

PERMISSION = "report.teacher"
LATE_DAYS = 3  # a mark written more than this many days after its lesson is late


# ---------------------------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------------------------


def all_teachers(principal: Principal) -> bool:
    """The director and deputies read every teacher's report."""
    return principal.school_id is not None and principal.role in SCHOOL_WIDE_ROLES and principal.can(PERMISSION)


def teacher_scope(principal: Principal) -> int | None:
    """None for the whole school (its leaders), a teacher's own staff id; OutOfScope for anyone else."""
    if principal.school_id is None or not principal.can(PERMISSION):
        raise OutOfScope("teacher reports")
    if all_teachers(principal):
        return None
    if principal.staff_id is None:
        raise OutOfScope("teacher reports")
    return principal.staff_id


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------


@dataclass
class HoursRow:
    class_id: int
    class_label: str
    subject_id: int
    subgroup: int
    weekly: float | None  # the assignment's hours a week; None on a substitution row
    plan: int | None  # the whole period
    plan_to_date: int | None  # up to the report's day
    given: int  # lessons he gave
    by_others: int = 0  # lessons of his assignment given by a substitute
    substitution: bool = False  # he has no assignment here: the lessons he gave for another


@dataclass
class LessonGap:
    lesson_id: int
    day: date
    number: int
    class_label: str
    subject_id: int
    subgroup: int
    no_topic: bool
    no_homework: bool


@dataclass
class FewMarks:
    class_label: str
    subject_id: int
    subgroup: int
    pupil_id: int
    pupil: str
    marks: int
    needed: int  # the period's minimum
    due: int  # its share by the report's day (the minimum once the period is over)


@dataclass
class LateMark:
    day: date  # the lesson's
    entered_on: date  # the school's date the mark was written
    class_label: str
    subject_id: int
    pupil: str
    value: int
    kind: str

    @property
    def days_late(self) -> int:
        return (self.entered_on - self.day).days


@dataclass
class TeacherLine:
    staff_id: int
    name: str
    hours: list[HoursRow] = field(default_factory=list)
    gaps: list[LessonGap] = field(default_factory=list)
    few: list[FewMarks] = field(default_factory=list)
    late: list[LateMark] = field(default_factory=list)

    @property
    def plan(self) -> int:
        return sum(r.plan or 0 for r in self.hours)

    @property
    def plan_to_date(self) -> int:
        return sum(r.plan_to_date or 0 for r in self.hours)

    @property
    def given(self) -> int:
        return sum(r.given for r in self.hours)

    @property
    def substituted(self) -> int:
        """Lessons he gave for another teacher."""
        return sum(r.given for r in self.hours if r.substitution)

    @property
    def by_others(self) -> int:
        return sum(r.by_others for r in self.hours)

    @property
    def no_topic(self) -> int:
        return sum(g.no_topic for g in self.gaps)

    @property
    def no_homework(self) -> int:
        return sum(g.no_homework for g in self.gaps)


@dataclass
class TeacherReport:
    school: School
    period: Period
    upto: date  # the report's day: the period's end, or today while it runs
    late_days: int
    subjects: dict[int, Subject]
    teachers: list[TeacherLine]  # by name; only those with anything to report


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


def teacher_report(
    session: Session,
    principal: Principal,
    year_id: int,
    term_id: int | None = None,
    *,
    staff_id: int | None = None,
    late_days: int = LATE_DAYS,
    today: date | None = None,
) -> TeacherReport:
    """The teacher reports of a term (or the year, `term_id` None); `staff_id` narrows a leader's
    report to one teacher (a teacher's own report is always his own)."""
    own = teacher_scope(principal)
    if own is not None:
        if staff_id not in (None, own):
            raise OutOfScope(f"teacher {staff_id}")
        staff_id = own
    period = period_of(session, principal, year_id, term_id)
    today = today or date.today()
    upto = min(period.ends_on, today - timedelta(days=1)) if period.starts_on < today else period.starts_on
    upto = max(upto, period.starts_on - timedelta(days=1))
    school_id: int = principal.school_id  # type: ignore[assignment]
    classes = {
        c.id: c
        for c in session.exec(
            select(SchoolClass).where(
                SchoolClass.school_id == school_id,
                SchoolClass.academic_year_id == year_id,
                SchoolClass.deleted_at.is_(None),  # type: ignore[union-attr]
            )
        ).all()
    }
    class_ids = list(classes) or [-1]
    assignments = session.exec(
        select(TeachingAssignment).where(
            TeachingAssignment.school_id == school_id,
            TeachingAssignment.class_id.in_(class_ids),  # type: ignore[attr-defined]
            TeachingAssignment.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    lessons_in = and_(
        Lesson.school_id == school_id,
        Lesson.class_id.in_(class_ids),  # type: ignore[attr-defined]
        Lesson.date >= period.starts_on,
        Lesson.date <= upto,
        Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
    )
    lines: dict[int, TeacherLine] = {}

    def line(teacher_id: int) -> TeacherLine:
        if teacher_id not in lines:
            lines[teacher_id] = TeacherLine(teacher_id, "")
        return lines[teacher_id]

    def wanted(teacher_id: int) -> bool:
        return staff_id is None or teacher_id == staff_id

    # Hours: the plan of each assignment against the lessons given, by whom.
    given: dict[tuple[int, int, int], dict[int, int]] = defaultdict(dict)
    for teacher_id, class_id, subject_id, subgroup, n in session.exec(
        select(Lesson.teacher_id, Lesson.class_id, Lesson.subject_id, Lesson.subgroup, func.count())
        .where(lessons_in)
        .group_by(Lesson.teacher_id, Lesson.class_id, Lesson.subject_id, Lesson.subgroup)
    ).all():
        given[(class_id, subject_id, subgroup)][teacher_id] = n
    days = _SchoolDays(session, school_id, period.starts_on, period.ends_on)
    assigned: set[tuple[int, int, int, int]] = set()
    for a in assignments:
        key = (a.class_id, a.subject_id, a.subgroup)
        assigned.add((*key, a.teacher_id))
        if not wanted(a.teacher_id):
            continue
        cls = classes[a.class_id]
        by = given.get(key, {})
        line(a.teacher_id).hours.append(
            HoursRow(
                a.class_id,
                class_label(cls),
                a.subject_id,
                a.subgroup,
                a.hours_per_week,
                _plan(a.hours_per_week, days.count(cls.grade, period.ends_on)),
                _plan(a.hours_per_week, days.count(cls.grade, upto)),
                by.get(a.teacher_id, 0),
                sum(n for t, n in by.items() if t != a.teacher_id),  # one teacher per class × subject × subgroup
            )
        )
    for (class_id, subject_id, subgroup), by in given.items():
        for teacher_id, n in by.items():
            if (class_id, subject_id, subgroup, teacher_id) in assigned or not wanted(teacher_id):
                continue
            line(teacher_id).hours.append(
                HoursRow(
                    class_id,
                    class_label(classes[class_id]),
                    subject_id,
                    subgroup,
                    None,
                    None,
                    None,
                    n,
                    substitution=True,
                )
            )

    # Lessons without a topic or homework.
    blank_topic = func.trim(Lesson.topic) == ""
    blank_homework = func.trim(Lesson.homework) == ""
    q = select(
        Lesson.id,
        Lesson.teacher_id,
        Lesson.class_id,
        Lesson.subject_id,
        Lesson.subgroup,
        Lesson.date,
        Lesson.number,
        Lesson.topic,
        Lesson.homework,
    ).where(lessons_in, or_(blank_topic, blank_homework))
    if staff_id is not None:
        q = q.where(Lesson.teacher_id == staff_id)
    for lesson_id, teacher_id, class_id, subject_id, subgroup, day, number, topic, homework in session.exec(
        q.order_by(Lesson.date, Lesson.number, Lesson.class_id)  # type: ignore[arg-type]
    ).all():
        line(teacher_id).gaps.append(
            LessonGap(
                lesson_id,
                day,
                number,
                class_label(classes[class_id]),
                subject_id,
                subgroup,
                not (topic or "").strip(),
                not (homework or "").strip(),
            )
        )

    pupil_names: dict[int, str] = {}
    if period.term_id is not None:
        mine = [a for a in assignments if wanted(a.teacher_id)]
        _few_marks(session, period, upto, classes, mine, assignments, days, line, pupil_names)
    _late_marks(session, lessons_in, staff_id, late_days, classes, line, pupil_names)

    staff = {
        s.id: s
        for s in session.exec(
            select(Staff).where(Staff.id.in_(list(lines) or [-1]))  # type: ignore[union-attr]
        ).all()
    }
    for teacher_id, tl in lines.items():
        tl.name = staff_short(staff.get(teacher_id)) or f"#{teacher_id}"
        order = {c: i for i, c in enumerate(sorted(classes, key=lambda c: (classes[c].grade, classes[c].letter, c)))}
        tl.hours.sort(key=lambda r: (order.get(r.class_id, 0), r.substitution, r.subject_id, r.subgroup))
    subject_ids = {r.subject_id for tl in lines.values() for r in (*tl.hours, *tl.gaps, *tl.few, *tl.late)}
    subjects = sort_subjects(
        session.exec(select(Subject).where(Subject.id.in_(list(subject_ids) or [-1]))).all()  # type: ignore[union-attr]
    )
    teachers = sorted(
        lines.values(), key=lambda tl: (staff[tl.staff_id].sort_key if tl.staff_id in staff else "", tl.name)
    )
    return TeacherReport(
        session.get(School, school_id),  # type: ignore[arg-type]
        period,
        upto,
        late_days,
        {s.id: s for s in subjects},  # type: ignore[misc]
        teachers,
    )


def _plan(weekly: float, school_days: int) -> int:
    """Weekly hours × school days ÷ 5 (the five-day week), rounded half up."""
    exact = Fraction(str(weekly)) * school_days / 5
    return int(exact + Fraction(1, 2))


class _SchoolDays:
    """School days of a grade from the period's first day to a date: weekdays that no live holiday
    or break of the school closes for the grade."""

    def __init__(self, session: Session, school_id: int, starts: date, ends: date) -> None:
        self.starts = starts
        self.holidays = holidays_between(session, school_id, starts, ends)
        self._cache: dict[tuple[int, date], int] = {}

    def count(self, grade: int, until: date) -> int:
        key = (grade, until)
        if key not in self._cache:
            n, day = 0, self.starts
            while day <= until:
                if day.weekday() < 5 and holiday_on(self.holidays, day, grade) is None:
                    n += 1
                day += timedelta(days=1)
            self._cache[key] = n
        return self._cache[key]


def _names(session: Session, pupil_ids, names: dict[int, str]) -> None:
    missing = sorted(set(pupil_ids) - set(names))
    for pid, last, first in session.exec(
        select(Pupil.id, Pupil.last_name, Pupil.first_name).where(Pupil.id.in_(missing or [-1]))  # type: ignore[union-attr]
    ).all():
        names[pid] = f"{last} {first}"


def _few_marks(
    session, period: Period, upto: date, classes, assignments, every, days: _SchoolDays, line, names: dict[int, str]
) -> None:
    """Pupils on the roll (at the period's end, or the report's day while it runs) with fewer counted
    marks than the minimum, per assignment; while the period runs, fewer than its share of the
    minimum so far (the minimum × the school days gone ÷ the period's school days, rounded down)."""
    if not assignments:
        return
    on = min(period.ends_on, max(upto, period.starts_on))
    class_ids = sorted({a.class_id for a in assignments})
    roll: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for pid, class_id, sort in session.exec(
        select(Enrollment.pupil_id, Enrollment.class_id, Pupil.sort_key)
        .join(Pupil, Pupil.id == Enrollment.pupil_id)  # type: ignore[arg-type]
        .where(
            Enrollment.class_id.in_(class_ids),  # type: ignore[attr-defined]
            Enrollment.starts_on <= on,
            or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= on),  # type: ignore[union-attr]
            Pupil.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ).all():
        roll[class_id].append((sort, pid))
    members: dict[tuple[int, int, int], set[int]] = defaultdict(set)
    for class_id, subject_id, subgroup, pid in session.exec(
        select(
            SubgroupMember.class_id, SubgroupMember.subject_id, SubgroupMember.subgroup, SubgroupMember.pupil_id
        ).where(
            SubgroupMember.class_id.in_(class_ids)  # type: ignore[attr-defined]
        )
    ).all():
        members[(class_id, subject_id, subgroup)].add(pid)
    exempt = set(
        session.exec(
            select(PeriodMark.pupil_id, PeriodMark.class_id, PeriodMark.subject_id).where(
                PeriodMark.term_id == period.term_id,
                PeriodMark.class_id.in_(class_ids),  # type: ignore[attr-defined]
                PeriodMark.special == "осв",
            )
        ).all()
    )
    # Grades 10–11, and a subject of few hours the policy assesses by half-year, are assessed by
    # half-year (grading.assessment): no term mark is due from them in Q1 / Q3, and in Q2 / Q4 their
    # half-year's mark counts the marks of both its quarters.
    halves = {cid for cid, c in classes.items() if grading.assessment(c.grade) == grading.HALF_YEAR}
    few_hours = grading.half_year_subjects(session, classes.values())
    owed = grading.period_of_term(grading.HALF_YEAR, period.kind, period.number) if period.term_id else None
    earlier = (
        session.exec(
            select(Term.id).where(
                Term.academic_year_id == period.year_id,
                Term.kind == "quarter",
                Term.number.in_([q for q in owed.quarters if q != period.number]),  # type: ignore[attr-defined]
            )
        ).all()
        if owed is not None and period.kind == "quarter"
        else []
    )
    in_period = or_(
        Lesson.term_id == period.term_id,
        and_(
            Lesson.term_id.in_(earlier or [-1]),  # type: ignore[attr-defined]
            or_(
                Lesson.class_id.in_(sorted(halves) or [-1]),  # type: ignore[attr-defined]
                tuple_(Lesson.class_id, Lesson.subject_id).in_(sorted(few_hours) or [(-1, -1)]),
            ),
        ),
    )
    policies: dict[tuple[int, int], grading.Rules] = {}
    weekly: dict[tuple[int, int], float] = {}  # a subject's weekly hours in a class (grading.weekly_hours)
    for a in every:
        weekly[(a.class_id, a.subject_id)] = max(weekly.get((a.class_id, a.subject_id), 0), a.hours_per_week)
    # One row per pupil × class × subject with his marks counted by kind (the journal's kinds; any
    # other kind in one more column, weighed as the policy weighs an unknown kind).
    by_kind = [func.sum(case((Mark.kind == kind, 1), else_=0)) for kind in MARK_KINDS]
    counts: dict[tuple[int, int, int], tuple[int, ...]] = {}
    for pid, class_id, subject_id, total, *n in (
        session.connection()
        .execute(
            select(Mark.pupil_id, Lesson.class_id, Lesson.subject_id, func.count(), *by_kind)
            .join(Lesson, Lesson.id == Mark.lesson_id)  # type: ignore[arg-type]
            .where(
                Lesson.class_id.in_(class_ids),  # type: ignore[attr-defined]
                in_period,
                Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
            )
            .group_by(Mark.pupil_id, Lesson.class_id, Lesson.subject_id)
        )
        .all()
    ):
        known = tuple(int(x or 0) for x in n)
        counts[(pid, class_id, subject_id)] = (*known, total - sum(known))
    for a in assignments:
        cls = classes[a.class_id]
        if (cls.academic_year_id, cls.grade) not in policies:
            policies[(cls.academic_year_id, cls.grade)] = grading.rules_for(session, cls.academic_year_id, cls.grade)
        rules = policies[(cls.academic_year_id, cls.grade)]
        if not rules.has_marks:
            continue
        hours = weekly.get((a.class_id, a.subject_id))
        half_year = a.class_id in halves or (a.class_id, a.subject_id) in few_hours
        if half_year and period.term_id is not None and owed is None:
            continue  # Q1 / Q3 of a half-year assessment: no term mark due
        needed = max(1, grading.min_marks_for(rules, hours))
        gone, whole = days.count(cls.grade, upto), days.count(cls.grade, period.ends_on)
        due = needed if upto >= period.ends_on or not whole else needed * gone // whole
        weights = rules.integer_weights
        default = weights.get("class", 1)
        counted = [weights.get(kind, default) > 0 for kind in MARK_KINDS] + [default > 0]
        group = members.get((a.class_id, a.subject_id, a.subgroup)) if a.subgroup else None
        for _sort, pid in sorted(roll.get(a.class_id, [])):
            if (group is not None and pid not in group) or (a.subgroup and group is None):
                continue
            if (pid, a.class_id, a.subject_id) in exempt:
                continue
            n = sum(v for v, c in zip(counts.get((pid, a.class_id, a.subject_id), ()), counted, strict=False) if c)
            if n < due:
                line(a.teacher_id).few.append(
                    FewMarks(class_label(cls), a.subject_id, a.subgroup, pid, "", n, needed, due)
                )
    few = [f for teacher_id in {a.teacher_id for a in assignments} for f in line(teacher_id).few]
    _names(session, [f.pupil_id for f in few], names)
    for f in few:
        f.pupil = names.get(f.pupil_id, "")


def _late_marks(
    session, lessons_in, staff_id: int | None, late_days: int, classes, line, names: dict[int, str]
) -> None:
    """Marks first written more than `late_days` days after their lesson (the school's dates)."""
    entered = (
        select(func.max(AuditEvent.at))
        .where(
            AuditEvent.entity == "lesson",
            AuditEvent.entity_id == Lesson.id,
            AuditEvent.pupil_id == Mark.pupil_id,
            AuditEvent.field == literal("mark.") + Mark.kind,
            AuditEvent.old_value == "",
            AuditEvent.new_value != "",
        )
        .correlate(Lesson, Mark)
        .scalar_subquery()
    )
    q = (
        select(
            Lesson.teacher_id,
            Lesson.class_id,
            Lesson.subject_id,
            Lesson.date,
            Mark.pupil_id,
            Mark.value,
            Mark.kind,
            func.coalesce(entered, Mark.updated_at),
        )
        .join(Lesson, Lesson.id == Mark.lesson_id)  # type: ignore[arg-type]
        .where(lessons_in)
    )
    if staff_id is not None:
        q = q.where(Lesson.teacher_id == staff_id)
    # A mark last touched no later than a day short of the limit was not first written late (the
    # first writing is never after the last touch): leave it out in SQL, the zone's day settled below.
    shift = late_days - 1
    if session.get_bind().dialect.name == "sqlite":
        q = q.where(Mark.updated_at >= func.date(Lesson.date, f"{shift:+d} days"))
    else:
        q = q.where(Mark.updated_at >= Lesson.date + shift)
    zone = school_zone()
    found = []
    for teacher_id, class_id, subject_id, day, pid, value, kind, at in session.connection().execute(q).all():
        if at is None:
            continue
        if isinstance(at, str):  # SQLite hands back a COALESCE of timestamps as text
            at = datetime.fromisoformat(at)
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        on = at.astimezone(zone).date()
        if (on - day).days > late_days:
            found.append((teacher_id, class_id, subject_id, day, pid, value, kind, on))
    _names(session, [row[4] for row in found], names)
    for teacher_id, class_id, subject_id, day, pid, value, kind, on in sorted(found, key=lambda r: (r[3], r[1], r[4])):
        line(teacher_id).late.append(
            LateMark(day, on, class_label(classes[class_id]), subject_id, names.get(pid, ""), value, kind)
        )
