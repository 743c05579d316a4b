"""Announcements: who may write to whom, who receives what, and who has read it (issue 17 #1).

An announcement goes to an *audience* — the whole school, one parallel (every class of a grade in
the current year), one class, or one role — and within it to a *reach*: everybody, its staff, its
parents, its pupils, or its families (parents and pupils). The body is plain text: pages show it
as text (line breaks kept), never as HTML or markdown.

Who may write (`announcement.write`, then the scope here): the director and the deputy to any
audience of their school; anyone else with the permission (by default the class teacher) only to
a class he is the class teacher of, and only to its parents, pupils or families.

Who receives: an announcement published (publish_on ≤ today), not expired (expires_on ≥ today or
none) and not withdrawn, addressed to him:
- school: everyone whose kind (staff / parent / pupil) the reach admits;
- grade / class: a parent or pupil whose child (himself) is enrolled today in a class of that grade /
  that class; a member of staff who teaches or leads such a class this year;
- role: everyone of that role (`teacher` covers class teachers);
- people: the named users (AnnouncementRecipient) — the director and deputy name any member of
  staff of their school, a class teacher the parents and pupils of his class.
The director and deputy see every announcement of their school on /announcements (not in their feed).

Attachments: files checked by size and content (PDF, images, office documents), staged privately
while the form is open (`stage_attachment`), moved into the private «documents» folder when the
announcement is posted, and downloaded through `/private/announcement-file/{id}` by whoever
receives the announcement today and by those who manage it (`attachment_for`); anyone else 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, false, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from bbbms_app.models import Enrollment, PupilGuardian, SchoolClass, TeachingAssignment, User
from bbbms_app.models._base import utcnow
from bbbms_app.models.communication import (
    ANNOUNCEMENT_AUDIENCES,
    AUDIENCE_ROLES,
    AUDIENCES,
    REACHES,
    Announcement,
    AnnouncementAttachment,
    AnnouncementRead,
    AnnouncementRecipient,
    SchoolEvent,
)
from bbbms_app.services import audit, private_files
from bbbms_app.services.access import Principal, visible_pupil_ids_own
from bbbms_app.services.errors import NotFound, OutOfScope, Refused
from bbbms_app.services.school import class_name, current_year

SCHOOL_WRITERS = frozenset({"director", "deputy"})
CLASS_REACHES = ("families", "parents", "pupils")
FAMILY_ROLES = frozenset({"parent", "pupil"})
TITLE_MAX = 200
GRADES = [str(g) for g in range(1, 12)]
BODY_MAX = 4000
PEOPLE_MAX = 50
FILES_MAX = 5
FILE_BYTES = 10 * 1024 * 1024
FILE_ROUTE = "/private/announcement-file"
STAFF_ROLES = ("administrator", "director", "deputy", "teacher", "class_teacher", "clerk")


@dataclass(frozen=True)
class Attachment:
    """A file staged for an announcement (services.private_files' «staging» folder)."""

    name: str
    sha256: str
    size: int
    content_type: str
    original_name: str = ""


@dataclass(frozen=True)
class Draft:
    """What the write form sends, already parsed into Python values by the page."""

    title: str
    body: str
    audience: str = "school"
    reach: str = "all"
    grade: int | None = None
    class_id: int | None = None
    role: str = ""
    pinned: bool = False
    publish_on: date | None = None
    expires_on: date | None = None
    people: tuple[int, ...] = ()  # the audience «people»: user ids
    attachments: tuple[Attachment, ...] = ()


def _kind(role: str) -> str:
    """Which reach admits this role: parents, pupils, or staff."""
    return {"parent": "parents", "pupil": "pupils"}.get(role, "staff")


def _reaches_for(role: str) -> tuple[str, ...]:
    kind = _kind(role)
    return ("all", kind, "families") if kind in ("parents", "pupils") else ("all", kind)


def _roles_for(role: str) -> tuple[str, ...]:
    return ("teacher", "class_teacher") if role == "class_teacher" else (role,)


def writes_school(principal: Principal) -> bool:
    """Whether the principal writes to the whole school (the director, the deputy)."""
    return principal.role in SCHOOL_WRITERS and principal.can("announcement.write")


def led_classes(session: Session, principal: Principal) -> list[SchoolClass]:
    """The classes of the current year the principal is the class teacher of."""
    if principal.staff_id is None or principal.school_id is None:
        return []
    year = current_year(session, principal.school_id)
    if year is None:
        return []
    return list(
        session.exec(
            select(SchoolClass)
            .where(
                SchoolClass.academic_year_id == year.id,
                SchoolClass.class_teacher_id == principal.staff_id,
                col(SchoolClass.deleted_at).is_(None),
            )
            .order_by(SchoolClass.grade, SchoolClass.letter)
        ).all()
    )


def class_options(session: Session, principal: Principal) -> list[dict[str, str]]:
    """The classes the principal may address: every class of the year for the school's writers, his own otherwise."""
    if writes_school(principal) and principal.school_id is not None:
        year = current_year(session, principal.school_id)
        classes = (
            session.exec(
                select(SchoolClass)
                .where(SchoolClass.academic_year_id == year.id, col(SchoolClass.deleted_at).is_(None))
                .order_by(SchoolClass.grade, SchoolClass.letter)
            ).all()
            if year is not None
            else []
        )
    else:
        classes = led_classes(session, principal)
    return [{"id": str(c.id), "name": class_name(c.grade, c.letter)} for c in classes]


def _current_classes(session: Session, principal: Principal, today: date) -> tuple[set[int], set[int]]:
    """The class ids and grades the principal belongs to today: his children's (or his own) classes,
    or the classes of the current year a member of staff teaches or leads."""
    if principal.school_id is None:
        return set(), set()
    if principal.role in FAMILY_ROLES:
        pupils = visible_pupil_ids_own(session, principal)
        if not pupils:
            return set(), set()
        rows = session.exec(
            select(SchoolClass.id, SchoolClass.grade)
            .join(Enrollment, col(Enrollment.class_id) == SchoolClass.id)
            .where(
                col(Enrollment.pupil_id).in_(pupils),
                Enrollment.starts_on <= today,
                or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= today),
                SchoolClass.school_id == principal.school_id,
            )
        ).all()
    else:
        if principal.staff_id is None:
            return set(), set()
        year = current_year(session, principal.school_id)
        if year is None:
            return set(), set()
        taught = select(TeachingAssignment.class_id).where(
            TeachingAssignment.teacher_id == principal.staff_id, col(TeachingAssignment.deleted_at).is_(None)
        )
        rows = session.exec(
            select(SchoolClass.id, SchoolClass.grade).where(
                SchoolClass.academic_year_id == year.id,
                col(SchoolClass.deleted_at).is_(None),
                or_(SchoolClass.class_teacher_id == principal.staff_id, col(SchoolClass.id).in_(taught)),
            )
        ).all()
    return {r[0] for r in rows}, {r[1] for r in rows}


def addressed(model, session: Session, principal: Principal, today: date):
    """The WHERE clause of the rows of `model` (Announcement, SchoolEvent: the same audience
    columns) addressed to the principal and not withdrawn; dates are the caller's."""
    classes, grades = _current_classes(session, principal, today)
    named = (
        and_(
            model.audience == "people",
            exists().where(
                AnnouncementRecipient.announcement_id == model.id, AnnouncementRecipient.user_id == principal.user_id
            ),
        )
        if model is Announcement
        else false()
    )
    return and_(
        model.school_id == principal.school_id,
        col(model.withdrawn_at).is_(None),
        col(model.reach).in_(_reaches_for(principal.role)),
        or_(
            model.audience == "school",
            and_(model.audience == "grade", col(model.grade).in_(grades)) if grades else false(),
            and_(model.audience == "class", col(model.class_id).in_(classes)) if classes else false(),
            and_(model.audience == "role", col(model.role).in_(_roles_for(principal.role))),
            named,
        ),
    )


def _addressed_to(session: Session, principal: Principal, today: date):
    """The announcements addressed to the principal and current today."""
    return and_(
        addressed(Announcement, session, principal, today),
        Announcement.publish_on <= today,
        or_(col(Announcement.expires_on).is_(None), col(Announcement.expires_on) >= today),
    )


def audience_label(a: Announcement | SchoolEvent, names: dict[int, str]) -> dict[str, str]:
    """Codes the page translates: the audience, its detail (a grade, a class, a role) and the reach."""
    detail = ""
    if a.audience == "grade":
        detail = str(a.grade)
    elif a.audience == "class" and a.class_id is not None:
        detail = names.get(a.class_id, "")
    elif a.audience == "role":
        detail = a.role
    return {"audience": a.audience, "detail": detail, "reach": a.reach}


def class_names(session: Session, rows: list) -> dict[int, str]:
    ids = {a.class_id for a in rows if a.class_id is not None}
    if not ids:
        return {}
    found = session.exec(
        select(SchoolClass.id, SchoolClass.grade, SchoolClass.letter).where(col(SchoolClass.id).in_(ids))
    )
    return {i: class_name(g, ltr) for i, g, ltr in found.all()}


def files_of(session: Session, ids: list) -> dict[int, str]:
    """Each announcement's attachments as one text the page splits: «id<TAB>name» per line."""
    out: dict[int, list[str]] = {}
    if ids:
        for aid, fid, name in session.exec(
            select(
                AnnouncementAttachment.announcement_id, AnnouncementAttachment.id, AnnouncementAttachment.original_name
            )
            .where(col(AnnouncementAttachment.announcement_id).in_(ids))
            .order_by(col(AnnouncementAttachment.id))
        ).all():
            out.setdefault(aid, []).append(f"{fid}\t{name or fid}")
    return {k: "\n".join(v) for k, v in out.items()}


def _row(a: Announcement, names: dict[int, str], files: dict[int, str] | None = None) -> dict[str, str]:
    return {
        "files": (files or {}).get(a.id, ""),  # type: ignore[arg-type]
        "id": str(a.id),
        "title": a.title,
        "body": a.body,
        "author": a.author_name,
        "pinned": "1" if a.pinned else "",
        "publish_on": a.publish_on.strftime("%d.%m.%Y"),
        "expires_on": a.expires_on.strftime("%d.%m.%Y") if a.expires_on else "",
        **audience_label(a, names),
    }


def feed(session: Session, principal: Principal, today: date, limit: int = 20) -> list[dict[str, str]]:
    """The announcements addressed to the principal today, pinned first, then the newest; `read` is
    "1" for those he has opened."""
    if principal.school_id is None:
        return []
    rows = list(
        session.exec(
            select(Announcement)
            .where(_addressed_to(session, principal, today))
            .order_by(col(Announcement.pinned).desc(), col(Announcement.publish_on).desc(), col(Announcement.id).desc())
            .limit(limit)
        ).all()
    )
    read = set(
        session.exec(
            select(AnnouncementRead.announcement_id).where(
                AnnouncementRead.user_id == principal.user_id,
                col(AnnouncementRead.announcement_id).in_([a.id for a in rows]),
            )
        ).all()
    )
    names = class_names(session, rows)
    files = files_of(session, [a.id for a in rows])
    return [{**_row(a, names, files), "read": "1" if a.id in read else ""} for a in rows]


def mark_read(session: Session, principal: Principal, announcement_id: int, today: date) -> bool:
    """Record that the principal opened an announcement addressed to him; True when it was new to him.

    Opening it again changes nothing (one receipt per person, its first time kept)."""
    hit = session.exec(
        select(Announcement.id).where(Announcement.id == announcement_id, _addressed_to(session, principal, today))
    ).first()
    if hit is None:
        raise NotFound(f"announcement {announcement_id}")
    seen = session.exec(
        select(AnnouncementRead.id).where(
            AnnouncementRead.announcement_id == announcement_id, AnnouncementRead.user_id == principal.user_id
        )
    ).first()
    if seen is not None:
        return False
    try:
        with session.begin_nested():  # another tab of his may have recorded it a moment ago
            session.add(AnnouncementRead(announcement_id=announcement_id, user_id=principal.user_id))
    except IntegrityError:
        return False
    return True


def check_audience(
    session: Session,
    principal: Principal,
    permission: str,
    *,
    audience: str,
    reach: str,
    grade: int | None,
    class_id: int | None,
    role: str,
) -> None:
    """Refuse an audience the principal may not address (an announcement's, an event's) or whose
    values do not hold together."""
    if principal.school_id is None or not principal.can(permission):
        raise OutOfScope(permission)
    if audience not in AUDIENCES or reach not in REACHES:
        raise Refused("comm.error.audience", field="audience")
    if audience == "grade" and (grade is None or not 1 <= grade <= 12):
        raise Refused("comm.error.grade", field="grade")
    if audience == "role" and role not in AUDIENCE_ROLES:
        raise Refused("comm.error.role", field="role")
    if audience == "class":
        if class_id is None:
            raise Refused("comm.error.class", field="class_id")
        school = session.exec(select(SchoolClass.school_id).where(SchoolClass.id == class_id)).first()
        if school != principal.school_id:
            raise NotFound(f"class {class_id}")
    if principal.role in SCHOOL_WRITERS:
        return
    # A class teacher: his own class's families only.
    if audience != "class" or reach not in CLASS_REACHES:
        raise OutOfScope(f"{permission} to {audience}/{reach}")
    if class_id not in {c.id for c in led_classes(session, principal)}:
        raise OutOfScope(f"{permission} to class {class_id}")


def _check(session: Session, principal: Principal, draft: Draft, today: date) -> None:
    """Refuse a draft the principal may not send, or whose values do not hold together."""
    if principal.school_id is None or not principal.can("announcement.write"):
        raise OutOfScope("announcement.write")
    if not draft.title.strip():
        raise Refused("comm.error.title", field="title")
    if len(draft.title) > TITLE_MAX or len(draft.body) > BODY_MAX:
        raise Refused("comm.error.too_long", field="body", max=BODY_MAX)
    if draft.audience not in ANNOUNCEMENT_AUDIENCES or draft.reach not in REACHES:
        raise Refused("comm.error.audience", field="audience")
    if draft.publish_on is None:
        raise Refused("comm.error.publish_on", field="publish_on")
    if draft.expires_on is not None and draft.expires_on < max(draft.publish_on, today):
        raise Refused("comm.error.expires_on", field="expires_on")
    if len(draft.attachments) > FILES_MAX:
        raise Refused("comm.error.files", field="files", n=FILES_MAX)
    if draft.audience == "people":
        _check_people(session, principal, draft.people, today)
        return
    check_audience(
        session,
        principal,
        "announcement.write",
        audience=draft.audience,
        reach=draft.reach,
        grade=draft.grade,
        class_id=draft.class_id,
        role=draft.role,
    )


def people_options(session: Session, principal: Principal, today: date) -> list[dict[str, str]]:
    """Whom the principal may name: the school's writers any member of staff of their school (and
    the families of a class they lead), a class teacher the parents and pupils of his class."""
    if principal.school_id is None or not principal.can("announcement.write"):
        return []
    q = select(User.id, User.full_name, User.username).where(
        User.school_id == principal.school_id, col(User.is_active).is_(True)
    )
    families = _family_users(session, principal, today)
    if writes_school(principal):
        q = q.where(or_(col(User.role).in_(STAFF_ROLES), col(User.id).in_(families or [-1])))
    else:
        q = q.where(col(User.id).in_(families or [-1]))
    rows = session.exec(q).all()
    return sorted(({"id": str(i), "name": n or u} for i, n, u in rows), key=lambda o: o["name"])


def _family_users(session: Session, principal: Principal, today: date) -> list[int]:
    """The accounts of the parents and pupils of the classes the principal leads, enrolled today."""
    led = [c.id for c in led_classes(session, principal)]
    if not led:
        return []
    pupils = select(Enrollment.pupil_id).where(
        col(Enrollment.class_id).in_(led),
        Enrollment.starts_on <= today,
        or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= today),
    )
    guardians = select(PupilGuardian.guardian_id).where(col(PupilGuardian.pupil_id).in_(pupils))
    return list(
        session.exec(
            select(User.id).where(
                User.school_id == principal.school_id,
                or_(col(User.pupil_id).in_(pupils), col(User.guardian_id).in_(guardians)),
            )
        ).all()
    )


def _check_people(session: Session, principal: Principal, people: tuple[int, ...], today: date) -> None:
    if not people:
        raise Refused("comm.error.people", field="people")
    if len(set(people)) > PEOPLE_MAX:
        raise Refused("comm.error.too_many_people", field="people", n=PEOPLE_MAX)
    allowed = {int(o["id"]) for o in people_options(session, principal, today)}
    outside = set(people) - allowed
    if outside:
        raise OutOfScope(f"announcement.write to users {sorted(outside)[:5]}")


def stage_attachment(principal: Principal, data: bytes, original_name: str) -> Attachment:
    """Check an uploaded file (size, type by content) and keep it in private staging until the
    announcement is posted (staging is swept after a day)."""
    if principal.school_id is None or not principal.can("announcement.write"):
        raise OutOfScope("announcement.write")
    stored = private_files.store("staging", principal.school_id, data, max_bytes=FILE_BYTES, office=True)
    name = " ".join(original_name.replace("/", " ").replace("\\", " ").split())[:200]
    return Attachment(stored.name, stored.sha256, stored.size, stored.content_type, name)


def _attach(session: Session, principal: Principal, a: Announcement, files: tuple[Attachment, ...]) -> None:
    for f in files:
        if private_files.export_owner(f.name) != principal.school_id:  # staged for another school
            raise OutOfScope(f"attachment {f.name[:40]}")
        if private_files.read_verified("staging", f.name, f.sha256) is None:
            raise Refused("comm.error.file_gone", field="files")
    for f in files:
        private_files.move("staging", f.name, "documents")
        row = AnnouncementAttachment(
            announcement_id=a.id,  # type: ignore[arg-type]
            file_name=f.name,
            original_name=f.original_name,
            sha256=f.sha256,
            size=f.size,
            content_type=f.content_type,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            principal,
            "create",
            "announcement_file",
            row.id,
            field=f"announcement:{a.id}",
            new=f"{f.content_type} {f.size} B sha256 {f.sha256[:16]}",
        )


def attachment_for(
    session: Session, principal: Principal, attachment_id: object, today: date
) -> tuple[AnnouncementAttachment, Announcement]:
    """An attachment for its download: by whoever receives its announcement today, or manages it."""
    try:
        fid = int(attachment_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NotFound("announcement file") from None
    f = session.get(AnnouncementAttachment, fid)
    if f is None:
        raise NotFound(f"announcement file {fid}")
    a = session.get(Announcement, f.announcement_id)
    if a is None or a.school_id != principal.school_id:
        raise NotFound(f"announcement file {fid}")
    if a.author_id == principal.user_id or writes_school(principal):
        return f, a
    hit = session.exec(
        select(Announcement.id).where(Announcement.id == a.id, _addressed_to(session, principal, today))
    ).first()
    if hit is None:
        raise NotFound(f"announcement file {fid}")
    return f, a


def post(session: Session, principal: Principal, draft: Draft, today: date) -> Announcement:
    """Write an announcement (audited); refused as `_check` says."""
    _check(session, principal, draft, today)
    a = Announcement(
        school_id=principal.school_id,  # type: ignore[arg-type]
        author_id=principal.user_id,
        author_name=principal.full_name or principal.username,
        title=draft.title.strip(),
        body=draft.body.strip(),
        audience=draft.audience,
        grade=draft.grade if draft.audience == "grade" else None,
        class_id=draft.class_id if draft.audience == "class" else None,
        role=draft.role if draft.audience == "role" else "",
        reach="all" if draft.audience == "people" else draft.reach,
        pinned=draft.pinned,
        publish_on=draft.publish_on,  # type: ignore[arg-type]
        expires_on=draft.expires_on,
    )
    session.add(a)
    session.flush()
    if draft.audience == "people":
        for uid in sorted(set(draft.people)):
            session.add(AnnouncementRecipient(announcement_id=a.id, user_id=uid))  # type: ignore[arg-type]
    _attach(session, principal, a, draft.attachments)
    detail = audience_label(a, class_names(session, [a]))
    if draft.audience == "people":
        detail["detail"] = ",".join(str(u) for u in sorted(set(draft.people)))
    audit.record(
        session,
        principal,
        "create",
        "announcement",
        a.id,
        new=f"{a.title} → {detail['audience']} {detail['detail']} / {a.reach}",
    )
    return a


def _managed(session: Session, principal: Principal, announcement_id: int) -> Announcement:
    """An announcement the principal may manage: his own, or any of the school for its writers."""
    a = session.get(Announcement, announcement_id)
    if a is None or a.school_id != principal.school_id:
        raise NotFound(f"announcement {announcement_id}")
    if a.author_id != principal.user_id and not writes_school(principal):
        raise OutOfScope(f"announcement {announcement_id}")
    return a


def withdraw(session: Session, principal: Principal, announcement_id: int) -> None:
    """Take an announcement back: no recipient sees it any more; the row and its receipts stay."""
    a = _managed(session, principal, announcement_id)
    if a.withdrawn_at is not None:
        return
    a.withdrawn_at = utcnow()
    session.add(a)
    audit.record(session, principal, "delete", "announcement", a.id, old=a.title, reason="withdrawn")


def written(session: Session, principal: Principal, limit: int = 50) -> list[dict[str, str]]:
    """What the principal wrote (the school's writers: everything of the school), newest first,
    with how many have read each one and their names."""
    if principal.school_id is None:
        return []
    q = select(Announcement).where(Announcement.school_id == principal.school_id)
    if not writes_school(principal):
        q = q.where(Announcement.author_id == principal.user_id)
    rows = list(
        session.exec(q.order_by(col(Announcement.created_at).desc(), col(Announcement.id).desc()).limit(limit)).all()
    )
    ids = [a.id for a in rows]
    readers: dict[int, list[str]] = {}
    if ids:
        for aid, name, username in session.exec(
            select(AnnouncementRead.announcement_id, User.full_name, User.username)
            .join(User, col(User.id) == AnnouncementRead.user_id)
            .where(col(AnnouncementRead.announcement_id).in_(ids))
            .order_by(AnnouncementRead.read_at)
        ).all():
            readers.setdefault(aid, []).append(name or username)
    names = class_names(session, rows)
    files = files_of(session, ids)
    people: dict[int, list[str]] = {}
    if ids:
        for aid, name, username in session.exec(
            select(AnnouncementRecipient.announcement_id, User.full_name, User.username)
            .join(User, col(User.id) == AnnouncementRecipient.user_id)
            .where(col(AnnouncementRecipient.announcement_id).in_(ids))
        ).all():
            people.setdefault(aid, []).append(name or username)
    return [
        {
            **_row(a, names, files),
            **({"detail": ", ".join(sorted(people.get(a.id, [])))} if a.audience == "people" else {}),  # type: ignore[arg-type]
            "withdrawn": "1" if a.withdrawn_at is not None else "",
            "read_count": str(len(readers.get(a.id, []))),  # type: ignore[arg-type]
            "readers": ", ".join(readers.get(a.id, [])),  # type: ignore[arg-type]
        }
        for a in rows
    ]


def unread_count(session: Session, principal: Principal, today: date) -> int:
    """How many announcements addressed to him today the principal has not opened."""
    if principal.school_id is None:
        return 0
    read = select(AnnouncementRead.announcement_id).where(AnnouncementRead.user_id == principal.user_id)
    return session.exec(
        select(func.count())
        .select_from(Announcement)
        .where(_addressed_to(session, principal, today), col(Announcement.id).not_in(read))
    ).one()


def offered_pick(
    field: str, value: object, *, audiences: list[str], reaches: list[str], class_ids: list[str]
) -> str | None:
    """An audience picker's value (audience, reach, grade, class, role) when the form offered it,
    else None — the announcement and the event forms pick their readers the same way."""
    allowed = {
        "audience": audiences,
        "reach": reaches,
        "grade": GRADES,
        "class_id": class_ids,
        "role": list(AUDIENCE_ROLES),
    }[field]
    return value if isinstance(value, str) and value in allowed else None
