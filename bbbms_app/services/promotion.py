"""Year-end promotion: the whole school into the next year under one order, and its undo.

For each class of the closing year every pupil still on its list (an open enrollment) is
- promoted into the class one grade up with the same letter in the next year (7-А → 8-А),
- kept in the same grade (`retention`: the class of the same grade and letter in the next year), or
- graduated (the 9th grade — those who stay for the 10th are promoted —, the 11th and the 12th).
`preview()` says per class who goes where, writing nothing; `promote()` does it in the caller's
transaction: the next year (from the shipped calendar, services/school_calendar.py, with its
quarters and days off) if the school has none yet, its classes made from the old ones (same
letter, language, shift and class teacher unless changed), one director's order, and one
movement record per pupil through services.movement.record (its checks, its enrollments, its
audit). `undo()` reverses it by a correcting order while the new year's classes have no marks,
absences or period marks. `move_class()` moves a whole class to another grade in the middle of a
year (the 12-year transition): a class change for every pupil under one order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import or_
from sqlmodel import Session, select

from bbbms_app.i18n import LANGUAGES, format_date, t
from bbbms_app.i18n.collation import search_key
from bbbms_app.models import (
    AcademicYear,
    AuditEvent,
    Enrollment,
    Lesson,
    MovementRecord,
    Order,
    PeriodMark,
    Pupil,
    SchoolClass,
    Staff,
    TeachingAssignment,
)
from bbbms_app.services import audit, movement, school_calendar
from bbbms_app.services.access import Principal
from bbbms_app.services.engine.hooks import FieldError
from bbbms_app.services.errors import NotFound, Refused
from bbbms_app.services.school import class_name

ACTIONS = ("promote", "retain", "graduate")
KIND_OF = {"promote": "promotion", "retain": "retention", "graduate": "graduation"}
LAST_GRADE = 12


def actions_for(grade: int) -> tuple[str, ...]:
    """What a pupil of `grade` may do at the year's end: the 9th, 11th and 12th may leave with a
    certificate; a 12th grade has no grade above it."""
    out = ["promote"] if grade < LAST_GRADE else []
    out.append("retain")
    if grade == 9 or grade >= 11:
        out.append("graduate")
    return tuple(out)


def default_action(grade: int) -> str:
    return "graduate" if grade >= 11 else "promote"


@dataclass
class PupilLine:
    pupil_id: int
    name: str
    action: str


@dataclass
class ClassLine:
    """One class of the closing year and where its pupils go."""

    class_id: int
    name: str
    grade: int
    letter: str
    teacher_id: int | None
    pupils: list[PupilLine] = field(default_factory=list)

    @property
    def target(self) -> str:
        """The next year's class the promoted pupils go to («8-А»), empty for the last grade."""
        return class_name(self.grade + 1, self.letter) if self.grade < LAST_GRADE else ""

    def count(self, action: str) -> int:
        return sum(1 for p in self.pupils if p.action == action)


@dataclass
class Result:
    order_id: int
    year_id: int
    promoted: int = 0
    retained: int = 0
    graduated: int = 0
    classes_created: int = 0
    terms_created: int = 0


def _allowed(principal: Principal | None) -> None:
    if principal is not None and not principal.can(movement.WRITE_PERMISSION):
        raise movement.MovementForbidden(movement.WRITE_PERMISSION)


def _year(session: Session, principal: Principal | None, year_id: int) -> AcademicYear:
    year = session.get(AcademicYear, year_id)
    if year is None or year.deleted_at is not None or (principal is not None and year.school_id != principal.school_id):
        raise NotFound(f"academicyear {year_id}")
    return year


def _name(p: Pupil) -> str:
    return " ".join(x for x in (p.last_name, p.first_name, p.patronymic) if x)


def closing_year(session: Session, school_id: int, today: date) -> AcademicYear | None:
    """The year to close: the one `today` falls in, else the latest that has begun."""
    return session.exec(
        select(AcademicYear)
        .where(
            AcademicYear.school_id == school_id,
            AcademicYear.deleted_at.is_(None),  # type: ignore[union-attr]
            AcademicYear.starts_on <= today,
        )
        .order_by(AcademicYear.starts_on.desc())  # type: ignore[attr-defined]
    ).first()


def next_year(session: Session, year: AcademicYear) -> AcademicYear | None:
    """The school's year after `year`, if it has been made already."""
    return session.exec(
        select(AcademicYear)
        .where(
            AcademicYear.school_id == year.school_id,
            AcademicYear.deleted_at.is_(None),  # type: ignore[union-attr]
            AcademicYear.starts_on > year.ends_on,
        )
        .order_by(AcademicYear.starts_on)
    ).first()


def next_year_dates(session: Session, year: AcademicYear) -> tuple[str, date, date]:
    """The next year's name, first and last day: its row if made, else the shipped calendar's."""
    made = next_year(session, year)
    if made is not None:
        return made.name, made.starts_on, made.ends_on
    cal = school_calendar.calendar_for(school_calendar.academic_year_of(year.starts_on) + 1)
    return cal.name, cal.starts_on, cal.ends_on


def preview(
    session: Session, principal: Principal | None, year_id: int, choices: dict[int, str] | None = None
) -> list[ClassLine]:
    """Every class of the year with its pupils on the list and what happens to each (the default
    unless `choices` says otherwise). Refuses a choice the pupil's grade does not allow."""
    _allowed(principal)
    year = _year(session, principal, year_id)
    choices = dict(choices or {})
    rows = session.exec(
        select(SchoolClass, Enrollment, Pupil)
        .join(Enrollment, Enrollment.class_id == SchoolClass.id)  # type: ignore[arg-type]
        .join(Pupil, Pupil.id == Enrollment.pupil_id)  # type: ignore[arg-type]
        .where(
            SchoolClass.academic_year_id == year.id,
            SchoolClass.deleted_at.is_(None),  # type: ignore[union-attr]
            Enrollment.ends_on.is_(None),  # type: ignore[union-attr]
            Pupil.deleted_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(SchoolClass.grade, SchoolClass.letter, Pupil.sort_key)
    ).all()
    lines: dict[int, ClassLine] = {}
    for cls, _e, pupil in rows:
        assert cls.id is not None and pupil.id is not None
        line = lines.get(cls.id)
        if line is None:
            line = lines[cls.id] = ClassLine(
                cls.id, class_name(cls.grade, cls.letter), cls.grade, cls.letter, cls.class_teacher_id
            )
        action = choices.pop(pupil.id, None) or default_action(cls.grade)
        if action not in actions_for(cls.grade):
            raise Refused("promotion.error.action", field="action", name=_name(pupil))
        line.pupils.append(PupilLine(pupil.id, _name(pupil), action))
    if choices:  # a pupil not on any list of the year
        raise Refused("promotion.error.not_listed", field="action")
    return list(lines.values())


def _director(session: Session, school_id: int) -> int | None:
    return session.exec(
        select(Staff.id).where(
            Staff.school_id == school_id,
            Staff.position == "director",
            Staff.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ).first()


def _new_order(
    session: Session, principal: Principal | None, school_id: int, number: str, day: date, kind: str, summary: str
) -> Order:
    number = number.strip()
    if not number:
        raise Refused("movement.error.order_required", field="number")
    if len(number) > 20:
        raise Refused("admin.error.too_long", field="number", max=20)
    clash = session.exec(
        select(Order.id).where(
            Order.school_id == school_id,
            Order.number == number,
            Order.date == day,
            Order.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ).first()
    if clash is not None:
        raise Refused("promotion.error.order_exists", field="number", number=number, date=format_date(day))
    order = Order(
        school_id=school_id,
        number=number,
        date=day,
        kind=kind,
        summary=summary[:300],
        signed_by_id=_director(session, school_id),
        search_key=search_key(number, summary)[:400],
    )
    session.add(order)
    session.flush()
    audit.record(
        session,
        principal,
        "create",
        "order",
        order.id,
        new=f"№ {number} {day.isoformat()} {kind}: {summary}",
        reason=summary[:200],
        school_id=school_id,
    )
    return order


def _class_in(
    session: Session, principal: Principal | None, year: AcademicYear, grade: int, letter: str, like: SchoolClass,
    teacher_id: int | None, why: str, made: list[int],
) -> SchoolClass:  # fmt: skip
    """The class `grade`-`letter` of `year`, made after `like` if it does not exist yet."""
    found = session.exec(
        select(SchoolClass).where(
            SchoolClass.academic_year_id == year.id, SchoolClass.grade == grade, SchoolClass.letter == letter
        )
    ).first()
    if found is not None and found.deleted_at is None:
        return found
    if found is not None:  # struck out by an undone order (its records still name it): restored
        found.deleted_at, found.deleted_reason = None, ""
        found.language, found.shift, found.class_teacher_id = like.language, like.shift, teacher_id
        session.add(found)
        session.flush()
        assert found.id is not None
        made.append(found.id)
        audit.record(
            session, principal, "restore", "schoolclass", found.id, new=class_name(grade, letter), reason=why,
            school_id=year.school_id,
        )  # fmt: skip
        return found
    cls = SchoolClass(
        school_id=year.school_id,
        academic_year_id=year.id,  # type: ignore[arg-type]
        grade=grade,
        letter=letter,
        language=like.language,
        shift=like.shift,
        class_teacher_id=teacher_id,
    )
    session.add(cls)
    session.flush()
    assert cls.id is not None
    made.append(cls.id)
    audit.record(
        session,
        principal,
        "create",
        "schoolclass",
        cls.id,
        new=f"{class_name(grade, letter)} {year.name} ({like.language}, shift {like.shift}, teacher {teacher_id})",
        reason=why,
        school_id=year.school_id,
    )
    return cls


def _problem(exc: FieldError) -> dict[str, str]:
    return {lang: t(exc.key, lang, **exc.params) for lang in LANGUAGES}  # type: ignore[arg-type]


def promote(
    session: Session,
    principal: Principal | None,
    year_id: int,
    number: str,
    order_date: date,
    choices: dict[int, str] | None = None,
    teachers: dict[int, int | None] | None = None,
) -> Result:
    """The whole year-end move in the caller's transaction (see the module docstring).

    `choices`: pupil id → promote / retain / graduate (else the grade's default); `teachers`: an
    old class's id → the class teacher of the class it becomes (else the same teacher)."""
    lines = preview(session, principal, year_id, choices)
    year = _year(session, principal, year_id)
    if not lines:
        raise Refused("promotion.error.nothing", field="action")
    if not year.starts_on <= order_date <= year.ends_on:
        raise Refused(
            "promotion.error.order_date",
            field="date",
            start=format_date(year.starts_on),
            end=format_date(year.ends_on),
        )
    teachers = dict(teachers or {})
    for staff_id in {s for s in teachers.values() if s is not None}:
        staff = session.get(Staff, staff_id)
        if staff is None or staff.deleted_at is not None or staff.school_id != year.school_id:
            raise Refused("admin.error.reference", field="teacher")
    new_year = next_year(session, year)
    result = Result(order_id=0, year_id=0)
    if new_year is None:
        cal = school_calendar.calendar_for(school_calendar.academic_year_of(year.starts_on) + 1)
        new_year = AcademicYear(school_id=year.school_id, name=cal.name, starts_on=cal.starts_on, ends_on=cal.ends_on)
        session.add(new_year)
        session.flush()
        audit.record(session, principal, "create", "academicyear", new_year.id, new=cal.name, school_id=year.school_id)
        result.terms_created = school_calendar.add_year_calendar(session, year.school_id, new_year.id, cal)  # type: ignore[arg-type]
    assert new_year.id is not None
    result.year_id = new_year.id
    order = _new_order(
        session,
        principal,
        year.school_id,
        number,
        order_date,
        "transfer",
        "Окуучуларды кийинки класска которуу, класста калтыруу жана мектепти бүтүрүү жөнүндө",
    )
    assert order.id is not None
    result.order_id = order.id
    why = f"№ {order.number} {order.date.isoformat()}"
    made: list[int] = []
    old = {c.id: c for c in session.exec(select(SchoolClass).where(SchoolClass.academic_year_id == year.id)).all()}
    for line in lines:  # graduations first: dated the order's day, in the closing year
        for p in line.pupils:
            if p.action == "graduate":
                _write(session, principal, p, "graduation", order_date, order.id, None)
                result.graduated += 1
    for line in lines:
        cls = old[line.class_id]
        for action, grade in (("promote", line.grade + 1), ("retain", line.grade)):
            pupils = [p for p in line.pupils if p.action == action]
            if not pupils:
                continue
            # A class promoted keeps its class teacher; one made only for those kept down has
            # none until the deputy names one.
            teacher = teachers.get(line.class_id, line.teacher_id) if action == "promote" else None
            target = _class_in(session, principal, new_year, grade, line.letter, cls, teacher, why, made)
            for p in pupils:
                _write(session, principal, p, KIND_OF[action], new_year.starts_on, order.id, target.id)
            if action == "promote":
                result.promoted += len(pupils)
            else:
                result.retained += len(pupils)
    result.classes_created = len(made)
    return result


def _write(
    session: Session, principal: Principal | None, p: PupilLine, kind: str, day: date, order_id: int,
    to_class_id: int | None,
) -> None:  # fmt: skip
    try:
        movement.record(
            session,
            principal,
            {"pupil_id": p.pupil_id, "kind": kind, "date": day, "order_id": order_id, "to_class_id": to_class_id},
        )
    except FieldError as exc:
        raise Refused("promotion.error.pupil", field="action", name=p.name, problem=_problem(exc)) from exc


# ------------------------------------------------------------------------------- the undo


def year_end_orders(session: Session, school_id: int) -> list[Order]:
    """The orders a promotion was written under (newest first), still standing."""
    ids = select(MovementRecord.order_id).where(
        MovementRecord.school_id == school_id,
        MovementRecord.kind.in_(("promotion", "retention")),  # type: ignore[attr-defined]
        MovementRecord.deleted_at.is_(None),  # type: ignore[union-attr]
    )
    return list(
        session.exec(
            select(Order)
            .where(Order.id.in_(ids), Order.deleted_at.is_(None))  # type: ignore[union-attr]
            .order_by(Order.date.desc(), Order.id.desc())  # type: ignore[attr-defined, union-attr]
        ).all()
    )


def has_journal_data(session: Session, class_ids: list[int]) -> bool:
    """Marks, absences or period marks in any of these classes."""
    from bbbms_app.models import Attendance, Mark

    if not class_ids:
        return False
    lessons = select(Lesson.id).where(Lesson.class_id.in_(class_ids))  # type: ignore[attr-defined]
    for model in (Mark, Attendance):
        if session.exec(select(model.id).where(model.lesson_id.in_(lessons)).limit(1)).first() is not None:  # type: ignore[attr-defined]
            return True
    found = session.exec(
        select(PeriodMark.id).where(PeriodMark.class_id.in_(class_ids)).limit(1)  # type: ignore[attr-defined]
    ).first()
    return found is not None


def undo(session: Session, principal: Principal | None, order_id: int, number: str, day: date) -> int:
    """Reverse a year-end order by a correcting order `number` of `day`: the new year's
    enrollments it made are removed, the old ones open again, its records struck out (soft
    deleted, naming the correcting order) and the classes it made struck out while nothing else
    uses them. Refused once the new year's classes hold marks, absences or period marks, or a pupil has
    moved since. Returns how many records were struck out."""
    _allowed(principal)
    order = session.get(Order, order_id)
    if (
        order is None
        or order.deleted_at is not None
        or (principal is not None and order.school_id != principal.school_id)
    ):
        raise NotFound(f"order {order_id}")
    records = list(
        session.exec(
            select(MovementRecord).where(
                MovementRecord.order_id == order.id,
                MovementRecord.deleted_at.is_(None),  # type: ignore[union-attr]
            )
        ).all()
    )
    if not records or not any(r.kind in ("promotion", "retention") for r in records):
        raise Refused("promotion.error.not_year_end", field="order")
    targets = sorted({r.to_class_id for r in records if r.to_class_id is not None})
    if has_journal_data(session, targets):
        raise Refused("promotion.error.has_marks", field="order")
    fixes: list[tuple[MovementRecord, Enrollment | None, Enrollment | None]] = []
    for r in records:
        pupil = session.get(Pupil, r.pupil_id)
        assert pupil is not None
        later = session.exec(
            select(Enrollment.id).where(Enrollment.pupil_id == r.pupil_id, Enrollment.starts_on > r.date)
        ).first()
        made = None
        if r.to_class_id is not None:
            made = session.exec(
                select(Enrollment).where(
                    Enrollment.pupil_id == r.pupil_id,
                    Enrollment.class_id == r.to_class_id,
                    Enrollment.starts_on == r.date,
                )
            ).first()
            if made is None or made.ends_on is not None:
                raise Refused("promotion.error.moved_since", field="order", name=_name(pupil))
        ended = None
        if r.from_class_id is not None:
            ended = session.exec(
                select(Enrollment)
                .where(
                    Enrollment.pupil_id == r.pupil_id,
                    Enrollment.class_id == r.from_class_id,
                    Enrollment.ends_on.is_not(None),  # type: ignore[union-attr]
                    Enrollment.ends_on <= r.date,  # type: ignore[operator]
                )
                .order_by(Enrollment.starts_on.desc())  # type: ignore[attr-defined]
            ).first()
        if later is not None or (r.from_class_id is not None and ended is None):
            raise Refused("promotion.error.moved_since", field="order", name=_name(pupil))
        fixes.append((r, made, ended))
    correcting = _new_order(
        session,
        principal,
        order.school_id,
        number,
        day,
        "other",
        f"№ {order.number} {format_date(order.date)} буйругун жокко чыгаруу",
    )
    why = f"№ {correcting.number} {correcting.date.isoformat()}"
    now = datetime.now(UTC)
    for r, made, ended in fixes:
        if made is not None:
            audit.record(
                session, principal, "delete", "enrollment", made.id,
                old=f"class {made.class_id} from {made.starts_on.isoformat()}", reason=why,
                pupil_id=r.pupil_id, school_id=r.school_id,
            )  # fmt: skip
            session.delete(made)
        if ended is not None:
            audit.record(
                session, principal, "update", "enrollment", ended.id, field="ends_on",
                old=ended.ends_on.isoformat() if ended.ends_on else "", new="", reason=why,
                pupil_id=r.pupil_id, school_id=r.school_id,
            )  # fmt: skip
            ended.ends_on = None
            session.add(ended)
        r.deleted_at = now
        r.deleted_reason = why
        session.add(r)
        audit.record(
            session, principal, "delete", "movementrecord", r.id, old=r.kind, reason=why,
            pupil_id=r.pupil_id, school_id=r.school_id,
        )  # fmt: skip
    session.flush()
    _drop_made_classes(session, principal, order, targets, why)
    return len(fixes)


def _drop_made_classes(
    session: Session, principal: Principal | None, order: Order, targets: list[int], why: str
) -> None:
    """The classes the order made (its audit says so), struck out (soft deleted: the struck-out
    records still name them) if no list, lesson or teaching assignment holds them now; a later
    promotion into the same class restores it."""
    made = session.exec(
        select(AuditEvent.entity_id).where(
            AuditEvent.entity == "schoolclass",
            AuditEvent.action.in_(("create", "restore")),  # type: ignore[attr-defined]
            AuditEvent.school_id == order.school_id,
            AuditEvent.reason == f"№ {order.number} {order.date.isoformat()}",
            AuditEvent.entity_id.in_(targets or [-1]),  # type: ignore[union-attr]
        )
    ).all()
    for class_id in made:
        used = (
            session.exec(select(Enrollment.id).where(Enrollment.class_id == class_id).limit(1)).first()
            or session.exec(select(Lesson.id).where(Lesson.class_id == class_id).limit(1)).first()
            or session.exec(
                select(TeachingAssignment.id).where(TeachingAssignment.class_id == class_id).limit(1)
            ).first()
        )
        cls = session.get(SchoolClass, class_id)
        if used or cls is None:
            continue
        audit.record(
            session, principal, "delete", "schoolclass", class_id, old=class_name(cls.grade, cls.letter),
            reason=why, school_id=order.school_id,
        )  # fmt: skip
        cls.deleted_at, cls.deleted_reason = datetime.now(UTC), why[:300]
        session.add(cls)
    session.flush()


# ------------------------------------------------------------- a class moved in mid-year


def move_class(
    session: Session, principal: Principal | None, class_id: int, to_grade: int, day: date, number: str,
    order_date: date,
) -> tuple[int, int]:  # fmt: skip
    """A whole class moved to another grade on `day` (the 12-year transition): the class of that
    grade and the same letter in the same year (made after this one if missing), and a class
    change for every pupil on the list, under one order. Returns (the order's id, pupils moved)."""
    _allowed(principal)
    cls = session.get(SchoolClass, class_id)
    if cls is None or cls.deleted_at is not None or (principal is not None and cls.school_id != principal.school_id):
        raise NotFound(f"schoolclass {class_id}")
    if not 1 <= to_grade <= LAST_GRADE or to_grade == cls.grade:
        raise Refused("promotion.error.grade", field="grade")
    year = _year(session, principal, cls.academic_year_id)
    if not year.starts_on <= day <= year.ends_on:
        raise Refused(
            "promotion.error.order_date", field="date", start=format_date(year.starts_on), end=format_date(year.ends_on)
        )
    if order_date > day:
        raise Refused("movement.error.order_after", field="date", date=format_date(order_date))
    pupils = session.exec(
        select(Pupil)
        .join(Enrollment, Enrollment.pupil_id == Pupil.id)  # type: ignore[arg-type]
        .where(
            Enrollment.class_id == cls.id,
            Enrollment.starts_on <= day,
            or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= day),  # type: ignore[union-attr]
        )
        .order_by(Pupil.sort_key)
    ).all()
    if not pupils:
        raise Refused("promotion.error.nothing", field="grade")
    order = _new_order(
        session,
        principal,
        cls.school_id,
        number,
        order_date,
        "transfer",
        f"{class_name(cls.grade, cls.letter)} классын {class_name(to_grade, cls.letter)} классына которуу жөнүндө",
    )
    assert order.id is not None
    why = f"№ {order.number} {order.date.isoformat()}"
    target = _class_in(session, principal, year, to_grade, cls.letter, cls, cls.class_teacher_id, why, [])
    for p in pupils:
        assert p.id is not None
        _write(session, principal, PupilLine(p.id, _name(p), "move"), "transfer_in_school", day, order.id, target.id)
    return order.id, len(pupils)
