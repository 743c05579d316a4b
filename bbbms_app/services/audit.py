"""The append-only audit trail: every write that matters and every refusal, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

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
    )
    session.add(event)
    return event
