"""The alphabetic book (алфавиттик китеп): every pupil numbered per first letter of his surname.

The number is also his personal-file number, written «В/13». It is given at admission (the next
number after the highest of his letter in the school), unique in the school, and the clerk may
correct it as long as the letter is his surname's. The register (the paper book's columns) is read
by `register_rows`, exported by `register_xlsx`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from bbbms_app.i18n import format_date, t
from bbbms_app.models import Enrollment, Guardian, MovementRecord, Order, Pupil, PupilGuardian, SchoolClass
from bbbms_app.services import audit
from bbbms_app.services.access import Principal
from bbbms_app.services.engine.hooks import FieldError
from bbbms_app.services.school import class_name

# The Kyrgyz alphabet, in its order (ң after н, ө after о, ү after у).
ALPHABET = tuple("АБВГДЕЁЖЗИЙКЛМНҢОӨПРСТУҮФХЦЧШЩЪЫЬЭЮЯ")
NUMBER = re.compile(r"^\s*(\w)\s*/\s*(\d{1,5})\s*$")


def letter_of(last_name: str) -> str:
    """The letter of the book a surname is written under: its first letter, in capitals."""
    name = (last_name or "").strip()
    return name[:1].upper()


def parse(text: str) -> tuple[str, int] | None:
    """«в / 13» -> ("В", 13); None when it is not a letter, a slash and a number."""
    m = NUMBER.match(text or "")
    if m is None or int(m.group(2)) < 1:
        return None
    return m.group(1).upper(), int(m.group(2))


def written(letter: str, number: int) -> str:
    return f"{letter}/{number}"


def next_number(session: Session, school_id: int, letter: str) -> int:
    """The next free number of `letter` in the school: one past the highest given (deleted pupils
    keep theirs: a personal-file number is never given twice)."""
    taken = session.exec(
        select(Pupil.alpha_book_no).where(Pupil.school_id == school_id, Pupil.alpha_book_no.startswith(f"{letter}/"))  # type: ignore[attr-defined]
    ).all()
    numbers = [p[1] for p in (parse(x) for x in taken) if p is not None and p[0] == letter]
    return max(numbers, default=0) + 1


def assign(session: Session, principal: Principal | None, pupil: Pupil, why: str = "") -> str:
    """Give a pupil without a number the next one of his letter (audited); his number otherwise."""
    if pupil.alpha_book_no:
        return pupil.alpha_book_no
    letter = letter_of(pupil.last_name)
    number = written(letter, next_number(session, pupil.school_id, letter))
    pupil.alpha_book_no = number
    session.add(pupil)
    session.flush()
    audit.record(
        session,
        principal,
        "update",
        "pupil",
        pupil.id,
        field="alpha_book_no",
        old="",
        new=number,
        reason=why,
        pupil_id=pupil.id,
        school_id=pupil.school_id,
    )
    return number


def check(session: Session, school_id: int | None, record_id: int | None, values: dict[str, Any]) -> str | None:
    """A number typed by the clerk: «letter/number», the letter his surname's, not another pupil's.

    Returns the number as it is written (or None when the values do not touch it)."""
    if "alpha_book_no" not in values or not values.get("alpha_book_no"):
        return None
    parsed = parse(str(values["alpha_book_no"]))
    if parsed is None:
        raise FieldError("alpha_book_no", "alpha.error.format")
    last_name = values.get("last_name")
    row = session.get(Pupil, record_id) if record_id is not None else None
    if last_name is None and row is not None:
        last_name = row.last_name
    school_id = row.school_id if row is not None else school_id
    letter = letter_of(str(last_name or ""))
    if letter and parsed[0] != letter:
        raise FieldError("alpha_book_no", "alpha.error.letter", letter=letter)
    number = written(*parsed)
    if school_id is None:
        return number  # a console import names no school here: the unique index still holds
    q = select(Pupil).where(Pupil.alpha_book_no == number, Pupil.school_id == school_id)
    if record_id is not None:
        q = q.where(Pupil.id != record_id)
    other = session.exec(q.limit(1)).first()
    if other is not None:
        raise FieldError("alpha_book_no", "alpha.error.taken", name=f"{other.last_name} {other.first_name}")
    return number


# ------------------------------------------------------------------------------ the register


@dataclass(frozen=True)
class RegisterFilter:
    letter: str = ""
    year_id: int | None = None  # admitted or left inside this school year, or on a list in it
    class_id: int | None = None  # ever on this class's list
    status: str = ""  # "", "enrolled", "left"


STATUSES = ("enrolled", "left")


def register_rows(
    session: Session, school_id: int, lang: str, flt: RegisterFilter = RegisterFilter(), today: date | None = None
) -> list[dict[str, str]]:
    """The alphabetic book as the paper keeps it: per letter, by number; one row per pupil.

    Columns: №; full name; birth date; sex; class admitted to; admission date and order; where
    from; parents; address; departure date and order; where to / reason; document issued; notes.
    """
    from bbbms_app.services import movement

    today = today or date.today()
    q = select(Pupil).where(Pupil.school_id == school_id, Pupil.alpha_book_no != "")
    if flt.letter:
        q = q.where(Pupil.alpha_book_no.startswith(f"{flt.letter}/"))  # type: ignore[attr-defined]
    if flt.class_id is not None:
        q = q.where(Pupil.id.in_(select(Enrollment.pupil_id).where(Enrollment.class_id == flt.class_id)))  # type: ignore[union-attr]
    if flt.year_id is not None:
        in_year = (
            select(Enrollment.pupil_id)
            .join(SchoolClass, SchoolClass.id == Enrollment.class_id)  # type: ignore[arg-type]
            .where(SchoolClass.academic_year_id == flt.year_id)
        )
        q = q.where(Pupil.id.in_(in_year))  # type: ignore[union-attr]
    on_roll = select(Enrollment.pupil_id).where(
        Enrollment.starts_on <= today,
        or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= today),  # type: ignore[union-attr]
    )
    if flt.status == "enrolled":
        q = q.where(Pupil.id.in_(on_roll), Pupil.deleted_at.is_(None))  # type: ignore[union-attr]
    elif flt.status == "left":
        q = q.where(Pupil.id.not_in(on_roll))  # type: ignore[union-attr]
    pupils = list(session.exec(q).all())
    pupils.sort(key=_book_order)
    ids = [p.id for p in pupils]
    arrivals: dict[int, tuple[MovementRecord, Order]] = {}
    departures: dict[int, tuple[MovementRecord, Order]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for m, o in session.exec(
            select(MovementRecord, Order)
            .join(Order, Order.id == MovementRecord.order_id)  # type: ignore[arg-type]
            .where(
                MovementRecord.pupil_id.in_(chunk),  # type: ignore[union-attr]
                MovementRecord.kind.in_(("arrival", "departure", "graduation")),  # type: ignore[attr-defined]
                MovementRecord.deleted_at.is_(None),  # type: ignore[union-attr]
            )
            .order_by(MovementRecord.date, MovementRecord.id)  # type: ignore[arg-type]
        ).all():
            if m.kind == "arrival":
                arrivals.setdefault(m.pupil_id, (m, o))  # the first admission
            else:
                departures[m.pupil_id] = (m, o)  # the last departure
        # A later arrival than the departure means he came back: no departure to show.
    first_class = _first_classes(session, ids)
    parents = _parents(session, ids)
    out = []
    for p in pupils:
        arrival = arrivals.get(p.id)
        departure = departures.get(p.id)
        if departure is not None and arrival is not None and _later_arrival(session, p.id, departure[0].date):
            departure = None
        admitted_class = ""
        admitted = ""
        from_text = ""
        if arrival is not None:
            m, o = arrival
            admitted = f"{format_date(m.date, lang)}, {movement.order_label(o, lang)}"
            from_text = movement.place_text(m, "from", lang)
            if m.to_class_id is not None:
                admitted_class = first_class.get(p.id, ("", None))[0]
        if not admitted_class:
            admitted_class, since = first_class.get(p.id, ("", None))
            if not admitted and since is not None:
                admitted = format_date(since, lang)
        left = to_text = issued = ""
        if departure is not None:
            m, o = departure
            left = f"{format_date(m.date, lang)}, {movement.order_label(o, lang)}"
            to_text = " · ".join(x for x in (movement.place_text(m, "to", lang), m.reason) if x)
            issued = t(f"alpha.issued.{m.kind}", lang)
        out.append(
            {
                "id": str(p.id),
                "number": p.alpha_book_no,
                "name": " ".join(x for x in (p.last_name, p.first_name, p.patronymic) if x),
                "birth_date": format_date(p.birth_date, lang),
                "sex": t(f"sex.{p.sex}", lang),
                "admitted_class": admitted_class,
                "admitted": admitted,
                "from": from_text,
                "parents": parents.get(p.id, ""),
                "address": p.address,
                "left": left,
                "to": to_text,
                "issued": issued,
                "note": departure[0].note if departure is not None else (arrival[0].note if arrival else ""),
            }
        )
    return out


REGISTER_COLUMNS = (
    ("number", "alpha.col.number", 8),
    ("name", "col.name", 30),
    ("birth_date", "field.pupil.birth_date", 12),
    ("sex", "field.pupil.sex", 8),
    ("admitted_class", "alpha.col.admitted_class", 10),
    ("admitted", "alpha.col.admitted", 26),
    ("from", "movement.col.from", 26),
    ("parents", "alpha.col.parents", 30),
    ("address", "field.pupil.address", 26),
    ("left", "alpha.col.left", 26),
    ("to", "alpha.col.to", 26),
    ("issued", "alpha.col.issued", 18),
    ("note", "field.movementrecord.note", 20),
)


def register_xlsx(rows: list[dict[str, str]], lang: str, title: str) -> bytes:
    """The register in the paper book's column order (A4 landscape, headers repeated)."""
    from bbbms_app.services.engine import xlsx

    columns = [xlsx.Column(t(key, lang), "text", width) for _name, key, width in REGISTER_COLUMNS]
    data = [tuple(r[name] for name, _key, _w in REGISTER_COLUMNS) for r in rows]
    return xlsx.to_bytes([xlsx.Sheet(title, columns, data)])


def letters_in_use(session: Session, school_id: int) -> list[str]:
    """The letters the school's book has pages for, in the alphabet's order."""
    firsts = session.exec(
        select(func.substr(Pupil.alpha_book_no, 1, 1))
        .where(Pupil.school_id == school_id, Pupil.alpha_book_no != "")
        .distinct()
    ).all()
    return sorted({str(f) for f in firsts if f}, key=_letter_rank)


def _letter_rank(letter: str) -> tuple[int, str]:
    return (ALPHABET.index(letter), "") if letter in ALPHABET else (len(ALPHABET), letter)


def _book_order(p: Pupil) -> tuple[int, str, int]:
    parsed = parse(p.alpha_book_no)
    if parsed is None:
        return (len(ALPHABET) + 1, p.alpha_book_no, 0)
    rank, rest = _letter_rank(parsed[0])
    return (rank, rest, parsed[1])


def _first_classes(session: Session, ids: list[int]) -> dict[int, tuple[str, date | None]]:
    """pupil -> (the class he was first on the list of, from when)."""
    out: dict[int, tuple[str, date | None]] = {}
    for start in range(0, len(ids), 500):
        for e, c in session.exec(
            select(Enrollment, SchoolClass)
            .join(SchoolClass, SchoolClass.id == Enrollment.class_id)  # type: ignore[arg-type]
            .where(Enrollment.pupil_id.in_(ids[start : start + 500]))  # type: ignore[union-attr]
            .order_by(Enrollment.starts_on.desc())  # type: ignore[attr-defined]
        ).all():
            out[e.pupil_id] = (class_name(c.grade, c.letter), e.starts_on)
    return out


def _parents(session: Session, ids: list[int]) -> dict[int, str]:
    out: dict[int, list[str]] = {}
    for start in range(0, len(ids), 500):
        for link, g in session.exec(
            select(PupilGuardian, Guardian)
            .join(Guardian, Guardian.id == PupilGuardian.guardian_id)  # type: ignore[arg-type]
            .where(PupilGuardian.pupil_id.in_(ids[start : start + 500]), Guardian.deleted_at.is_(None))  # type: ignore[union-attr]
            .order_by(PupilGuardian.is_primary.desc(), Guardian.sort_key)  # type: ignore[attr-defined]
        ).all():
            out.setdefault(link.pupil_id, []).append(
                " ".join(x for x in (g.last_name, g.first_name, g.patronymic) if x)
            )
    return {k: "; ".join(v) for k, v in out.items()}


def _later_arrival(session: Session, pupil_id: int, after: date) -> bool:
    return (
        session.exec(
            select(MovementRecord.id).where(
                and_(
                    MovementRecord.pupil_id == pupil_id,
                    MovementRecord.kind == "arrival",
                    MovementRecord.date > after,
                    MovementRecord.deleted_at.is_(None),  # type: ignore[union-attr]
                )
            )
        ).first()
        is not None
    )
