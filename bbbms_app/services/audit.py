"""The append-only audit trail: every write that matters and every refusal, in the caller's transaction.

Append-only twice over: the migration puts triggers on `auditevent` that refuse UPDATE and DELETE
in the database (SQLite and PostgreSQL), and the ORM hooks below refuse to flush a changed or
deleted AuditEvent, or to run a bulk UPDATE/DELETE on it, before SQL is even sent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from bbbms_app import logs
from bbbms_app.models import AuditEvent
from bbbms_app.services.access import Principal


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value)[:2000]


def record(
    session: Session,
    principal: Principal | None,
    action: str,
    entity: str = "",
    entity_id: int | None = None,
    *,
    field: str = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
    pupil_id: int | None = None,
    school_id: int | None = None,
    username: str = "",
) -> AuditEvent:
    """Add an audit event to `session`; it commits or rolls back with the change it describes."""
    event = AuditEvent(
        user_id=principal.user_id if principal else None,
        username=principal.username if principal else username[:80],
        role=principal.role if principal else "",
        school_id=school_id if school_id is not None else (principal.school_id if principal else None),
        action=action,
        entity=entity,
        entity_id=entity_id,
        field=field,
        old_value=_text(old),
        new_value=_text(new),
        reason=reason[:500],
        pupil_id=pupil_id,
        request_id=logs.request_id(),
    )
    session.add(event)
    return event


class AuditTampering(RuntimeError):
    """Code tried to change or delete an audit event."""


@event.listens_for(OrmSession, "before_flush")
def _refuse_changed_events(session: OrmSession, _context: Any, _instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditTampering(f"audit event {obj.id} cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AuditTampering(f"audit event {obj.id} cannot be changed")


@event.listens_for(OrmSession, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if any(m.class_ is AuditEvent for m in state.all_mappers) or getattr(table, "name", None) == "auditevent":
        raise AuditTampering("audit events cannot be updated or deleted")
