"""Messages: conversations between the people of a school, who may write to whom, unread counts
(issue 17 #2).

Who may start a conversation with whom (`contacts`; `message.write` first, then the scope here):
- a parent: the teachers and the class teacher of his children's classes this year;
- a pupil, only when the director gives pupils `message.write` (/rights): the same for himself;
- staff: the staff of the school, and the parents of the pupils of the classes he teaches or leads
  (the school's leaders and clerk: every parent of the school);
- a class teacher writes to his class's parents as a group (`post_to_class`): they read it, and
  answer him one to one.

A message is plain text with at most one attachment (PDF, a picture, or an office document, told by
its content; private, downloaded through /private/message-file/{id} by the conversation's members
only — anyone else gets the same 404). It is never edited: a correction is a new message. Every
message is audited as a communication record. The unread count is one indexed count over the
conversations of the person (`ConversationMember.last_read_id`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, update
from sqlmodel import Session, col, select

from bbbms_app.models import Enrollment, Pupil, PupilGuardian, SchoolClass, TeachingAssignment, User
from bbbms_app.models._base import utcnow
from bbbms_app.models.messaging import Conversation, ConversationMember, DiaryAck, Message, NotifySettings
from bbbms_app.models.portfolio import Project, ProjectMember
from bbbms_app.services import audit, notify, private_files
from bbbms_app.services.access import Principal, visible_class_ids, visible_pupil_ids_own
from bbbms_app.services.errors import NotFound, OutOfScope, Refused
from bbbms_app.services.school import class_name, current_year

BODY_MAX = 4000
SUBJECT_MAX = 200
FILE_MAX = 10 * 1024 * 1024
STAFF_ROLES = ("director", "deputy", "teacher", "class_teacher", "clerk")
FAMILY_ROLES = frozenset({"parent", "pupil"})
PERMISSION = "message.write"


@dataclass(frozen=True)
class Attachment:
    """An uploaded file as the page read it: its bytes and the name it had on the sender's device."""

    data: bytes
    label: str


def _year_class_ids(session: Session, school_id: int) -> list[int]:
    year = current_year(session, school_id)
    if year is None:
        return []
    return list(
        session.exec(
            select(SchoolClass.id).where(SchoolClass.academic_year_id == year.id, col(SchoolClass.deleted_at).is_(None))
        ).all()
    )


def _family_classes(session: Session, principal: Principal, today: date) -> list[int]:
    """The classes of this year the principal's children (or the pupil himself) are in today."""
    pupils = visible_pupil_ids_own(session, principal)
    if not pupils or principal.school_id is None:
        return []
    this_year = _year_class_ids(session, principal.school_id)
    return sorted(
        set(
            session.exec(
                select(Enrollment.class_id).where(
                    col(Enrollment.pupil_id).in_(pupils),
                    col(Enrollment.class_id).in_(this_year),
                    Enrollment.starts_on <= today,
                    or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= today),
                )
            ).all()
        )
    )


def _teachers_of(session: Session, class_ids: list[int]) -> set[int]:
    """Staff ids of the teachers and class teachers of these classes."""
    if not class_ids:
        return set()
    taught = session.exec(
        select(TeachingAssignment.teacher_id).where(
            col(TeachingAssignment.class_id).in_(class_ids), col(TeachingAssignment.deleted_at).is_(None)
        )
    ).all()
    leads = session.exec(
        select(SchoolClass.class_teacher_id).where(
            col(SchoolClass.id).in_(class_ids), col(SchoolClass.class_teacher_id).is_not(None)
        )
    ).all()
    return {*taught, *leads}  # type: ignore[arg-type]


def _parents_of(session: Session, school_id: int, class_ids: list[int] | None, today: date) -> list[User]:
    """The parents' accounts of the pupils enrolled today in these classes (None: the whole school)."""
    q = (
        select(User)
        .join(PupilGuardian, col(PupilGuardian.guardian_id) == User.guardian_id)
        .join(Enrollment, col(Enrollment.pupil_id) == PupilGuardian.pupil_id)
        .where(
            User.school_id == school_id,
            User.role == "parent",
            col(User.is_active).is_(True),
            Enrollment.starts_on <= today,
            or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= today),
        )
    )
    if class_ids is not None:
        q = q.where(col(Enrollment.class_id).in_(class_ids))
    else:
        q = q.where(col(Enrollment.class_id).in_(_year_class_ids(session, school_id)))
    return list({u.id: u for u in session.exec(q).all()}.values())


def _contact_users(session: Session, principal: Principal, today: date) -> list[User]:
    if principal.school_id is None or not principal.can(PERMISSION):
        return []
    sid = principal.school_id
    active = (User.school_id == sid, col(User.is_active).is_(True), User.id != principal.user_id)
    if principal.role in FAMILY_ROLES:
        staff = _teachers_of(session, _family_classes(session, principal, today))
        staff |= _supervisors_of(session, principal)
        if not staff:
            return []
        return list(session.exec(select(User).where(*active, col(User.staff_id).in_(staff))).all())
    if principal.staff_id is None and principal.role not in STAFF_ROLES:
        return []
    colleagues = list(session.exec(select(User).where(*active, col(User.role).in_(STAFF_ROLES))).all())
    classes = visible_class_ids(session, principal, today)
    parents = _parents_of(session, sid, classes, today) if classes is None or classes else []
    return colleagues + parents


def _supervisors_of(session: Session, principal: Principal) -> set[int]:
    """Staff ids of the supervisors of the projects the pupil (or the parent's child) is a member
    of: a member's family may write to the supervisor, whatever class he teaches."""
    pupils = visible_pupil_ids_own(session, principal)
    if not pupils or principal.school_id is None:
        return set()
    rows = session.exec(
        select(Project.supervisor_id)
        .join(ProjectMember, col(ProjectMember.project_id) == Project.id)
        .where(col(ProjectMember.pupil_id).in_(pupils), Project.school_id == principal.school_id)
    ).all()
    return set(rows)


def may_write_to(session: Session, principal: Principal, user_id: int, today: date) -> bool:
    """Whether the principal may start a conversation with this account (the check `start` makes)."""
    return principal.can(PERMISSION) and user_id in {u.id for u in _contact_users(session, principal, today)}


def _office_hours(session: Session, user_ids: list[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = session.exec(
        select(NotifySettings.user_id, NotifySettings.office_hours).where(
            col(NotifySettings.user_id).in_(user_ids), NotifySettings.office_hours != ""
        )
    ).all()
    return dict(rows)


def contacts(session: Session, principal: Principal, today: date) -> list[dict[str, str]]:
    """Whom the principal may start a conversation with: id, name, role, office hours; by name."""
    users = sorted(_contact_users(session, principal, today), key=lambda u: (u.full_name or u.username).casefold())
    hours = _office_hours(session, [u.id for u in users])  # type: ignore[misc]
    return [
        {"id": str(u.id), "name": u.full_name or u.username, "role": u.role, "office_hours": hours.get(u.id, "")}  # type: ignore[arg-type]
        for u in users
    ]


def _clean(body: str) -> str:
    body = (body or "").strip()
    if len(body) > BODY_MAX:
        raise Refused("msg.error.too_long", field="body", max=BODY_MAX)
    return body


def _add(
    session: Session, principal: Principal, conv: Conversation, body: str, attachment: Attachment | None
) -> Message:
    body = _clean(body)
    if not body and attachment is None:
        raise Refused("msg.error.empty", field="body")
    stored = None
    if attachment is not None:
        stored = private_files.store("messages", conv.school_id, attachment.data, max_bytes=FILE_MAX, office=True)
    m = Message(
        conversation_id=conv.id,  # type: ignore[arg-type]
        author_id=principal.user_id,
        author_name=principal.full_name or principal.username,
        body=body,
        file_name=stored.name if stored else "",
        file_sha256=stored.sha256 if stored else "",
        file_type=stored.content_type if stored else "",
        file_label=(attachment.label or "file")[:200] if attachment else "",
    )
    session.add(m)
    conv.last_message_at = utcnow()
    session.add(conv)
    session.flush()
    # The author has read his own message.
    session.execute(
        update(ConversationMember)
        .where(ConversationMember.conversation_id == conv.id, ConversationMember.user_id == principal.user_id)
        .values(last_read_id=m.id)
    )
    others = list(
        session.exec(
            select(ConversationMember.user_id).where(
                ConversationMember.conversation_id == conv.id, ConversationMember.user_id != principal.user_id
            )
        ).all()
    )
    audit.record(
        session,
        principal,
        "create",
        "message",
        m.id,
        new=f"→ {conv.kind} {conv.id} ({len(others)}): {body[:300]}" + (f" [{m.file_label}]" if stored else ""),
        school_id=conv.school_id,
    )
    notify.queue(
        session,
        others,
        "message",
        f"msg:{m.id}",
        {"from": m.author_name, "text": body[:300], "conversation": conv.id},
        school_id=conv.school_id,
    )
    return m


def start(
    session: Session,
    principal: Principal,
    to_user_id: int,
    body: str,
    today: date,
    *,
    subject: str = "",
    attachment: Attachment | None = None,
) -> Conversation:
    """Write to one person the principal may write to: into their one-to-one conversation (made
    the first time). Refused: OutOfScope for anyone outside `contacts`."""
    if not principal.can(PERMISSION):
        raise OutOfScope(PERMISSION)
    if to_user_id not in {u.id for u in _contact_users(session, principal, today)}:
        raise OutOfScope(f"message to user {to_user_id}")
    if len(subject) > SUBJECT_MAX:
        raise Refused("msg.error.too_long", field="subject", max=SUBJECT_MAX)
    mine = select(ConversationMember.conversation_id).where(ConversationMember.user_id == principal.user_id)
    theirs = select(ConversationMember.conversation_id).where(ConversationMember.user_id == to_user_id)
    conv = session.exec(
        select(Conversation).where(
            Conversation.kind == "direct", col(Conversation.id).in_(mine), col(Conversation.id).in_(theirs)
        )
    ).first()
    if conv is None:
        conv = Conversation(
            school_id=principal.school_id,  # type: ignore[arg-type]
            kind="direct",
            started_by=principal.user_id,
            subject=subject.strip(),
        )
        session.add(conv)
        session.flush()
        session.add(ConversationMember(conversation_id=conv.id, user_id=principal.user_id))  # type: ignore[arg-type]
        session.add(ConversationMember(conversation_id=conv.id, user_id=to_user_id))  # type: ignore[arg-type]
        session.flush()
    _add(session, principal, conv, body, attachment)
    return conv


def _membership(
    session: Session, principal: Principal, conversation_id: int
) -> tuple[Conversation, ConversationMember]:
    row = session.exec(
        select(Conversation, ConversationMember)
        .join(ConversationMember, col(ConversationMember.conversation_id) == Conversation.id)
        .where(Conversation.id == conversation_id, ConversationMember.user_id == principal.user_id)
    ).first()
    if row is None:
        raise NotFound(f"conversation {conversation_id}")
    return row[0], row[1]


def reply(
    session: Session, principal: Principal, conversation_id: int, body: str, *, attachment: Attachment | None = None
) -> Message:
    """Follow up in a conversation the principal is a member of and may write in."""
    if not principal.can(PERMISSION):
        raise OutOfScope(PERMISSION)
    conv, member = _membership(session, principal, conversation_id)
    if not member.can_write:
        raise OutOfScope(f"conversation {conversation_id} is read-only for him")
    return _add(session, principal, conv, body, attachment)


def led_classes(session: Session, principal: Principal) -> list[dict[str, str]]:
    """The classes of this year the principal leads (their parents are his group)."""
    if principal.staff_id is None or principal.school_id is None or not principal.can(PERMISSION):
        return []
    ids = _year_class_ids(session, principal.school_id)
    rows = session.exec(
        select(SchoolClass)
        .where(col(SchoolClass.id).in_(ids), SchoolClass.class_teacher_id == principal.staff_id)
        .order_by(SchoolClass.grade, SchoolClass.letter)
    ).all()
    return [{"id": str(c.id), "name": class_name(c.grade, c.letter)} for c in rows]


def post_to_class(
    session: Session,
    principal: Principal,
    class_id: int,
    body: str,
    today: date,
    *,
    attachment: Attachment | None = None,
) -> Conversation:
    """The class teacher writes to his class's parents as a group; the parents enrolled today join it."""
    if class_id not in {int(c["id"]) for c in led_classes(session, principal)}:
        raise OutOfScope(f"class group {class_id}")
    conv = session.exec(
        select(Conversation).where(Conversation.kind == "class", Conversation.class_id == class_id)
    ).first()
    if conv is None:
        klass = session.get(SchoolClass, class_id)
        conv = Conversation(
            school_id=principal.school_id,  # type: ignore[arg-type]
            kind="class",
            class_id=class_id,
            started_by=principal.user_id,
            subject=class_name(klass.grade, klass.letter) if klass else "",
        )
        session.add(conv)
        session.flush()
    present = set(
        session.exec(select(ConversationMember.user_id).where(ConversationMember.conversation_id == conv.id)).all()
    )
    wanted = [principal.user_id] + [u.id for u in _parents_of(session, principal.school_id, [class_id], today)]  # type: ignore[arg-type, list-item]
    for uid in wanted:
        if uid not in present:
            session.add(ConversationMember(conversation_id=conv.id, user_id=uid, can_write=uid == principal.user_id))  # type: ignore[arg-type]
    session.flush()
    _add(session, principal, conv, body, attachment)
    return conv


def _unread_q(user_id: int):
    return (
        select(Message.conversation_id, func.count())
        .join(
            ConversationMember,
            and_(
                col(ConversationMember.conversation_id) == Message.conversation_id,
                col(Message.id) > ConversationMember.last_read_id,
            ),
        )
        .where(ConversationMember.user_id == user_id, Message.author_id != user_id)
        .group_by(Message.conversation_id)
    )


def unread_count(session: Session, principal: Principal) -> int:
    """How many messages written to the principal he has not yet seen (one indexed count)."""
    return (
        session.exec(
            select(func.count())
            .select_from(Message)
            .join(
                ConversationMember,
                and_(
                    col(ConversationMember.conversation_id) == Message.conversation_id,
                    col(Message.id) > ConversationMember.last_read_id,
                ),
            )
            .where(ConversationMember.user_id == principal.user_id, Message.author_id != principal.user_id)
        ).one()
        or 0
    )


def conversations(session: Session, principal: Principal, limit: int = 50) -> list[dict[str, str]]:
    """The principal's conversations, newest first: who is on the other side, the last message, unread."""
    mine = list(
        session.exec(
            select(Conversation)
            .join(ConversationMember, col(ConversationMember.conversation_id) == Conversation.id)
            .where(ConversationMember.user_id == principal.user_id)
            .order_by(col(Conversation.last_message_at).desc(), col(Conversation.id).desc())
            .limit(limit)
        ).all()
    )
    if not mine:
        return []
    ids = [c.id for c in mine]
    unread = dict(session.exec(_unread_q(principal.user_id).where(col(Message.conversation_id).in_(ids))).all())
    others: dict[int, list[str]] = {}
    for cid, name, username in session.exec(
        select(ConversationMember.conversation_id, User.full_name, User.username)
        .join(User, col(User.id) == ConversationMember.user_id)
        .where(col(ConversationMember.conversation_id).in_(ids), ConversationMember.user_id != principal.user_id)
    ).all():
        others.setdefault(cid, []).append(name or username)
    last_ids = session.exec(
        select(func.max(Message.id)).where(col(Message.conversation_id).in_(ids)).group_by(Message.conversation_id)
    ).all()
    last = {m.conversation_id: m for m in session.exec(select(Message).where(col(Message.id).in_(last_ids))).all()}
    rows = []
    for c in mine:
        m = last.get(c.id)  # type: ignore[arg-type]
        names = others.get(c.id, [])  # type: ignore[arg-type]
        title = c.subject if c.kind == "class" else ", ".join(names)
        rows.append(
            {
                "id": str(c.id),
                "kind": c.kind,
                "title": title,
                "members": str(len(names)),
                "last": (m.body[:80] if m and m.body else (m.file_label if m else "")),
                "at": _when(m.created_at) if m else "",
                "unread": str(unread.get(c.id, 0)),
            }
        )
    return rows


def _when(at) -> str:
    from bbbms_app.services.school_events import school_zone

    return at.astimezone(school_zone()).strftime("%d.%m.%Y %H:%M") if at.tzinfo else at.strftime("%d.%m.%Y %H:%M")


def file_url(message_id: int) -> str:
    return f"/private/message-file/{message_id}"


def thread(session: Session, principal: Principal, conversation_id: int, limit: int = 200) -> dict:
    """A conversation's messages (oldest first, the newest `limit`) for a member; opening it marks
    everything in it read. Its header tells whether he may write and the other side's office hours."""
    conv, member = _membership(session, principal, conversation_id)
    msgs = list(
        session.exec(
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(col(Message.id).desc())
            .limit(limit)
        ).all()
    )[::-1]
    if msgs and msgs[-1].id > member.last_read_id:  # type: ignore[operator]
        notify.messages_seen(session, principal.user_id, [m.id for m in msgs if m.id > member.last_read_id])  # type: ignore[misc, operator]
        member.last_read_id = msgs[-1].id  # type: ignore[assignment]
        session.add(member)
    other_ids = list(
        session.exec(
            select(ConversationMember.user_id).where(
                ConversationMember.conversation_id == conversation_id, ConversationMember.user_id != principal.user_id
            )
        ).all()
    )
    hours = _office_hours(session, other_ids) if conv.kind == "direct" else {}
    return {
        "kind": conv.kind,
        "can_write": member.can_write and principal.can(PERMISSION),
        "office_hours": "; ".join(h for h in hours.values() if h),
        "messages": [
            {
                "id": str(m.id),
                "mine": "1" if m.author_id == principal.user_id else "",
                "author": m.author_name,
                "body": m.body,
                "at": _when(m.created_at),
                "file": m.file_label,
                "url": file_url(m.id) if m.file_name else "",  # type: ignore[arg-type]
            }
            for m in msgs
        ],
    }


def attachment_for(session: Session, principal: Principal, message_id: object) -> Message:
    """The message whose file a member of its conversation downloads; NotFound for anyone else."""
    try:
        mid = int(message_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise NotFound("message file") from None
    m = session.get(Message, mid)
    if m is None or not m.file_name:
        raise NotFound(f"message file {mid}")
    _membership(session, principal, m.conversation_id)
    return m


def office_hours(session: Session, principal: Principal) -> str:
    row = session.exec(select(NotifySettings.office_hours).where(NotifySettings.user_id == principal.user_id)).first()
    return row or ""


def set_office_hours(session: Session, principal: Principal, text: str) -> None:
    """A member of staff's note of when parents may reach him (shown beside his name)."""
    if principal.role in FAMILY_ROLES or principal.staff_id is None:
        raise OutOfScope("office hours")
    text = (text or "").strip()
    if len(text) > 300:
        raise Refused("msg.error.too_long", field="office_hours", max=300)
    row = notify.settings_row(session, principal.user_id)
    old = row.office_hours
    row.office_hours = text
    session.add(row)
    audit.record(session, principal, "update", "notifysettings", row.id, field="office_hours", old=old, new=text)


# ---------------------------------------------------------------- the weekly «I have seen the diary»


def week_of(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def children_to_ack(session: Session, principal: Principal, today: date) -> list[dict[str, str]]:
    """A parent's children with whether he has acknowledged this week's diary for each."""
    if principal.role != "parent":
        return []
    pupils = visible_pupil_ids_own(session, principal)
    if not pupils:
        return []
    done = set(
        session.exec(
            select(DiaryAck.pupil_id).where(DiaryAck.user_id == principal.user_id, DiaryAck.week == week_of(today))
        ).all()
    )
    rows = session.exec(select(Pupil).where(col(Pupil.id).in_(pupils)).order_by(Pupil.first_name)).all()
    return [
        {"id": str(p.id), "name": f"{p.first_name} {p.last_name}", "done": "1" if p.id in done else ""} for p in rows
    ]


def acknowledge_week(session: Session, principal: Principal, pupil_id: int, today: date) -> bool:
    """A parent has seen this week's diary of his child (audited once); False when already done."""
    if principal.role != "parent" or pupil_id not in visible_pupil_ids_own(session, principal):
        raise OutOfScope(f"diary of pupil {pupil_id}")
    week = week_of(today)
    hit = session.exec(
        select(DiaryAck.id).where(
            DiaryAck.pupil_id == pupil_id, DiaryAck.user_id == principal.user_id, DiaryAck.week == week
        )
    ).first()
    if hit is not None:
        return False
    row = DiaryAck(pupil_id=pupil_id, user_id=principal.user_id, week=week)
    session.add(row)
    session.flush()
    audit.record(session, principal, "create", "diaryack", row.id, new=week.strftime("%d.%m.%Y"), pupil_id=pupil_id)
    return True


def class_acks(session: Session, principal: Principal, today: date) -> list[dict[str, str]]:
    """For a class teacher: each pupil of the classes he leads, and who of the family has seen the
    week's diary (names), this week."""
    classes = [int(c["id"]) for c in led_classes(session, principal)]
    if not classes:
        return []
    enrolled = session.exec(
        select(Pupil, SchoolClass)
        .join(Enrollment, col(Enrollment.pupil_id) == Pupil.id)
        .join(SchoolClass, col(SchoolClass.id) == Enrollment.class_id)
        .where(
            col(Enrollment.class_id).in_(classes),
            Enrollment.starts_on <= today,
            or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= today),
        )
        .order_by(SchoolClass.grade, SchoolClass.letter, Pupil.last_name, Pupil.first_name)
    ).all()
    ids = [p.id for p, _c in enrolled]
    seen: dict[int, list[str]] = {}
    for pid, name, username in session.exec(
        select(DiaryAck.pupil_id, User.full_name, User.username)
        .join(User, col(User.id) == DiaryAck.user_id)
        .where(DiaryAck.week == week_of(today), col(DiaryAck.pupil_id).in_(ids))
    ).all():
        seen.setdefault(pid, []).append(name or username)
    return [
        {
            "name": f"{p.last_name} {p.first_name}",
            "class": class_name(c.grade, c.letter),
            "seen_by": ", ".join(seen.get(p.id, [])),  # type: ignore[arg-type]
        }
        for p, c in enrolled
    ]
