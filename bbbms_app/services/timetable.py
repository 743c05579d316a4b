"""The timetable: reading a week, editing a cell with clash detection, generating the term's lessons.

A class's week is its TimetableSlot rows valid on a date; a slot's clock time comes from the bell
schedule of the class's shift and grade band. The deputy director places a teaching assignment in
a cell «from a date on»: the old slot of that cell ends the day before, and a teacher or a room
already busy at an overlapping time (on the same weekday, over overlapping dates) refuses the
change with a message naming the other lesson. Lessons of a term are generated from the slots,
skipping weekends and the holidays of the class's grade; generating again changes nothing, and a
lesson that already carries journal data (marks, absences, topic, homework, a cancellation) is
never touched. A teacher adds an extra lesson or cancels one of his own lessons.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import delete, insert, or_
from sqlmodel import Session, select

from bbbms_app.i18n import format_date, t, translations
from bbbms_app.models import (
    Attendance,
    BellSchedule,
    Enrollment,
    Holiday,
    Lesson,
    Mark,
    SchoolClass,
    Staff,
    Subject,
    TeachingAssignment,
    Term,
    TimetableSlot,
)
from bbbms_app.services import audit, curriculum
from bbbms_app.services.access import SCHOOL_WIDE_ROLES, Principal, visible_class_ids
from bbbms_app.services.engine.hooks import FieldError
from bbbms_app.services.errors import OutOfScope
from bbbms_app.services.school import class_name, localized_names

MAX_NUMBER = 12  # lesson numbers 0 («нулевой урок») … 12, as Lesson allows
MAX_ROOM = 20
MAX_TOPIC = 300
MAX_REASON = 300
DEFAULT_ROWS = 7  # rows a class grid offers when the bells say nothing


class TimetableError(FieldError):
    """A refused change, named by a catalog key; per-language params (dicts) are resolved at display."""


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def monday_of(day: date) -> date:
    """The Monday of the week holding `day`."""
    return day - timedelta(days=day.weekday())


def staff_short(staff: Staff | None) -> str:
    """«Иванов С. П.» as a timetable writes a teacher."""
    if staff is None:
        return ""
    initials = " ".join(f"{part[0]}." for part in (staff.first_name, staff.patronymic) if part)
    return f"{staff.last_name} {initials}".strip()


def subject_names(subject: Subject | None) -> dict[str, str]:
    return localized_names(subject)


def _day_label(weekday: int) -> dict[str, str]:
    return translations(f"tt.day.{weekday}")


def _time_label(span: tuple[time, time] | None) -> str:
    return f"{span[0]:%H:%M}–{span[1]:%H:%M}" if span else ""


def _norm_room(room: str) -> str:
    return " ".join(room.split()).casefold()


def _same_school(principal: Principal, school_id: int) -> bool:
    return principal.school_id is None or principal.school_id == school_id


def _subgroups_meet(a: int, b: int) -> bool:
    """Whole class (0) meets every group; groups 1 and 2 are apart."""
    return a == 0 or b == 0 or a == b


# ---------------------------------------------------------------------------------------------
# Bells and holidays
# ---------------------------------------------------------------------------------------------


class Bells:
    """The bell schedule of one school: the clock time of lesson N for a shift and grade."""

    def __init__(self, rows: Iterable[BellSchedule]) -> None:
        self._rows: dict[tuple[int, int], list[BellSchedule]] = defaultdict(list)
        for row in rows:
            self._rows[(row.shift, row.number)].append(row)

    def at(self, shift: int, grade: int, number: int) -> tuple[time, time] | None:
        """Start and end of the lesson; the narrowest grade band wins (1st grade over 1–12)."""
        fits = [r for r in self._rows.get((shift, number), ()) if r.grade_from <= grade <= r.grade_to]
        if not fits:
            return None
        best = min(fits, key=lambda r: r.grade_to - r.grade_from)
        return best.starts_at, best.ends_at

    def numbers(self, shift: int, grade: int) -> list[int]:
        """Lesson numbers the bells define for this shift and grade."""
        return sorted({n for (s, n) in self._rows if s == shift and self.at(shift, grade, n) is not None})


def load_bells(session: Session, school_id: int) -> Bells:
    """The school's live bells (a deleted bell rings no more)."""
    return Bells(
        session.exec(
            select(BellSchedule).where(BellSchedule.school_id == school_id, BellSchedule.deleted_at.is_(None))  # type: ignore[union-attr]
        ).all()
    )


def holidays_between(session: Session, school_id: int, start: date, end: date) -> list[Holiday]:
    """Live holidays of the school that touch [start, end] (as the deputy last edited them)."""
    return list(
        session.exec(
            select(Holiday)
            .where(
                Holiday.school_id == school_id,
                Holiday.starts_on <= end,
                Holiday.ends_on >= start,
                Holiday.deleted_at.is_(None),  # type: ignore[union-attr]
            )
            .order_by(Holiday.starts_on)  # type: ignore[arg-type]
        ).all()
    )


def holiday_on(holidays: Iterable[Holiday], day: date, grade: int) -> Holiday | None:
    """The holiday that closes school on `day` for this grade, if any."""
    for h in holidays:
        if h.starts_on <= day <= h.ends_on and (h.grade_from is None or h.grade_from <= grade <= (h.grade_to or 12)):
            return h
    return None


def holiday_names(h: Holiday) -> dict[str, str]:
    return localized_names(h)


# ---------------------------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------------------------


def _class(session: Session, principal: Principal, class_id: int) -> SchoolClass:
    cls = session.get(SchoolClass, class_id)
    if cls is None or getattr(cls, "deleted_at", None) is not None or not _same_school(principal, cls.school_id):
        raise OutOfScope(f"class {class_id}")
    return cls


def can_read_class(session: Session, principal: Principal, class_id: int) -> bool:
    """Leaders and the clerk: every class; teachers: the classes they teach or lead; families: the children's."""
    cls = session.get(SchoolClass, class_id)
    if cls is None or not _same_school(principal, cls.school_id):
        return False
    reach = visible_class_ids(session, principal)
    return reach is None or class_id in reach


def readable_classes(session: Session, principal: Principal, year_id: int | None) -> list[dict[str, str]]:
    """The classes of the year whose timetable the principal may open, in grade order."""
    if year_id is None or principal.school_id is None:
        return []
    q = select(SchoolClass).where(SchoolClass.school_id == principal.school_id, SchoolClass.academic_year_id == year_id)
    reach = visible_class_ids(session, principal)
    if reach is not None:
        q = q.where(SchoolClass.id.in_(reach))  # type: ignore[union-attr]
    classes = [c for c in session.exec(q).all() if getattr(c, "deleted_at", None) is None]
    classes.sort(key=lambda c: (c.grade, c.letter))
    return [{"id": str(c.id), "name": class_name(c.grade, c.letter)} for c in classes]


def pupil_class_on(session: Session, pupil_id: int, on: date) -> int | None:
    """The class a pupil belongs to on a date (else his latest class)."""
    rows = session.exec(
        select(Enrollment).where(Enrollment.pupil_id == pupil_id).order_by(Enrollment.starts_on.desc())  # type: ignore[attr-defined]
    ).all()
    for e in rows:
        if e.starts_on <= on and (e.ends_on is None or e.ends_on >= on):
            return e.class_id
    return rows[0].class_id if rows else None


def year_terms(session: Session, year_id: int | None) -> list[Term]:
    if year_id is None:
        return []
    return list(session.exec(select(Term).where(Term.academic_year_id == year_id).order_by(Term.starts_on)).all())


def term_day(term: Term, today: date) -> date:
    """The day a term's timetable is shown for: today inside the term, else its first day."""
    return today if term.starts_on <= today <= term.ends_on else term.starts_on


# ---------------------------------------------------------------------------------------------
# Reading a week
# ---------------------------------------------------------------------------------------------


@dataclass
class _Entry:
    weekday: int
    row: tuple  # sort key of the grid row
    number: int
    span: tuple[time, time] | None
    subject: dict[str, str]
    detail: str
    clash: bool = False


@dataclass
class Week:
    """Display-ready rows of a weekly grid: `rows` × 5 `cells`, and the same per day for phones."""

    rows: list[dict[str, str]] = field(default_factory=list)
    cells: list[list[dict[str, str]]] = field(default_factory=list)
    days: list[list[dict[str, str]]] = field(default_factory=list)
    slots: int = 0
    clashes: int = 0


def _cell(weekday: int, number: int, span: tuple[time, time] | None, entries: list[_Entry]) -> dict[str, str]:
    names = {lang: " / ".join(dict.fromkeys(e.subject[lang] for e in entries)) for lang in ("ky", "ru", "en")}
    return {
        "day": str(weekday),
        "number": str(number),
        "time": _time_label(span),
        "subject_ky": names["ky"],
        "subject_ru": names["ru"],
        "subject_en": names["en"],
        "detail": " / ".join(e.detail for e in entries if e.detail),
        "clash": "1" if any(e.clash for e in entries) else "",
        "empty": "" if entries else "1",
    }


def _build_week(entries: list[_Entry], rows: list[tuple[tuple, int, tuple[time, time] | None]], *, keep_empty: bool):
    by_place: dict[tuple[int, tuple], list[_Entry]] = defaultdict(list)
    for e in entries:
        by_place[(e.weekday, e.row)].append(e)
    week = Week(slots=len(entries), clashes=sum(1 for e in entries if e.clash))
    week.days = [[] for _ in range(5)]
    for row_key, number, span in rows:
        week.rows.append({"number": str(number), "time": _time_label(span), "shift": ""})
        line = []
        for weekday in range(1, 6):
            here = by_place.get((weekday, row_key), [])
            cell = _cell(weekday, number, span, here)
            line.append(cell)
            if here or keep_empty:
                week.days[weekday - 1].append(cell)
        week.cells.append(line)
    return week


def _valid_on(q, on: date):
    return q.where(TimetableSlot.valid_from <= on, TimetableSlot.valid_to >= on)


def _clashing_ids(session: Session, school_id: int, slots: list[TimetableSlot], bells: Bells, on: date) -> set[int]:
    """Ids of `slots` whose teacher or room is in another slot at an overlapping time on `on`'s week."""
    if not slots:
        return set()
    # Plain columns, not ORM objects: a school's whole week is read for every grid shown.
    others = session.exec(
        select(
            TimetableSlot.id,
            TimetableSlot.weekday,
            TimetableSlot.number,
            TimetableSlot.teacher_id,
            TimetableSlot.room,
            SchoolClass.shift,
            SchoolClass.grade,
        )
        .join(SchoolClass, SchoolClass.id == TimetableSlot.class_id)  # type: ignore[arg-type]
        .where(
            TimetableSlot.school_id == school_id,
            TimetableSlot.weekday.in_({s.weekday for s in slots}),  # type: ignore[attr-defined]
            TimetableSlot.valid_from <= on,
            TimetableSlot.valid_to >= on,
            or_(TimetableSlot.teacher_id.in_({s.teacher_id for s in slots}), TimetableSlot.room != ""),  # type: ignore[attr-defined]
        )
    ).all()
    places: dict[int, _Place] = {}
    by_teacher: dict[tuple[int, int], list[int]] = defaultdict(list)
    by_room: dict[tuple[int, str], list[int]] = defaultdict(list)
    for slot_id, weekday, number, teacher_id, room, shift, grade in others:
        places[slot_id] = _Place(weekday, number, shift, grade, on, on)
        by_teacher[(weekday, teacher_id)].append(slot_id)
        if room.strip():
            by_room[(weekday, _norm_room(room))].append(slot_id)
    out: set[int] = set()
    for s in slots:
        mine = places.get(s.id)  # type: ignore[arg-type]
        if mine is None:
            continue
        near = by_teacher[(s.weekday, s.teacher_id)]
        if s.room.strip():
            near = near + by_room[(s.weekday, _norm_room(s.room))]
        if any(other != s.id and mine.meets(places[other], bells) for other in near):
            out.add(s.id)  # type: ignore[arg-type]
    return out


def class_week(session: Session, principal: Principal, class_id: int, on: date, *, editable: bool = False) -> Week:
    """The weekly timetable of a class valid on `on`; `editable` offers every row (empty cells too)."""
    cls = _class(session, principal, class_id)
    if not can_read_class(session, principal, class_id):
        raise OutOfScope(f"class {class_id}")
    bells = load_bells(session, cls.school_id)
    rows = session.exec(
        _valid_on(
            select(TimetableSlot, Subject, Staff)
            .join(Subject, Subject.id == TimetableSlot.subject_id)  # type: ignore[arg-type]
            .join(Staff, Staff.id == TimetableSlot.teacher_id)  # type: ignore[arg-type]
            .where(TimetableSlot.class_id == class_id),
            on,
        ).order_by(TimetableSlot.weekday, TimetableSlot.number, TimetableSlot.subgroup)  # type: ignore[arg-type]
    ).all()
    clashes = _clashing_ids(session, cls.school_id, [r[0] for r in rows], bells, on)
    entries = []
    for slot, subject, staff in rows:
        detail = staff_short(staff)
        if slot.subgroup:
            detail = f"{slot.subgroup}) {detail}"
        if slot.room:
            detail = f"{detail} · {slot.room}"
        entries.append(
            _Entry(
                slot.weekday,
                (slot.number,),
                slot.number,
                bells.at(cls.shift, cls.grade, slot.number),
                subject_names(subject),
                detail,
                slot.id in clashes,
            )
        )
    used = {e.number for e in entries}
    numbers = set(used)
    if editable:
        numbers |= set(bells.numbers(cls.shift, cls.grade)) or set(range(1, DEFAULT_ROWS + 1))
        numbers.discard(0)
        numbers |= {n for n in used if n == 0}
    if numbers:
        numbers |= set(range(1, max(numbers) + 1))
    grid_rows = [((n,), n, bells.at(cls.shift, cls.grade, n)) for n in sorted(numbers)]
    return _build_week(entries, grid_rows, keep_empty=editable)


def teacher_week(session: Session, principal: Principal, staff_id: int, on: date) -> Week:
    """A teacher's own week valid on `on`: rows in clock order across both shifts."""
    staff = session.get(Staff, staff_id)
    if staff is None or not _same_school(principal, staff.school_id):
        raise OutOfScope(f"staff {staff_id}")
    if principal.staff_id != staff_id and principal.role not in SCHOOL_WIDE_ROLES:
        raise OutOfScope(f"staff {staff_id}")
    bells = load_bells(session, staff.school_id)
    rows = session.exec(
        _valid_on(
            select(TimetableSlot, Subject, SchoolClass)
            .join(Subject, Subject.id == TimetableSlot.subject_id)  # type: ignore[arg-type]
            .join(SchoolClass, SchoolClass.id == TimetableSlot.class_id)  # type: ignore[arg-type]
            .where(TimetableSlot.teacher_id == staff_id),
            on,
        )
    ).all()
    clashes = _clashing_ids(session, staff.school_id, [r[0] for r in rows], bells, on)
    shifts = {cls.shift for _s, _sub, cls in rows}
    entries = []
    for slot, subject, cls in rows:
        span = bells.at(cls.shift, cls.grade, slot.number)
        # Rows follow the clock: lesson 1 of the second shift comes after lesson 6 of the first.
        row = (span[0], cls.shift, slot.number) if span else (time(23, 59), cls.shift, slot.number)
        detail = class_name(cls.grade, cls.letter) + (f" ({slot.subgroup})" if slot.subgroup else "")
        if slot.room:
            detail = f"{detail} · {slot.room}"
        entries.append(_Entry(slot.weekday, row, slot.number, span, subject_names(subject), detail, slot.id in clashes))
    grid_rows: dict[tuple, tuple[tuple, int, tuple[time, time] | None]] = {}
    for e in entries:
        grid_rows[e.row] = (e.row, e.number, e.span)
    week = _build_week(entries, [grid_rows[k] for k in sorted(grid_rows)], keep_empty=False)
    if len(shifts) > 1:
        for row_key, info in zip(sorted(grid_rows), week.rows, strict=True):
            info["shift"] = str(row_key[1])
    return week


# ---------------------------------------------------------------------------------------------
# Editing a cell (deputy director)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    """Where and when a slot sits, enough to tell whether two slots meet."""

    weekday: int
    number: int
    shift: int
    grade: int
    valid_from: date
    valid_to: date

    @classmethod
    def of(cls, slot: TimetableSlot, shift: int, grade: int) -> _Place:
        return cls(slot.weekday, slot.number, shift, grade, slot.valid_from, slot.valid_to)

    def meets(self, other: _Place, bells: Bells) -> bool:
        if self.weekday != other.weekday or self.valid_from > other.valid_to or other.valid_from > self.valid_to:
            return False
        mine = bells.at(self.shift, self.grade, self.number)
        theirs = bells.at(other.shift, other.grade, other.number)
        if mine and theirs:
            return mine[0] < theirs[1] and theirs[0] < mine[1]
        return self.shift == other.shift and self.number == other.number


def _require_write(principal: Principal, school_id: int) -> None:
    if not principal.can("timetable.write") or not _same_school(principal, school_id):
        raise OutOfScope("timetable.write")


def _writable_term(session: Session, principal: Principal, cls: SchoolClass, term_id: int) -> Term:
    term = session.get(Term, term_id)
    if term is None or term.academic_year_id != cls.academic_year_id or not _same_school(principal, term.school_id):
        raise OutOfScope(f"term {term_id}")
    if term.closed_at is not None:
        raise TimetableError("term_id", "tt.error.term_closed")
    return term


def _check_place(weekday: int, number: int) -> None:
    if not isinstance(weekday, int) or not 1 <= weekday <= 5:
        raise TimetableError("weekday", "error.invalid", field="weekday")
    if not isinstance(number, int) or not 0 <= number <= MAX_NUMBER:
        raise TimetableError("number", "error.invalid", field="number")


def _check_from(term: Term, effective_from: date, lang: str = "ky") -> None:
    if not term.starts_on <= effective_from <= term.ends_on:
        raise TimetableError(
            "effective_from",
            "tt.error.outside_term",
            start=format_date(term.starts_on, lang),
            end=format_date(term.ends_on, lang),
        )


def _cell_slots(
    session: Session, cls: SchoolClass, term: Term, weekday: int, number: int, subgroup: int | None, start: date
) -> list[TimetableSlot]:
    """Slots of this class's cell from `start` on that a new slot for `subgroup` (None: all) replaces."""
    found = session.exec(
        select(TimetableSlot).where(
            TimetableSlot.class_id == cls.id,
            TimetableSlot.term_id == term.id,
            TimetableSlot.weekday == weekday,
            TimetableSlot.number == number,
            TimetableSlot.valid_to >= start,
        )
    ).all()
    return [s for s in found if subgroup is None or _subgroups_meet(s.subgroup, subgroup)]


def _describe(slot: TimetableSlot) -> str:
    return (
        f"class={slot.class_id} day={slot.weekday} no={slot.number} subject={slot.subject_id} "
        f"teacher={slot.teacher_id} group={slot.subgroup} room={slot.room} {slot.valid_from}..{slot.valid_to}"
    )


def _retire(session: Session, principal: Principal, slots: list[TimetableSlot], start: date) -> None:
    """End each slot the day before `start`, or drop it when it would not have begun by then."""
    for old in slots:
        if old.valid_from >= start:
            audit.record(session, principal, "delete", "timetableslot", old.id, old=_describe(old))
            session.delete(old)
        else:
            before = old.valid_to
            old.valid_to = start - timedelta(days=1)
            session.add(old)
            audit.record(
                session, principal, "update", "timetableslot", old.id, field="valid_to", old=before, new=old.valid_to
            )
    session.flush()


def _clash(
    session: Session,
    cls: SchoolClass,
    candidate: TimetableSlot,
    replaced: set[int],
) -> TimetableError | None:
    """The first other slot that puts the candidate's teacher or room twice at once."""
    bells = load_bells(session, cls.school_id)
    mine = _Place.of(candidate, cls.shift, cls.grade)
    room = _norm_room(candidate.room)
    conditions = [TimetableSlot.teacher_id == candidate.teacher_id]
    if room:
        conditions.append(TimetableSlot.room != "")
    others = session.exec(
        select(TimetableSlot, SchoolClass, Subject, Staff)
        .join(SchoolClass, SchoolClass.id == TimetableSlot.class_id)  # type: ignore[arg-type]
        .join(Subject, Subject.id == TimetableSlot.subject_id)  # type: ignore[arg-type]
        .join(Staff, Staff.id == TimetableSlot.teacher_id)  # type: ignore[arg-type]
        .where(
            TimetableSlot.school_id == cls.school_id,
            TimetableSlot.weekday == candidate.weekday,
            TimetableSlot.valid_from <= candidate.valid_to,
            TimetableSlot.valid_to >= candidate.valid_from,
            or_(*conditions),
        )
        .order_by(TimetableSlot.valid_from, TimetableSlot.id)  # type: ignore[arg-type]
    ).all()
    for other, other_cls, subject, staff in others:
        if other.id in replaced:
            continue
        if not mine.meets(_Place.of(other, other_cls.shift, other_cls.grade), bells):
            continue
        params = {
            "day": _day_label(other.weekday),
            "number": other.number,
            "class_name": class_name(other_cls.grade, other_cls.letter),
            "subject": subject_names(subject),
        }
        if other.teacher_id == candidate.teacher_id:
            return TimetableError("teacher_id", "tt.clash.teacher", teacher=staff_short(staff), **params)
        if room and _norm_room(other.room) == room:
            return TimetableError("room", "tt.clash.room", room=candidate.room, **params)
    return None


def class_choices(session: Session, principal: Principal, class_id: int) -> list[dict[str, str]]:
    """The class's teaching assignments a cell may hold: subject — teacher (group)."""
    cls = _class(session, principal, class_id)
    _require_write(principal, cls.school_id)
    rows = session.exec(
        select(TeachingAssignment, Subject, Staff)
        .join(Subject, Subject.id == TeachingAssignment.subject_id)  # type: ignore[arg-type]
        .join(Staff, Staff.id == TeachingAssignment.teacher_id)  # type: ignore[arg-type]
        .where(TeachingAssignment.class_id == class_id)
        .order_by(*curriculum.SUBJECT_ORDER, TeachingAssignment.subgroup)  # type: ignore[arg-type]
    ).all()
    out = []
    for ta, subject, staff in rows:
        if ta.deleted_at is not None or staff.deleted_at is not None or subject.deleted_at is not None:
            continue
        names = subject_names(subject)
        group = {lang: f" ({t('tt.subgroup_n', lang, subgroup=ta.subgroup)})" if ta.subgroup else "" for lang in names}
        out.append(
            {
                "id": str(ta.id),
                **{f"label_{lang}": f"{names[lang]}{group[lang]} — {staff_short(staff)}" for lang in names},
            }
        )
    return out


def cell_now(session: Session, class_id: int, weekday: int, number: int, on: date) -> dict[str, str]:
    """The assignment and room a cell holds on `on` (the first subgroup's), to prefill the editor."""
    slot = session.exec(
        _valid_on(
            select(TimetableSlot).where(
                TimetableSlot.class_id == class_id, TimetableSlot.weekday == weekday, TimetableSlot.number == number
            ),
            on,
        ).order_by(TimetableSlot.subgroup)  # type: ignore[arg-type]
    ).first()
    if slot is None:
        return {"assignment": "", "room": ""}
    ta = session.exec(
        select(TeachingAssignment.id).where(
            TeachingAssignment.class_id == class_id,
            TeachingAssignment.subject_id == slot.subject_id,
            TeachingAssignment.teacher_id == slot.teacher_id,
            TeachingAssignment.subgroup == slot.subgroup,
        )
    ).first()
    return {"assignment": str(ta) if ta else "", "room": slot.room}


def place(
    session: Session,
    principal: Principal,
    *,
    class_id: int,
    term_id: int,
    weekday: int,
    number: int,
    assignment_id: int,
    room: str,
    effective_from: date,
) -> TimetableSlot | None:
    """Put a teaching assignment in a cell from `effective_from` to the term's end.

    Returns the new slot, or None when the cell already holds exactly that. A clash of teacher
    or room raises TimetableError naming the other lesson, and nothing is written.
    """
    cls = _class(session, principal, class_id)
    _require_write(principal, cls.school_id)
    term = _writable_term(session, principal, cls, term_id)
    _check_place(weekday, number)
    _check_from(term, effective_from, principal.language)
    room = " ".join(str(room).split())
    if len(room) > MAX_ROOM:
        raise TimetableError("room", "error.invalid", field="room")
    ta = session.get(TeachingAssignment, assignment_id)
    if ta is None or ta.class_id != class_id or getattr(ta, "deleted_at", None) is not None:
        raise TimetableError("assignment_id", "tt.error.not_assigned")
    replaced = _cell_slots(session, cls, term, weekday, number, ta.subgroup, effective_from)
    same = [
        s
        for s in replaced
        if (s.subject_id, s.teacher_id, s.subgroup, s.room) == (ta.subject_id, ta.teacher_id, ta.subgroup, room)
        and s.valid_from <= effective_from
        and s.valid_to == term.ends_on
    ]
    if len(replaced) == 1 and same:
        return None
    candidate = TimetableSlot(
        school_id=cls.school_id,
        class_id=class_id,
        term_id=term.id,  # type: ignore[arg-type]
        valid_from=effective_from,
        valid_to=term.ends_on,
        weekday=weekday,
        number=number,
        subject_id=ta.subject_id,
        teacher_id=ta.teacher_id,
        subgroup=ta.subgroup,
        room=room,
    )
    problem = _clash(session, cls, candidate, {s.id for s in replaced})  # type: ignore[misc]
    if problem is not None:
        raise problem
    _retire(session, principal, replaced, effective_from)
    session.add(candidate)
    session.flush()
    audit.record(session, principal, "create", "timetableslot", candidate.id, new=_describe(candidate))
    return candidate


def clear(
    session: Session,
    principal: Principal,
    *,
    class_id: int,
    term_id: int,
    weekday: int,
    number: int,
    effective_from: date,
    subgroup: int | None = None,
) -> int:
    """Empty a cell (one subgroup, or all) from `effective_from` on; returns the slots ended or removed."""
    cls = _class(session, principal, class_id)
    _require_write(principal, cls.school_id)
    term = _writable_term(session, principal, cls, term_id)
    _check_place(weekday, number)
    _check_from(term, effective_from, principal.language)
    found = _cell_slots(session, cls, term, weekday, number, None, effective_from)
    gone = [s for s in found if subgroup is None or s.subgroup == subgroup]
    _retire(session, principal, gone, effective_from)
    return len(gone)


# ---------------------------------------------------------------------------------------------
# Generating the term's lessons
# ---------------------------------------------------------------------------------------------


@dataclass
class Generation:
    """What generating a term's lessons did."""

    created: int = 0
    updated: int = 0
    removed: int = 0
    kept: int = 0
    skipped: int = 0  # class × school days without lessons: a holiday of the class's grade


def school_days(start: date, end: date) -> list[date]:
    """Monday–Friday dates from start to end inclusive."""
    return [
        start + timedelta(days=i) for i in range((end - start).days + 1) if (start + timedelta(days=i)).weekday() < 5
    ]


def _busy_lessons(session: Session, lesson_ids: list[int]) -> set[int]:
    """Lessons with at least one mark or attendance record."""
    busy: set[int] = set()
    for i in range(0, len(lesson_ids), 500):
        chunk = lesson_ids[i : i + 500]
        busy.update(session.exec(select(Mark.lesson_id).where(Mark.lesson_id.in_(chunk)).distinct()).all())  # type: ignore[attr-defined]
        busy.update(
            session.exec(select(Attendance.lesson_id).where(Attendance.lesson_id.in_(chunk)).distinct()).all()  # type: ignore[attr-defined]
        )
    return busy


def generate_lessons(
    session: Session,
    principal: Principal,
    term_id: int,
    *,
    class_ids: list[int] | None = None,
    from_date: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Generation:
    """Make the term's Lesson rows follow the timetable, from `from_date` (default: the term's start).

    One lesson per class × school day × slot. An existing lesson at the same class, day, number and
    subgroup is kept; if it differs from the timetable and holds no journal data it is brought in
    line; a lesson the timetable no longer has is removed unless it holds journal data (an extra
    lesson with its topic, say). Running it twice changes nothing the second time.
    `progress(done, total)` hears how many of the lessons to create are written (the slow part).
    """
    term = session.get(Term, term_id)
    if term is None or not _same_school(principal, term.school_id):
        raise OutOfScope(f"term {term_id}")
    _require_write(principal, term.school_id)
    if term.closed_at is not None:
        raise TimetableError("term_id", "tt.error.term_closed")
    start = max(term.starts_on, from_date or term.starts_on)
    end = term.ends_on
    result = Generation()
    if start > end:
        return result
    q = select(SchoolClass).where(SchoolClass.academic_year_id == term.academic_year_id)
    if class_ids is not None:
        q = q.where(SchoolClass.id.in_(class_ids))  # type: ignore[union-attr]
    classes = {c.id: c for c in session.exec(q).all() if getattr(c, "deleted_at", None) is None}
    if not classes:
        return result
    slots = session.exec(
        select(TimetableSlot).where(
            TimetableSlot.term_id == term.id,
            TimetableSlot.class_id.in_(classes),  # type: ignore[attr-defined]
            TimetableSlot.valid_to >= start,
        )
    ).all()
    by_day: dict[tuple[int, int], list[TimetableSlot]] = defaultdict(list)
    for s in slots:
        by_day[(s.class_id, s.weekday)].append(s)
    holidays = holidays_between(session, term.school_id, start, end)
    wanted: dict[tuple[int, date, int, int], tuple[int, int]] = {}
    for day in school_days(start, end):
        for cid, cls in classes.items():
            if holiday_on(holidays, day, cls.grade) is not None:
                result.skipped += 1
                continue
            for s in by_day.get((cid, day.isoweekday()), ()):  # type: ignore[arg-type]
                if s.valid_from <= day <= s.valid_to:
                    wanted[(cid, day, s.number, s.subgroup)] = (s.subject_id, s.teacher_id)
    existing = session.exec(
        select(Lesson).where(
            Lesson.term_id == term.id,
            Lesson.class_id.in_(classes),  # type: ignore[attr-defined]
            Lesson.date >= start,
            Lesson.date <= end,
        )
    ).all()
    busy = _busy_lessons(session, [x.id for x in existing])  # type: ignore[misc]
    stale: list[int] = []
    for lesson in existing:
        key = (lesson.class_id, lesson.date, lesson.number, lesson.subgroup)
        holds_data = lesson.id in busy or bool(lesson.topic) or bool(lesson.homework) or lesson.cancelled
        target = wanted.pop(key, None)
        if target is None:
            if holds_data:
                result.kept += 1
            else:
                stale.append(lesson.id)  # type: ignore[arg-type]
        elif target == (lesson.subject_id, lesson.teacher_id) or holds_data:
            result.kept += 1
        else:
            lesson.subject_id, lesson.teacher_id = target
            session.add(lesson)
            result.updated += 1
    for i in range(0, len(stale), 500):
        session.exec(delete(Lesson).where(Lesson.id.in_(stale[i : i + 500])))  # type: ignore[call-overload,union-attr]
    result.removed = len(stale)
    rows = [
        {
            "school_id": term.school_id,
            "class_id": cid,
            "subject_id": subject_id,
            "teacher_id": teacher_id,
            "term_id": term.id,
            "date": day,
            "number": number,
            "subgroup": subgroup,
            "topic": "",
            "homework": "",
            "cancelled": False,
        }
        for (cid, day, number, subgroup), (subject_id, teacher_id) in sorted(wanted.items())
    ]
    if progress is not None:
        progress(0, len(rows))
    for i in range(0, len(rows), 500):
        session.exec(insert(Lesson), params=rows[i : i + 500])  # type: ignore[call-overload]
        if progress is not None:
            progress(min(i + 500, len(rows)), len(rows))
    result.created = len(rows)
    session.flush()
    audit.record(
        session,
        principal,
        "generate",
        "term",
        term.id,
        field="lessons",
        new=f"from {start}: created={result.created} updated={result.updated} "
        f"removed={result.removed} kept={result.kept} skipped={result.skipped}",
        school_id=term.school_id,
    )
    return result


# ---------------------------------------------------------------------------------------------
# A teacher's lessons: the week, an extra lesson, a cancelled lesson
# ---------------------------------------------------------------------------------------------


def _term_on(session: Session, cls: SchoolClass, day: date, lang: str) -> Term:
    term = session.exec(
        select(Term).where(Term.academic_year_id == cls.academic_year_id, Term.starts_on <= day, Term.ends_on >= day)
    ).first()
    if term is None:
        raise TimetableError("date", "tt.error.no_term", date=format_date(day, lang))
    if term.closed_at is not None:
        raise TimetableError("date", "tt.error.term_closed")
    return term


def _lesson_span(bells: Bells, cls: SchoolClass, number: int) -> tuple[time, time] | None:
    return bells.at(cls.shift, cls.grade, number)


def teacher_lessons(session: Session, principal: Principal, monday: date) -> list[dict[str, str]]:
    """The signed-in teacher's lessons of the week starting `monday`, with what he may do to each."""
    if principal.staff_id is None:
        return []
    end = monday + timedelta(days=6)
    rows = session.exec(
        select(Lesson, SchoolClass, Subject)
        .join(SchoolClass, SchoolClass.id == Lesson.class_id)  # type: ignore[arg-type]
        .join(Subject, Subject.id == Lesson.subject_id)  # type: ignore[arg-type]
        .where(Lesson.teacher_id == principal.staff_id, Lesson.date >= monday, Lesson.date <= end)
        .order_by(Lesson.date, Lesson.number)  # type: ignore[arg-type]
    ).all()
    if not rows:
        return []
    school_id = rows[0][1].school_id
    bells = load_bells(session, school_id)
    busy = _busy_lessons(session, [lesson.id for lesson, _c, _s in rows])  # type: ignore[misc]
    slots = session.exec(
        select(TimetableSlot.class_id, TimetableSlot.weekday, TimetableSlot.number, TimetableSlot.subgroup)
        .where(TimetableSlot.teacher_id == principal.staff_id, TimetableSlot.valid_to >= monday)
        .where(TimetableSlot.valid_from <= end)
    ).all()
    planned = set(slots)
    terms = {term.id: term for term in session.exec(select(Term).where(Term.school_id == school_id)).all()}
    out = []
    for lesson, cls, subject in rows:
        names = subject_names(subject)
        day_names = _day_label(lesson.date.isoweekday())
        closed = terms.get(lesson.term_id) is not None and terms[lesson.term_id].closed_at is not None
        out.append(
            {
                "id": str(lesson.id),
                "day_ky": f"{day_names['ky']}, {lesson.date:%d.%m}",
                "day_ru": f"{day_names['ru']}, {lesson.date:%d.%m}",
                "day_en": f"{day_names['en']}, {lesson.date:%d.%m}",
                "number": str(lesson.number),
                "time": _time_label(_lesson_span(bells, cls, lesson.number)),
                "class_name": class_name(cls.grade, cls.letter),
                "subject_ky": names["ky"],
                "subject_ru": names["ru"],
                "subject_en": names["en"],
                "topic": lesson.topic,
                "cancelled": "1" if lesson.cancelled else "",
                "extra": "" if (cls.id, lesson.date.isoweekday(), lesson.number, lesson.subgroup) in planned else "1",
                "locked": "1" if (lesson.id in busy or closed) else "",
            }
        )
    return out


def default_teacher_monday(session: Session, principal: Principal, today: date) -> date:
    """The week a teacher's lesson list opens on: this week if he has lessons, else his last week with some."""
    monday = monday_of(today)
    if principal.staff_id is None:
        return monday
    mine = select(Lesson.date).where(Lesson.teacher_id == principal.staff_id)
    if session.exec(mine.where(Lesson.date >= monday, Lesson.date <= monday + timedelta(days=6))).first():
        return monday
    last = session.exec(mine.where(Lesson.date <= today).order_by(Lesson.date.desc())).first()  # type: ignore[attr-defined]
    return monday_of(last) if last else monday


def teacher_assignments(session: Session, principal: Principal, year_id: int | None) -> list[dict[str, str]]:
    """The teacher's classes × subjects (× group) of the year, for the extra-lesson form."""
    if principal.staff_id is None or year_id is None:
        return []
    rows = session.exec(
        select(TeachingAssignment, SchoolClass, Subject)
        .join(SchoolClass, SchoolClass.id == TeachingAssignment.class_id)  # type: ignore[arg-type]
        .join(Subject, Subject.id == TeachingAssignment.subject_id)  # type: ignore[arg-type]
        .where(TeachingAssignment.teacher_id == principal.staff_id, SchoolClass.academic_year_id == year_id)
        .order_by(SchoolClass.grade, SchoolClass.letter, *curriculum.SUBJECT_ORDER)  # type: ignore[arg-type]
    ).all()
    out = []
    for ta, cls, subject in rows:
        if ta.deleted_at is not None or cls.deleted_at is not None or subject.deleted_at is not None:
            continue
        names = subject_names(subject)
        group = f" ({ta.subgroup})" if ta.subgroup else ""
        out.append(
            {"id": str(ta.id)}
            | {f"label_{lang}": f"{class_name(cls.grade, cls.letter)}{group} · {names[lang]}" for lang in names}
        )
    return out


def _own_lesson(session: Session, principal: Principal, lesson_id: int) -> Lesson:
    lesson = session.get(Lesson, lesson_id)
    if (
        lesson is None
        or principal.staff_id is None
        or lesson.teacher_id != principal.staff_id
        or not _same_school(principal, lesson.school_id)
    ):
        raise OutOfScope(f"lesson {lesson_id}")
    return lesson


def _lesson_term_open(session: Session, lesson: Lesson) -> None:
    term = session.get(Term, lesson.term_id)
    if term is not None and term.closed_at is not None:
        raise TimetableError("lesson_id", "tt.error.term_closed")


def add_lesson(
    session: Session,
    principal: Principal,
    *,
    assignment_id: int,
    on: date,
    number: int,
    topic: str = "",
) -> Lesson:
    """An extra lesson by the teacher, for one of his own teaching assignments."""
    ta = session.get(TeachingAssignment, assignment_id)
    if (
        ta is None
        or principal.staff_id is None
        or ta.teacher_id != principal.staff_id
        or getattr(ta, "deleted_at", None) is not None
    ):
        raise OutOfScope(f"assignment {assignment_id}")
    cls = _class(session, principal, ta.class_id)
    lang = principal.language
    if not isinstance(number, int) or not 0 <= number <= MAX_NUMBER:
        raise TimetableError("number", "error.invalid", field="number")
    topic = " ".join(str(topic).split())
    if len(topic) > MAX_TOPIC:
        raise TimetableError("topic", "error.invalid", field="topic")
    label = format_date(on, lang)
    if on.weekday() >= 5:
        raise TimetableError("date", "tt.error.not_school_day", date=label)
    term = _term_on(session, cls, on, lang)
    h = holiday_on(holidays_between(session, cls.school_id, on, on), on, cls.grade)
    if h is not None:
        raise TimetableError("date", "tt.error.holiday", date=label, holiday=holiday_names(h))
    same_place = session.exec(
        select(Lesson).where(
            Lesson.class_id == cls.id,
            Lesson.date == on,
            Lesson.number == number,
            Lesson.cancelled == False,  # noqa: E712
        )
    ).all()
    if any(_subgroups_meet(x.subgroup, ta.subgroup) for x in same_place):
        raise TimetableError(
            "number", "tt.error.class_busy", class_name=class_name(cls.grade, cls.letter), date=label, number=number
        )
    bells = load_bells(session, cls.school_id)
    mine = _lesson_span(bells, cls, number)
    for other, other_cls in session.exec(
        select(Lesson, SchoolClass)
        .join(SchoolClass, SchoolClass.id == Lesson.class_id)  # type: ignore[arg-type]
        .where(Lesson.teacher_id == principal.staff_id, Lesson.date == on, Lesson.cancelled == False)  # noqa: E712
    ).all():
        theirs = _lesson_span(bells, other_cls, other.number)
        meets = (
            mine[0] < theirs[1] and theirs[0] < mine[1]
            if mine and theirs
            else (other_cls.shift == cls.shift and other.number == number)
        )
        if meets:
            raise TimetableError(
                "number",
                "tt.error.teacher_busy",
                date=label,
                number=other.number,
                class_name=class_name(other_cls.grade, other_cls.letter),
            )
    lesson = Lesson(
        school_id=cls.school_id,
        class_id=cls.id,  # type: ignore[arg-type]
        subject_id=ta.subject_id,
        teacher_id=ta.teacher_id,
        term_id=term.id,  # type: ignore[arg-type]
        date=on,
        number=number,
        subgroup=ta.subgroup,
        topic=topic,
    )
    session.add(lesson)
    session.flush()
    audit.record(
        session,
        principal,
        "create",
        "lesson",
        lesson.id,
        new=f"extra: class={cls.id} subject={ta.subject_id} {on} no={number} group={ta.subgroup} topic={topic}",
    )
    return lesson


def cancel_lesson(session: Session, principal: Principal, lesson_id: int, reason: str = "") -> Lesson:
    """Mark one of the teacher's own lessons as not held; a lesson with marks or absences stays."""
    lesson = _own_lesson(session, principal, lesson_id)
    reason = " ".join(str(reason).split())
    if len(reason) > MAX_REASON:
        raise TimetableError("reason", "error.invalid", field="reason")
    _lesson_term_open(session, lesson)
    if lesson.cancelled:
        return lesson
    if _busy_lessons(session, [lesson_id]):
        raise TimetableError("lesson_id", "tt.error.has_marks")
    lesson.cancelled = True
    session.add(lesson)
    audit.record(
        session, principal, "update", "lesson", lesson.id, field="cancelled", old=False, new=True, reason=reason
    )
    return lesson


def restore_lesson(session: Session, principal: Principal, lesson_id: int) -> Lesson:
    """Undo a cancellation, unless another lesson of the class has taken the place meanwhile."""
    lesson = _own_lesson(session, principal, lesson_id)
    _lesson_term_open(session, lesson)
    if not lesson.cancelled:
        return lesson
    taken = session.exec(
        select(Lesson).where(
            Lesson.class_id == lesson.class_id,
            Lesson.date == lesson.date,
            Lesson.number == lesson.number,
            Lesson.cancelled == False,  # noqa: E712
            Lesson.id != lesson.id,
        )
    ).all()
    if any(_subgroups_meet(x.subgroup, lesson.subgroup) for x in taken):
        cls = session.get(SchoolClass, lesson.class_id)
        raise TimetableError(
            "lesson_id",
            "tt.error.class_busy",
            class_name=class_name(cls.grade, cls.letter) if cls else "",
            date=format_date(lesson.date, principal.language),
            number=lesson.number,
        )
    lesson.cancelled = False
    session.add(lesson)
    audit.record(session, principal, "update", "lesson", lesson.id, field="cancelled", old=True, new=False)
    return lesson
