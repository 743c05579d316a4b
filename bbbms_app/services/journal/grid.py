"""The grid of one class × subject × subgroup × term: pupils, lessons, cells, period and year marks."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, select

from bbbms_app.i18n import translations
from bbbms_app.models import (
    Attendance,
    ClassTermClose,
    Enrollment,
    Lesson,
    Mark,
    PeriodMark,
    Pupil,
    SchoolClass,
    Subject,
    Term,
)
from bbbms_app.services import grading, subgroups
from bbbms_app.services.access import Principal
from bbbms_app.services.journal.access import JournalAccess, OutOfScope, access_for, class_in_school
from bbbms_app.services.journal.cells import Cell

# ---------------------------------------------------------------------------------------------
# The grid
# ---------------------------------------------------------------------------------------------


@dataclass
class GridPupil:
    id: int
    name: str
    starts_on: date
    ends_on: date | None
    full_name: str = ""  # with the patronymic: the name cell's tooltip

    def in_class_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


@dataclass
class GridLesson:
    id: int
    date: date
    number: int
    topic: str
    homework: str
    teacher_id: int


@dataclass
class PeriodCell:
    """A pupil's period (or year) mark: what is set, what the policy suggests, and the average."""

    value: int | None = None
    special: str = ""
    version: int = 0
    reason: str = ""
    suggestion: grading.Suggestion = field(default_factory=grading.Suggestion)

    @property
    def text(self) -> str:
        return str(self.value) if self.value is not None else self.special

    @property
    def is_set(self) -> bool:
        return self.value is not None or bool(self.special)


@dataclass
class Grid:
    """Everything the grid of one class × subject × subgroup × term shows."""

    cls: SchoolClass
    subject: Subject
    term: Term
    subgroup: int
    access: JournalAccess
    rules: grading.Rules
    pupils: list[GridPupil]
    lessons: list[GridLesson]
    cells: dict[tuple[int, int], Cell]
    period: dict[int, PeriodCell]
    year: dict[int, PeriodCell]
    terms_in_year: int
    # A subgroup journal of a class not yet split for the subject lists nobody: the page says who splits it.
    needs_split: bool = False
    class_closed: bool = False  # the term was closed for this class (or its grade) alone
    hours: float | None = None  # the subject's weekly hours in the class (the local act's minimum of marks)
    # The special period marks this subject may get: «н/а», «осв», and «зач»/«незач» where the policy says so.
    specials: tuple[str, ...] = (grading.NOT_ATTESTED, grading.EXEMPT)
    # The period whose mark this term's journal sets (a quarter, or the half-year Q2 / Q4 closes for
    # grades 10–11); None in Q1 and Q3 of a half-year grade: no period mark is set there.
    assessed: grading.YearPeriod | None = None

    @property
    def closed(self) -> bool:
        return self.term.closed_at is not None or self.class_closed

    def cell(self, pupil_id: int, lesson_id: int) -> Cell:
        return self.cells.get((pupil_id, lesson_id)) or Cell()


def pupils_of(session: Session, class_id: int, starts: date, ends: date) -> list[GridPupil]:
    """Pupils enrolled in the class at any time in [starts, ends], in Kyrgyz alphabetical order."""
    rows = session.exec(
        select(Pupil.id, Pupil.last_name, Pupil.first_name, Pupil.patronymic, Enrollment.starts_on, Enrollment.ends_on)
        .join(Enrollment, Enrollment.pupil_id == Pupil.id)  # type: ignore[arg-type]
        .where(
            Enrollment.class_id == class_id,
            Enrollment.starts_on <= ends,
            or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= starts),  # type: ignore[union-attr]
            Pupil.deleted_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(Pupil.sort_key, Pupil.id)
    ).all()
    by_id: dict[int, GridPupil] = {}
    patronymics: dict[int, str] = {}
    for pid, last, first, patronymic, start, end in rows:
        seen = by_id.get(pid)
        if seen is None:
            by_id[pid] = GridPupil(pid, f"{last} {first}", start, end, f"{last} {first} {patronymic}".strip())
            patronymics[pid] = patronymic.strip()
        else:  # left and came back: one row over the whole span
            seen.starts_on = min(seen.starts_on, start)
            seen.ends_on = None if seen.ends_on is None or end is None else max(seen.ends_on, end)
    pupils = list(by_id.values())
    tell_apart(pupils, patronymics)
    return pupils


def tell_apart(pupils: list[GridPupil], patronymics: Mapping[int, str]) -> None:
    """Namesakes of one class (two «Эшматов Алинур») get the patronymic's initial, «Эшматов Алинур Б.»;
    if the initials are the same too, the whole patronymic. Everyone else keeps the short name."""
    for step in ("initial", "whole"):
        counts = Counter(p.name for p in pupils)
        for p in pupils:
            patronymic = patronymics.get(p.id, "")
            if counts[p.name] < 2 or not patronymic:
                continue
            if step == "initial":
                p.name = f"{p.name} {patronymic[0]}."
            elif p.name.endswith(initial := f" {patronymic[0]}."):
                p.name = f"{p.name[: -len(initial)]} {patronymic}"


def _lessons_of(session: Session, class_id: int, subject_id: int, term_id: int, subgroup: int) -> list[GridLesson]:
    rows = session.exec(
        select(Lesson.id, Lesson.date, Lesson.number, Lesson.topic, Lesson.homework, Lesson.teacher_id)
        .where(
            Lesson.class_id == class_id,
            Lesson.subject_id == subject_id,
            Lesson.term_id == term_id,
            Lesson.subgroup == subgroup,
            Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
        )
        .order_by(Lesson.date, Lesson.number, Lesson.id)
    ).all()
    return [GridLesson(*row) for row in rows]


def _cells_of(session: Session, lesson_ids: list[int]) -> dict[tuple[int, int], Cell]:
    if not lesson_ids:
        return {}
    cells: dict[tuple[int, int], Cell] = {}
    conn = session.connection()  # Core rows: a 40 × 70 grid reads about a thousand of them
    marks = select(Mark.lesson_id, Mark.pupil_id, Mark.kind, Mark.value, Mark.version, Mark.percent).where(
        Mark.lesson_id.in_(lesson_ids)  # type: ignore[attr-defined]
    )
    for lesson_id, pupil_id, kind, value, version, percent in conn.execute(marks):
        cell = cells.get((pupil_id, lesson_id))
        if cell is None:
            cell = cells[(pupil_id, lesson_id)] = Cell()
        cell.marks[kind] = (value, version)
        if percent is not None:  # a criterion-based result: its percentage is shown beside the mark
            cell.percents[kind] = percent
    absences = select(
        Attendance.lesson_id, Attendance.pupil_id, Attendance.code, Attendance.late_minutes, Attendance.version
    ).where(Attendance.lesson_id.in_(lesson_ids))  # type: ignore[attr-defined]
    for lesson_id, pupil_id, code, late, version in conn.execute(absences):
        cell = cells.get((pupil_id, lesson_id))
        if cell is None:
            cell = cells[(pupil_id, lesson_id)] = Cell()
        cell.code, cell.late_minutes, cell.att_version = code, late, version
    return cells


def period_rows(
    session: Session, subject_id: int, year_id: int, pupil_ids: Iterable[int], kinds: Iterable[str]
) -> list[PeriodMark]:
    ids = list(pupil_ids)
    if not ids:
        return []
    return list(
        session.exec(
            select(PeriodMark).where(
                PeriodMark.subject_id == subject_id,
                PeriodMark.academic_year_id == year_id,
                PeriodMark.pupil_id.in_(ids),  # type: ignore[attr-defined]
                PeriodMark.kind.in_(list(kinds)),  # type: ignore[attr-defined]
            )
        ).all()
    )


def _marks_by_pupil(cells: Mapping[tuple[int, int], Cell]) -> dict[int, list[tuple[str, int]]]:
    out: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for (pupil_id, _lesson_id), cell in cells.items():
        for kind, (value, _v) in cell.marks.items():
            out[pupil_id].append((kind, value))
    return out


def assessed_period(term: Term, how: str) -> grading.YearPeriod | None:
    """The period whose mark a journal of `term` sets, the class × subject assessed `how`
    (grading.assessment / subject_assessment): None in Q1 and Q3 of a half-year assessment."""
    return grading.period_of_term(how, term.kind, term.number)


def period_column(g: Grid) -> grading.YearPeriod:
    """The period the grid's period column holds: the quarter, or the half-year of grades 10–11 and of
    a subject of few hours (also in Q1 / Q3, where it is not set yet)."""
    how = grading.assessment(g.cls.grade, g.rules, g.hours)
    return g.assessed or grading.period_during(how, g.term.kind, g.term.number)


def journal_term_labels(g: Grid) -> tuple[dict[str, str], dict[str, str]]:
    """(the journal's title term, its period column's head) in every UI language: «2-чейрек» twice,
    or for a half-year assessment «2-чейрек · 1-жарым жыл» and «1-жарым жыл»."""
    column = period_column(g)
    head = translations(f"term.{column.kind}", number=column.number)
    term = translations(f"term.{g.term.kind}", number=g.term.number)
    if column.kind == g.term.kind:
        return term, head
    return {k: f"{v} · {head[k]}" for k, v in term.items()}, head


def period_term_ids(session: Session, term: Term, period: grading.YearPeriod) -> list[int]:
    """The terms whose lessons a period's mark counts: the quarter, or both quarters of a half-year."""
    if term.kind != "quarter" or period.quarters == (term.number,):
        return [term.id]  # type: ignore[list-item]
    return list(
        session.exec(
            select(Term.id).where(
                Term.academic_year_id == term.academic_year_id,
                Term.kind == "quarter",
                Term.number.in_(period.quarters),  # type: ignore[attr-defined]
                Term.deleted_at.is_(None),  # type: ignore[union-attr]
            )
        ).all()
    )


def year_shape(session: Session, cls: SchoolClass, how: str) -> tuple[str, int]:
    """(the kind of period mark a class × subject's year mark is the mean of, how many of them there
    are): the year's quarters (or two half-years when assessed `how` = by half-year), or the school's
    half-year terms."""
    terms = session.exec(
        select(Term.kind, Term.number).where(
            Term.academic_year_id == cls.academic_year_id,
            Term.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    if any(kind == "half_year" for kind, _n in terms):
        return "half_year", sum(1 for kind, _n in terms if kind == "half_year")
    quarters = {n for kind, n in terms if kind == "quarter"}
    periods = [p for p in grading.year_periods(how) if p.closing_quarter in quarters]
    return (periods[0].kind if periods else how), len(periods)


def earlier_marks(
    session: Session, class_id: int, subject_id: int, subgroup: int, term_ids: Iterable[int], pupil_ids: Iterable[int]
) -> dict[int, list[tuple[str, int]]]:
    """Pupil -> his (kind, value) marks in the class × subject × subgroup's lessons of other terms of
    the period (a half-year's first quarter, seen from its second)."""
    ids, pids = list(term_ids), list(pupil_ids)
    out: dict[int, list[tuple[str, int]]] = defaultdict(list)
    if not ids or not pids:
        return out
    for pupil_id, kind, value in session.connection().execute(
        select(Mark.pupil_id, Mark.kind, Mark.value)
        .join(Lesson, Lesson.id == Mark.lesson_id)  # type: ignore[arg-type]
        .where(
            Lesson.class_id == class_id,
            Lesson.subject_id == subject_id,
            Lesson.subgroup == subgroup,
            Lesson.term_id.in_(ids),  # type: ignore[attr-defined]
            Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
            Mark.pupil_id.in_(pids),  # type: ignore[attr-defined]
        )
    ):
        out[pupil_id].append((kind, value))
    return out


def grid(
    session: Session, principal: Principal, class_id: int, subject_id: int, term_id: int, subgroup: int = 0
) -> Grid:
    """The grid of a class × subject × subgroup × term, if the principal may read it."""
    cls = class_in_school(session, principal, class_id)
    subject = session.get(Subject, subject_id)
    term = session.get(Term, term_id)
    if (
        subject is None
        or term is None
        or subject.school_id != cls.school_id
        or term.academic_year_id != cls.academic_year_id
    ):
        raise OutOfScope(f"journal {class_id}/{subject_id}/{term_id}")
    acc = access_for(session, principal, cls, subject_id, subgroup, term_id)
    if not acc.read:
        raise OutOfScope(f"journal {class_id}/{subject_id}/{subgroup}")
    rules = grading.policy_for_class(session, class_id)
    hours = grading.weekly_hours(session, class_id, subject_id)
    pupils = pupils_of(session, class_id, term.starts_on, term.ends_on)
    needs_split = False
    if subgroup:
        # A subgroup's journal lists its members only; before the class is split, nobody.
        groups = subgroups.groups_of(session, class_id, subject_id)
        needs_split = not groups
        pupils = [p for p in pupils if groups.get(p.id) == subgroup]
    lessons = _lessons_of(session, class_id, subject_id, term_id, subgroup)
    cells = _cells_of(session, [lesson.id for lesson in lessons])
    how = grading.assessment(cls.grade, rules, hours)
    assessed = assessed_period(term, how)
    kind, number = (assessed.kind, assessed.number) if assessed else ("", 0)
    pupil_ids = [p.id for p in pupils]
    rows = period_rows(session, subject_id, cls.academic_year_id, pupil_ids, (kind, "year"))
    set_period = {r.pupil_id: r for r in rows if assessed and r.kind == kind and r.number == number}
    set_year = {r.pupil_id: r for r in rows if r.kind == "year"}
    marks = _marks_by_pupil(cells)
    if assessed is not None:  # a half-year's mark also counts the marks of its first quarter
        others = [tid for tid in period_term_ids(session, term, assessed) if tid != term.id]
        for pid, more in earlier_marks(session, class_id, subject_id, subgroup, others, pupil_ids).items():
            marks[pid] = [*more, *marks.get(pid, [])]
    year_kind, expected = year_shape(session, cls, how)
    year_periods = year_period_values(session, subject_id, cls.academic_year_id, year_kind, pupil_ids)
    period: dict[int, PeriodCell] = {}
    year: dict[int, PeriodCell] = {}
    for pupil in pupils:
        row = set_period.get(pupil.id)
        exempt = row is not None and row.special == grading.EXEMPT
        period[pupil.id] = PeriodCell(
            value=row.value if row else None,
            special=row.special if row else "",
            version=row.version if row else 0,
            reason=row.reason if row else "",
            suggestion=grading.suggest_period_mark(
                rules, marks.get(pupil.id, []), exempt=exempt, hours=hours, subject_code=subject.code
            )
            if assessed is not None
            else grading.Suggestion(),
        )
        y = set_year.get(pupil.id)
        year[pupil.id] = PeriodCell(
            value=y.value if y else None,
            special=y.special if y else "",
            version=y.version if y else 0,
            reason=y.reason if y else "",
            suggestion=grading.suggest_year_mark(rules, year_periods.get(pupil.id, []), expected),
        )
    class_closed = (
        session.exec(
            select(ClassTermClose.id).where(ClassTermClose.term_id == term.id, ClassTermClose.class_id == cls.id)
        ).first()
        is not None
    )
    return Grid(
        cls, subject, term, subgroup, acc, rules, pupils, lessons, cells, period, year, expected, needs_split,
        class_closed, hours, grading.period_specials(rules, subject.code), assessed,
    )  # fmt: skip


def year_period_values(
    session: Session, subject_id: int, year_id: int, kind: str, pupil_ids: list[int]
) -> dict[int, list[tuple[int | None, str]]]:
    out: dict[int, list[tuple[int | None, str]]] = defaultdict(list)
    for row in period_rows(session, subject_id, year_id, pupil_ids, (kind,)):
        out[row.pupil_id].append((row.value, row.special))
    return out


def lesson_of_day(lessons: list[GridLesson], day: date) -> int:
    """The column a teacher opens at: the lesson of `day`, else the last one before it, else the first."""
    found = 0
    for j, lesson in enumerate(lessons):
        if lesson.date > day:
            break
        found = j
    return found


def lesson_stamps(session: Session, lesson_ids: list[int]) -> dict[int, str]:
    """A fingerprint per lesson of its marks and attendance (count, last change, sum of versions).

    The poll compares them with the tab's: only the columns whose fingerprint moved are read again.
    Two grouped reads over the (lesson_id, ...) unique indexes, whatever the size of the school.
    """
    if not lesson_ids:
        return {}
    out: dict[int, list[str]] = {lid: ["", ""] for lid in lesson_ids}
    for i, model in enumerate((Mark, Attendance)):
        rows = session.exec(
            select(model.lesson_id, func.count(), func.max(model.updated_at), func.sum(model.version))
            .where(model.lesson_id.in_(lesson_ids))  # type: ignore[attr-defined]
            .group_by(model.lesson_id)
        ).all()
        for lesson_id, n, last, versions in rows:
            out[lesson_id][i] = f"{n}/{last}/{versions}"
    return {lid: "|".join(parts) for lid, parts in out.items()}


def period_stamp(session: Session, pupil_ids: list[int], subject_id: int) -> str:
    """A fingerprint of the period and year marks of these pupils in the subject."""
    row = session.exec(
        select(func.count(), func.max(PeriodMark.updated_at), func.sum(PeriodMark.version)).where(
            PeriodMark.subject_id == subject_id,
            PeriodMark.pupil_id.in_(pupil_ids or [-1]),  # type: ignore[attr-defined]
        )
    ).one()
    return str(tuple(row))


def cells_of(session: Session, lesson_ids: list[int]) -> dict[tuple[int, int], Cell]:
    """The cells of these lessons (pupil id, lesson id) -> Cell: a column read again after someone saved."""
    return _cells_of(session, lesson_ids)


def grid_stamp(session: Session, lesson_ids: list[int], pupil_ids: list[int], subject_id: int) -> str:
    """A cheap fingerprint of the grid's data: it changes when anyone saves into it."""
    stamps = lesson_stamps(session, lesson_ids)
    return f"{sorted(stamps.items())}|{period_stamp(session, pupil_ids, subject_id)}"
