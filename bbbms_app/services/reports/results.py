"""Academic results of a term (quarter / half-year) or the year (research/mission.md §2.7).

For one period of one school: per subject and for all subjects, by class, parallel (all 7th
grades), level (1–4, 5–9, 10–12) and school, for all pupils or one sex — the counts of pupils by
mark (5 / 4 / 3 / 2 / «н/а»), успеваемость, качество, СОУ and the average mark; the lists of
pupils (отличники, хорошисты, with a single 3, with a single 4, неуспевающие with their class and
subjects); and the same figures of the previous period of the year, to compare. The lists name
pupils: they are made only for a holder of `export.personal` (`may_name_pupils`); for anyone else
`Results.named` is False and the lists are empty, whatever the page or the caller asks.

Who counts (the base N): a pupil on the roll of the mark's class at the period's last day (one who
left before it is out; one who came during it is in), not deleted, with a stored period mark or
«н/а» (`PeriodMark`, the confirmed marks; suggestions do not count). «осв» (exempt) and
«зач» / «незач» leave the pupil out of that subject's N. SQL selects the marks that count (one
indexed read per kind × number of the period, `_counted_rows`); the tallies per class × subject × sex
and per pupil are counted from that one read in Python, and add up into parallels, levels and the
school (`formulas.Tally`); the teachers' grouping (`by_teacher.py`) counts the same read.

Grades 10–11, and in grades 2–9 a subject of few hours the policy assesses by half-year
(`half_year_max_hours`), are assessed by half-year (grading.assessment, one rule with the journal):
a Q2 / Q4 report counts their half-year marks, a Q1 / Q3 report leaves them out (they have none),
the year their year marks. The grouping by teacher is `by_teacher.py` (over the same marks).
Not yet: the school's option of СОУ as the mean of the subjects' СОУ.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter

from sqlalchemy import or_
from sqlmodel import Session, select

from bbbms_app.models import AcademicYear, Enrollment, PeriodMark, Pupil, School, SchoolClass, Subject, Term
from bbbms_app.services import curriculum, grading
from bbbms_app.services.access import SCHOOL_WIDE_ROLES, Principal
from bbbms_app.services.grading import NOT_ATTESTED, Indicators
from bbbms_app.services.journal.access import OutOfScope, class_label, year_terms
from bbbms_app.services.reports import formulas
from bbbms_app.services.reports.formulas import Tally

# The named lists (отличники … неуспевающие) are personal data: they are made only for a holder of
# the right that guards every named export (engine/marking.py's PERMISSION); every report.read
# holder gets the counts and percents (the lead's decision, issue 14).
NAMED_PERMISSION = "export.personal"


def may_name_pupils(principal: Principal) -> bool:
    """Whether the principal may see the named lists of a report (on screen, in XLSX, in the jobs)."""
    return principal.can(NAMED_PERMISSION)


LEVELS = ((1, 4), (5, 9), (10, 12))  # primary, basic, secondary: grades from–to
SEXES = ("m", "f")
LIST_KINDS = ("excellent", "good", "one_three", "one_four", "failing")


# ---------------------------------------------------------------------------------------------
# Scope and period
# ---------------------------------------------------------------------------------------------


def school_wide(principal: Principal) -> bool:
    """The director and deputies (a school-wide role holding report.read) read the whole school."""
    return principal.school_id is not None and principal.role in SCHOOL_WIDE_ROLES and principal.can("report.read")


def report_classes(session: Session, principal: Principal, year_id: int) -> list[SchoolClass]:
    """The classes of the year the principal may report on: all of the school for its leaders, his own
    class for a class teacher with report.read; OutOfScope for anyone else."""
    if principal.school_id is None or not principal.can("report.read"):
        raise OutOfScope("reports")
    q = select(SchoolClass).where(
        SchoolClass.school_id == principal.school_id,
        SchoolClass.academic_year_id == year_id,
        SchoolClass.deleted_at.is_(None),  # type: ignore[union-attr]
    )
    if not school_wide(principal):
        if principal.staff_id is None:
            raise OutOfScope("reports")
        q = q.where(SchoolClass.class_teacher_id == principal.staff_id)
    classes = list(session.exec(q.order_by(SchoolClass.grade, SchoolClass.letter, SchoolClass.id)).all())
    if not classes and not school_wide(principal):
        raise OutOfScope("reports")
    return classes


@dataclass(frozen=True)
class Period:
    """A term (kind quarter / half, number) or the year (kind "year", number 0) of one academic year."""

    year_id: int
    kind: str
    number: int
    starts_on: date
    ends_on: date
    term_id: int | None = None

    @property
    def key(self) -> str:
        return str(self.term_id) if self.term_id is not None else "year"


def period_of(session: Session, principal: Principal, year_id: int, term_id: int | None) -> Period:
    """The term `term_id` of the principal's school's year, or the year itself (None)."""
    year = session.get(AcademicYear, year_id)
    if year is None or year.school_id != principal.school_id:
        raise OutOfScope(f"year {year_id}")
    terms = year_terms(session, year_id)
    if term_id is None:
        starts = terms[0].starts_on if terms else year.starts_on
        ends = terms[-1].ends_on if terms else year.ends_on
        return Period(year_id, "year", 0, starts, ends)
    term = next((t for t in terms if t.id == term_id), None)
    if term is None:
        raise OutOfScope(f"term {term_id}")
    return Period(year_id, term.kind, term.number, term.starts_on, term.ends_on, term.id)


def previous_period(session: Session, period: Period) -> Period | None:
    """The term before a term in the same year (quarter 2 → quarter 1); None for the first term and the year."""
    if period.term_id is None:
        return None
    before = [t for t in year_terms(session, period.year_id) if t.kind == period.kind and t.number < period.number]
    if not before:
        return None
    term: Term = max(before, key=lambda t: t.number)
    return Period(period.year_id, term.kind, term.number, term.starts_on, term.ends_on, term.id)


# ---------------------------------------------------------------------------------------------
# The figures
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """A row of the report: one class, a parallel (grade), a level or the whole school."""

    kind: str  # "class" | "grade" | "level" | "school"
    key: str
    class_ids: tuple[int, ...]
    grade: int = 0  # the class's or the parallel's grade
    grades: tuple[int, int] = (0, 0)  # a level's grades from–to (those present)
    label: str = ""  # a class's label «5-А»; the others are worded in the UI language by the caller


@dataclass
class ListedPupil:
    pupil_id: int
    name: str
    class_id: int
    class_label: str
    sex: str
    subjects: list[tuple[int, str]] = field(default_factory=list)  # (subject id, its mark or «н/а»)


@dataclass
class Results:
    school: School
    period: Period
    classes: list[SchoolClass]
    subjects: list[Subject]  # those with marks in the period, in the curriculum's order
    groups: list[Group]
    marks: dict[tuple[int, int, str], Tally]  # (class, subject, sex) -> tally of the pupils' marks
    pupils: dict[tuple[int, str], Tally]  # (class, sex) -> tally of the pupils' worst outcomes
    on_roll: dict[tuple[int, str], int]  # (class, sex) -> pupils on roll at the period's end
    lists: dict[str, list[ListedPupil]]
    previous: Results | None = None
    named: bool = True  # False: the lists were withheld (the reader does not hold NAMED_PERMISSION)
    class_marks: dict[tuple[int, str], Tally] = field(default_factory=dict)  # (class, sex) -> all its subjects
    # The half-year whose marks a Q2 / Q4 report counts beside the quarter's (grades 10–11, subjects of
    # few hours): the title says «2-чейрек · 1-жарым жыл» (sheets.results_period_label); None otherwise.
    half_year: grading.YearPeriod | None = None
    # The marks counted (`_counted_rows`' rows: pupil, class, subject, sex, value, special), kept for
    # the grouping by teacher of the same report (by_teacher.py), which then reads nothing again; the
    # previous period's are not kept.
    counted: list = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.class_marks:  # counted by the caller (`_figures`, from the marks read)
            return
        for (class_id, _subject, sex), tally in self.marks.items():
            self.class_marks[(class_id, sex)] = self.class_marks.get((class_id, sex), Tally()) + tally

    def tally(self, group: Group, subject_id: int | None = None, sex: str | None = None) -> tuple[Tally, Tally]:
        """(pupil tally, mark tally) of a group: for one subject the two are the same."""
        sexes = (sex,) if sex else SEXES
        if subject_id is not None:
            t = sum((self.marks.get((c, subject_id, x), Tally()) for c in group.class_ids for x in sexes), Tally())
            return t, t
        pupils = sum((self.pupils.get((c, x), Tally()) for c in group.class_ids for x in sexes), Tally())
        marks = sum((self.class_marks.get((c, x), Tally()) for c in group.class_ids for x in sexes), Tally())
        return pupils, marks

    def indicators(self, group: Group, subject_id: int | None = None, sex: str | None = None) -> Indicators:
        return formulas.indicators(*self.tally(group, subject_id, sex))

    def roll(self, group: Group, sex: str | None = None) -> int:
        sexes = (sex,) if sex else SEXES
        return sum(self.on_roll.get((c, x), 0) for c in group.class_ids for x in sexes)

    def previous_indicators(self, group: Group, subject_id: int | None = None, sex: str | None = None):
        """The same group's indicators in the previous period (None when there is none)."""
        if self.previous is None:
            return None
        return self.previous.indicators(group, subject_id, sex)


def results(
    session: Session,
    principal: Principal,
    year_id: int,
    term_id: int | None,
    *,
    compare: bool = True,
) -> Results:
    """The academic results of a term (or the year, `term_id` None) for the classes in the principal's scope."""
    period = period_of(session, principal, year_id, term_id)
    classes = report_classes(session, principal, year_id)
    school = session.get(School, principal.school_id)
    named = may_name_pupils(principal)
    token = _READINGS.set({})  # the two periods share what does not depend on the period (`_readings`)
    try:
        out = _figures(session, school, period, classes, with_lists=named)  # type: ignore[arg-type]
        out.named = named
        if compare:
            before = previous_period(session, period)
            if before is not None:
                out.previous = _figures(session, school, before, classes, with_lists=False)  # type: ignore[arg-type]
                out.previous.counted = []
    finally:
        _READINGS.reset(token)
    return out


# What one report reads once for both its periods: the school's live subjects and which class ×
# subject pairs are assessed by half-year (the policies and the assignments' hours). Set by
# `results` for the length of one call, so nothing is kept between reports (a policy saved in
# between is read by the next report).
_READINGS: ContextVar[dict | None] = ContextVar("bbbms_report_readings", default=None)


def _readings(session: Session, school_id: int, classes: list[SchoolClass]) -> tuple[set[int], set[tuple[int, int]]]:
    """(the school's live subject ids, grading.half_year_subjects of the classes), once per report."""
    memo = _READINGS.get()
    key = (school_id, tuple(c.id for c in classes))
    if memo is not None and key in memo:
        return memo[key]
    live = set(
        session.exec(
            select(Subject.id).where(Subject.school_id == school_id, Subject.deleted_at.is_(None))  # type: ignore[union-attr]
        ).all()
    )
    found = (live, grading.half_year_subjects(session, classes))
    if memo is not None:
        memo[key] = found
    return found  # type: ignore[return-value]


def _roll(session: Session, period: Period, class_ids: list[int]):
    """(pupils on roll per class × sex at the period's last day, the (pupil, class) pairs who left before it).

    A pupil who left and came back is on roll; one who left the class (or moved to another) before
    the last day is out of that class's figures."""
    on_roll: dict[tuple[int, str], set[int]] = defaultdict(set)
    gone: set[tuple[int, int]] = set()
    for pupil_id, class_id, ends_on, sex in (
        session.connection()
        .execute(
            select(Enrollment.pupil_id, Enrollment.class_id, Enrollment.ends_on, Pupil.sex)
            .join(Pupil, Pupil.id == Enrollment.pupil_id)  # type: ignore[arg-type]
            .where(
                Enrollment.class_id.in_(class_ids),  # type: ignore[attr-defined]
                Enrollment.starts_on <= period.ends_on,
                Pupil.deleted_at.is_(None),  # type: ignore[union-attr]
            )
        )
        .all()
    ):
        if ends_on is None or ends_on >= period.ends_on:
            on_roll[(class_id, sex)].add(pupil_id)
        else:
            gone.add((pupil_id, class_id))
    present = {(pid, c) for (c, _x), pids in on_roll.items() for pid in pids}
    return {key: len(pids) for key, pids in on_roll.items()}, sorted(gone - present)


def _owed(period: Period, classes: list[SchoolClass], half_year: set[tuple[int, int]]):
    """Which period marks a report of `period` counts, for marks read whole: (the (kind, number) each class's
    marks are counted from — None when it has none in this period —, the (kind, number) of the
    subjects of few hours in `half_year`, or None)."""
    if period.kind == "year":
        return {c.id: ("year", 0) for c in classes}, ("year", 0)
    owed = {
        how: grading.period_of_term(how, period.kind, period.number) for how in (grading.QUARTER, grading.HALF_YEAR)
    }
    of_class = {}
    for c in classes:
        p = owed[grading.assessment(c.grade)]
        of_class[c.id] = (p.kind, p.number) if p is not None else None
    half = owed[grading.HALF_YEAR]
    return of_class, ((half.kind, half.number) if half is not None else None)


def _counted_rows(
    session: Session,
    school_id: int,
    period: Period,
    classes: list[SchoolClass],
    live: set[int],
    gone: list,
    half_year: set[tuple[int, int]],
) -> list:
    """The period marks that count (the module's docstring; the same marks as `_counted`'s WHERE) as
    Core rows (pupil id, class id, subject id, sex, value, special): one indexed read per (kind,
    number) of the period — a Q2 report of a school with grades 10–11 or subjects of few hours reads
    its quarter and its first half-year —; which of the two a class × subject counts, the live
    subjects and the pupils who left before the period's end are applied in Python (set lookups per
    row instead of SQL's `IN` / `NOT IN (VALUES …)` lists).

    `school_id + 0`: SQLite, offered ix_periodmark_school_id, takes it and walks every period mark
    of the school (all years, all periods: 25 ms a quarter on the demo school) instead of
    ix_periodmark_period (year, kind, number, class: 13 ms); the school is still checked."""
    of_class, half = _owed(period, classes, half_year)
    legs: dict[tuple[str, int], set[int]] = defaultdict(set)
    for class_id, owed in of_class.items():
        if owed is not None:
            legs[owed].add(class_id)
    if half is not None:
        legs[half].update(c for c, _s in half_year)
    pm = PeriodMark
    run = session.connection().execute
    left = set(gone)
    out: list = []
    for (kind, number), ids in sorted(legs.items()):
        rows = run(
            select(pm.pupil_id, pm.class_id, pm.subject_id, Pupil.sex, pm.value, pm.special)
            .join(Pupil, Pupil.id == pm.pupil_id)  # type: ignore[arg-type]
            .where(
                pm.academic_year_id == period.year_id,
                pm.kind == kind,
                pm.number == number,
                pm.class_id.in_(sorted(ids)),  # type: ignore[attr-defined]
                pm.school_id + 0 == school_id,
                or_(pm.value.is_not(None), pm.special == NOT_ATTESTED),  # type: ignore[union-attr]
                Pupil.deleted_at.is_(None),  # type: ignore[union-attr]
            )
        ).all()
        rows = [r for r in rows if r[2] in live]  # cheaper here than an IN (…) in the SQL (measured)
        if left:
            rows = [r for r in rows if (r[0], r[1]) not in left]
        if half_year:  # a subject of few hours counts its half-year's mark, the others their class's period's
            leg = (kind, number)
            rows = [r for r in rows if (half if (r[1], r[2]) in half_year else of_class[r[1]]) == leg]
        out += rows
    return out


def _figures(
    session: Session, school: School, period: Period, classes: list[SchoolClass], *, with_lists: bool
) -> Results:
    class_ids = [c.id for c in classes] or [-1]
    live, half_year = _readings(session, school.id, classes)  # type: ignore[arg-type]
    on_roll, gone = _roll(session, period, class_ids)  # type: ignore[arg-type]
    # One read of the period's marks (Core rows, one per pupil × subject: the unique key), both tallies
    # counted from it — per class × subject × sex, and per pupil over all his subjects — through two
    # Counters of (…, value) filled in C (a Python loop per mark was most of the report's time), then a
    # loop over their few thousand distinct keys. The buckets (`_add`: 5 is ≥ 5, 2 is ≤ 2,
    # «н/а» a row without a value: the only such rows counted).
    rows = _counted_rows(session, school.id, period, classes, live, gone, half_year)  # type: ignore[arg-type]
    per_subject: dict[tuple[int, int, str], list[int]] = {}  # n5 n4 n3 n2 n_na total count
    for (class_id, subject_id, sex, value), n in Counter(map(itemgetter(1, 2, 3, 4), rows)).items():
        tally = per_subject.setdefault((class_id, subject_id, sex), [0, 0, 0, 0, 0, 0, 0])
        _add(tally, 0, value, n)
    per_pupil: dict[tuple[int, int, str], list] = {}  # (pupil, class, sex) -> n5 … n_na, total, count, worst
    for (pupil_id, class_id, sex, value), n in Counter(map(itemgetter(0, 1, 3, 4), rows)).items():
        pupil = per_pupil.setdefault((pupil_id, class_id, sex), [0, 0, 0, 0, 0, 0, 0, None])
        _add(pupil, 0, value, n)
        if value is not None and (pupil[7] is None or value < pupil[7]):
            pupil[7] = value
    marks = {key: Tally(*counts) for key, counts in per_subject.items()}
    per_class: dict[tuple[int, str], list[int]] = {}  # a class's all-subject tally: every pupil × subject mark
    for (class_id, sex, value), n in Counter(map(itemgetter(1, 3, 4), rows)).items():
        _add(per_class.setdefault((class_id, sex), [0, 0, 0, 0, 0, 0, 0]), 0, value, n)
    outcomes: dict[tuple[int, str], list] = defaultdict(list)
    standing: dict[str, list[tuple[int, int, str]]] = {kind: [] for kind in LIST_KINDS}
    for (pupil_id, class_id, sex), (n5, n4, n3, n2, n_na, _total, count, worst) in per_pupil.items():
        outcomes[(class_id, sex)].append(2 if n2 else NOT_ATTESTED if n_na else min(5, max(2, worst)))
        kind = _standing(n5, n4, n3, n2, n_na, count)
        if kind:
            standing[kind].append((pupil_id, class_id, sex))
    pupils = {key: formulas.tally_of(values) for key, values in outcomes.items()}
    subject_ids = {sid for (_c, sid, _x) in marks}
    subjects = sorted(
        session.exec(select(Subject).where(Subject.id.in_(subject_ids or [-1]))).all(),  # type: ignore[union-attr]
        key=curriculum.subject_key,
    )
    lists = _lists(session, classes, subjects, standing, rows) if with_lists else {}
    half = grading.period_of_term(grading.HALF_YEAR, period.kind, period.number) if period.kind == "quarter" else None
    senior = any(grading.assessment(c.grade) == grading.HALF_YEAR for c in classes)
    return Results(
        school, period, classes, subjects, groups_of(classes), marks, pupils, on_roll, lists,
        class_marks={key: Tally(*counts) for key, counts in per_class.items()},
        half_year=half if half is not None and (senior or half_year) else None, counted=rows,
    )  # fmt: skip


def _add(counts: list, at: int, value: int | None, n: int) -> None:
    """Add `n` marks `value` (None: «н/а») to counts [n5, n4, n3, n2, n_na, total, count] from `at`."""
    if value is None:
        counts[at + 4] += n
        return
    counts[at + (0 if value >= 5 else 1 if value == 4 else 2 if value == 3 else 3)] += n
    counts[at + 5] += value * n
    counts[at + 6] += n


def _standing(n5: int, n4: int, n3: int, n2: int, n_na: int, count: int) -> str:
    """Which list a pupil's period marks put him on ("" for none)."""
    if n2 or n_na:
        return "failing"
    if not count:
        return ""
    if n5 == count:
        return "excellent"
    if n3 == 0 and n4 == 1:
        return "one_four"
    if n3 == 0:
        return "good"
    if n3 == 1:
        return "one_three"
    return ""


def _lists(
    session: Session,
    classes: list[SchoolClass],
    subjects: list[Subject],
    standing: dict[str, list[tuple[int, int, str]]],
    counted: list,
) -> dict[str, list[ListedPupil]]:
    """The lists of pupils, each in class then alphabetical order, with the subjects that put them
    there in the curriculum's order (`counted`: the marks counted, `_counted_rows`)."""
    labels = {c.id: class_label(c) for c in classes}
    grade_of = {c.id: (c.grade, c.letter) for c in classes}
    listed = sorted({pid for rows in standing.values() for pid, _c, _x in rows})
    names: dict[int, tuple[str, str]] = {}
    for start in range(0, len(listed), 900):  # SQLite's limit on bound parameters, with room to spare
        for pid, last, first, sort in session.exec(
            select(Pupil.id, Pupil.last_name, Pupil.first_name, Pupil.sort_key).where(
                Pupil.id.in_(listed[start : start + 900])  # type: ignore[union-attr]
            )
        ).all():
            names[pid] = (sort, f"{last} {first}")
    out: dict[str, list[ListedPupil]] = {}
    for kind, rows in standing.items():
        rows.sort(key=lambda r: (grade_of[r[1]], names[r[0]][0], r[0]))
        out[kind] = [ListedPupil(pid, names[pid][1], cid, labels[cid], sex) for pid, cid, sex in rows]
    # The subjects of the failing pupils (2 or «н/а»), of the single 3 and of the single 4.
    wanted = {
        "failing": lambda value: value is None or value <= 2,
        "one_three": lambda value: value == 3,
        "one_four": lambda value: value == 4,
    }
    order = {s.id: i for i, s in enumerate(subjects)}
    named = {(p.pupil_id, p.class_id) for kind in wanted for p in out[kind]}
    rows_of: dict[tuple[int, int], list[tuple[int, int | None, str]]] = defaultdict(list)
    for pupil_id, class_id, subject_id, _sex, value, special in counted:
        if (pupil_id, class_id) in named:
            rows_of[(pupil_id, class_id)].append((subject_id, value, special))
    for kind, takes in wanted.items():
        for p in out[kind]:
            rows = sorted(rows_of.get((p.pupil_id, p.class_id), []), key=lambda r: (order.get(r[0], len(order)), r[0]))
            p.subjects = [
                (sid, str(value) if value is not None else special) for sid, value, special in rows if takes(value)
            ]
    return out


def groups_of(classes: Iterable[SchoolClass]) -> list[Group]:
    """The report's rows in order: each class, then its parallel, each level after its grades, then the school."""
    classes = sorted(classes, key=lambda c: (c.grade, c.letter, c.id))
    groups: list[Group] = []
    everyone: list[int] = []
    for lo, hi in LEVELS:
        in_level = [c for c in classes if lo <= c.grade <= hi]
        if not in_level:
            continue
        for grade in sorted({c.grade for c in in_level}):
            parallel = [c for c in in_level if c.grade == grade]
            groups += [Group("class", str(c.id), (c.id,), c.grade, label=class_label(c)) for c in parallel]  # type: ignore[arg-type]
            groups.append(Group("grade", f"g{grade}", tuple(c.id for c in parallel), grade))  # type: ignore[misc]
        ids = tuple(c.id for c in in_level)
        grades = (min(c.grade for c in in_level), max(c.grade for c in in_level))
        groups.append(Group("level", f"l{lo}", ids, grades=grades))  # type: ignore[arg-type]
        everyone += ids  # type: ignore[arg-type]
    groups.append(Group("school", "school", tuple(everyone)))
    return groups
