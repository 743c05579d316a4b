"""Paged, searchable, scope-filtered lists of pupils, classes, staff and user accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, select

from bbbms_app.i18n import format_date, format_datetime
from bbbms_app.i18n.collation import search_key
from bbbms_app.models import Enrollment, Pupil, SchoolClass, Staff, User
from bbbms_app.services.access import Principal, visible_class_ids, visible_pupil_ids_own
from bbbms_app.services.school import class_name, current_year

MAX_PAGE = 100


@dataclass(frozen=True)
class Page:
    """One page of display-ready rows and the total count of the query."""

    rows: list[dict[str, str]]
    total: int


def _like(term: str) -> str:
    escaped = search_key(term).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _window(offset: int, limit: int) -> tuple[int, int]:
    return max(0, int(offset)), max(1, min(int(limit), MAX_PAGE))


def pupils(
    session: Session,
    principal: Principal,
    *,
    search: str = "",
    class_id: int | None = None,
    offset: int = 0,
    limit: int = 25,
    today: date | None = None,
    lang: str = "ky",
) -> Page:
    """Pupils the principal may see, in Kyrgyz alphabetical order, with their current class."""
    offset, limit = _window(offset, limit)
    today = today or date.today()
    current = (Enrollment.starts_on <= today) & (or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= today))  # type: ignore[union-attr]
    q = (
        select(
            Pupil.id,
            Pupil.last_name,
            Pupil.first_name,
            Pupil.patronymic,
            Pupil.pin,
            Pupil.birth_date,
            Pupil.sex,
            Pupil.alpha_book_no,
            SchoolClass.grade,
            SchoolClass.letter,
        )
        .join(Enrollment, (Enrollment.pupil_id == Pupil.id) & current, isouter=True)
        .join(SchoolClass, SchoolClass.id == Enrollment.class_id, isouter=True)  # type: ignore[arg-type]
        .where(Pupil.school_id == principal.school_id, Pupil.deleted_at.is_(None))  # type: ignore[union-attr]
    )
    count = select(func.count(func.distinct(Pupil.id))).select_from(Pupil)
    count = count.join(Enrollment, (Enrollment.pupil_id == Pupil.id) & current, isouter=True).where(
        Pupil.school_id == principal.school_id,
        Pupil.deleted_at.is_(None),  # type: ignore[union-attr]
    )
    classes = visible_class_ids(session, principal, today)
    if principal.role in ("parent", "pupil"):
        own = visible_pupil_ids_own(session, principal)
        q = q.where(Pupil.id.in_(own))  # type: ignore[union-attr]
        count = count.where(Pupil.id.in_(own))  # type: ignore[union-attr]
    elif classes is not None:
        q = q.where(Enrollment.class_id.in_(classes))  # type: ignore[union-attr]
        count = count.where(Enrollment.class_id.in_(classes))  # type: ignore[union-attr]
    if class_id is not None:
        q = q.where(Enrollment.class_id == class_id)
        count = count.where(Enrollment.class_id == class_id)
    if search.strip():
        q = q.where(Pupil.search_key.like(_like(search), escape="\\"))  # type: ignore[attr-defined]
        count = count.where(Pupil.search_key.like(_like(search), escape="\\"))  # type: ignore[attr-defined]
    total = session.exec(count).one()
    rows = session.exec(q.order_by(Pupil.sort_key, Pupil.id).offset(offset).limit(limit)).all()
    return Page(
        rows=[
            {
                "id": str(pid),
                "name": " ".join(p for p in (last, first, patr) if p),
                "pin": pin or "",
                "birth_date": format_date(bd, lang),
                "sex": sex,
                "alpha_book_no": abn,
                "class_name": class_name(grade, letter) if grade else "",
            }
            for pid, last, first, patr, pin, bd, sex, abn, grade, letter in rows
        ],
        total=total,
    )


def class_options(session: Session, principal: Principal, today: date | None = None) -> list[dict[str, str]]:
    """The classes of the current year the principal may pick, as {id, name}."""
    if principal.school_id is None:
        return []
    year = current_year(session, principal.school_id)
    if year is None:
        return []
    q = select(SchoolClass).where(
        SchoolClass.academic_year_id == year.id,
        SchoolClass.deleted_at.is_(None),  # type: ignore[union-attr]
    )
    visible = visible_class_ids(session, principal, today or date.today())
    if visible is not None:
        q = q.where(SchoolClass.id.in_(visible))  # type: ignore[union-attr]
    return [
        {"id": str(c.id), "name": class_name(c.grade, c.letter)}
        for c in session.exec(q.order_by(SchoolClass.grade, SchoolClass.letter)).all()
    ]


def classes(session: Session, principal: Principal, today: date | None = None) -> Page:
    """Classes of the current year with language, shift, class teacher and pupil count."""
    if principal.school_id is None:
        return Page([], 0)
    today = today or date.today()
    year = current_year(session, principal.school_id)
    if year is None:
        return Page([], 0)
    on_roll = (
        select(Enrollment.class_id, func.count().label("n"))
        .where(Enrollment.starts_on <= today, or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= today))  # type: ignore[union-attr]
        .group_by(Enrollment.class_id)
        .subquery()
    )
    q = (
        select(SchoolClass, Staff.last_name, Staff.first_name, on_roll.c.n)
        .join(Staff, Staff.id == SchoolClass.class_teacher_id, isouter=True)  # type: ignore[arg-type]
        .join(on_roll, on_roll.c.class_id == SchoolClass.id, isouter=True)
        .where(SchoolClass.academic_year_id == year.id, SchoolClass.deleted_at.is_(None))  # type: ignore[union-attr]
    )
    visible = visible_class_ids(session, principal, today)
    if visible is not None:
        q = q.where(SchoolClass.id.in_(visible))  # type: ignore[union-attr]
    rows = session.exec(q.order_by(SchoolClass.grade, SchoolClass.letter)).all()
    return Page(
        rows=[
            {
                "id": str(c.id),
                "class_name": class_name(c.grade, c.letter),
                "language": c.language,
                "shift": str(c.shift),
                "class_teacher": f"{last} {first}" if last else "",
                "pupils": str(n or 0),
            }
            for c, last, first, n in rows
        ],
        total=len(rows),
    )


def staff(session: Session, principal: Principal, *, search: str = "", offset: int = 0, limit: int = 25) -> Page:
    """Staff of the principal's school in Kyrgyz alphabetical order."""
    offset, limit = _window(offset, limit)
    cond = [Staff.school_id == principal.school_id, Staff.deleted_at.is_(None)]  # type: ignore[union-attr]
    if search.strip():
        cond.append(Staff.search_key.like(_like(search), escape="\\"))  # type: ignore[attr-defined]
    total = session.exec(select(func.count()).select_from(Staff).where(*cond)).one()
    rows = session.exec(select(Staff).where(*cond).order_by(Staff.sort_key, Staff.id).offset(offset).limit(limit)).all()
    return Page(
        rows=[
            {
                "id": str(s.id),
                "name": " ".join(p for p in (s.last_name, s.first_name, s.patronymic) if p),
                "position": s.position,
                "phone": s.phone,
            }
            for s in rows
        ],
        total=total,
    )


def users(
    session: Session, principal: Principal, *, search: str = "", offset: int = 0, limit: int = 25, lang: str = "ky"
) -> Page:
    """Accounts of the principal's school (a district account with no school sees all)."""
    offset, limit = _window(offset, limit)
    cond = []
    if principal.school_id is not None:
        cond.append(User.school_id == principal.school_id)
    if search.strip():
        term = _like(search)
        cond.append(
            or_(func.lower(User.username).like(term, escape="\\"), func.lower(User.full_name).like(term, escape="\\"))
        )
    total = session.exec(select(func.count()).select_from(User).where(*cond)).one()
    rows = session.exec(select(User).where(*cond).order_by(User.username).offset(offset).limit(limit)).all()
    return Page(
        rows=[
            {
                "id": str(u.id),
                "username": u.username,
                "name": u.full_name,
                "role": u.role,
                "active": "yes" if u.is_active else "no",
                "last_login": format_datetime(u.last_login_at, lang),
            }
            for u in rows
        ],
        total=total,
    )
