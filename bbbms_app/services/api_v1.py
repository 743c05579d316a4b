"""The read queries of REST API v1 (api/rest.py): every list of one client's school, paged.

Each function takes the `ApiCaller` (services/api_clients.py) and checks the scope itself, then
reads only rows whose `school_id` is the caller's school: a client of school A never sees a row of
school B, whatever ids it sends. Soft-deleted rows are left out. Lists are paged by `limit` /
`offset` over a stable order; `Page.next_offset` is None on the last page.

Personal fields: pupils and staff only under `roster:read`; a pupil's PIN is never sent (it waits
for the consent rules of issue 19 §2), nor addresses, phones, health notes or photos.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from bbbms_app.models import (
    Attendance,
    Enrollment,
    Guardian,
    Lesson,
    Mark,
    PeriodMark,
    Pupil,
    PupilGuardian,
    SchoolClass,
    Staff,
    Subject,
    Term,
    TimetableSlot,
)
from bbbms_app.services.api_clients import ApiCaller
from bbbms_app.services.errors import OutOfScope, Refused

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
MAX_ID = 2**31 - 1  # the databases' INTEGER: a larger number is no row of ours, and no query


class InsufficientScope(OutOfScope):
    """The token lacks the scope a route needs."""

    def __init__(self, scope: str) -> None:
        super().__init__(scope)
        self.scope = scope


@dataclass(frozen=True)
class Paging:
    limit: int = DEFAULT_LIMIT
    offset: int = 0


@dataclass(frozen=True)
class Page:
    data: list[dict[str, Any]]
    limit: int
    offset: int
    next_offset: int | None


def paging(limit: str | None, offset: str | None) -> Paging:
    """`limit` 1–500 (100 when absent), `offset` ≥ 0; anything else is Refused naming the field."""
    try:
        lim = DEFAULT_LIMIT if limit in (None, "") else int(limit)  # type: ignore[arg-type]
    except ValueError:
        raise Refused("api.error.bad_integer", field="limit") from None
    try:
        off = 0 if offset in (None, "") else int(offset)  # type: ignore[arg-type]
    except ValueError:
        raise Refused("api.error.bad_integer", field="offset") from None
    if not 1 <= lim <= MAX_LIMIT:
        raise Refused("api.error.bad_limit", field="limit", max=MAX_LIMIT)
    if not 0 <= off <= MAX_ID:
        raise Refused("api.error.bad_integer", field="offset")
    return Paging(lim, off)


def int_param(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)  # type: ignore[arg-type]
    except ValueError:
        raise Refused("api.error.bad_integer", field=name) from None
    if not 0 <= number <= MAX_ID:
        raise Refused("api.error.bad_integer", field=name)
    return number


def timestamp_param(value: str | None, name: str) -> datetime | None:
    """An ISO 8601 instant (`2025-09-01T08:00:00Z`); one without a zone is taken as UTC."""
    if value in (None, ""):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))  # type: ignore[union-attr]
    except ValueError:
        raise Refused("api.error.bad_timestamp", field=name) from None
    # Compared in UTC: SQLite keeps the stored instants as UTC text without their zone.
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def require(caller: ApiCaller, *any_of: str) -> None:
    if not caller.scopes.intersection(any_of):
        raise InsufficientScope(" ".join(any_of))


def _page(rows: list, page: Paging, render) -> Page:
    more = len(rows) > page.limit
    data = [render(r) for r in rows[: page.limit]]
    return Page(data, page.limit, page.offset, page.offset + page.limit if more else None)


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def classes(s: Session, caller: ApiCaller, page: Paging, academic_year_id: int | None = None) -> Page:
    require(caller, "roster:read", "gradebook:read")
    q = select(SchoolClass).where(SchoolClass.school_id == caller.school_id, col(SchoolClass.deleted_at).is_(None))
    if academic_year_id is not None:
        q = q.where(SchoolClass.academic_year_id == academic_year_id)
    q = q.order_by(SchoolClass.academic_year_id, SchoolClass.grade, SchoolClass.letter, SchoolClass.id)
    rows = list(s.exec(q.offset(page.offset).limit(page.limit + 1)))
    return _page(
        rows,
        page,
        lambda c: {
            "id": c.id,
            "name": f"{c.grade}-{c.letter}",
            "grade": c.grade,
            "letter": c.letter,
            "language": c.language,
            "shift": c.shift,
            "academic_year_id": c.academic_year_id,
            "class_teacher_id": c.class_teacher_id,
        },
    )


def subjects(s: Session, caller: ApiCaller, page: Paging) -> Page:
    require(caller, "roster:read", "gradebook:read")
    q = select(Subject).where(Subject.school_id == caller.school_id, col(Subject.deleted_at).is_(None))
    rows = list(s.exec(q.order_by(Subject.position, Subject.id).offset(page.offset).limit(page.limit + 1)))
    return _page(
        rows,
        page,
        lambda x: {"id": x.id, "code": x.code, "name_ky": x.name_ky, "name_ru": x.name_ru, "name_en": x.name_en},
    )


def terms(s: Session, caller: ApiCaller, page: Paging) -> Page:
    require(caller, "roster:read", "gradebook:read")
    q = select(Term).where(Term.school_id == caller.school_id, col(Term.deleted_at).is_(None))
    q = q.order_by(Term.academic_year_id, Term.kind, Term.number, Term.id)
    rows = list(s.exec(q.offset(page.offset).limit(page.limit + 1)))
    return _page(
        rows,
        page,
        lambda x: {
            "id": x.id,
            "academic_year_id": x.academic_year_id,
            "kind": x.kind,
            "number": x.number,
            "starts_on": _iso(x.starts_on),
            "ends_on": _iso(x.ends_on),
            "closed": x.closed_at is not None,
        },
    )


def staff(s: Session, caller: ApiCaller, page: Paging) -> Page:
    require(caller, "roster:read")
    q = select(Staff).where(Staff.school_id == caller.school_id, col(Staff.deleted_at).is_(None))
    rows = list(s.exec(q.order_by(Staff.sort_key, Staff.id).offset(page.offset).limit(page.limit + 1)))
    return _page(
        rows,
        page,
        lambda x: {
            "id": x.id,
            "last_name": x.last_name,
            "first_name": x.first_name,
            "patronymic": x.patronymic,
            "position": x.position,
        },
    )


def pupils(s: Session, caller: ApiCaller, page: Paging, class_id: int | None = None, on: date | None = None) -> Page:
    """Live pupils of the school with their class on `on` (today): names, sex, birth date."""
    require(caller, "roster:read")
    on = on or date.today()
    current = and_(
        Enrollment.pupil_id == Pupil.id,
        Enrollment.school_id == caller.school_id,
        Enrollment.starts_on <= on,
        or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= on),
    )
    q = (
        select(Pupil, Enrollment.class_id)
        .join(Enrollment, current, isouter=class_id is None)
        .where(Pupil.school_id == caller.school_id, col(Pupil.deleted_at).is_(None))
    )
    if class_id is not None:
        q = q.where(Enrollment.class_id == class_id)
    q = q.order_by(Pupil.sort_key, Pupil.id)
    rows = list(s.exec(q.offset(page.offset).limit(page.limit + 1)))
    return _page(
        rows,
        page,
        lambda r: {
            "id": r[0].id,
            "last_name": r[0].last_name,
            "first_name": r[0].first_name,
            "patronymic": r[0].patronymic,
            "sex": r[0].sex,
            "birth_date": _iso(r[0].birth_date),
            "class_id": r[1],
        },
    )


def marks(
    s: Session,
    caller: ApiCaller,
    page: Paging,
    class_id: int | None = None,
    subject_id: int | None = None,
    updated_since: datetime | None = None,
) -> Page:
    """Current marks (not period marks) of the school, oldest change first, for incremental sync.

    A mark changed after `updated_since` comes again with its new value; a deleted mark is not
    reported (documented in docs/api.md).
    """
    require(caller, "gradebook:read")
    q = (
        select(Mark, Lesson)
        .join(Lesson, and_(Lesson.id == Mark.lesson_id, Lesson.school_id == caller.school_id))
        .where(Mark.school_id == caller.school_id)
    )
    if class_id is not None:
        q = q.where(Lesson.class_id == class_id)
    if subject_id is not None:
        q = q.where(Lesson.subject_id == subject_id)
    if updated_since is not None:
        q = q.where(Mark.updated_at > updated_since)
    q = q.order_by(Mark.updated_at, Mark.id)
    rows = list(s.exec(q.offset(page.offset).limit(page.limit + 1)))
    return _page(
        rows,
        page,
        lambda r: {
            "id": r[0].id,
            "pupil_id": r[0].pupil_id,
            "lesson_id": r[0].lesson_id,
            "class_id": r[1].class_id,
            "subject_id": r[1].subject_id,
            "term_id": r[1].term_id,
            "date": _iso(r[1].date),
            "lesson_number": r[1].number,
            "value": r[0].value,
            "kind": r[0].kind,
            "updated_at": _iso(r[0].updated_at),
        },
    )


def guardians(s: Session, caller: ApiCaller, page: Paging, class_id: int | None = None) -> Page:
    """Parents and guardians: names and their children (pupil, relation, primary) — no PIN, phone
    or address: passing contacts on to another system waits for a consent that names it."""
    require(caller, "roster:read")
    q = select(Guardian).where(Guardian.school_id == caller.school_id, col(Guardian.deleted_at).is_(None))
    if class_id is not None:
        today = date.today()
        in_class = (
            select(PupilGuardian.guardian_id)
            .join(Enrollment, Enrollment.pupil_id == PupilGuardian.pupil_id)
            .where(
                Enrollment.class_id == class_id,
                Enrollment.school_id == caller.school_id,
                Enrollment.starts_on <= today,
                or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= today),
            )
        )
        q = q.where(col(Guardian.id).in_(in_class))
    rows = list(s.exec(q.order_by(Guardian.sort_key, Guardian.id).offset(page.offset).limit(page.limit + 1)))
    ids = [g.id for g in rows[: page.limit]]
    links: dict[int, list[dict]] = {}
    live = (
        select(PupilGuardian)
        .join(Pupil, col(Pupil.id) == PupilGuardian.pupil_id)
        .where(col(PupilGuardian.guardian_id).in_(ids), col(Pupil.deleted_at).is_(None))
        .order_by(PupilGuardian.pupil_id)
    )
    for x in s.exec(live):
        links.setdefault(x.guardian_id, []).append(
            {"pupil_id": x.pupil_id, "relation": x.relation, "is_primary": x.is_primary}
        )
    return _page(
        rows,
        page,
        lambda g: {
            "id": g.id,
            "last_name": g.last_name,
            "first_name": g.first_name,
            "patronymic": g.patronymic,
            "children": links.get(g.id, []),
        },
    )


def timetable(s: Session, caller: ApiCaller, page: Paging, class_id: int | None = None) -> Page:
    require(caller, "roster:read", "gradebook:read")
    q = select(TimetableSlot).where(TimetableSlot.school_id == caller.school_id)
    if class_id is not None:
        q = q.where(TimetableSlot.class_id == class_id)
    q = q.order_by(TimetableSlot.class_id, TimetableSlot.valid_from, TimetableSlot.weekday, TimetableSlot.number,
                   TimetableSlot.subgroup, TimetableSlot.id)  # fmt: skip
    rows = list(s.exec(q.offset(page.offset).limit(page.limit + 1)))
    return _page(
        rows,
        page,
        lambda x: {
            "id": x.id, "class_id": x.class_id, "term_id": x.term_id, "valid_from": _iso(x.valid_from),
            "valid_to": _iso(x.valid_to), "weekday": x.weekday, "number": x.number, "subject_id": x.subject_id,
            "teacher_id": x.teacher_id, "subgroup": x.subgroup, "room": x.room,
        },
    )  # fmt: skip


def lessons(
    s: Session,
    caller: ApiCaller,
    page: Paging,
    class_id: int | None = None,
    subject_id: int | None = None,
    term_id: int | None = None,
) -> Page:
    """Lessons held or planned, with their topic and homework, in date order."""
    require(caller, "gradebook:read")
    q = select(Lesson).where(Lesson.school_id == caller.school_id)
    for column, value in ((Lesson.class_id, class_id), (Lesson.subject_id, subject_id), (Lesson.term_id, term_id)):
        if value is not None:
            q = q.where(column == value)
    rows = list(s.exec(q.order_by(Lesson.date, Lesson.number, Lesson.id).offset(page.offset).limit(page.limit + 1)))
    return _page(
        rows,
        page,
        lambda x: {
            "id": x.id, "class_id": x.class_id, "subject_id": x.subject_id, "teacher_id": x.teacher_id,
            "term_id": x.term_id, "date": _iso(x.date), "number": x.number, "subgroup": x.subgroup,
            "topic": x.topic, "homework": x.homework, "cancelled": x.cancelled,
        },
    )  # fmt: skip


def attendance(
    s: Session,
    caller: ApiCaller,
    page: Paging,
    class_id: int | None = None,
    subject_id: int | None = None,
    updated_since: datetime | None = None,
) -> Page:
    """Absences and lateness (н б у п, and minutes late), oldest change first."""
    require(caller, "gradebook:read")
    q = (
        select(Attendance, Lesson)
        .join(Lesson, and_(Lesson.id == Attendance.lesson_id, Lesson.school_id == caller.school_id))
        .where(Attendance.school_id == caller.school_id)
    )
    if class_id is not None:
        q = q.where(Lesson.class_id == class_id)
    if subject_id is not None:
        q = q.where(Lesson.subject_id == subject_id)
    if updated_since is not None:
        q = q.where(Attendance.updated_at > updated_since)
    rows = list(s.exec(q.order_by(Attendance.updated_at, Attendance.id).offset(page.offset).limit(page.limit + 1)))
    return _page(
        rows,
        page,
        lambda r: {
            "id": r[0].id, "pupil_id": r[0].pupil_id, "lesson_id": r[0].lesson_id, "class_id": r[1].class_id,
            "subject_id": r[1].subject_id, "date": _iso(r[1].date), "lesson_number": r[1].number,
            "code": r[0].code, "late_minutes": r[0].late_minutes, "updated_at": _iso(r[0].updated_at),
        },
    )  # fmt: skip


def period_marks(
    s: Session,
    caller: ApiCaller,
    page: Paging,
    class_id: int | None = None,
    subject_id: int | None = None,
    updated_since: datetime | None = None,
) -> Page:
    """Quarter, half-year, year, exam and final marks set (a value or «н/а», «осв», «зач», «незач»)."""
    require(caller, "gradebook:read")
    q = select(PeriodMark).where(
        PeriodMark.school_id == caller.school_id, or_(col(PeriodMark.value).is_not(None), PeriodMark.special != "")
    )
    if class_id is not None:
        q = q.where(PeriodMark.class_id == class_id)
    if subject_id is not None:
        q = q.where(PeriodMark.subject_id == subject_id)
    if updated_since is not None:
        q = q.where(PeriodMark.updated_at > updated_since)
    rows = list(s.exec(q.order_by(PeriodMark.updated_at, PeriodMark.id).offset(page.offset).limit(page.limit + 1)))
    return _page(
        rows,
        page,
        lambda x: {
            "id": x.id, "pupil_id": x.pupil_id, "subject_id": x.subject_id, "class_id": x.class_id,
            "academic_year_id": x.academic_year_id, "term_id": x.term_id, "kind": x.kind, "number": x.number,
            "value": x.value, "special": x.special, "updated_at": _iso(x.updated_at),
        },
    )  # fmt: skip
