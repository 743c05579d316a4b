"""The pupil movement book: arrivals, departures, class changes, promotions and graduations.

Each MovementRecord names the director's Order and moves the pupil's Enrollment in the same
transaction, so the class lists and the journal follow the book:

- arrival on D: a new enrollment in the class from D;
- departure or graduation on D: the current enrollment ends on D (the journal greys the pupil
  after D, as `GridPupil.in_class_on` counts both ends);
- class change on D: the current enrollment ends the day before D, one in the new class starts on D;
- promotion on D (the new year's first day): an enrollment in the higher class from D; an enrollment
  of an earlier year still open ends the day before D (at the latest on its year's last day);
- retention (kept in the same grade) on D: as a promotion, into a class of the same grade of a
  later year.

`check()` says what is wrong with a movement before anything is written (a FieldError naming the
field and a catalog message); `apply()` moves the enrollments and audits each change with the
order's number; `record()` does both with the row itself. The admin engine creates a record through
the same two steps: its profile (services/engine/profiles/movement.py) calls `check` as a save
rule and `apply` after the row is inserted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, select

from bbbms_app.i18n import format_date, t
from bbbms_app.i18n.collation import search_key
from bbbms_app.models import AcademicYear, Enrollment, MovementRecord, Order, Pupil, SchoolClass
from bbbms_app.models.movement import MOVEMENT_KINDS
from bbbms_app.services import audit
from bbbms_app.services.access import Principal
from bbbms_app.services.engine.hooks import FieldError
from bbbms_app.services.errors import OutOfScope
from bbbms_app.services.school import class_name

WRITE_PERMISSION = "movement.write"
READ_PERMISSION = "movement.read"
INTO_CLASS = frozenset(
    {"arrival", "transfer_in_school", "promotion", "retention"}
)  # kinds that need the class moved to
OUT_OF_SCHOOL = frozenset({"departure", "graduation"})


class MovementForbidden(OutOfScope):
    """The principal may not write the movement book, or the row lies in another school."""


@dataclass
class Plan:
    """What a checked movement will do: the rows it reads and the enrollment it ends (if any)."""

    pupil: Pupil
    order: Order
    kind: str
    day: date
    to_class: SchoolClass | None
    current: Enrollment | None  # the enrollment the movement ends
    current_class: SchoolClass | None


# ------------------------------------------------------------------------------------ reads


def _covering(session: Session, pupil_id: int, day: date) -> Enrollment | None:
    """The pupil's enrollment that holds on `day` (the latest, if data ever overlapped)."""
    return session.exec(
        select(Enrollment)
        .where(
            Enrollment.pupil_id == pupil_id,
            Enrollment.starts_on <= day,
            or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= day),  # type: ignore[union-attr]
        )
        .order_by(Enrollment.starts_on.desc())  # type: ignore[attr-defined]
    ).first()


def _year_of(session: Session, cls: SchoolClass) -> AcademicYear:
    year = session.get(AcademicYear, cls.academic_year_id)
    assert year is not None  # a foreign key
    return year


def order_label(order: Order, lang: str) -> str:
    """«№ 45 от 12.09.2025» in the UI language."""
    return t("movement.order_label", lang, number=order.number, date=format_date(order.date, lang))


# ------------------------------------------------------------------------------------ checks


def _live(session: Session, model: Any, row_id: Any, school_id: int | None, field: str) -> Any:
    row = session.get(model, row_id) if isinstance(row_id, int) else None
    if row is None or row.deleted_at is not None or (school_id is not None and row.school_id != school_id):
        raise FieldError(field, "admin.error.reference")
    return row


def check(
    session: Session, principal: Principal | None, values: dict[str, Any], *, school_id: int | None = None
) -> Plan:
    """Every rule of a new movement, writing nothing; the first problem raises FieldError."""
    if principal is not None and not principal.can(WRITE_PERMISSION):
        raise MovementForbidden(WRITE_PERMISSION)
    school_id = school_id if school_id is not None else (principal.school_id if principal else None)
    kind = values.get("kind")
    if kind not in MOVEMENT_KINDS:
        raise FieldError("kind", "admin.error.choice")
    if values.get("pupil_id") is None:
        raise FieldError("pupil_id", "admin.error.required")
    pupil = _live(session, Pupil, values.get("pupil_id"), school_id, "pupil_id")
    school_id = pupil.school_id
    day = values.get("date")
    if not isinstance(day, date):
        raise FieldError("date", "admin.error.required")
    if values.get("order_id") is None:
        raise FieldError("order_id", "movement.error.order_required")
    order = _live(session, Order, values.get("order_id"), school_id, "order_id")
    if order.date > day:
        raise FieldError("order_id", "movement.error.order_after", date=format_date(order.date))
    check_places(kind, values)
    to_class: SchoolClass | None = None
    if kind in INTO_CLASS:
        if values.get("to_class_id") is None:
            raise FieldError("to_class_id", "movement.error.class_required")
        to_class = _live(session, SchoolClass, values.get("to_class_id"), school_id, "to_class_id")
    elif values.get("to_class_id") is not None:
        raise FieldError("to_class_id", "movement.error.no_class")
    current = _covering(session, pupil.id, day)
    current_class = session.get(SchoolClass, current.class_id) if current is not None else None

    if kind == "arrival":
        later = session.exec(
            select(Enrollment.id).where(
                Enrollment.pupil_id == pupil.id,
                or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= day),  # type: ignore[union-attr]
            )
        ).first()
        if later is not None:
            raise FieldError("pupil_id", "movement.error.already_enrolled")
        current, current_class = None, None
    elif kind in OUT_OF_SCHOOL or kind == "transfer_in_school":
        if current is None or current_class is None:
            raise FieldError("pupil_id", "movement.error.not_enrolled", date=format_date(day))
        # The book is written in the order things happened: a movement dated before the pupil's
        # last one would leave two class lists holding him at once.
        later = session.exec(
            select(Enrollment.starts_on)
            .where(Enrollment.pupil_id == pupil.id, Enrollment.starts_on > day)
            .order_by(Enrollment.starts_on)
        ).first()
        if later is not None or current.ends_on is not None:
            raise FieldError("date", "movement.error.later_movement", date=format_date(later or current.ends_on))
        if kind == "transfer_in_school":
            assert to_class is not None
            if to_class.id == current_class.id:
                raise FieldError("to_class_id", "movement.error.same_class")
            if to_class.academic_year_id != current_class.academic_year_id:
                raise FieldError("to_class_id", "movement.error.other_year")
            if day <= current.starts_on:
                raise FieldError("date", "movement.error.before_start", date=format_date(current.starts_on))
    elif kind in ("promotion", "retention"):
        assert to_class is not None
        in_year = session.exec(
            select(Enrollment.id)
            .join(SchoolClass, SchoolClass.id == Enrollment.class_id)  # type: ignore[arg-type]
            .where(
                Enrollment.pupil_id == pupil.id,
                SchoolClass.academic_year_id == to_class.academic_year_id,
                or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= day),  # type: ignore[union-attr]
            )
        ).first()
        if in_year is not None:
            raise FieldError("pupil_id", "movement.error.already_in_year")
        previous = session.exec(
            select(Enrollment)
            .where(Enrollment.pupil_id == pupil.id, Enrollment.starts_on < day)
            .order_by(Enrollment.starts_on.desc())  # type: ignore[attr-defined]
        ).first()
        current, current_class = None, None
        if previous is not None:
            previous_class = session.get(SchoolClass, previous.class_id)
            assert previous_class is not None
            if kind == "promotion" and previous_class.grade >= to_class.grade:
                raise FieldError(
                    "to_class_id",
                    "movement.error.grade_not_higher",
                    name=class_name(previous_class.grade, previous_class.letter),
                )
            if kind == "retention" and (
                previous_class.grade != to_class.grade or previous_class.academic_year_id == to_class.academic_year_id
            ):
                raise FieldError(
                    "to_class_id",
                    "movement.error.retention_grade",
                    name=class_name(previous_class.grade, previous_class.letter),
                )
            if previous.ends_on is None:
                current, current_class = previous, previous_class

    year_class = to_class if kind in INTO_CLASS else current_class
    assert year_class is not None
    year = _year_of(session, year_class)
    if not year.starts_on <= day <= year.ends_on:
        raise FieldError(
            "date", "movement.error.outside_year", start=format_date(year.starts_on), end=format_date(year.ends_on)
        )
    return Plan(pupil, order, kind, day, to_class, current, current_class)


def check_places(kind: str, values: dict[str, Any]) -> None:
    """Where from (an arrival) and where to (a departure): a category and, when it names one, a
    place of that kind from the shipped list (services/places.py); other kinds name neither."""
    from bbbms_app.services import places

    for side, allowed in (("from", kind == "arrival"), ("to", kind == "departure")):
        category = values.get(f"{side}_category") or ""
        place = values.get(f"{side}_place") or ""
        if not allowed:
            if category or place:
                raise FieldError(f"{side}_category", "movement.error.no_place")
            continue
        if category and category not in places.CATEGORIES:
            raise FieldError(f"{side}_category", "admin.error.choice")
        if place and place not in places.PLACES:
            raise FieldError(f"{side}_place", "admin.error.choice")
        if place and not category:
            raise FieldError(f"{side}_category", "movement.error.place_category")
        if category and not places.fits(category, place):
            raise FieldError(f"{side}_place", f"movement.error.place_{category}")
        if category in ("other_rayon", "other_oblast", "abroad") and not place:
            raise FieldError(f"{side}_place", f"movement.error.place_{category}")


def place_text(m: MovementRecord, side: str, lang: str) -> str:
    """«Another rayon: Sokuluk District (Chui Region) · School No. 3» or the old free text."""
    from bbbms_app.services import places

    category, place = getattr(m, f"{side}_category"), getattr(m, f"{side}_place")
    school = getattr(m, f"{side}_school")
    head = ""
    if category:
        head = t(f"place.{'category' if side == 'from' else 'to'}.{category}", lang)
        if place:
            head = f"{head}: {places.name(place, lang)}"
    return " · ".join(x for x in (head, school) if x)


# ------------------------------------------------------------------------------------ writes


def _order_text(order: Order) -> str:
    return f"№ {order.number} {order.date.isoformat()}"


def apply(session: Session, principal: Principal | None, record: MovementRecord, plan: Plan) -> None:
    """Move the pupil's enrollments as `record` says; every change audited with the order's number."""
    why = _order_text(plan.order)
    day = plan.day
    if plan.current is not None:
        if plan.kind in OUT_OF_SCHOOL:
            ends = day
        elif plan.kind in ("promotion", "retention"):
            assert plan.current_class is not None
            ends = min(_year_of(session, plan.current_class).ends_on, day - timedelta(days=1))
        else:
            ends = day - timedelta(days=1)
        old = plan.current.ends_on
        plan.current.ends_on = ends
        session.add(plan.current)
        audit.record(
            session,
            principal,
            "update",
            "enrollment",
            plan.current.id,
            field="ends_on",
            old=old.isoformat() if old else "",
            new=ends.isoformat(),
            reason=why,
            pupil_id=plan.pupil.id,
            school_id=plan.pupil.school_id,
        )
        record.from_class_id = plan.current.class_id
    if plan.to_class is not None:
        enrollment = Enrollment(
            school_id=plan.pupil.school_id, pupil_id=plan.pupil.id, class_id=plan.to_class.id, starts_on=day
        )
        session.add(enrollment)
        session.flush()
        audit.record(
            session,
            principal,
            "create",
            "enrollment",
            enrollment.id,
            new=f"class {plan.to_class.id} from {day.isoformat()}",
            reason=why,
            pupil_id=plan.pupil.id,
            school_id=plan.pupil.school_id,
        )
    if plan.kind == "arrival":
        from bbbms_app.services import alpha_book

        alpha_book.assign(session, principal, plan.pupil, why)
    p = plan.pupil
    record.search_key = search_key(
        p.last_name, p.first_name, p.patronymic, p.pin or "", plan.order.number, record.from_school, record.to_school
    )[:400]
    session.add(record)
    session.flush()


FIELDS = (
    "pupil_id",
    "kind",
    "date",
    "order_id",
    "to_class_id",
    "from_school",
    "to_school",
    "from_category",
    "from_place",
    "to_category",
    "to_place",
    "reason",
    "note",
)


def record(
    session: Session, principal: Principal | None, values: dict[str, Any], *, school_id: int | None = None
) -> MovementRecord:
    """Check and write one movement with its enrollment changes and audit, in the caller's transaction."""
    values = {k: values.get(k) for k in FIELDS}
    for text_field, limit in (("from_school", 300), ("to_school", 300), ("reason", 300), ("note", 1000)):
        text = str(values.get(text_field) or "").strip()
        if len(text) > limit:
            raise FieldError(text_field, "admin.error.too_long", max=limit)
        values[text_field] = text
    for place_field in ("from_category", "from_place", "to_category", "to_place"):
        values[place_field] = str(values.get(place_field) or "").strip()
    plan = check(session, principal, values, school_id=school_id)
    row = MovementRecord(school_id=plan.pupil.school_id, **values)
    session.add(row)
    session.flush()
    audit.record(
        session,
        principal,
        "create",
        "movementrecord",
        row.id,
        new=json.dumps(
            {
                "kind": plan.kind,
                "date": plan.day.isoformat(),
                "order": _order_text(plan.order),
                "to_class_id": row.to_class_id,
            },
            ensure_ascii=False,
        ),
        reason=_order_text(plan.order),
        pupil_id=plan.pupil.id,
        school_id=plan.pupil.school_id,
    )
    apply(session, principal, row, plan)
    return row


# ------------------------------------------------------------------ the pupil form's doors
#
# A pupil reaches a class only through the book: the new-pupil form and the pupil import name the
# class together with the admission order, and an arrival record is written for him. These names
# are the pupil form's fields, so a refusal is shown beside the field the user filled in.

PUPIL_FIELDS = {"to_class_id": "class_id", "date": "admitted_on", "order_id": "order_id", "from_school": "from_school"}


def admission_day(session: Session, order: Order, cls: SchoolClass, day: date | None) -> date:
    """The arrival's date: the one given, else the order's date (not before the class's year begins)."""
    if day is not None:
        return day
    return max(order.date, _year_of(session, cls).starts_on)


def check_admission(
    session: Session,
    principal: Principal | None,
    school_id: int | None,
    values: dict[str, Any],
) -> date | None:
    """The arrival a new pupil's form or import row asks for, checked before he is written.

    `values` holds the pupil form's names (class_id, order_id, admitted_on); None when no class is
    named (a pupil on no class list yet). The rules are those of `check` for an arrival.
    """
    class_id, order_id, day = values.get("class_id"), values.get("order_id"), values.get("admitted_on")
    if class_id is None:
        if order_id is not None or day is not None:
            raise FieldError("class_id", "movement.error.class_required")
        return None
    if principal is not None and not principal.can(WRITE_PERMISSION):
        raise FieldError("class_id", "movement.error.no_right")
    if order_id is None:
        raise FieldError("order_id", "movement.error.order_required")
    check_places("arrival", {k: values.get(k) for k in ("from_category", "from_place")})
    school_id = school_id if school_id is not None else (principal.school_id if principal else None)
    cls = _live(session, SchoolClass, class_id, school_id, "class_id")
    order = _live(session, Order, order_id, cls.school_id, "order_id")
    day = admission_day(session, order, cls, day)
    if order.date > day:
        raise FieldError("order_id", "movement.error.order_after", date=format_date(order.date))
    year = _year_of(session, cls)
    if not year.starts_on <= day <= year.ends_on:
        raise FieldError(
            "admitted_on",
            "movement.error.outside_year",
            start=format_date(year.starts_on),
            end=format_date(year.ends_on),
        )
    return day


def admit(session: Session, principal: Principal | None, pupil: Pupil, values: dict[str, Any]) -> MovementRecord | None:
    """Write the arrival of a pupil just made by the form or the import (checked by check_admission)."""
    day = check_admission(session, principal, pupil.school_id, values)
    if day is None:
        return None
    try:
        return record(
            session,
            principal,
            {
                "pupil_id": pupil.id,
                "kind": "arrival",
                "date": day,
                "order_id": values.get("order_id"),
                "to_class_id": values.get("class_id"),
                "from_school": values.get("from_school") or "",
                "from_category": values.get("from_category") or "",
                "from_place": values.get("from_place") or "",
            },
            school_id=pupil.school_id,
        )
    except FieldError as exc:
        raise FieldError(PUPIL_FIELDS.get(exc.field, "class_id"), exc.key, **exc.params) from exc


def enrolled_class(session: Session, pupil_id: int, today: date) -> SchoolClass | None:
    """The class a pupil is on the list of today or from a later day (None: on no list)."""
    enrollment = session.exec(
        select(Enrollment)
        .where(
            Enrollment.pupil_id == pupil_id,
            or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= today),  # type: ignore[union-attr]
        )
        .order_by(Enrollment.starts_on)
    ).first()
    return session.get(SchoolClass, enrollment.class_id) if enrollment is not None else None


# ------------------------------------------------------------------------- the pupil card


def pupil_movements(session: Session, pupil_id: int, lang: str) -> list[dict[str, str]]:
    """The pupil's movement records, newest first: date, kind, order, from, to."""
    rows = session.exec(
        select(MovementRecord, Order)
        .join(Order, Order.id == MovementRecord.order_id)  # type: ignore[arg-type]
        .where(MovementRecord.pupil_id == pupil_id, MovementRecord.deleted_at.is_(None))  # type: ignore[union-attr]
        .order_by(MovementRecord.date.desc(), MovementRecord.id.desc())  # type: ignore[attr-defined, union-attr]
    ).all()
    classes = _class_names(session, [c for m, _o in rows for c in (m.from_class_id, m.to_class_id)])
    return [
        {
            "id": str(m.id),
            "date": format_date(m.date, lang),
            "kind": t(f"movement.kind.{m.kind}", lang),
            "order": order_label(o, lang),
            "from": where(classes.get(m.from_class_id or -1, ""), place_text(m, "from", lang)),
            "to": where(classes.get(m.to_class_id or -1, ""), place_text(m, "to", lang)),
        }
        for m, o in rows
    ]


def order_movements(session: Session, order_id: int, lang: str) -> list[dict[str, str]]:
    """The movement records citing one order (its card)."""
    rows = session.exec(
        select(MovementRecord, Pupil)
        .join(Pupil, Pupil.id == MovementRecord.pupil_id)  # type: ignore[arg-type]
        .where(MovementRecord.order_id == order_id, MovementRecord.deleted_at.is_(None))  # type: ignore[union-attr]
        .order_by(MovementRecord.date, Pupil.sort_key)
    ).all()
    classes = _class_names(session, [c for m, _p in rows for c in (m.from_class_id, m.to_class_id)])
    return [
        {
            "id": str(m.id),
            "name": " ".join(x for x in (p.last_name, p.first_name, p.patronymic) if x),
            "date": format_date(m.date, lang),
            "kind": t(f"movement.kind.{m.kind}", lang),
            "from": where(classes.get(m.from_class_id or -1, ""), place_text(m, "from", lang)),
            "to": where(classes.get(m.to_class_id or -1, ""), place_text(m, "to", lang)),
        }
        for m, p in rows
    ]


def where(class_text: str, school_text: str) -> str:
    """«5-А», «Школа № 3, Ош» or both."""
    return " · ".join(p for p in (class_text, school_text) if p)


def _class_names(session: Session, ids: list[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return {
        c.id: class_name(c.grade, c.letter)
        for c in session.exec(select(SchoolClass).where(SchoolClass.id.in_(wanted))).all()  # type: ignore[union-attr]
        if c.id is not None
    }
