"""The class journal: the grade grid of a class × subject × subgroup × term, and every write to it.

Reads: the journals a user may open (`journal_classes`, `journal_subjects`), the grid itself
(`grid`), the class teacher's summary sheet (`summary`). Writes, each in the caller's write
session and audited with old and new value in the same transaction: a cell's marks and attendance
(`save_cell`), "all present" for a lesson (`fill_column_present`), a lesson's topic and homework
(`set_lesson_text`), period and year marks (`set_period_mark`, `set_year_mark`), closing and
reopening a term (`close_term`, `reopen_term`).

Scope (checked here, whatever the caller): a teacher writes only his class × subject × subgroup
assignments (TeachingAssignment) and the lessons he taught himself (a substitution); a class
teacher reads every subject of his class; the director and deputies read every journal of the
school. A closed term refuses every edit except a correction by a user with `journal.correct`,
which needs a reason and is audited as action "correction" (the paper journal's signed fix).

Optimistic locking: every cell the grid shows carries a token of what it held (each mark kind and
the attendance code with their row versions). A save names the token it was made against; if an
item the save touches changed meanwhile, the save is refused (Stale) and nothing is written. The
value is part of the token, so a row deleted and re-created with another value is still caught;
the UPDATE/DELETE also carry the row version in their WHERE, so two savers who read the same
version cannot both win under PostgreSQL's READ COMMITTED. Callers write in `write_session()`.

An absent pupil (н, б, у, п) cannot get a mark at that lesson, and a pupil with a mark cannot be
marked absent: a mark is written in the column of the day the work was written, and a late pupil
(о) was there. One save may clear the absence and set the mark together (the pupil came after all).
"""

from __future__ import annotations

import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import and_, bindparam, exists, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bbbms_app import db
from bbbms_app.models import (
    AcademicYear,
    Attendance,
    AuditEvent,
    Enrollment,
    GradingPolicy,
    Lesson,
    Mark,
    PeriodMark,
    Pupil,
    SchoolClass,
    Staff,
    SubgroupMember,
    Subject,
    TeachingAssignment,
    Term,
)
from bbbms_app.models.journal import ATTENDANCE_CODES, MARK_KINDS
from bbbms_app.services import audit, curriculum, grading, subgroups
from bbbms_app.services.access import SCHOOL_WIDE_ROLES, Principal, can_teach

ABSENT_CODES = frozenset({"н", "б", "у", "п"})
LATE = "о"
MAX_LATE_MINUTES = 90
MAX_TOPIC = 300
MAX_HOMEWORK = 500
MAX_REASON = 300
PERIOD_SPECIALS = (grading.NOT_ATTESTED, grading.EXEMPT)
# The order marks of one cell are shown in: the weightiest work first.
KIND_ORDER = {"control": 0, "test": 1, "class": 2, "home": 3}


class JournalError(ValueError):
    """A refused edit the user must read: a catalog key and its parameters; nothing was written."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(f"{key} {params}" if params else key)
        self.key = key
        self.params = params


class Stale(JournalError):
    """The save was made against an older state of the cell (or period mark) than the database's."""


class OutOfScope(PermissionError):
    """The principal's scope does not include this journal, lesson or pupil."""


# ---------------------------------------------------------------------------------------------
# Cells and their tokens
# ---------------------------------------------------------------------------------------------


@dataclass
class Cell:
    """What one pupil × lesson cell holds: marks by kind, the attendance code, and row versions."""

    marks: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (value, version)
    code: str = ""
    late_minutes: int = 0
    att_version: int = 0

    @property
    def absent(self) -> bool:
        return self.code in ABSENT_CODES

    def token(self) -> str:
        """An opaque fingerprint of the cell, sent back with a save as its expected version."""
        items = [f"{kind}={value}@{version}" for kind, (value, version) in sorted(self.marks.items())]
        if self.code:
            items.append(f"att={self.code}{self.late_minutes or ''}@{self.att_version}")
        return ";".join(items)

    def text(self) -> str:
        """The cell as the paper journal shows it: «5», «4/5», «н», «4 о»."""
        marks = "/".join(str(v) for _k, (v, _ver) in sorted(self.marks.items(), key=lambda kv: KIND_ORDER[kv[0]]))
        if not self.code:
            return marks
        return f"{marks} {self.code}" if marks else self.code

    @property
    def weighty(self) -> bool:
        """Whether the cell holds a test or control work mark (shown bold)."""
        return "test" in self.marks or "control" in self.marks


def parse_token(token: str) -> dict[str, str]:
    """Item -> "value@version" of a cell token (items absent from it were empty)."""
    out: dict[str, str] = {}
    for part in (token or "").split(";"):
        if "=" in part:
            item, rest = part.split("=", 1)
            out[item] = rest
    return out


def _item_state(cell: Cell, item: str) -> str | None:
    if item == "att":
        return f"{cell.code}{cell.late_minutes or ''}@{cell.att_version}" if cell.code else None
    if item in cell.marks:
        value, version = cell.marks[item]
        return f"{value}@{version}"
    return None


@dataclass(frozen=True)
class CellChange:
    """One save of a cell: set or clear a mark of a kind, and/or set or clear the attendance code.

    `mark_kind` None leaves marks alone; with `mark_value` None the mark of that kind is cleared.
    `attendance` None leaves attendance alone; "" clears it (present); a code sets it.
    """

    mark_kind: str | None = None
    mark_value: int | None = None
    attendance: str | None = None
    late_minutes: int = 0

    def touched(self) -> list[str]:
        items = []
        if self.mark_kind is not None:
            items.append(self.mark_kind)
        if self.attendance is not None:
            items.append("att")
        return items


# ---------------------------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalAccess:
    """What a principal may do in one class × subject × subgroup journal."""

    read: bool = False
    write: bool = False  # enter marks in an open term (his assignment, or the lessons he substituted)
    correct: bool = False  # correct a closed term, with a reason
    leader: bool = False
    substitute: bool = False  # no assignment: he writes only the lessons he taught himself (a substitution)


def is_leader(principal: Principal) -> bool:
    """Director and deputies (any school-wide role with journal.read) read every journal of the school."""
    return principal.role in SCHOOL_WIDE_ROLES and principal.can("journal.read")


def substituted(
    session: Session,
    principal: Principal,
    class_id: int,
    subject_id: int,
    subgroup: int,
    term_id: int | None = None,
) -> bool:
    """Whether the principal taught a (not cancelled) lesson of this journal himself (in `term_id`)."""
    if principal.staff_id is None:
        return False
    q = select(Lesson.id).where(
        Lesson.teacher_id == principal.staff_id,
        Lesson.class_id == class_id,
        Lesson.subject_id == subject_id,
        Lesson.subgroup == subgroup,
        Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
    )
    if term_id is not None:
        q = q.where(Lesson.term_id == term_id)
    return session.exec(q.limit(1)).first() is not None


def access_for(
    session: Session,
    principal: Principal,
    cls: SchoolClass,
    subject_id: int,
    subgroup: int,
    term_id: int | None = None,
) -> JournalAccess:
    """The principal's rights in the journal of `cls` × subject × subgroup (in `term_id`).

    A substitute (a teacher with no assignment here who taught some of its lessons in the term)
    reads the journal and writes the lessons he taught: the write itself is checked per lesson.
    """
    if principal.school_id is None or cls.school_id != principal.school_id or not principal.can("journal.read"):
        return JournalAccess()
    leader = is_leader(principal)
    correct = principal.can("journal.correct") and leader
    assigned = can_teach(session, principal, cls.id, subject_id, subgroup)  # type: ignore[arg-type]
    class_teacher = principal.staff_id is not None and cls.class_teacher_id == principal.staff_id
    substitute = not assigned and substituted(session, principal, cls.id, subject_id, subgroup, term_id)  # type: ignore[arg-type]
    write = (assigned or substitute) and principal.can("journal.write")
    return JournalAccess(
        read=leader or assigned or class_teacher or substitute,
        write=write,
        correct=correct,
        leader=leader,
        substitute=substitute,
    )


def _class_in_school(session: Session, principal: Principal, class_id: int) -> SchoolClass:
    cls = session.get(SchoolClass, class_id)
    if cls is None or principal.school_id is None or cls.school_id != principal.school_id:
        raise OutOfScope(f"class {class_id}")
    return cls


def class_label(cls: SchoolClass) -> str:
    return f"{cls.grade}-{cls.letter}"


def journal_classes(session: Session, principal: Principal, year_id: int | None) -> list[dict[str, str]]:
    """Classes whose journals the principal may open: leaders all, others their assignments and own class."""
    if principal.school_id is None or year_id is None or not principal.can("journal.read"):
        return []
    q = select(SchoolClass).where(
        SchoolClass.academic_year_id == year_id,
        SchoolClass.school_id == principal.school_id,
        SchoolClass.deleted_at.is_(None),  # type: ignore[union-attr]
    )
    if not is_leader(principal):
        if principal.staff_id is None:
            return []
        taught = select(TeachingAssignment.class_id).where(
            TeachingAssignment.teacher_id == principal.staff_id,
            TeachingAssignment.deleted_at.is_(None),  # type: ignore[union-attr]
        )
        # A substitute reaches the journals of the classes where he taught a lesson himself.
        stood_in = select(Lesson.class_id).where(
            Lesson.teacher_id == principal.staff_id,
            Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
        )
        q = q.where(
            or_(
                SchoolClass.id.in_(taught),  # type: ignore[union-attr]
                SchoolClass.id.in_(stood_in),  # type: ignore[union-attr]
                SchoolClass.class_teacher_id == principal.staff_id,
            )
        )
    classes = session.exec(q.order_by(SchoolClass.grade, SchoolClass.letter)).all()
    mine = principal.staff_id
    return [
        {"id": str(c.id), "name": class_label(c), "own_class": "1" if mine and c.class_teacher_id == mine else ""}
        for c in classes
    ]


def journal_subjects(session: Session, principal: Principal, class_id: int) -> list[dict[str, str]]:
    """The class's subject journals (subject × subgroup) the principal may open, with their teacher."""
    cls = _class_in_school(session, principal, class_id)
    rows = session.exec(
        select(TeachingAssignment, Subject, Staff)
        .join(Subject, Subject.id == TeachingAssignment.subject_id)  # type: ignore[arg-type]
        .join(Staff, Staff.id == TeachingAssignment.teacher_id)  # type: ignore[arg-type]
        .where(
            TeachingAssignment.class_id == class_id,
            TeachingAssignment.deleted_at.is_(None),  # type: ignore[union-attr]
            Subject.deleted_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(*curriculum.SUBJECT_ORDER, TeachingAssignment.subgroup)
    ).all()
    whole_class = is_leader(principal) or (
        principal.staff_id is not None and cls.class_teacher_id == principal.staff_id
    )
    stood_in: set[tuple[int, int]] = set()
    if principal.staff_id is not None:
        stood_in = set(
            session.exec(
                select(Lesson.subject_id, Lesson.subgroup)
                .where(
                    Lesson.class_id == class_id,
                    Lesson.teacher_id == principal.staff_id,
                    Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
                )
                .distinct()
            ).all()
        )
    out = []
    for ta, subject, teacher in rows:
        own = principal.staff_id is not None and (
            ta.teacher_id == principal.staff_id or (subject.id, ta.subgroup) in stood_in
        )
        if not (whole_class or own):
            continue
        out.append(
            {
                "key": f"{subject.id}:{ta.subgroup}",
                "subject_id": str(subject.id),
                "subgroup": str(ta.subgroup),
                "ky": subject.name_ky,
                "ru": subject.name_ru,
                "en": subject.name_en or subject.name_ru,
                "teacher": f"{teacher.last_name} {teacher.first_name[:1]}.".strip(),
                "own": "1" if own else "",
            }
        )
    return out


def year_terms(session: Session, year_id: int | None) -> list[Term]:
    if year_id is None:
        return []
    return list(session.exec(select(Term).where(Term.academic_year_id == year_id).order_by(Term.starts_on)).all())


def journal_of_lesson(session: Session, principal: Principal, lesson_id: int) -> tuple[int, str, int] | None:
    """(class id, "subject:subgroup", term id) of the journal a lesson belongs to, if the principal may read it.

    The way from a teacher's list of lessons (a substitution too) straight to the lesson's column.
    """
    lesson = session.get(Lesson, lesson_id)
    if lesson is None or principal.school_id is None or lesson.school_id != principal.school_id:
        return None
    cls = session.get(SchoolClass, lesson.class_id)
    if cls is None or cls.deleted_at is not None:
        return None
    if not access_for(session, principal, cls, lesson.subject_id, lesson.subgroup, lesson.term_id).read:
        return None
    return lesson.class_id, f"{lesson.subject_id}:{lesson.subgroup}", lesson.term_id


# ---------------------------------------------------------------------------------------------
# The grid
# ---------------------------------------------------------------------------------------------


@dataclass
class GridPupil:
    id: int
    name: str
    starts_on: date
    ends_on: date | None

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

    @property
    def closed(self) -> bool:
        return self.term.closed_at is not None

    def cell(self, pupil_id: int, lesson_id: int) -> Cell:
        return self.cells.get((pupil_id, lesson_id)) or Cell()


def _pupils_of(session: Session, class_id: int, starts: date, ends: date) -> list[GridPupil]:
    """Pupils enrolled in the class at any time in [starts, ends], in Kyrgyz alphabetical order."""
    rows = session.exec(
        select(Pupil.id, Pupil.last_name, Pupil.first_name, Pupil.sort_key, Enrollment.starts_on, Enrollment.ends_on)
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
    for pid, last, first, _sort, start, end in rows:
        seen = by_id.get(pid)
        if seen is None:
            by_id[pid] = GridPupil(pid, f"{last} {first}", start, end)
        else:  # left and came back: one row over the whole span
            seen.starts_on = min(seen.starts_on, start)
            seen.ends_on = None if seen.ends_on is None or end is None else max(seen.ends_on, end)
    return list(by_id.values())


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
    marks = select(Mark.lesson_id, Mark.pupil_id, Mark.kind, Mark.value, Mark.version).where(
        Mark.lesson_id.in_(lesson_ids)  # type: ignore[attr-defined]
    )
    for lesson_id, pupil_id, kind, value, version in conn.execute(marks):
        cell = cells.get((pupil_id, lesson_id))
        if cell is None:
            cell = cells[(pupil_id, lesson_id)] = Cell()
        cell.marks[kind] = (value, version)
    absences = select(
        Attendance.lesson_id, Attendance.pupil_id, Attendance.code, Attendance.late_minutes, Attendance.version
    ).where(Attendance.lesson_id.in_(lesson_ids))  # type: ignore[attr-defined]
    for lesson_id, pupil_id, code, late, version in conn.execute(absences):
        cell = cells.get((pupil_id, lesson_id))
        if cell is None:
            cell = cells[(pupil_id, lesson_id)] = Cell()
        cell.code, cell.late_minutes, cell.att_version = code, late, version
    return cells


def _period_rows(
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


def _period_key(term: Term) -> tuple[str, int]:
    return term.kind, term.number


def _marks_by_pupil(cells: Mapping[tuple[int, int], Cell]) -> dict[int, list[tuple[str, int]]]:
    out: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for (pupil_id, _lesson_id), cell in cells.items():
        for kind, (value, _v) in cell.marks.items():
            out[pupil_id].append((kind, value))
    return out


def _terms_of_kind(session: Session, term: Term) -> list[Term]:
    return list(
        session.exec(
            select(Term)
            .where(Term.academic_year_id == term.academic_year_id, Term.kind == term.kind)
            .order_by(Term.number)
        ).all()
    )


def grid(
    session: Session, principal: Principal, class_id: int, subject_id: int, term_id: int, subgroup: int = 0
) -> Grid:
    """The grid of a class × subject × subgroup × term, if the principal may read it."""
    cls = _class_in_school(session, principal, class_id)
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
    pupils = _pupils_of(session, class_id, term.starts_on, term.ends_on)
    needs_split = False
    if subgroup:
        # A subgroup's journal lists its members only; before the class is split, nobody.
        groups = subgroups.groups_of(session, class_id, subject_id)
        needs_split = not groups
        pupils = [p for p in pupils if groups.get(p.id) == subgroup]
    lessons = _lessons_of(session, class_id, subject_id, term_id, subgroup)
    cells = _cells_of(session, [lesson.id for lesson in lessons])
    kind, number = _period_key(term)
    rows = _period_rows(session, subject_id, cls.academic_year_id, [p.id for p in pupils], (kind, "year"))
    set_period = {r.pupil_id: r for r in rows if r.kind == kind and r.number == number}
    set_year = {r.pupil_id: r for r in rows if r.kind == "year"}
    marks = _marks_by_pupil(cells)
    terms = _terms_of_kind(session, term)
    year_periods = _year_period_values(session, subject_id, cls.academic_year_id, term.kind, [p.id for p in pupils])
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
            suggestion=grading.suggest_period_mark(rules, marks.get(pupil.id, []), exempt=exempt),
        )
        y = set_year.get(pupil.id)
        year[pupil.id] = PeriodCell(
            value=y.value if y else None,
            special=y.special if y else "",
            version=y.version if y else 0,
            reason=y.reason if y else "",
            suggestion=grading.suggest_year_mark(rules, year_periods.get(pupil.id, []), len(terms)),
        )
    return Grid(cls, subject, term, subgroup, acc, rules, pupils, lessons, cells, period, year, len(terms), needs_split)


def _year_period_values(
    session: Session, subject_id: int, year_id: int, kind: str, pupil_ids: list[int]
) -> dict[int, list[tuple[int | None, str]]]:
    out: dict[int, list[tuple[int | None, str]]] = defaultdict(list)
    for row in _period_rows(session, subject_id, year_id, pupil_ids, (kind,)):
        out[row.pupil_id].append((row.value, row.special))
    return out


def grid_stamp(session: Session, lesson_ids: list[int], pupil_ids: list[int], subject_id: int) -> str:
    """A cheap fingerprint of the grid's data: it changes when anyone saves into it."""
    if not lesson_ids:
        return ""
    marks = session.exec(
        select(func.count(), func.max(Mark.updated_at), func.sum(Mark.version)).where(
            Mark.lesson_id.in_(lesson_ids)  # type: ignore[attr-defined]
        )
    ).one()
    att = session.exec(
        select(func.count(), func.max(Attendance.updated_at), func.sum(Attendance.version)).where(
            Attendance.lesson_id.in_(lesson_ids)  # type: ignore[attr-defined]
        )
    ).one()
    periods = session.exec(
        select(func.count(), func.max(PeriodMark.updated_at), func.sum(PeriodMark.version)).where(
            PeriodMark.subject_id == subject_id,
            PeriodMark.pupil_id.in_(pupil_ids or [-1]),  # type: ignore[attr-defined]
        )
    ).one()
    return f"{tuple(marks)}|{tuple(att)}|{tuple(periods)}"


# ---------------------------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------------------------

# SQLite has one writer at a time. Threads that wait for it inside SQLite's busy handler sleep and
# poll (up to 100 ms a nap), so under 16 writers most of the time goes to naps; waiting on a Python
# lock instead wakes the next writer the moment the last one commits. One process only: a second
# worker would still meet the busy handler, which is why SQLite deployments run one worker.
_SQLITE_WRITER = threading.Lock()


@contextmanager
def write_session() -> Iterator[Session]:
    """A read-modify-write session for journal edits (`db.session(write=True)`, queued in-process on SQLite)."""
    if db.engine().dialect.name == "sqlite":
        with _SQLITE_WRITER, db.session(write=True) as s:
            yield s
    else:
        with db.session(write=True) as s:
            yield s


def _now() -> datetime:
    return datetime.now(UTC)


def clean_text(value: object, limit: int) -> str:
    """User text as stored: NFC, no control characters, single-line spaces kept, cut to `limit`."""
    text = unicodedata.normalize("NFC", str(value or ""))
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.strip()[:limit]


@dataclass(frozen=True)
class LessonContext:
    """What every edit of a lesson checks: the lesson, its class's school, grade and year, its term's lock."""

    id: int
    school_id: int
    class_id: int
    subject_id: int
    teacher_id: int
    subgroup: int
    date: date
    cancelled: bool
    term_closed: bool
    grade: int
    year_id: int
    pupil_enrolled: bool  # the pupil asked about was in the class on the lesson's date
    rules: grading.Rules
    in_subgroup: bool = True  # the pupil is a member of the lesson's subgroup (always true for the whole class)


# Statements of the save path are built once: constructing a select costs more than running it on SQLite.
# One round trip answers the lesson, its class and term lock, whether the pupil was in the class that
# day, and the grading policy of the class's grade (the narrowest policy covering it).
_LESSON_CONTEXT = (
    select(
        Lesson.id, Lesson.school_id, Lesson.class_id, Lesson.subject_id, Lesson.teacher_id, Lesson.subgroup,
        Lesson.date, Lesson.cancelled, Term.closed_at, SchoolClass.school_id, SchoolClass.grade,
        SchoolClass.academic_year_id,
        exists().where(
            Enrollment.pupil_id == bindparam("pupil_id"),
            Enrollment.class_id == Lesson.class_id,
            Enrollment.starts_on <= Lesson.date,
            or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= Lesson.date),  # type: ignore[union-attr]
        ),
        GradingPolicy.id, GradingPolicy.scale, GradingPolicy.min_value, GradingPolicy.max_value,
        GradingPolicy.threshold_5, GradingPolicy.threshold_4, GradingPolicy.threshold_3, GradingPolicy.min_marks,
        GradingPolicy.weights_json,
        or_(
            Lesson.subgroup == 0,
            exists().where(
                SubgroupMember.pupil_id == bindparam("pupil_id"),
                SubgroupMember.class_id == Lesson.class_id,
                SubgroupMember.subject_id == Lesson.subject_id,
                SubgroupMember.subgroup == Lesson.subgroup,
            ),
        ),
    )
    .join(SchoolClass, SchoolClass.id == Lesson.class_id)  # type: ignore[arg-type]
    .join(Term, Term.id == Lesson.term_id)  # type: ignore[arg-type]
    .outerjoin(
        GradingPolicy,
        and_(
            GradingPolicy.academic_year_id == SchoolClass.academic_year_id,
            GradingPolicy.grade_from <= SchoolClass.grade,
            GradingPolicy.grade_to >= SchoolClass.grade,
        ),
    )
    .where(Lesson.id == bindparam("lesson_id"))
    .order_by(GradingPolicy.grade_to - GradingPolicy.grade_from, GradingPolicy.id)
    .limit(1)
)  # fmt: skip
_CELL_MARKS = select(Mark.id, Mark.kind, Mark.value, Mark.version).where(
    Mark.lesson_id == bindparam("lesson_id"), Mark.pupil_id == bindparam("pupil_id")
)
_CELL_ATTENDANCE = select(Attendance.id, Attendance.code, Attendance.late_minutes, Attendance.version).where(
    Attendance.lesson_id == bindparam("lesson_id"), Attendance.pupil_id == bindparam("pupil_id")
)
_MARKS = Mark.__table__  # type: ignore[attr-defined]
_ATTENDANCE = Attendance.__table__  # type: ignore[attr-defined]
_MARK_INSERT = _MARKS.insert()
_MARK_UPDATE = (
    _MARKS.update()
    # The version in the WHERE makes the write itself the check: under PostgreSQL's READ COMMITTED two
    # savers may both have read version 3; only the first UPDATE matches, the second touches no row.
    .where(_MARKS.c.id == bindparam("row_id"), _MARKS.c.version == bindparam("seen"))
    .values(
        value=bindparam("value"), version=bindparam("version"), updated_by=bindparam("by"), updated_at=bindparam("at")
    )
)
_MARK_DELETE = _MARKS.delete().where(_MARKS.c.id == bindparam("row_id"), _MARKS.c.version == bindparam("seen"))
_ATT_INSERT = _ATTENDANCE.insert()
_ATT_UPDATE = (
    _ATTENDANCE.update()
    .where(_ATTENDANCE.c.id == bindparam("row_id"), _ATTENDANCE.c.version == bindparam("seen"))
    .values(
        code=bindparam("code"), late_minutes=bindparam("late"), version=bindparam("version"),
        updated_by=bindparam("by"), updated_at=bindparam("at"),
    )
)  # fmt: skip
_ATT_DELETE = _ATTENDANCE.delete().where(
    _ATTENDANCE.c.id == bindparam("row_id"), _ATTENDANCE.c.version == bindparam("seen")
)


def _exactly_one(result) -> None:
    """A versioned UPDATE/DELETE matched no row: someone else saved the item in between."""
    if result.rowcount != 1:
        raise Stale("journal.error.stale")


def _insert_new(conn, statement, params: dict) -> int:
    """Insert an item the cell did not have; a concurrent insert of the same item (unique key) is Stale."""
    try:
        return conn.execute(statement, params).inserted_primary_key[0]
    except IntegrityError as exc:  # the whole save rolls back with the refusal
        raise Stale("journal.error.stale") from exc


def _lesson_context(
    session: Session, principal: Principal, lesson_id: int, pupil_id: int | None = None
) -> LessonContext:
    row = session.connection().execute(_LESSON_CONTEXT, {"lesson_id": lesson_id, "pupil_id": pupil_id}).first()
    if row is None or principal.school_id is None or row[9] != principal.school_id:
        raise OutOfScope(f"lesson {lesson_id}")
    rules = grading.Rules()
    if row[13] is not None:
        scale, low, high, t5, t4, t3, min_marks, weights = row[14:22]
        rules = grading.rules_of_values(scale, low, high, t5, t4, t3, min_marks, weights)
    return LessonContext(
        id=row[0], school_id=row[1], class_id=row[2], subject_id=row[3], teacher_id=row[4], subgroup=row[5],
        date=row[6], cancelled=bool(row[7]), term_closed=row[8] is not None, grade=row[10], year_id=row[11],
        pupil_enrolled=bool(row[12]), rules=rules, in_subgroup=bool(row[22]),
    )  # fmt: skip


def _edit_action(principal: Principal, own: bool, closed: bool, reason: str) -> str:
    """ "" for an ordinary edit, "correction" for an audited fix of a closed term; or a refusal."""
    if not closed:
        if own and principal.can("journal.write"):
            return ""
        raise OutOfScope("not his journal")
    if is_leader(principal) and principal.can("journal.correct"):
        if not reason:
            raise JournalError("journal.error.reason_required")
        return "correction"
    if own:
        raise JournalError("journal.error.term_closed")
    raise OutOfScope("closed term, no right to correct")


def _lesson_edit_action(session: Session, principal: Principal, lesson: LessonContext, reason: str) -> str:
    # The teacher who held the lesson (a substitute too) writes it; so does the journal's assigned teacher.
    own = (principal.staff_id is not None and lesson.teacher_id == principal.staff_id) or can_teach(
        session, principal, lesson.class_id, lesson.subject_id, lesson.subgroup
    )
    return _edit_action(principal, own, lesson.term_closed, reason)


@dataclass
class _CellRows:
    marks: dict[str, list]  # kind -> [row id, value, version]
    att: list | None  # [row id, code, late minutes, version]

    def cell(self) -> Cell:
        att = self.att
        return Cell(
            marks={k: (m[1], m[2]) for k, m in self.marks.items()},
            code=att[1] if att else "",
            late_minutes=att[2] if att else 0,
            att_version=att[3] if att else 0,
        )


def _cell_rows(session: Session, lesson_id: int, pupil_id: int) -> _CellRows:
    params = {"lesson_id": lesson_id, "pupil_id": pupil_id}
    conn = session.connection()  # Core, not the ORM: plain rows are all this needs
    marks = {kind: [rid, value, version] for rid, kind, value, version in conn.execute(_CELL_MARKS, params).all()}
    att = conn.execute(_CELL_ATTENDANCE, params).first()
    return _CellRows(marks, list(att) if att else None)


def load_cell(session: Session, lesson_id: int, pupil_id: int) -> Cell:
    """What one cell holds now (to show the newer value after a refused save)."""
    return _cell_rows(session, lesson_id, pupil_id).cell()


def _validate_change(rules: grading.Rules, change: CellChange) -> None:
    if change.mark_kind is not None:
        if change.mark_kind not in MARK_KINDS:
            raise JournalError("journal.error.kind", kind=str(change.mark_kind)[:20])
        if change.mark_value is not None:
            if not rules.has_marks:
                raise JournalError("journal.error.no_marks")
            if (
                isinstance(change.mark_value, bool)
                or not isinstance(change.mark_value, int)
                or not rules.allows(change.mark_value)
            ):
                raise JournalError(
                    "journal.error.mark_range",
                    value=str(change.mark_value)[:10],
                    low=rules.min_value,
                    high=rules.max_value,
                )
    if change.attendance is not None:
        if change.attendance and change.attendance not in ATTENDANCE_CODES:
            raise JournalError("journal.error.code", code=str(change.attendance)[:10])
        late = change.late_minutes
        if isinstance(late, bool) or not isinstance(late, int) or not 0 <= late <= MAX_LATE_MINUTES:
            raise JournalError("journal.error.late", high=MAX_LATE_MINUTES)
        if late and change.attendance != LATE:
            raise JournalError("journal.error.late", high=MAX_LATE_MINUTES)


@dataclass(frozen=True)
class Saved:
    """The state of a cell after a save, and whether anything changed."""

    cell: Cell
    changed: bool


def save_cell(
    session: Session,
    principal: Principal,
    lesson_id: int,
    pupil_id: int,
    change: CellChange,
    expected_version: str,
    *,
    reason: str = "",
) -> Saved:
    """Set or clear a mark and/or the attendance of one pupil at one lesson; audited; all or nothing.

    Refusals: OutOfScope (not his journal), JournalError (closed term, value not on the class's
    scale, absent pupil with a mark, pupil not in the class that day), Stale (changed meanwhile).
    Reads and writes go through prebuilt Core statements: this is the hot path of the journal.
    """
    reason = clean_text(reason, MAX_REASON)
    lesson = _lesson_context(session, principal, lesson_id, pupil_id)
    action = _lesson_edit_action(session, principal, lesson, reason)
    if lesson.cancelled:
        raise JournalError("journal.error.cancelled")
    if not lesson.pupil_enrolled:
        raise JournalError("journal.error.not_enrolled")
    if not lesson.in_subgroup:
        raise JournalError("journal.error.not_in_subgroup", subgroup=lesson.subgroup)
    _validate_change(lesson.rules, change)
    rows = _cell_rows(session, lesson_id, pupil_id)
    before = rows.cell()
    expected = parse_token(expected_version)
    for item in change.touched():
        if _item_state(before, item) != expected.get(item):
            raise Stale("journal.error.stale")
    code_after = before.code if change.attendance is None else change.attendance
    marks_after = set(rows.marks)
    if change.mark_kind is not None:
        if change.mark_value is None:
            marks_after.discard(change.mark_kind)
        else:
            marks_after.add(change.mark_kind)
    if code_after in ABSENT_CODES and marks_after:
        # Which rule broke decides the message: a new mark on an absent pupil, or a new absence on a marked one.
        if change.mark_kind is not None and change.mark_value is not None:
            raise JournalError("journal.error.absent_no_mark")
        raise JournalError("journal.error.marked_not_absent")
    conn = session.connection()
    now = _now()
    by = principal.user_id
    changed = False
    if change.mark_kind is not None:
        kind, value = change.mark_kind, change.mark_value
        row = rows.marks.get(kind)
        what = f"mark.{kind}"
        if value is None and row is not None:
            _exactly_one(conn.execute(_MARK_DELETE, {"row_id": row[0], "seen": row[2]}))
            del rows.marks[kind]
            _audit_cell(session, principal, action or "delete", lesson, pupil_id, what, row[1], "", reason)
            changed = True
        elif value is not None and row is None:
            rid = _insert_new(
                conn,
                _MARK_INSERT,
                {
                    "school_id": lesson.school_id, "lesson_id": lesson_id, "pupil_id": pupil_id, "value": value,
                    "kind": kind, "version": 1, "updated_by": by, "updated_at": now,
                },
            )  # fmt: skip
            rows.marks[kind] = [rid, value, 1]
            _audit_cell(session, principal, action or "create", lesson, pupil_id, what, "", value, reason)
            changed = True
        elif value is not None and row is not None and row[1] != value:
            old = row[1]
            params = {"row_id": row[0], "seen": row[2], "value": value, "version": row[2] + 1, "by": by, "at": now}
            _exactly_one(conn.execute(_MARK_UPDATE, params))
            rows.marks[kind] = [row[0], value, row[2] + 1]
            _audit_cell(session, principal, action or "update", lesson, pupil_id, what, old, value, reason)
            changed = True
    if change.attendance is not None:
        code = change.attendance
        minutes = change.late_minutes if code == LATE else 0
        att = rows.att
        old_text = f"{att[1]}{att[2] or ''}" if att else ""
        new_text = f"{code}{minutes or ''}" if code else ""
        if not code and att is not None:
            _exactly_one(conn.execute(_ATT_DELETE, {"row_id": att[0], "seen": att[3]}))
            rows.att = None
            _audit_cell(session, principal, action or "delete", lesson, pupil_id, "attendance", old_text, "", reason)
            changed = True
        elif code and att is None:
            rid = _insert_new(
                conn,
                _ATT_INSERT,
                {
                    "school_id": lesson.school_id, "lesson_id": lesson_id, "pupil_id": pupil_id, "code": code,
                    "late_minutes": minutes, "version": 1, "updated_by": by, "updated_at": now,
                },
            )  # fmt: skip
            rows.att = [rid, code, minutes, 1]
            _audit_cell(session, principal, action or "create", lesson, pupil_id, "attendance", "", new_text, reason)
            changed = True
        elif code and att is not None and old_text != new_text:
            params = {"row_id": att[0], "seen": att[3], "code": code, "late": minutes, "version": att[3] + 1}
            _exactly_one(conn.execute(_ATT_UPDATE, {**params, "by": by, "at": now}))
            rows.att = [att[0], code, minutes, att[3] + 1]
            _audit_cell(
                session, principal, action or "update", lesson, pupil_id, "attendance", old_text, new_text, reason
            )
            changed = True
    return Saved(rows.cell(), changed)


_AUDIT_INSERT = AuditEvent.__table__.insert()  # type: ignore[attr-defined]


def _audit_cell(
    session: Session,
    principal: Principal,
    action: str,
    lesson: LessonContext,
    pupil_id: int,
    what: str,
    old: object,
    new: object,
    reason: str,
) -> None:
    """Audit one item of a cell in the caller's transaction.

    A cell's history is the audit of (lesson, pupil): entity "lesson", the lesson's id, the pupil.
    The row holds what services.audit.record writes; it goes in as one Core insert because this is
    the hottest write of the app (building an AuditEvent object and flushing it cost a third of a save).
    """
    session.connection().execute(
        _AUDIT_INSERT,
        {
            "at": _now(), "user_id": principal.user_id, "username": principal.username, "role": principal.role,
            "school_id": lesson.school_id, "action": action, "entity": "lesson", "entity_id": lesson.id,
            "field": what, "old_value": "" if old is None else str(old)[:2000],
            "new_value": "" if new is None else str(new)[:2000], "reason": reason[:500], "pupil_id": pupil_id,
        },
    )  # fmt: skip


def record_refusal(session: Session, principal: Principal, what: str, error: JournalError) -> None:
    """Audit a refused edit (in its own transaction: the edit's own was rolled back)."""
    detail = f"{error.key} {error.params}" if error.params else error.key
    audit.record(session, principal, "refused", what[:40], reason=detail[:500])


def fill_column_present(
    session: Session, principal: Principal, lesson_id: int, expected: Mapping[int, str], *, reason: str = ""
) -> tuple[dict[int, Cell], int]:
    """ "All present": clear the absences (н б у п) of a lesson; lateness stays.

    `expected` maps pupil id -> the cell token the caller saw; a pupil whose attendance changed
    since is left alone and counted. Returns the new cells of the cleared pupils and that count.
    """
    reason = clean_text(reason, MAX_REASON)
    lesson = _lesson_context(session, principal, lesson_id)
    action = _lesson_edit_action(session, principal, lesson, reason)
    rows = session.exec(
        select(Attendance)
        .where(
            Attendance.lesson_id == lesson_id,
            Attendance.code.in_(sorted(ABSENT_CODES)),  # type: ignore[attr-defined]
        )
        .with_for_update()
    ).all()
    cleared: dict[int, Cell] = {}
    skipped = 0
    for att in rows:
        seen = parse_token(expected.get(att.pupil_id, "")).get("att")
        if seen != f"{att.code}{att.late_minutes or ''}@{att.version}":
            skipped += 1
            continue
        session.delete(att)
        _audit_cell(session, principal, action or "delete", lesson, att.pupil_id, "attendance", att.code, "", reason)
        cleared[att.pupil_id] = Cell()
    session.flush()
    for pupil_id in list(cleared):
        cleared[pupil_id] = load_cell(session, lesson_id, pupil_id)
    return cleared, skipped


def set_lesson_text(
    session: Session,
    principal: Principal,
    lesson_id: int,
    topic: str,
    homework: str,
    *,
    reason: str = "",
    seen: tuple[str, str] | None = None,
) -> Lesson:
    """Set a lesson's topic and homework (homework is what pupils and parents see in the diary).

    `seen` is the (topic, homework) the editor started from: if the lesson says otherwise now,
    someone else changed it meanwhile and the save is refused (Stale) instead of overwriting it.
    """
    reason = clean_text(reason, MAX_REASON)
    context = _lesson_context(session, principal, lesson_id)
    action = _lesson_edit_action(session, principal, context, reason)
    lesson = session.exec(select(Lesson).where(Lesson.id == lesson_id).with_for_update()).one()
    if seen is not None and (lesson.topic, lesson.homework) != seen:
        raise Stale("journal.error.stale")
    new_topic = " ".join(clean_text(topic, MAX_TOPIC * 2).split())[:MAX_TOPIC]
    new_homework = clean_text(homework, MAX_HOMEWORK)
    for what, old, new in (("topic", lesson.topic, new_topic), ("homework", lesson.homework, new_homework)):
        if old != new:
            audit.record(
                session,
                principal,
                action or "update",
                "lesson",
                lesson.id,
                field=what,
                old=old,
                new=new,
                reason=reason,
                school_id=lesson.school_id,
            )
    lesson.topic, lesson.homework = new_topic, new_homework
    session.add(lesson)
    session.flush()
    return lesson


def lesson_text(session: Session, lesson_id: int) -> tuple[str, str]:
    """A lesson's (topic, homework) as stored now."""
    row = session.exec(select(Lesson.topic, Lesson.homework).where(Lesson.id == lesson_id)).first()
    return (row[0], row[1]) if row else ("", "")


# ---------------------------------------------------------------------------------------------
# Period and year marks
# ---------------------------------------------------------------------------------------------


def _period_target(
    session: Session, principal: Principal, class_id: int, subject_id: int, pupil_id: int, subgroup: int = 0
) -> SchoolClass:
    cls = _class_in_school(session, principal, class_id)
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
    row.updated_by, row.updated_at, row.date_set = principal.user_id, _now(), date.today()
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
    action = _edit_action(principal, own, term.closed_at is not None, reason)
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
    periods = _year_period_values(session, subject_id, cls.academic_year_id, kind, [pupil_id]).get(pupil_id, [])
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
    action = _edit_action(principal, own, closed, reason)
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
    term.closed_at = _now()
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
    cls = _class_in_school(session, principal, class_id)
    if not can_read_summary(principal, cls):
        raise OutOfScope(f"summary {class_id}")
    terms = year_terms(session, cls.academic_year_id)
    if term_id is not None:
        term = next((t for t in terms if t.id == term_id), None)
        if term is None:
            raise OutOfScope(f"term {term_id}")
        starts, ends = term.starts_on, term.ends_on
        kind, number = term.kind, term.number
    else:
        term = None
        year = session.get(AcademicYear, cls.academic_year_id)
        starts = terms[0].starts_on if terms else (year.starts_on if year else date.min)
        ends = terms[-1].ends_on if terms else (year.ends_on if year else date.max)
        kind, number = "year", 0
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
    pupils = _pupils_of(session, class_id, starts, ends)
    ids = [p.id for p in pupils]
    marks: dict[int, dict[int, tuple[int | None, str]]] = defaultdict(dict)
    if ids:
        for pm in session.exec(
            select(PeriodMark).where(
                PeriodMark.pupil_id.in_(ids),  # type: ignore[attr-defined]
                PeriodMark.academic_year_id == cls.academic_year_id,
                PeriodMark.kind == kind,
                PeriodMark.number == number,
            )
        ).all():
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
        _fill_suggestions(session, cls, term, terms, subject_ids, rows)
    counted = [r for r in rows if r.left_on is None]  # pupils who left before the end are out of N
    by_subject: dict[int, grading.Indicators] = {}
    for subject in subjects:
        sid = subject.id
        results = [r.marks.get(sid) for r in counted]
        outcomes = [_outcome(v) for v in results]
        values = [v[0] for v in results if v is not None and v[0] is not None]
        by_subject[sid] = grading.indicators(outcomes, values)  # type: ignore[index]
    overall = grading.indicators(
        [grading.pupil_outcome(r.marks.values()) for r in counted],
        [v for r in counted for v, _s in r.marks.values() if v is not None],
    )
    return Summary(cls, "term" if term else "year", term, list(subjects), rows, by_subject, overall)


def _fill_suggestions(
    session: Session,
    cls: SchoolClass,
    term: Term | None,
    terms: list[Term],
    subject_ids: list[int],
    rows: list[SummaryRow],
) -> None:
    rules = grading.policy_for_class(session, cls.id)  # type: ignore[arg-type]
    ids = [r.pupil_id for r in rows]
    if term is not None:
        current: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)
        for pupil_id, subject_id, kind, value in session.exec(
            select(Mark.pupil_id, Lesson.subject_id, Mark.kind, Mark.value)
            .join(Lesson, Lesson.id == Mark.lesson_id)  # type: ignore[arg-type]
            .where(
                Lesson.class_id == cls.id,
                Lesson.term_id == term.id,
                Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
                Mark.pupil_id.in_(ids),  # type: ignore[attr-defined]
            )
        ).all():
            current[(pupil_id, subject_id)].append((kind, value))
        for row in rows:
            for sid in subject_ids:
                if sid in row.marks or (row.pupil_id, sid) not in current:
                    continue
                sug = grading.suggest_period_mark(rules, current[(row.pupil_id, sid)])
                if sug.text:
                    row.marks[sid] = (sug.value, sug.special)
                    row.suggested.add(sid)
        return
    kind = terms[0].kind if terms else "quarter"
    expected = sum(1 for t in terms if t.kind == kind)
    periods: dict[tuple[int, int], list[tuple[int | None, str]]] = defaultdict(list)
    for pm in session.exec(
        select(PeriodMark).where(
            PeriodMark.pupil_id.in_(ids),  # type: ignore[attr-defined]
            PeriodMark.academic_year_id == cls.academic_year_id,
            PeriodMark.kind == kind,
        )
    ).all():
        periods[(pm.pupil_id, pm.subject_id)].append((pm.value, pm.special))
    for row in rows:
        for sid in subject_ids:
            if sid in row.marks:
                continue
            sug = grading.suggest_year_mark(rules, periods.get((row.pupil_id, sid), []), expected)
            if sug.text:
                row.marks[sid] = (sug.value, sug.special)
                row.suggested.add(sid)


def _outcome(result: tuple[int | None, str] | None) -> int | str | None:
    if result is None:
        return None
    value, special = result
    return value if value is not None else (special or None)
