"""The role × permission matrix the director sets (regulation §5.1): effective rights, changes, locks.

The default matrix lives in `services.access.DEFAULT_MATRIX`; the director's changes are
RolePermission rows over it (district-wide rows first, then the school's own). The effective
permissions are read from the database at every event (one indexed query, see
docs/performance.md), so a change holds on the very next event of every worker with no cache
to invalidate.

Some cells are locked whatever the rows say, so that no change can lock the school out or open
it up: the director always keeps rights.write, rights.read and audit.read; nobody else can ever
hold rights.write (the administrator cannot give it to himself, nor raise his own role); parents
and pupils can hold only the family's rights (own.read, taking tests, their portfolio's, their
projects', messages), never another staff permission; the family-only ones (own.read …) mean nothing
for staff.
"""

from __future__ import annotations

from sqlalchemy import bindparam, or_
from sqlmodel import Session, select

from bbbms_app.models import RolePermission
from bbbms_app.models._base import utcnow
from bbbms_app.models.accounts import ROLES
from bbbms_app.services import audit
from bbbms_app.services.access import (
    DISTRICT_ONLY,
    DISTRICT_ROLE,
    FAMILY_ALSO,
    FAMILY_ONLY,
    PERMISSIONS,
    Principal,
    permissions_for,
)
from bbbms_app.services.errors import Refused

# The permissions of the grid: the two pseudo-permissions are not rights anyone grants.
MATRIX_PERMISSIONS: tuple[str, ...] = tuple(p for p in PERMISSIONS if p not in ("public", "signed_in"))
FAMILY_ROLES = frozenset({"parent", "pupil"})
FAMILY_PERMISSIONS = FAMILY_ONLY
DIRECTOR_KEEPS = frozenset({"rights.write", "rights.read", "audit.read"})
DIRECTOR_ONLY = frozenset({"rights.write"})
# Roles only the director may give to an account: they manage accounts or rights.
PRIVILEGED_ROLES = frozenset({"director", "administrator"})


class RightsError(Refused):
    """A refused change of the matrix; `key` names the translated message."""


def locked(role: str, permission: str) -> bool | None:
    """The value a cell is fixed at, or None when the director may change it."""
    if permission in DIRECTOR_ONLY and role != "director":
        return False
    if permission in DISTRICT_ONLY:
        return False  # a district account's own right (effective_permissions), never a matrix cell
    if role == "director" and permission in DIRECTOR_KEEPS:
        return True
    if role in FAMILY_ROLES:
        return None if permission in FAMILY_PERMISSIONS | FAMILY_ALSO else False
    if permission in FAMILY_PERMISSIONS:
        return False
    return None


def _apply_locks(role: str, perms: set[str]) -> frozenset[str]:
    for permission in MATRIX_PERMISSIONS:
        lock = locked(role, permission)
        if lock is True:
            perms.add(permission)
        elif lock is False:
            perms.discard(permission)
    return frozenset(perms)


# Built once: constructing a select costs more than running it, and this runs at every event.
_SCOPE = or_(RolePermission.school_id.is_(None), RolePermission.school_id == bindparam("school_id"))  # type: ignore[union-attr]
_COLUMNS = (RolePermission.school_id, RolePermission.role, RolePermission.permission, RolePermission.granted)
_ROWS_OF_ROLE = select(*_COLUMNS).where(_SCOPE, RolePermission.role == bindparam("role"))
_ROWS_OF_ALL = select(*_COLUMNS).where(_SCOPE)


def _overrides(session: Session, school_id: int | None, role: str | None = None) -> list[tuple[str, str, bool]]:
    """(role, permission, granted) of the district-wide rows, then of the school's own: applied in
    this order the school wins. Plain columns through the session's connection, no ORM objects."""
    conn = session.connection()
    if role is None:
        result = conn.execute(_ROWS_OF_ALL, {"school_id": school_id})
    else:
        result = conn.execute(_ROWS_OF_ROLE, {"school_id": school_id, "role": role})
    rows = sorted(result.all(), key=lambda r: r[0] is not None)
    return [(r, p, g) for _school, r, p, g in rows]


def _fold(role: str, rows: list[tuple[str, str, bool]]) -> frozenset[str]:
    perms = set(permissions_for(role))
    for row_role, permission, granted in rows:
        if row_role != role or permission not in MATRIX_PERMISSIONS:
            continue  # a row for a permission that no longer exists changes nothing
        if granted:
            perms.add(permission)
        else:
            perms.discard(permission)
    return _apply_locks(role, perms)


def effective_permissions(session: Session, role: str, school_id: int | None) -> frozenset[str]:
    """What `role` may do in `school_id` now: the default, then district rows, then the school's rows."""
    if role not in ROLES:
        return frozenset()
    folded = _fold(role, _overrides(session, school_id, role))
    if school_id is None and role == DISTRICT_ROLE:
        folded |= DISTRICT_ONLY  # the district account: a director of no school
    return folded


def effective_matrix(session: Session, school_id: int | None) -> dict[str, frozenset[str]]:
    """Every role's effective permissions in one school (one query)."""
    rows = _overrides(session, school_id)
    return {role: _fold(role, rows) for role in ROLES}


def _inherited(session: Session, role: str, permission: str, school_id: int | None) -> bool:
    """The value of a cell without the scope's own row: the default, or the district row for a school."""
    value = permission in permissions_for(role)
    if school_id is not None:
        district = session.exec(
            select(RolePermission.granted).where(
                RolePermission.school_id.is_(None),  # type: ignore[union-attr]
                RolePermission.role == role,
                RolePermission.permission == permission,
            )
        ).first()
        if district is not None:
            value = district
    return value


def _own_row(session: Session, role: str, permission: str, school_id: int | None) -> RolePermission | None:
    scope = (
        RolePermission.school_id.is_(None)  # type: ignore[union-attr]
        if school_id is None
        else RolePermission.school_id == school_id
    )
    return session.exec(
        select(RolePermission).where(scope, RolePermission.role == role, RolePermission.permission == permission)
    ).first()


def set_permission(
    session: Session, actor: Principal, role: str, permission: str, granted: bool, *, reason: str = ""
) -> bool:
    """Grant or take one permission of a role in the actor's school (district-wide for a district account).

    Audited in the caller's transaction; returns whether anything changed. A value equal to the
    inherited one removes the school's row, so "absent" keeps meaning "the default".
    """
    if not actor.can("rights.write"):
        raise RightsError("rights.error.not_allowed")
    if role not in ROLES:
        raise RightsError("rights.error.unknown", name=str(role)[:40])
    if permission not in MATRIX_PERMISSIONS:
        raise RightsError("rights.error.unknown", name=str(permission)[:40])
    if not isinstance(granted, bool):
        raise RightsError("rights.error.unknown", name=str(granted)[:40])
    lock = locked(role, permission)
    if lock is not None and lock != granted:
        raise RightsError("rights.error.locked", role=role, permission=permission)
    # Nobody raises his own role above its default. Only the director holds rights.write today,
    # so this binds if a district ever unlocks it; the director may still give back to his own
    # role what the default gives it.
    if granted and role == actor.role and permission not in permissions_for(role):
        raise RightsError("rights.error.own_role")
    school_id = actor.school_id
    before = permission in effective_permissions(session, role, school_id)
    if before == granted:
        return False
    row = _own_row(session, role, permission, school_id)
    if granted == _inherited(session, role, permission, school_id):
        if row is not None:
            session.delete(row)
            row = None
    else:
        if row is None:
            row = RolePermission(school_id=school_id, role=role, permission=permission, granted=granted)
        row.granted = granted
        row.updated_by = actor.user_id
        row.updated_at = utcnow()
        session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "rights",
        row.id if row is not None else None,
        field=f"{role}:{permission}"[:60],
        old="yes" if before else "no",
        new="yes" if granted else "no",
        reason=reason,
        school_id=school_id,
    )
    return True


def reset_role(session: Session, actor: Principal, role: str, *, reason: str = "") -> int:
    """Put one role of the actor's scope back to the inherited matrix; each change is audited."""
    if not actor.can("rights.write"):
        raise RightsError("rights.error.not_allowed")
    if role not in ROLES:
        raise RightsError("rights.error.unknown", name=str(role)[:40])
    scope = (
        RolePermission.school_id.is_(None)  # type: ignore[union-attr]
        if actor.school_id is None
        else RolePermission.school_id == actor.school_id
    )
    rows = session.exec(select(RolePermission).where(scope, RolePermission.role == role)).all()
    before = effective_permissions(session, role, actor.school_id)
    for row in rows:
        session.delete(row)
    session.flush()
    after = effective_permissions(session, role, actor.school_id)
    for permission in MATRIX_PERMISSIONS:
        if (permission in before) != (permission in after):
            audit.record(
                session,
                actor,
                "update",
                "rights",
                None,
                field=f"{role}:{permission}"[:60],
                old="yes" if permission in before else "no",
                new="yes" if permission in after else "no",
                reason=reason or "reset to default",
                school_id=actor.school_id,
            )
    return len(rows)


def grid(session: Session, school_id: int | None) -> list[dict[str, str]]:
    """The matrix as display rows: one per permission, per role "1"/"0", whether locked, whether changed."""
    matrix = effective_matrix(session, school_id)
    rows = []
    for permission in MATRIX_PERMISSIONS:
        row = {"perm": permission}
        for role in ROLES:
            value = permission in matrix[role]
            row[role] = "1" if value else "0"
            row[f"{role}_lock"] = "1" if locked(role, permission) is not None else ""
            row[f"{role}_changed"] = "1" if value != (permission in permissions_for(role)) else ""
        rows.append(row)
    return rows


def role_assignment_refusal(session: Session, actor: Principal | None, user_id: int | None, role: str) -> str | None:
    """Why `actor` may not give `role` to account `user_id` (None for a new account), or None.

    Nobody changes the role of his own account, and only a holder of rights.write (the director)
    makes directors and administrators: otherwise the administrator, who manages accounts, could
    raise his own rights through a second account. `actor=None` is the operator's command line.
    """
    if actor is None:
        return None
    if user_id is not None and user_id == actor.user_id and role != actor.role:
        return "rights.error.own_account"
    if role in PRIVILEGED_ROLES and not actor.can("rights.write"):
        return "rights.error.privileged_role"
    return None
