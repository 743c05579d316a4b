"""Reading the audit trail for the audit screen: filter by person, entity, action, dates and pupil; pages.

Newest first, paged in SQL. A school's reader sees his school's events and the events that belong
to no school (refused calls of browsers that were not signed in, sign-in failures of unknown
names); a district account (no school) sees every event. The filtered audit can leave as a marked
XLSX file (export_marking: export.personal, a purpose, itself audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from bbbms_app.i18n import t
from bbbms_app.i18n.collation import search_key
from bbbms_app.models import AuditEvent, Pupil, User
from bbbms_app.services.access import Principal
from bbbms_app.services.engine import marking

MAX_PAGE = 100
MAX_MATCHES = 1000  # people or pupils a text filter may stand for; more is no filter at all
MAX_EXPORT = 20_000


@dataclass(frozen=True)
class AuditFilter:
    """What the reader asked for; empty fields filter nothing."""

    person: str = ""  # part of a username or a full name
    entity: str = ""  # an entity code as recorded ("pupil", "rights", "PupilListState.load" …)
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    pupil: str = ""  # part of a pupil's name or PIN


@dataclass(frozen=True)
class AuditPage:
    rows: list[dict[str, str]]
    total: int


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _scope(principal: Principal):
    if principal.school_id is None:
        return None
    return or_(AuditEvent.school_id == principal.school_id, AuditEvent.school_id.is_(None))  # type: ignore[union-attr]


def _matching_users(session: Session, principal: Principal, text: str) -> list[int]:
    # Names are folded in Python: SQLite's lower() folds no Cyrillic, and a school has a few
    # thousand accounts at most.
    key = search_key(text)
    q = select(User.id, User.username, User.full_name)
    if principal.school_id is not None:
        q = q.where(User.school_id == principal.school_id)
    hits = [uid for uid, username, full in session.exec(q).all() if key in search_key(username, full)]
    return hits[:MAX_MATCHES]


def _matching_pupils(session: Session, principal: Principal, text: str) -> list[int]:
    q = select(Pupil.id).where(Pupil.search_key.like(_like(search_key(text)), escape="\\"))  # type: ignore[attr-defined]
    if principal.school_id is not None:
        q = q.where(Pupil.school_id == principal.school_id)
    return list(session.exec(q.limit(MAX_MATCHES)).all())


def _conditions(session: Session, principal: Principal, f: AuditFilter) -> list:
    cond = []
    scope = _scope(principal)
    if scope is not None:
        cond.append(scope)
    if f.person.strip():
        users = _matching_users(session, principal, f.person)
        typed = AuditEvent.username.like(_like(f.person.strip().lower()), escape="\\")  # type: ignore[attr-defined]
        cond.append(or_(AuditEvent.user_id.in_(users), typed) if users else typed)  # type: ignore[union-attr]
    if f.entity:
        cond.append(AuditEvent.entity == f.entity)
    if f.action:
        cond.append(AuditEvent.action == f.action)
    if f.date_from is not None:
        cond.append(AuditEvent.at >= datetime.combine(f.date_from, time.min, tzinfo=UTC))
    if f.date_to is not None:
        cond.append(AuditEvent.at < datetime.combine(f.date_to + timedelta(days=1), time.min, tzinfo=UTC))
    if f.pupil.strip():
        pupils = _matching_pupils(session, principal, f.pupil)
        cond.append(
            or_(
                AuditEvent.pupil_id.in_(pupils),  # type: ignore[union-attr]
                and_(AuditEvent.entity == "pupil", AuditEvent.entity_id.in_(pupils)),  # type: ignore[union-attr]
            )
        )
    return cond


def _pupil_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Pupil.id, Pupil.last_name, Pupil.first_name).where(Pupil.id.in_(ids))).all()  # type: ignore[union-attr]
    return {pid: f"{last} {first}" for pid, last, first in rows}


def _rows(session: Session, events: list[AuditEvent]) -> list[dict[str, str]]:
    pupil_ids = {e.pupil_id for e in events if e.pupil_id is not None}
    pupil_ids |= {e.entity_id for e in events if e.entity == "pupil" and e.entity_id is not None}
    names = _pupil_names(session, pupil_ids)
    out = []
    for e in events:
        pid = e.pupil_id if e.pupil_id is not None else (e.entity_id if e.entity == "pupil" else None)
        at = e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)
        out.append(
            {
                "id": str(e.id),
                "at": at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                "who": e.username,
                "role": e.role,
                "action": e.action,
                "entity": e.entity,
                "entity_id": "" if e.entity_id is None else str(e.entity_id),
                "field": e.field,
                "old": e.old_value[:200],
                "new": e.new_value[:200],
                "reason": e.reason[:200],
                "pupil": names.get(pid, "") if pid is not None else "",
            }
        )
    return out


def search(session: Session, principal: Principal, f: AuditFilter, *, offset: int = 0, limit: int = 25) -> AuditPage:
    """One page of the events that match, newest first, and how many match in all."""
    offset, limit = max(0, int(offset)), max(1, min(int(limit), MAX_PAGE))
    cond = _conditions(session, principal, f)
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*cond)).one()
    events = session.exec(
        select(AuditEvent).where(*cond).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).offset(offset).limit(limit)  # type: ignore[attr-defined,union-attr]
    ).all()
    return AuditPage(_rows(session, list(events)), total)


def export_rows(session: Session, principal: Principal, f: AuditFilter) -> list[dict[str, str]]:
    """Every matching event (at most MAX_EXPORT), newest first, with values in full."""
    cond = _conditions(session, principal, f)
    events = session.exec(
        select(AuditEvent).where(*cond).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(MAX_EXPORT)  # type: ignore[attr-defined,union-attr]
    ).all()
    rows = _rows(session, list(events))
    for row, e in zip(rows, events, strict=True):
        row["old"], row["new"], row["reason"] = e.old_value, e.new_value, e.reason
    return rows


def count(session: Session, principal: Principal, f: AuditFilter) -> int:
    """How many events match."""
    return session.exec(select(func.count()).select_from(AuditEvent).where(*_conditions(session, principal, f))).one()


def entities(session: Session, principal: Principal) -> list[str]:
    """The entity codes that occur in the reader's scope, for the filter's choice list."""
    q = select(AuditEvent.entity).where(AuditEvent.entity != "").distinct()
    scope = _scope(principal)
    if scope is not None:
        q = q.where(scope)
    return sorted(session.exec(q.limit(500)).all())


def actions(session: Session, principal: Principal) -> list[str]:
    """The action codes that occur in the reader's scope."""
    q = select(AuditEvent.action).distinct()
    scope = _scope(principal)
    if scope is not None:
        q = q.where(scope)
    return sorted(session.exec(q.limit(100)).all())


EXPORT_COLUMNS = ("at", "who", "role", "action", "entity", "entity_id", "field", "old", "new", "reason", "pupil")


def export_xlsx(
    session: Session, principal: Principal, f: AuditFilter, *, purpose: object, lang: str
) -> tuple[bytes, str]:
    """The filtered audit as a marked XLSX file and its name; the export is audited with its purpose.

    Needs audit.read (to read it) and export.personal (to take personal data out): ExportRefused
    otherwise; ExportInvalid for a missing purpose or more than MAX_EXPORT events.
    """
    if not principal.can("audit.read"):
        raise marking.ExportRefused(principal.role)
    marking.clean_purpose(purpose)
    total = count(session, principal, f)
    if total > MAX_EXPORT:
        raise marking.ExportInvalid("rights.audit.export_too_many", total=total, max=MAX_EXPORT)
    rows = export_rows(session, principal, f)
    stamp = marking.begin(
        session, principal, purpose=purpose, what="audit", rows=len(rows), fmt="xlsx", entity="auditevent", lang=lang
    )
    headers = [t(f"rights.audit.col.{c}", lang) for c in EXPORT_COLUMNS]
    sheet = marking.Sheet(
        t("rights.audit.title", lang),
        headers,
        [[row[c] for c in EXPORT_COLUMNS] for row in rows],
        widths=(20, 16, 14, 12, 22, 8, 20, 30, 30, 30, 24),
    )
    data = marking.xlsx([sheet], stamp, title=t("rights.audit.title", lang))
    return data, f"audit-{stamp.at:%Y%m%d-%H%M%S}.xlsx"
