"""The director's dashboard: the school's key figures of a term, and the series its charts draw.

- the key figures of the last finished term (the current one has no term marks yet), or of the
  current one when none is over: успеваемость, качество, СОУ and the average mark of the school,
  each beside the previous term's (`results`, the same numbers as /reports);
- the pass rate, quality and СОУ by parallel (grade) of that term;
- the trend: the school's rates for every finished term of the year of the same kind;
- the attendance of the current term (or the last one) by week: lessons missed by reason and the
  late arrivals, and the term's totals (`attendance`'s codes);
- for those holding report.teacher, the lessons not filled in and the marks entered late this term.

Scope as the reports: the director and deputies the school, a class teacher his class.

The results of each term are kept (`CACHE`, per school, scope and term) with a fingerprint of what
they are counted from — the term's period marks (how many, the newest id, the sum of their
versions: every save through the journal adds one, a cleared mark is deleted), the roll (the
school's enrollments and ends, deleted pupils, classes and subjects) and what decides which marks
count (grading.assessment): the year's grading policies (each one's id, version, grade range and
`half_year_max_hours` — a save through the admin engine adds a version, a write elsewhere changes
the value) and the teaching assignments' weekly hours. Each opening reads the
fingerprint (one small query) and recounts a term only when it changed, so a saved mark shows at
the next opening, in every worker; the scope is checked at every opening (`report_classes`).

The teacher figures: the lessons without a topic or homework are counted at every opening (one
scan of the term's lessons); the marks entered late — the costly part: every mark of the term
written some days after its lesson, with its first entry in the audit — are kept (`LATE_CACHE`,
per database, school, term, classes and day) with a fingerprint of what they are counted from: the
school's marks (how many, the newest id, the latest `updated_at`: every save, a new mark and a
cleared one change one of them) and the term's lessons up to the day (how many, the newest id, the
cancelled ones).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, select

from bbbms_app.models import (
    Attendance,
    Enrollment,
    GradingPolicy,
    Lesson,
    Mark,
    PeriodMark,
    Pupil,
    School,
    SchoolClass,
    Subject,
    TeachingAssignment,
)
from bbbms_app.services import grading
from bbbms_app.services.access import Principal
from bbbms_app.services.journal.access import year_terms
from bbbms_app.services.journal.cells import LATE
from bbbms_app.services.reports import results as results_service
from bbbms_app.services.reports import teachers as teachers_service
from bbbms_app.services.reports.attendance import REASONS
from bbbms_app.services.reports.results import Period, Results, report_classes

RATES = ("success", "quality", "sou", "average")


@dataclass
class Dashboard:
    school: School
    period: Period | None  # the term of the figures
    previous: Period | None
    figures: dict[str, float | None] = field(default_factory=dict)  # success, quality, sou, average
    before: dict[str, float | None] = field(default_factory=dict)  # the previous term's
    by_grade: list[dict] = field(default_factory=list)  # {"grade": 5, "success": …, "quality": …, "sou": …}
    trend: list[Period] = field(default_factory=list)
    trend_rates: list[dict[str, float | None]] = field(default_factory=list)
    week_period: Period | None = None  # the term of the attendance by week
    weeks: list[dict] = field(default_factory=list)  # {"week": monday, "б": n, "у": n, "п": n, "н": n, "о": n}
    missed: dict[str, int] = field(default_factory=dict)  # the term's lessons missed by reason, "late"
    teachers: dict[str, int] | None = None  # no_topic, no_homework, late (those holding report.teacher)


CACHE_MAX = 64
CACHE: OrderedDict[tuple, tuple[tuple, Results]] = OrderedDict()
LATE_CACHE: OrderedDict[tuple, tuple[tuple, int]] = OrderedDict()  # the marks entered late (module docstring)
_CACHE_LOCK = threading.Lock()


def _kept(cache: OrderedDict, key: tuple, mark: tuple):
    """The value kept under `key` if it was counted from what `mark` fingerprints, else None."""
    with _CACHE_LOCK:
        hit = cache.get(key)
        if hit is not None and hit[0] == mark:
            cache.move_to_end(key)
            return hit[1]
    return None


def _keep(cache: OrderedDict, key: tuple, mark: tuple, value) -> None:
    with _CACHE_LOCK:
        cache[key] = (mark, value)
        cache.move_to_end(key)
        while len(cache) > CACHE_MAX:
            cache.popitem(last=False)


def _fingerprint(session: Session, school_id: int, year_id: int, kind: str, numbers: list[int]) -> tuple:
    """What the results of these terms are counted from (see the module's docstring)."""
    run = session.connection().execute
    # The terms' marks and, as a quarter's results also count them (grades 10–11, subjects of few
    # hours), every half-year mark of the year: two reads on ix_periodmark_period (`school_id + 0`
    # keeps SQLite off ix_periodmark_school_id, a walk through every year's period marks: 42 → 12 ms).
    legs = [PeriodMark.kind == grading.HALF_YEAR]
    if kind != grading.HALF_YEAR:
        legs.append(and_(PeriodMark.kind == kind, PeriodMark.number.in_(numbers)))  # type: ignore[attr-defined]
    counts, newest, versions = 0, 0, 0
    for leg in legs:
        n, top, total = run(
            select(func.count(), func.max(PeriodMark.id), func.sum(PeriodMark.version)).where(
                PeriodMark.academic_year_id == year_id, leg, PeriodMark.school_id + 0 == school_id
            )
        ).one()
        counts, newest, versions = counts + n, max(newest, top or 0), versions + (total or 0)
    marks = (counts, newest, versions)
    roll = run(
        select(
            func.count(), func.max(Enrollment.id), func.count(Enrollment.ends_on), func.max(Enrollment.ends_on)
        ).where(Enrollment.school_id == school_id)
    ).one()
    gone = tuple(
        run(select(func.count()).where(table.school_id == school_id, table.deleted_at.is_not(None))).scalar()  # type: ignore[attr-defined]
        for table in (Pupil, SchoolClass, Subject)
    )
    # Which subjects are assessed by half-year: the policies (a handful a year, read whole) and the
    # weekly hours of the assignments (many: summed; a version is added by every engine save).
    policies = tuple(
        tuple(row)
        for row in run(
            select(
                GradingPolicy.id, GradingPolicy.version, GradingPolicy.deleted_at, GradingPolicy.grade_from,
                GradingPolicy.grade_to, GradingPolicy.half_year_max_hours,
            )
            .where(GradingPolicy.school_id == school_id, GradingPolicy.academic_year_id == year_id)
            .order_by(GradingPolicy.id)
        ).all()
    )  # fmt: skip
    hours = run(
        select(
            func.count(), func.max(TeachingAssignment.id), func.sum(TeachingAssignment.version),
            func.sum(TeachingAssignment.hours_per_week), func.count(TeachingAssignment.deleted_at),
        ).where(TeachingAssignment.school_id == school_id)
    ).one()  # fmt: skip
    return (*marks, *roll, *gone, policies, *hours)


def cached_results(session: Session, principal: Principal, year_id: int, term_id: int) -> Results:
    """`results.results` of a term (with the previous one), recounted only when its fingerprint changed."""
    period = results_service.period_of(session, principal, year_id, term_id)
    before = results_service.previous_period(session, period)
    numbers = [period.number] + ([before.number] if before is not None else [])
    scope = "school" if results_service.school_wide(principal) else f"staff:{principal.staff_id}"
    scope += ":named" if results_service.may_name_pupils(principal) else ""  # the lists: export.personal only
    key = (str(session.get_bind().url), principal.school_id, scope, year_id, term_id)  # a test's database is new
    mark = _fingerprint(session, principal.school_id, year_id, period.kind, numbers)  # type: ignore[arg-type]
    hit = _kept(CACHE, key, mark)
    if hit is not None:
        return hit
    res = results_service.results(session, principal, year_id, term_id)
    # The cache keeps the figures, not the ~9,000 marks read (kept for by_teacher, not used here):
    # 64 kept reports would otherwise hold their rows too.
    res.counted = []
    _keep(CACHE, key, mark, res)
    return res


def figures_term(terms: list, today: date):
    """The term a school's key figures are of: the last finished one (the running one has no term
    marks yet), else the running one, else the first. The dashboard's and the district summary's."""
    finished = [t for t in terms if t.ends_on < today]
    running = next((t for t in terms if t.starts_on <= today <= t.ends_on), None)
    return max(finished, key=lambda t: (t.ends_on, t.starts_on)) if finished else (running or terms[0])


def dashboard(session: Session, principal: Principal, year_id: int, today: date | None = None) -> Dashboard:
    today = today or date.today()
    classes = report_classes(session, principal, year_id)  # OutOfScope for anyone without a report's scope
    terms = year_terms(session, year_id)
    board = Dashboard(session.get(School, principal.school_id), None, None)  # type: ignore[arg-type]
    if not terms:
        return board
    finished = [t for t in terms if t.ends_on < today]
    running = next((t for t in terms if t.starts_on <= today <= t.ends_on), None)
    chosen = figures_term(terms, today)
    res = cached_results(session, principal, year_id, chosen.id)  # type: ignore[arg-type]
    school = res.groups[-1]
    board.period = res.period
    now = res.indicators(school)
    board.figures = {rate: getattr(now, rate) for rate in RATES}
    if res.previous is not None:
        board.previous = res.previous.period
        before = res.previous_indicators(school)
        board.before = {rate: getattr(before, rate) for rate in RATES} if before is not None else {}
    for group in res.groups:
        if group.kind == "grade" and (ind := res.indicators(group)).n:  # a grade without marks (the 1st) is left out
            board.by_grade.append({"grade": group.grade, **{r: getattr(ind, r) for r in ("success", "quality", "sou")}})
    for term in sorted((t for t in finished if t.kind == chosen.kind), key=lambda t: t.number):
        if term.id == chosen.id:
            rates = board.figures
        elif res.previous is not None and term.id == res.previous.period.term_id:
            rates = board.before
        else:
            other = cached_results(session, principal, year_id, term.id)  # type: ignore[arg-type]
            ind = other.indicators(other.groups[-1])
            rates = {rate: getattr(ind, rate) for rate in RATES}
        board.trend.append(results_service.period_of(session, principal, year_id, term.id))
        board.trend_rates.append(rates)
    week_term = running or chosen
    board.week_period = results_service.period_of(session, principal, year_id, week_term.id)
    board.weeks, board.missed = _weeks(session, principal, [c.id for c in classes], week_term, today)  # type: ignore[misc]
    if principal.can(teachers_service.PERMISSION) and teachers_service.all_teachers(principal):
        board.teachers = teacher_figures(session, principal, year_id, week_term.id, today)  # type: ignore[arg-type]
    return board


def teacher_figures(session: Session, principal: Principal, year_id: int, term_id: int, today: date) -> dict[str, int]:
    """The three teacher figures the dashboard shows — lessons without a topic, without homework, marks
    entered late — counted as `teachers.teacher_report` counts them (the same lessons, the same late
    marks), without the rest of that report (the hours against the plan, the pupils with too few marks)."""
    period = results_service.period_of(session, principal, year_id, term_id)
    upto = min(period.ends_on, today - timedelta(days=1)) if period.starts_on < today else period.starts_on
    upto = max(upto, period.starts_on - timedelta(days=1))
    classes = {
        c.id: c
        for c in session.exec(
            select(SchoolClass).where(
                SchoolClass.school_id == principal.school_id,
                SchoolClass.academic_year_id == year_id,
                SchoolClass.deleted_at.is_(None),  # type: ignore[union-attr]
            )
        ).all()
    }
    lessons_in = and_(
        Lesson.school_id == principal.school_id,
        Lesson.class_id.in_(list(classes) or [-1]),  # type: ignore[attr-defined]
        Lesson.date >= period.starts_on,
        Lesson.date <= upto,
        Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
    )
    # As the teacher report: the lessons SQL finds with a blank topic or homework, each told apart in Python.
    blank = or_(func.trim(Lesson.topic) == "", func.trim(Lesson.homework) == "")
    gaps = session.connection().execute(select(Lesson.topic, Lesson.homework).where(lessons_in, blank)).all()
    no_topic = sum(1 for topic, _ in gaps if not (topic or "").strip())
    no_homework = sum(1 for _, homework in gaps if not (homework or "").strip())
    key = (str(session.get_bind().url), principal.school_id, year_id, term_id, upto, tuple(sorted(classes)))
    mark = _late_fingerprint(session, principal.school_id, period.starts_on, upto)  # type: ignore[arg-type]
    late = _kept(LATE_CACHE, key, mark)
    if late is None:
        lines: dict[int, teachers_service.TeacherLine] = {}

        def line(teacher_id: int) -> teachers_service.TeacherLine:
            return lines.setdefault(teacher_id, teachers_service.TeacherLine(teacher_id, ""))

        teachers_service._late_marks(session, lessons_in, None, teachers_service.LATE_DAYS, classes, line, {})
        late = sum(len(t.late) for t in lines.values())
        _keep(LATE_CACHE, key, mark, late)
    return {"no_topic": int(no_topic), "no_homework": int(no_homework), "late": late}


def _late_fingerprint(session: Session, school_id: int, starts_on: date, upto: date) -> tuple:
    """What the marks entered late are counted from (the module's docstring): the school's marks and
    the lessons of the term up to `upto`. A mark's first entry in the audit is written with the mark."""
    run = session.connection().execute
    # Three reads, not one: alone, each max() is a seek in its index (ix_mark_school_id,
    # ix_mark_school_updated) and the count an index-only scan; together they scan the marks.
    marks = tuple(
        run(select(what).where(Mark.school_id == school_id)).scalar()
        for what in (func.count(), func.max(Mark.id), func.max(Mark.updated_at))
    )
    lessons = run(
        select(
            func.count(), func.max(Lesson.id), func.count(case((Lesson.cancelled, 1))),
            func.sum(case((Lesson.cancelled, Lesson.id), else_=0)),
        ).where(Lesson.school_id == school_id, Lesson.date >= starts_on, Lesson.date <= upto)
    ).one()  # fmt: skip
    return (*marks, *lessons)


def _weeks(session: Session, principal: Principal, class_ids: list[int], term, today: date):
    """Lessons missed by reason and late arrivals per week (Monday) of the term up to today, and the totals."""
    ends = min(term.ends_on, today)
    per_day = session.connection().execute(
        select(Lesson.date, Attendance.code, func.count())
        .join(Lesson, Lesson.id == Attendance.lesson_id)  # type: ignore[arg-type]
        .where(
            Lesson.school_id == principal.school_id,
            Lesson.class_id.in_(class_ids or [-1]),  # type: ignore[attr-defined]
            Lesson.date >= term.starts_on,
            Lesson.date <= ends,
            Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
        )
        .group_by(Lesson.date, Attendance.code)
    )
    codes = (*REASONS, LATE)
    weeks: dict[date, dict[str, int]] = {}
    monday = term.starts_on - timedelta(days=term.starts_on.weekday())
    while monday <= ends:  # every week of the term so far, an empty one too
        weeks[monday] = dict.fromkeys(codes, 0)
        monday += timedelta(days=7)
    totals: dict[str, int] = defaultdict(int)
    for day, code, n in per_day.all():
        if isinstance(day, str):
            day = date.fromisoformat(day)
        if code not in codes:
            continue
        week = day - timedelta(days=day.weekday())
        weeks.setdefault(week, dict.fromkeys(codes, 0))[code] += n
        totals[code] += n
    rows = [{"week": week, **counts} for week, counts in sorted(weeks.items())]
    missed = {code: totals[code] for code in codes}
    return rows, missed
