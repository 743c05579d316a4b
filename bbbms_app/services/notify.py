"""Free notifications (issue 17 #3): what a person subscribes to, by which channel, and their
delivery — the in-app list, e-mail over SMTP, Telegram through a bot — never twice.

How an event becomes a notification (chosen: an outbox in the save's own transaction):
- the journal's save path (`services/journal/cells.save_cell`) calls `journal_event`: one prebuilt
  INSERT of a `JournalEvent` row when a mark is set or an absence or lateness is recorded — no
  look-up of who is subscribed on the hot path, and nothing lost when the job is down;
- a message (`services/messages`) calls `queue` directly (it is not the hot path);
- the job (`jobs/tasks.notify_tick`, every minute) runs `fan_out`: each pending event becomes one
  `Notification` per subscribed parent (unique per person and event key, so running it again adds
  nothing), then `dispatch`: a person's pending notifications become `Delivery` rows (one per
  channel and notification, or one per channel and digest; a unique key each) in one transaction,
  and then each delivery is sent in its own, its «sending» state committed before the channel is
  called. A delivery is sent at most once: one the channel refused is tried again by the next
  ticks (at most `MAX_ATTEMPTS` times, each outcome kept on its row); one left «sending» by a
  consumer that died mid-send is recorded as failed and not sent again.
- Quiet hours (the school's wall clock) hold single messages and digests until they end. A daily
  digest goes at `DIGEST_HOUR` or later; a weekly one on Friday from that hour.

Settings come from the environment (docs/operations.md): BBBMS_SMTP_HOST, BBBMS_SMTP_PORT,
BBBMS_SMTP_USER, BBBMS_SMTP_PASSWORD, BBBMS_SMTP_FROM, BBBMS_SMTP_STARTTLS; BBBMS_TELEGRAM_API
(https://api.telegram.org by default), BBBMS_TELEGRAM_TOKEN, BBBMS_TELEGRAM_BOT (the bot's name).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import smtplib
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import func, insert, or_, update
from sqlmodel import Session, col, select

from bbbms_app.i18n import t
from bbbms_app.models import (
    Enrollment,
    Lesson,
    Pupil,
    PupilGuardian,
    SchoolClass,
    SubgroupMember,
    Subject,
    TeachingAssignment,
    User,
)
from bbbms_app.models.communication import Announcement
from bbbms_app.models.messaging import (
    DIGESTS,
    MARK_SUBSCRIPTIONS,
    Delivery,
    JournalEvent,
    Notification,
    NotifySettings,
)
from bbbms_app.services import audit, subgroups
from bbbms_app.services.access import Principal
from bbbms_app.services.errors import Refused
from bbbms_app.services.school import current_year

MAX_ATTEMPTS = 3
DIGEST_HOUR = 18
CODE_TTL = timedelta(minutes=30)
ABSENT = frozenset({"н", "б", "у", "п"})
LATE = "о"
LOW_MARK = 2
BATCH = 500
# Which subscription field admits a kind of notification.
SUBSCRIPTION = {
    "absence": "absence",
    "late": "absence",
    "mark": "marks",
    "quarter": "quarter",
    "half_year": "quarter",  # grades 10–11: the half-year mark, under the same subscription
    "homework": "homework",
    "announcement": "announcements",
    "message": "messages",
}
KINDS = tuple(SUBSCRIPTION)
_EVENT_INSERT = insert(JournalEvent)


def _zone():
    from bbbms_app.services.school_events import school_zone

    return school_zone()


# ---------------------------------------------------------------- the journal's hook (hot path)


def journal_event(
    conn, school_id: int, pupil_id: int, lesson_id: int | None, what: str, value: str, subject_id: int | None = None
) -> None:
    """Called by the journal's save paths inside their transaction: one prebuilt INSERT, nothing else."""
    conn.execute(
        _EVENT_INSERT,
        {
            "school_id": school_id,
            "pupil_id": pupil_id,
            "lesson_id": lesson_id,
            "subject_id": subject_id,
            "what": what,
            "value": value,
            "created_at": datetime.now(UTC),
        },
    )


# ---------------------------------------------------------------- settings


@dataclass(frozen=True)
class Choices:
    """What the profile form sends, already parsed."""

    email: str = ""
    email_on: bool = False
    telegram_on: bool = False
    absence: bool = True
    marks: str = "all"
    quarter: bool = True
    homework: bool = False
    announcements: bool = True
    messages: bool = True
    digest: str = "off"
    quiet_from: time | None = None
    quiet_to: time | None = None


def settings_row(session: Session, user_id: int) -> NotifySettings:
    """The person's settings row (made with the defaults the first time)."""
    row = session.exec(select(NotifySettings).where(NotifySettings.user_id == user_id)).first()
    if row is None:
        row = NotifySettings(user_id=user_id)
        session.add(row)
        session.flush()
    return row


def choices_of(session: Session, principal: Principal) -> dict[str, str]:
    row = session.exec(select(NotifySettings).where(NotifySettings.user_id == principal.user_id)).first()
    row = row or NotifySettings(user_id=principal.user_id)
    return {
        "email": row.email,
        "email_on": "1" if row.email_on else "",
        "telegram_on": "1" if row.telegram_on else "",
        "telegram_linked": "1" if row.telegram_chat_id else "",
        "absence": "1" if row.absence else "",
        "marks": row.marks,
        "quarter": "1" if row.quarter else "",
        "homework": "1" if row.homework else "",
        "announcements": "1" if row.announcements else "",
        "messages": "1" if row.messages else "",
        "digest": row.digest,
        "quiet_from": row.quiet_from.strftime("%H:%M") if row.quiet_from else "",
        "quiet_to": row.quiet_to.strftime("%H:%M") if row.quiet_to else "",
    }


def save_choices(session: Session, principal: Principal, c: Choices) -> None:
    """Save the person's own choices (audited); refused: a bad e-mail, digest or quiet hours."""
    email = c.email.strip()
    if email and ("@" not in email or len(email) > 200 or any(ch.isspace() for ch in email)):
        raise Refused("notify.error.email", field="email")
    if c.email_on and not email:
        raise Refused("notify.error.email", field="email")
    if c.digest not in DIGESTS or c.marks not in MARK_SUBSCRIPTIONS:
        raise Refused("notify.error.choice", field="digest")
    if (c.quiet_from is None) != (c.quiet_to is None) or (c.quiet_from is not None and c.quiet_from == c.quiet_to):
        raise Refused("notify.error.quiet", field="quiet_from")
    row = settings_row(session, principal.user_id)
    if c.telegram_on and not row.telegram_chat_id:
        raise Refused("notify.error.telegram", field="telegram_on")
    before = choices_of(session, principal)
    for name in Choices.__dataclass_fields__:
        setattr(row, name, email if name == "email" else getattr(c, name))
    session.add(row)
    session.flush()
    after = choices_of(session, principal)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if changed:
        audit.record(
            session, principal, "update", "notifysettings", row.id, new=json.dumps(changed, ensure_ascii=False)
        )


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def telegram_code(session: Session, principal: Principal, now: datetime | None = None) -> str:
    """A new one-time code the person sends to the bot (`/start CODE`) to link his Telegram."""
    code = secrets.token_hex(4).upper()
    row = settings_row(session, principal.user_id)
    row.telegram_code_hash = _code_hash(code)
    row.telegram_code_until = (now or datetime.now(UTC)) + CODE_TTL
    session.add(row)
    audit.record(session, principal, "update", "notifysettings", row.id, field="telegram", new="code issued")
    return code


def telegram_unlink(session: Session, principal: Principal) -> None:
    row = settings_row(session, principal.user_id)
    row.telegram_chat_id, row.telegram_on = "", False
    session.add(row)
    audit.record(session, principal, "update", "notifysettings", row.id, field="telegram", new="unlinked")


def bot_name() -> str:
    return os.environ.get("BBBMS_TELEGRAM_BOT", "")


# ---------------------------------------------------------------- in-app list


def _subscribed(row: NotifySettings | None, kind: str, payload: dict) -> bool:
    row = row or NotifySettings(user_id=0)
    if kind == "mark":
        return row.marks == "all" or (row.marks == "low" and str(payload.get("value")) == str(LOW_MARK))
    if kind in ("quarter", "half_year"):
        return row.quarter or (row.marks == "low" and str(payload.get("value")) in (str(LOW_MARK), "н/а"))
    return bool(getattr(row, SUBSCRIPTION[kind]))


def queue(
    session: Session, user_ids: list[int], kind: str, key: str, payload: dict, *, school_id: int | None = None
) -> int:
    """One notification of `kind` per subscribed person, once per `key`; how many were added."""
    if not user_ids:
        return 0
    rows = {r.user_id: r for r in session.exec(select(NotifySettings).where(col(NotifySettings.user_id).in_(user_ids)))}
    have = set(
        session.exec(
            select(Notification.user_id).where(Notification.key == key, col(Notification.user_id).in_(user_ids))
        ).all()
    )
    added = 0
    text = json.dumps(payload, ensure_ascii=False)[:4000]
    for uid in dict.fromkeys(user_ids):
        if uid in have or not _subscribed(rows.get(uid), kind, payload):
            continue
        session.add(Notification(user_id=uid, school_id=school_id, kind=kind, key=key, payload=text))
        added += 1
    session.flush()
    return added


def render(kind: str, payload: dict, lang: str) -> str:
    """The text of one notification in the person's language."""
    p = {k: str(v) for k, v in payload.items()}
    return t(f"notify.text.{kind}", lang, **p)


def inbox(session: Session, principal: Principal, limit: int = 50) -> list[dict[str, str]]:
    rows = session.exec(
        select(Notification)
        .where(Notification.user_id == principal.user_id)
        .order_by(col(Notification.id).desc())
        .limit(limit)
    ).all()
    zone = _zone()
    return [
        {
            "id": str(n.id),
            "kind": n.kind,
            "text": render(n.kind, json.loads(n.payload), principal.language),
            "at": n.created_at.astimezone(zone).strftime("%d.%m.%Y %H:%M") if n.created_at.tzinfo else "",
            "unread": "" if n.read_at else "1",
        }
        for n in rows
    ]


def unread_count(session: Session, principal: Principal) -> int:
    """Unread notifications but those of new messages (the messages' own count tells them)."""
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.user_id == principal.user_id,
            col(Notification.read_at).is_(None),
            Notification.kind != "message",
        )
    ).one()


def messages_seen(session: Session, user_id: int, message_ids: list[int]) -> None:
    """The notifications of these messages are read once their conversation is opened."""
    if message_ids:
        session.execute(
            update(Notification)
            .where(
                Notification.user_id == user_id,
                col(Notification.read_at).is_(None),
                col(Notification.key).in_([f"msg:{i}" for i in message_ids]),
            )
            .values(read_at=datetime.now(UTC))
        )


def mark_all_read(session: Session, principal: Principal) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == principal.user_id, col(Notification.read_at).is_(None))
        .values(read_at=datetime.now(UTC))
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


# ---------------------------------------------------------------- fan-out of the journal's events


def _subject_name(s: Subject | None, lang: str) -> str:
    if s is None:
        return ""
    return {"ky": s.name_ky, "ru": s.name_ru}.get(lang, s.name_en) or s.name_ky


def fan_out(session: Session, now: datetime) -> int:
    """Turn the pending journal events into notifications for the pupils' parents; how many made.

    An absence or lateness is told only on its lesson's day (a correction of last week is not
    «absent today»); a mark whenever it is set. Clearing a mark or an absence tells nothing."""
    events = list(
        session.exec(
            select(JournalEvent).where(col(JournalEvent.done_at).is_(None)).order_by(col(JournalEvent.id)).limit(BATCH)
        ).all()
    )
    if not events:
        return 0
    today = now.astimezone(_zone()).date()
    lessons = {
        le.id: le for le in session.exec(select(Lesson).where(col(Lesson.id).in_({e.lesson_id for e in events}))).all()
    }
    subject_ids = {le.subject_id for le in lessons.values()} | {e.subject_id for e in events if e.subject_id}
    subjects = {s.id: s for s in session.exec(select(Subject).where(col(Subject.id).in_(subject_ids)))}
    pupils = {p.id: p for p in session.exec(select(Pupil).where(col(Pupil.id).in_({e.pupil_id for e in events})))}
    parents: dict[int, list[tuple[int, str]]] = {}
    for pid, uid, lang in session.exec(
        select(PupilGuardian.pupil_id, User.id, User.language)
        .join(User, col(User.guardian_id) == PupilGuardian.guardian_id)
        .where(
            col(PupilGuardian.pupil_id).in_(set(pupils)),
            User.role == "parent",
            col(User.is_active).is_(True),
        )
    ).all():
        parents.setdefault(pid, []).append((uid, lang))
    made = 0
    for e in events:
        e.done_at = now
        session.add(e)
        lesson = lessons.get(e.lesson_id) if e.lesson_id is not None else None
        pupil = pupils.get(e.pupil_id)
        if pupil is None or not e.value:
            continue
        users = [uid for uid, _lang in parents.get(e.pupil_id, [])]
        name = f"{pupil.first_name} {pupil.last_name}"
        if e.what in ("quarter", "half_year"):
            subject = _subject_name(subjects.get(e.subject_id), "ky") if e.subject_id else ""
            payload = {"pupil": name, "subject": subject, "value": e.value, "subject_id": e.subject_id}
            made += queue(session, users, e.what, f"j:{e.id}", payload, school_id=e.school_id)
            continue
        if lesson is None:
            continue
        if e.what == "attendance":
            if lesson.date != today or e.value not in ABSENT | {LATE}:
                continue
            kind = "late" if e.value == LATE else "absence"
        elif e.what == "mark":
            kind = "mark"
        else:
            continue
        payload = {
            "pupil": name,
            "subject": _subject_name(subjects.get(lesson.subject_id), "ky"),
            "date": lesson.date.strftime("%d.%m.%Y"),
            "value": e.value,
            "subject_id": lesson.subject_id,
        }
        made += queue(session, users, kind, f"j:{e.id}", payload, school_id=e.school_id)
    session.flush()
    return made


# ---------------------------------------------------------------- homework and announcements (read by the job)

HOMEWORK_HOUR = 15
_STAFF = ("director", "deputy", "teacher", "class_teacher", "clerk")
_REACH_ROLES = {
    "all": (*_STAFF, "parent", "pupil"),
    "staff": _STAFF,
    "parents": ("parent",),
    "pupils": ("pupil",),
    "families": ("parent", "pupil"),
}


def _enrolled(session: Session, class_ids: list[int], day: date) -> list[tuple[int, int]]:
    """(pupil id, class id) of the pupils enrolled in these classes on `day`."""
    if not class_ids:
        return []
    return list(
        session.exec(
            select(Enrollment.pupil_id, Enrollment.class_id).where(
                col(Enrollment.class_id).in_(class_ids),
                Enrollment.starts_on <= day,
                or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= day),
            )
        ).all()
    )


def homework_for_tomorrow(session: Session, now: datetime) -> int:
    """From HOMEWORK_HOUR on, tomorrow's homework to the parents who subscribed to it (one
    notification per lesson and child, so homework added later the same day is told too)."""
    local = now.astimezone(_zone())
    if local.hour < HOMEWORK_HOUR:
        return 0
    tomorrow = local.date() + timedelta(days=1)
    subscribers = session.exec(
        select(User.id, User.guardian_id)
        .join(NotifySettings, col(NotifySettings.user_id) == User.id)
        .where(col(NotifySettings.homework).is_(True), User.role == "parent", col(User.is_active).is_(True))
    ).all()
    if not subscribers:
        return 0
    by_guardian: dict[int, list[int]] = {}
    for uid, gid in subscribers:
        by_guardian.setdefault(gid, []).append(uid)
    users_of: dict[int, list[int]] = {}
    for pid, gid in session.exec(
        select(PupilGuardian.pupil_id, PupilGuardian.guardian_id).where(
            col(PupilGuardian.guardian_id).in_(set(by_guardian))
        )
    ).all():
        users_of.setdefault(pid, []).extend(by_guardian[gid])
    classes_of: dict[int, list[int]] = {}
    for pid, cid in session.exec(
        select(Enrollment.pupil_id, Enrollment.class_id).where(
            col(Enrollment.pupil_id).in_(set(users_of)),
            Enrollment.starts_on <= tomorrow,
            or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= tomorrow),
        )
    ).all():
        classes_of.setdefault(cid, []).append(pid)
    if not classes_of:
        return 0
    lessons = session.exec(
        select(Lesson).where(
            col(Lesson.class_id).in_(set(classes_of)),
            Lesson.date == tomorrow,
            Lesson.homework != "",
            col(Lesson.cancelled).is_(False),
        )
    ).all()
    subjects = {
        s.id: s for s in session.exec(select(Subject).where(col(Subject.id).in_({le.subject_id for le in lessons})))
    }
    pupils = {p.id: p for p in session.exec(select(Pupil).where(col(Pupil.id).in_(set(users_of))))}
    # A subgroup's homework goes only to the families of that group's pupils (as in the diary).
    split = subgroups.split_pairs(session, classes_of)
    group_of = {
        (c, sub, pid): g
        for c, sub, pid, g in session.exec(
            select(
                SubgroupMember.class_id, SubgroupMember.subject_id, SubgroupMember.pupil_id, SubgroupMember.subgroup
            ).where(col(SubgroupMember.class_id).in_(set(classes_of)), col(SubgroupMember.pupil_id).in_(set(users_of)))
        ).all()
    }
    made = 0
    for le in lessons:
        for pid in classes_of.get(le.class_id, []):
            if not subgroups.takes_lesson(
                split, group_of.get((le.class_id, le.subject_id, pid)), le.class_id, le.subject_id, le.subgroup
            ):
                continue
            p = pupils[pid]
            payload = {
                "pupil": f"{p.first_name} {p.last_name}",
                "subject": _subject_name(subjects.get(le.subject_id), "ky"),
                "text": le.homework,
            }
            made += queue(session, users_of[pid], "homework", f"hw:{le.id}:{pid}", payload, school_id=le.school_id)
    return made


def announcement_recipients(session: Session, a) -> list[int]:
    """The accounts an announcement is addressed to (as services/announcements.addressed reads it)."""
    roles = set(_REACH_ROLES.get(a.reach, ()))
    base = select(User.id).where(User.school_id == a.school_id, col(User.is_active).is_(True), User.id != a.author_id)
    if a.audience == "school":
        return list(session.exec(base.where(col(User.role).in_(roles))).all())
    if a.audience == "role":
        wanted = {"teacher", "class_teacher"} if a.role == "teacher" else {a.role}
        return list(session.exec(base.where(col(User.role).in_(wanted & roles))).all())
    if a.audience == "class":
        class_ids = [a.class_id]
    else:
        year = current_year(session, a.school_id)
        class_ids = list(
            session.exec(
                select(SchoolClass.id).where(
                    SchoolClass.academic_year_id == (year.id if year else -1),
                    SchoolClass.grade == a.grade,
                    col(SchoolClass.deleted_at).is_(None),
                )
            ).all()
        )
    today = datetime.now(UTC).astimezone(_zone()).date()
    pupil_ids = [p for p, _c in _enrolled(session, class_ids, today)]
    out: list[int] = []
    if "pupil" in roles and pupil_ids:
        out += session.exec(base.where(User.role == "pupil", col(User.pupil_id).in_(pupil_ids))).all()
    if "parent" in roles and pupil_ids:
        guardians = select(PupilGuardian.guardian_id).where(col(PupilGuardian.pupil_id).in_(pupil_ids))
        out += session.exec(base.where(User.role == "parent", col(User.guardian_id).in_(guardians))).all()
    if roles & set(_STAFF) and class_ids:
        taught = select(TeachingAssignment.teacher_id).where(col(TeachingAssignment.class_id).in_(class_ids))
        leads = select(SchoolClass.class_teacher_id).where(col(SchoolClass.id).in_(class_ids))
        out += session.exec(
            base.where(col(User.role).in_(_STAFF), or_(col(User.staff_id).in_(taught), col(User.staff_id).in_(leads)))
        ).all()
    return list(dict.fromkeys(out))


def new_announcements(session: Session, now: datetime) -> int:
    """The announcements published today or yesterday, to their subscribed recipients (once each)."""
    today = now.astimezone(_zone()).date()
    rows = session.exec(
        select(Announcement).where(
            col(Announcement.withdrawn_at).is_(None),
            Announcement.publish_on <= today,
            Announcement.publish_on >= today - timedelta(days=1),
            or_(col(Announcement.expires_on).is_(None), col(Announcement.expires_on) >= today),
        )
    ).all()
    made = 0
    for a in rows:
        users = announcement_recipients(session, a)
        made += queue(session, users, "announcement", f"ann:{a.id}", {"title": a.title}, school_id=a.school_id)
    return made


# ---------------------------------------------------------------- dispatch


def in_quiet(row: NotifySettings | None, local: time) -> bool:
    """Whether a local wall-clock time falls in the person's quiet hours (they may span midnight)."""
    if row is None or row.quiet_from is None or row.quiet_to is None:
        return False
    a, b = row.quiet_from, row.quiet_to
    return a <= local < b if a < b else (local >= a or local < b)


def _channels(row: NotifySettings | None) -> list[str]:
    if row is None:
        return []
    out = []
    if row.email_on and row.email:
        out.append("email")
    if row.telegram_on and row.telegram_chat_id:
        out.append("telegram")
    return out


def _digest_key(row: NotifySettings, local: datetime) -> str | None:
    """The period a digest due now covers ("2026-12-02", "2026-W49"), or None when none is due."""
    if local.hour < DIGEST_HOUR:
        return None
    if row.digest == "daily":
        return local.date().isoformat()
    if row.digest == "weekly" and local.weekday() >= 4:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return None


def plan(session: Session, now: datetime) -> int:
    """Hand the pending notifications to their people's channels as deliveries; how many made."""
    local = now.astimezone(_zone())
    pending = list(
        session.exec(
            select(Notification)
            .where(col(Notification.handed_at).is_(None))
            .order_by(col(Notification.id))
            .limit(BATCH)
        ).all()
    )
    if not pending:
        return 0
    by_user: dict[int, list[Notification]] = {}
    for n in pending:
        by_user.setdefault(n.user_id, []).append(n)
    settings = {
        r.user_id: r for r in session.exec(select(NotifySettings).where(col(NotifySettings.user_id).in_(set(by_user))))
    }
    langs = dict(session.exec(select(User.id, User.language).where(col(User.id).in_(set(by_user)))).all())
    made = 0
    for uid, items in by_user.items():
        row = settings.get(uid)
        channels = _channels(row)
        if not channels:
            for n in items:
                n.handed_at = now  # the in-app list only
                session.add(n)
            continue
        if in_quiet(row, local.time()):
            continue
        lang = langs.get(uid, "ky")
        assert row is not None
        if row.digest != "off":
            period = _digest_key(row, local)
            if period is None:
                continue
            lines = [f"• {render(n.kind, json.loads(n.payload), lang)}" for n in items]
            subject = t(f"notify.digest_subject.{row.digest}", lang, n=len(items))
            keys = {ch: f"{ch}:digest:{uid}:{period}" for ch in channels}
            if session.exec(select(Delivery.id).where(col(Delivery.key).in_(keys.values()))).first() is not None:
                continue  # this period's digest is gone: the rest waits for the next one
            for ch, key in keys.items():
                made += _deliver_once(session, uid, ch, key, subject, "\n".join(lines))
        else:
            for n in items:
                text = render(n.kind, json.loads(n.payload), lang)
                subject = t(f"notify.subject.{n.kind}", lang)
                for ch in channels:
                    made += _deliver_once(session, uid, ch, f"{ch}:n{n.id}", subject, text)
        for n in items:
            n.handed_at = now
            session.add(n)
    session.flush()
    return made


def _deliver_once(session: Session, user_id: int, channel: str, key: str, subject: str, body: str) -> int:
    if session.exec(select(Delivery.id).where(Delivery.key == key)).first() is not None:
        return 0
    session.add(Delivery(user_id=user_id, channel=channel, key=key, subject=subject[:200], body=body[:20000]))
    return 1


def open_deliveries(session: Session) -> list[int]:
    return list(
        session.exec(
            select(Delivery.id)
            .where(
                col(Delivery.status).in_(("pending", "failed")),
                Delivery.attempts < MAX_ATTEMPTS,
            )
            .order_by(col(Delivery.id))
            .limit(BATCH)
        ).all()
    )


INTERRUPTED_AFTER = timedelta(minutes=10)


def give_up_interrupted(session: Session, now: datetime) -> int:
    """Deliveries left «sending» by a consumer that died mid-send may have arrived: they are
    recorded as failed and never sent again (at most once, rather than twice)."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.status == "sending", col(Delivery.tried_at) < now - INTERRUPTED_AFTER)
        .values(status="failed", attempts=MAX_ATTEMPTS, error="interrupted while sending: not sent again")
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


def send_one(session: Session, delivery_id: int, now: datetime) -> bool:
    """Send one delivery; True when sent. Its «sending» state is committed before the channel is
    called, so a delivery is sent at most once whatever happens: one already sent or being sent
    (by this consumer or another) is left alone, a failure the channel reports is tried again."""
    d = session.get(Delivery, delivery_id, with_for_update=True)
    if d is None or d.status not in ("pending", "failed") or d.attempts >= MAX_ATTEMPTS:
        return False
    row = session.exec(select(NotifySettings).where(NotifySettings.user_id == d.user_id)).first()
    d.attempts += 1
    d.status, d.tried_at = "sending", now
    session.add(d)
    session.commit()
    try:
        if row is None:
            raise RuntimeError("no settings")
        if d.channel == "email":
            send_email(row.email, d.subject, d.body, d.key)
        else:
            send_telegram(row.telegram_chat_id, f"{d.subject}\n\n{d.body}")
    except Exception as exc:
        d.status, d.error = "failed", f"{type(exc).__name__}: {exc}"[:400]
        session.add(d)
        return False
    d.status, d.error, d.sent_at = "sent", "", now
    session.add(d)
    return True


# ---------------------------------------------------------------- channels


def smtp_settings() -> dict:
    return {
        "host": os.environ.get("BBBMS_SMTP_HOST", ""),
        "port": int(os.environ.get("BBBMS_SMTP_PORT", "25") or 25),
        "user": os.environ.get("BBBMS_SMTP_USER", ""),
        "password": os.environ.get("BBBMS_SMTP_PASSWORD", ""),
        "from": os.environ.get("BBBMS_SMTP_FROM", "bbbms@localhost"),
        "starttls": os.environ.get("BBBMS_SMTP_STARTTLS", "0").lower() in ("1", "true", "yes"),
    }


def send_email(to: str, subject: str, body: str, key: str) -> None:
    """One plain-text UTF-8 e-mail through the configured SMTP server."""
    cfg = smtp_settings()
    if not cfg["host"]:
        raise RuntimeError("BBBMS_SMTP_HOST is not set")
    msg = EmailMessage()
    msg["From"] = cfg["from"]
    msg["To"] = to
    msg["Subject"] = subject
    # The delivery's key in the Message-ID: a mail server or client that sees it twice drops the copy.
    msg["Message-ID"] = make_msgid(idstring=hashlib.sha256(key.encode()).hexdigest()[:24])
    msg["X-BBBMS-Delivery"] = hashlib.sha256(key.encode()).hexdigest()[:24]
    msg.set_content(body, charset="utf-8")
    with smtplib.SMTP(cfg["host"], cfg["port"], timeout=30) as smtp:
        if cfg["starttls"]:
            smtp.starttls()
        if cfg["user"]:
            smtp.login(cfg["user"], cfg["password"])
        smtp.send_message(msg)


def _telegram_url(method: str) -> str:
    base = os.environ.get("BBBMS_TELEGRAM_API", "https://api.telegram.org").rstrip("/")
    token = os.environ.get("BBBMS_TELEGRAM_TOKEN", "")
    if not token:
        raise RuntimeError("BBBMS_TELEGRAM_TOKEN is not set")
    return f"{base}/bot{token}/{method}"


def _telegram(method: str, payload: dict) -> dict:
    data = json.dumps(payload).encode()
    req = urllib.request.Request(  # noqa: S310 - the configured bot API
        _telegram_url(method), data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310
        answer = json.loads(resp.read().decode())
    if not answer.get("ok"):
        raise RuntimeError(f"telegram {method}: {answer.get('description', 'not ok')}")
    return answer


def send_telegram(chat_id: str, text: str) -> None:
    if not chat_id:
        raise RuntimeError("telegram not linked")
    _telegram("sendMessage", {"chat_id": chat_id, "text": text[:4000]})


def poll_telegram(session: Session, offset: int, now: datetime) -> int:
    """Read the bot's new updates (getUpdates from `offset`) and link the accounts whose one-time
    code was sent as `/start CODE`; returns the next offset."""
    answer = _telegram("getUpdates", {"offset": offset, "timeout": 0, "allowed_updates": ["message"]})
    for item in answer.get("result", []):
        offset = max(offset, int(item.get("update_id", 0)) + 1)
        message = item.get("message") or {}
        text = str(message.get("text", "")).strip()
        chat = str((message.get("chat") or {}).get("id", ""))
        if not text.startswith("/start") or not chat:
            continue
        code = text.removeprefix("/start").strip()
        if not code:
            continue
        row = session.exec(select(NotifySettings).where(NotifySettings.telegram_code_hash == _code_hash(code))).first()
        until = row.telegram_code_until if row else None
        if until is not None and until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        if row is None or until is None or until < now:
            _telegram("sendMessage", {"chat_id": chat, "text": t("notify.telegram.bad_code", "ky")})
            continue
        row.telegram_chat_id, row.telegram_on = chat, True
        row.telegram_code_hash, row.telegram_code_until = "", None
        session.add(row)
        lang = session.exec(select(User.language).where(User.id == row.user_id)).first() or "ky"
        audit.record(session, None, "update", "notifysettings", row.id, field="telegram", new="linked")
        _telegram("sendMessage", {"chat_id": chat, "text": t("notify.telegram.linked", lang)})
    return offset


def today_local(now: datetime) -> date:
    return now.astimezone(_zone()).date()


def telegram_link(code: str) -> str:
    name = bot_name()
    return f"https://t.me/{name}?start={urllib.parse.quote(code)}" if name else ""


def run(now: datetime | None = None, *, telegram_offset: int | None = None) -> dict[str, int]:
    """One tick of the notification job: fan out, plan, send every open delivery (each in its own
    transaction, so one that is sent stays sent whatever happens to the next), poll the bot."""
    from bbbms_app import db

    now = now or datetime.now(UTC)
    with db.session(write=True) as s:
        made = fan_out(s, now) + homework_for_tomorrow(s, now) + new_announcements(s, now)
    with db.session(write=True) as s:
        planned = plan(s, now)
    with db.session(write=True) as s:
        give_up_interrupted(s, now)
    with db.session() as s:
        ids = open_deliveries(s)
    sent = 0
    for delivery_id in ids:
        with db.session(write=True) as s:
            sent += send_one(s, delivery_id, now)
    out = {"notifications": made, "deliveries": planned, "sent": sent, "failed": len(ids) - sent}
    if telegram_offset is not None and os.environ.get("BBBMS_TELEGRAM_TOKEN"):
        with db.session(write=True) as s:
            out["telegram_offset"] = poll_telegram(s, telegram_offset, now)
    return out
