"""One cell of the journal (a pupil at a lesson): its token, and every write of marks, attendance, topics.

Writes, each in the caller's write session and audited with old and new value in the same
transaction: a cell's marks and attendance (`save_cell`), "all present" for a lesson
(`fill_column_present`), a lesson's topic and homework (`set_lesson_text`).

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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Integer, and_, bindparam, cast, exists, func, literal, null, or_, union_all
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bbbms_app import db
from bbbms_app.models import (
    Attendance,
    AuditEvent,
    ClassTermClose,
    Enrollment,
    GradingPolicy,
    Lesson,
    Mark,
    PeriodMark,
    SchoolClass,
    SubgroupMember,
    Subject,
    TeachingAssignment,
    Term,
)
from bbbms_app.models.journal import ATTENDANCE_CODES, MARK_KINDS
from bbbms_app.services import audit, grading, notify
from bbbms_app.services.access import Principal, can_teach
from bbbms_app.services.journal.access import JournalError, OutOfScope, Stale, is_leader

ABSENT_CODES = frozenset({"н", "б", "у", "п"})
LATE = "о"
MAX_LATE_MINUTES = 90
MAX_TOPIC = 300
MAX_HOMEWORK = 500
MAX_REASON = 300
PERIOD_SPECIALS = (grading.NOT_ATTESTED, grading.EXEMPT)
# The order marks of one cell are shown in: the weightiest work first.
KIND_ORDER = {"control": 0, "test": 1, "class": 2, "home": 3}

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
    # kind -> the percentage a criterion-based mark was typed as (only the kinds typed so). Not in the
    # token: a new percentage is a new row version, which the token carries.
    percents: dict[str, int] = field(default_factory=dict)

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

    def note(self) -> str:
        """The percentages beside the marks of a criterion-based cell («73%»), weightiest work first."""
        kinds = sorted((k for k in self.percents if k in self.marks), key=KIND_ORDER.__getitem__)
        return " ".join(f"{self.percents[k]}%" for k in kinds)

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
    # A criterion-based result typed as a percentage: the mark is the policy's table's (criterion_change).
    percent: int | None = None

    def touched(self) -> list[str]:
        items = []
        if self.mark_kind is not None:
            items.append(self.mark_kind)
        if self.attendance is not None:
            items.append("att")
        return items


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


def utcnow() -> datetime:
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
    term_id: int = 0
    hours: float | None = None  # the subject's weekly hours in the class (the local act's minimum of marks)
    subject_code: str = ""  # the policy may assess the subject «зач» / «незач»
    term_kind: str = "quarter"
    term_number: int = 0
    pupil_exempt: bool = False  # the pupil asked about is exempt from the subject in the lesson's term


# Statements of the save path are built once: constructing a select costs more than running it on SQLite.
# One round trip answers the lesson, its class and term lock, whether the pupil was in the class that
# day and is exempt from the subject that term, and the grading policy of the class's grade (the
# narrowest policy covering it).
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
        Lesson.term_id,
        exists().where(ClassTermClose.term_id == Lesson.term_id, ClassTermClose.class_id == Lesson.class_id),
        # The local act's options, in grading.local_act's order, and the subject's weekly hours.
        GradingPolicy.min_marks_by_hours, GradingPolicy.half_year_max_hours, GradingPolicy.pass_fail_codes,
        GradingPolicy.two_blocks_five, GradingPolicy.year_ties, GradingPolicy.criterion_json,
        select(func.max(TeachingAssignment.hours_per_week))
        .where(
            TeachingAssignment.class_id == Lesson.class_id,
            TeachingAssignment.subject_id == Lesson.subject_id,
            TeachingAssignment.deleted_at.is_(None),  # type: ignore[union-attr]
        )
        .scalar_subquery(),
        select(Subject.code).where(Subject.id == Lesson.subject_id).scalar_subquery(),
        Term.kind, Term.number,  # grades 10–11: the half-year's mark is suggested in Q2 / Q4 only
        exists().where(
            PeriodMark.pupil_id == bindparam("pupil_id"),
            PeriodMark.subject_id == Lesson.subject_id,
            PeriodMark.term_id == Lesson.term_id,
            PeriodMark.special == grading.EXEMPT,
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
# A cell's marks and its attendance in one round trip: ("m", id, kind, value, version, percent) rows
# and at most one ("a", id, code, late minutes, version, NULL).
_CELL_ITEMS = union_all(
    select(literal("m"), Mark.id, Mark.kind, Mark.value, Mark.version, Mark.percent).where(
        Mark.lesson_id == bindparam("lesson_id"), Mark.pupil_id == bindparam("pupil_id")
    ),
    select(
        literal("a"), Attendance.id, Attendance.code, Attendance.late_minutes, Attendance.version,
        cast(null(), Integer),
    ).where(Attendance.lesson_id == bindparam("lesson_id"), Attendance.pupil_id == bindparam("pupil_id")),
)  # fmt: skip
_MARKS = Mark.__table__  # type: ignore[attr-defined]
_ATTENDANCE = Attendance.__table__  # type: ignore[attr-defined]
_MARK_INSERT = _MARKS.insert()
_MARK_UPDATE = (
    _MARKS.update()
    # The version in the WHERE makes the write itself the check: under PostgreSQL's READ COMMITTED two
    # savers may both have read version 3; only the first UPDATE matches, the second touches no row.
    .where(_MARKS.c.id == bindparam("row_id"), _MARKS.c.version == bindparam("seen"))
    .values(
        value=bindparam("value"), percent=bindparam("percent"), version=bindparam("version"),
        updated_by=bindparam("by"), updated_at=bindparam("at"),
    )
)  # fmt: skip
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
        rules = grading.rules_of_values(scale, low, high, t5, t4, t3, min_marks, weights, *row[25:31])
    return LessonContext(
        id=row[0], school_id=row[1], class_id=row[2], subject_id=row[3], teacher_id=row[4], subgroup=row[5],
        date=row[6], cancelled=bool(row[7]), term_closed=row[8] is not None or bool(row[24]), grade=row[10],
        year_id=row[11], pupil_enrolled=bool(row[12]), rules=rules, in_subgroup=bool(row[22]), term_id=row[23],
        hours=row[31], subject_code=row[32] or "", term_kind=row[33], term_number=row[34],
        pupil_exempt=bool(row[35]),
    )  # fmt: skip


def edit_action(principal: Principal, own: bool, closed: bool, reason: str) -> str:
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
    return edit_action(principal, own, lesson.term_closed, reason)


@dataclass
class _CellRows:
    marks: dict[str, list]  # kind -> [row id, value, version, percent or None]
    att: list | None  # [row id, code, late minutes, version]

    def cell(self) -> Cell:
        att = self.att
        return Cell(
            marks={k: (m[1], m[2]) for k, m in self.marks.items()},
            code=att[1] if att else "",
            late_minutes=att[2] if att else 0,
            att_version=att[3] if att else 0,
            percents={k: m[3] for k, m in self.marks.items() if m[3] is not None},
        )


def _cell_rows(session: Session, lesson_id: int, pupil_id: int) -> _CellRows:
    marks: dict[str, list] = {}
    att = None
    # Core, not the ORM: plain rows are all this needs
    for source, rid, what, value, version, pct in session.connection().execute(
        _CELL_ITEMS, {"lesson_id": lesson_id, "pupil_id": pupil_id}
    ):
        if source == "m":
            marks[what] = [rid, value, version, pct]
        else:
            att = [rid, what, value, version]
    return _CellRows(marks, att)


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
    """What a save did: the cell now, whether anything changed, the change that takes it back (the
    undo entry; None when nothing changed) and the pupil's period suggestion after it."""

    cell: Cell
    changed: bool
    undo: CellChange | None = None
    suggestion: grading.Suggestion | None = None


MARK_KEYS = frozenset("123456789") | {"10"}
CODE_KEYS = frozenset({"н", "б", "у", "п", "о"})


def criterion_change(rules: grading.Rules, kind: str, percent: object) -> CellChange:
    """A criterion-based result (a percentage, 0–100) as the mark of `kind` the class's policy table
    gives it (grading.mark_from_percent, e.g. 78 % → 4 on the reference table). Refused with a
    translated error where the policy is not criterion-based, or the percentage is not a whole number
    from 0 to 100. The percentage goes to the cell's audit (save_cell's reason); the cell keeps the mark."""
    if rules.scale != "criterion":
        raise JournalError("journal.error.not_criterion")
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise JournalError("journal.error.percent_range")
    return CellChange(kind, grading.mark_from_percent(rules, percent), percent=percent)


# An entry typed as a percentage on the grid (journal_grid.js's percent input): «%» and what was typed.
PERCENT_KEY = "%"
MAX_PERCENT_KEY = 5  # «%» and at most four characters: «%100» and a little room for what gets refused


def percent_of_key(key: str) -> int:
    """The percentage of a «%73» entry; anything but a whole number of at most three digits
    («%-3», «%abc», «%7.5», «%») is refused naming the field (journal.error.percent_range).
    The range (0–100) and whether the class is assessed by criteria are the save's checks."""
    typed = key[len(PERCENT_KEY) :].strip()
    if not (typed.isascii() and typed.isdigit() and len(typed) <= 3):
        raise JournalError("journal.error.percent_range")
    return int(typed)


def change_for_key(token: str, key: str, kind: str) -> CellChange | None:
    """What an entry on the grid means for a cell that holds `token`, entering marks of `kind`.

    A mark key sets the mark of that kind; «%73» sets the mark the policy's criterion table gives
    73 % (the save converts it, criterion_change); an attendance code sets it, or clears it when the
    cell has that code already; "clear" takes one item away: the mark of that kind, else the absence,
    else the weightiest other mark. None: the key does nothing to this cell.
    """
    items = parse_token(token)
    key = str(key)
    if key in MARK_KEYS:
        return CellChange(kind, int(key))
    if key.startswith(PERCENT_KEY):
        return CellChange(kind, percent=percent_of_key(key))
    if key in CODE_KEYS:
        code_now = items.get("att", "")[:1]
        return CellChange(attendance="" if code_now == key else key)
    if key == "clear":
        if kind in items:
            return CellChange(kind, None)
        if "att" in items:
            return CellChange(attendance="")
        for other in sorted((k for k in items if k in KIND_ORDER), key=KIND_ORDER.__getitem__):
            return CellChange(other, None)
    return None


def undo_of(before: Cell, change: CellChange) -> CellChange:
    """The change that puts back what `change` touched in a cell that was `before`."""
    mark = before.marks.get(change.mark_kind) if change.mark_kind is not None else None
    return CellChange(
        mark_kind=change.mark_kind,
        mark_value=mark[0] if mark else None,
        attendance=None if change.attendance is None else before.code,
        late_minutes=before.late_minutes if change.attendance is not None and before.code == LATE else 0,
        # A mark that was typed as a percentage comes back as that percentage (and the mark it gives).
        percent=before.percents.get(change.mark_kind) if mark and change.mark_kind is not None else None,
    )


# A save typed while the connection was down carries its entry's id and the time it was typed: both go
# into the audit row's reason («offline <id> typed <ISO time>»; the row's own time is when it arrived),
# and a repeated entry (its answer lost on the way back) finds its id there and is not written twice.
OFFLINE_PREFIX = "offline "
MAX_OFFLINE_ID = 40


def offline_reason(entry_id: str, typed_at: datetime) -> str:
    return f"{OFFLINE_PREFIX}{entry_id[:MAX_OFFLINE_ID]} typed {typed_at.astimezone(UTC).isoformat(timespec='seconds')}"


def already_synced(session: Session, lesson_id: int, pupil_id: int, entry_id: str) -> bool:
    """Whether an offline entry was saved before (its audit row names it)."""
    marker = f"{OFFLINE_PREFIX}{entry_id[:MAX_OFFLINE_ID]} typed %"
    found = session.exec(
        select(AuditEvent.id).where(
            AuditEvent.entity == "lesson",
            AuditEvent.entity_id == lesson_id,
            AuditEvent.pupil_id == pupil_id,
            AuditEvent.reason.like(marker),  # type: ignore[attr-defined]
        )
    ).first()
    return found is not None


# The marks that make a pupil's period suggestion in one journal: its term's, and in a half-year's
# second quarter (Q1 seen from Q2) the other quarter's too — one read for both, counted by (kind,
# value) in the database: a handful of rows, not one per mark (a row costs more to fetch than to count).
_PUPIL_PERIOD_MARKS = (
    select(Mark.kind, Mark.value, func.count())
    .join(Lesson, Lesson.id == Mark.lesson_id)  # type: ignore[arg-type]
    .join(Term, Term.id == Lesson.term_id)  # type: ignore[arg-type]
    .where(
        Mark.pupil_id == bindparam("pupil_id"),
        Lesson.class_id == bindparam("class_id"),
        Lesson.subject_id == bindparam("subject_id"),
        Lesson.subgroup == bindparam("subgroup"),
        Lesson.cancelled.is_(False),  # type: ignore[attr-defined]
        or_(
            Lesson.term_id == bindparam("term_id"),
            and_(
                Term.academic_year_id == bindparam("year_id"),
                Term.kind == "quarter",
                Term.number.in_(bindparam("numbers", expanding=True)),  # type: ignore[attr-defined]
            ),
        ),
    )
    .group_by(Mark.kind, Mark.value)
)


def _suggestion_after(session: Session, lesson: LessonContext, pupil_id: int) -> grading.Suggestion:
    """The pupil's period suggestion in the lesson's journal and term, as the grid computes it
    (a half-year assessment, grading.assessment: none in Q1 / Q3, from both quarters in Q2 / Q4)."""
    period = grading.period_of_term(
        grading.assessment(lesson.grade, lesson.rules, lesson.hours), lesson.term_kind, lesson.term_number
    )
    if period is None:
        return grading.Suggestion()
    others = [q for q in period.quarters if q != lesson.term_number] if lesson.term_kind == "quarter" else []
    params = {
        "pupil_id": pupil_id, "class_id": lesson.class_id, "subject_id": lesson.subject_id,
        "term_id": lesson.term_id, "subgroup": lesson.subgroup, "year_id": lesson.year_id, "numbers": others,
    }  # fmt: skip
    marks = [
        (kind, value) for kind, value, n in session.connection().execute(_PUPIL_PERIOD_MARKS, params) for _ in range(n)
    ]
    return grading.suggest_period_mark(
        lesson.rules, marks, exempt=lesson.pupil_exempt, hours=lesson.hours, subject_code=lesson.subject_code
    )


def save_cell(
    session: Session,
    principal: Principal,
    lesson_id: int,
    pupil_id: int,
    change: CellChange,
    expected_version: str,
    *,
    reason: str = "",
    offline: tuple[str, datetime] | None = None,
) -> Saved:
    """Set or clear a mark and/or the attendance of one pupil at one lesson; audited; all or nothing.

    Refusals: OutOfScope (not his journal), JournalError (closed term, value not on the class's
    scale, absent pupil with a mark, pupil not in the class that day), Stale (changed meanwhile).
    Reads and writes go through prebuilt Core statements: this is the hot path of the journal.
    `offline` = (entry id, time typed) of an entry typed while the connection was down.
    """
    reason = clean_text(reason, MAX_REASON)
    lesson = _lesson_context(session, principal, lesson_id, pupil_id)
    action = _lesson_edit_action(session, principal, lesson, reason)
    if offline is not None:
        reason = offline_reason(*offline) + (f" · {reason}" if reason else "")
    if lesson.cancelled:
        raise JournalError("journal.error.cancelled")
    if not lesson.pupil_enrolled:
        raise JournalError("journal.error.not_enrolled")
    if not lesson.in_subgroup:
        raise JournalError("journal.error.not_in_subgroup", subgroup=lesson.subgroup)
    if change.percent is not None:
        change = criterion_change(lesson.rules, change.mark_kind or "class", change.percent)
        reason = clean_text(f"{change.percent} %" + (f" · {reason}" if reason else ""), MAX_REASON)
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
    now = utcnow()
    by = principal.user_id
    changed = False
    told: list[tuple[str, str]] = []  # what the notifications' outbox gets: a mark set, a code set
    if change.mark_kind is not None:
        kind, value, percent = change.mark_kind, change.mark_value, change.percent
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
                    "kind": kind, "version": 1, "updated_by": by, "updated_at": now, "percent": percent,
                },
            )  # fmt: skip
            rows.marks[kind] = [rid, value, 1, percent]
            _audit_cell(session, principal, action or "create", lesson, pupil_id, what, "", value, reason)
            changed = True
            told.append(("mark", str(value)))
        elif value is not None and row is not None and (row[1] != value or row[3] != percent):
            # 73 % over 80 % is a new result even when both give a 4; a mark typed over a percentage drops it.
            old = row[1]
            params = {"row_id": row[0], "seen": row[2], "value": value, "version": row[2] + 1, "by": by, "at": now}
            _exactly_one(conn.execute(_MARK_UPDATE, {**params, "percent": percent}))
            rows.marks[kind] = [row[0], value, row[2] + 1, percent]
            _audit_cell(session, principal, action or "update", lesson, pupil_id, what, old, value, reason)
            changed = True
            if old != value:  # a family hears of a new mark, not of a new percentage giving the same mark
                told.append(("mark", str(value)))
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
            told.append(("attendance", code))
        elif code and att is not None and old_text != new_text:
            params = {"row_id": att[0], "seen": att[3], "code": code, "late": minutes, "version": att[3] + 1}
            _exactly_one(conn.execute(_ATT_UPDATE, {**params, "by": by, "at": now}))
            rows.att = [att[0], code, minutes, att[3] + 1]
            _audit_cell(
                session, principal, action or "update", lesson, pupil_id, "attendance", old_text, new_text, reason
            )
            changed = True
            told.append(("attendance", code))
    for what, value in told:  # the notifications' outbox: one insert each, read by the job (services/notify.py)
        notify.journal_event(conn, lesson.school_id, pupil_id, lesson_id, what, value)
    suggestion = _suggestion_after(session, lesson, pupil_id) if changed else None
    return Saved(rows.cell(), changed, undo_of(before, change) if changed else None, suggestion)


def set_mark(
    session: Session, principal: Principal, lesson_id: int, pupil_id: int, kind: str, value: int | None, *, reason: str
) -> Saved:
    """A mark that comes from outside the grid (an assignment, a test, a project, a learning system's
    result): saved through the grid's own path (scope, closed term, scale, absence, audit) over the cell
    as it is now. `reason` names the source in the audit row («assignment 12»); None clears the mark.
    One mark, one place: the journal cell is the mark, the source keeps no copy of its own.
    A closed term refuses it for everyone: a source's mark is never a correction (those are signed
    by hand in the grid, with a reason of their own)."""
    if _lesson_context(session, principal, lesson_id, pupil_id).term_closed:
        raise JournalError("journal.error.term_closed")
    current = load_cell(session, lesson_id, pupil_id)
    return save_cell(session, principal, lesson_id, pupil_id, CellChange(kind, value), current.token(), reason=reason)


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
            "at": utcnow(), "user_id": principal.user_id, "username": principal.username, "role": principal.role,
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
