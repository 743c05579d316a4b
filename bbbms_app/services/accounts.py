"""User accounts and sign-in sessions: create, authenticate with throttling, resolve, revoke; the
rule of who may act on whose account, and the requests the director approves (issue 10 #1).

The rule: no one acts on an account of a role at or above his own (ROLE_RANK). Linking an account
to a person (staff, pupil, guardian), granting a deputy-level role and resetting the password of
an account at or above the requester's rank are not done by the requester: they become an
AccountRequest that the director confirms or rejects (`decide`), audited with both names.
Every path goes through here: the admin form and import (`create_user`, `hold_for_approval`),
disable and enable (`action_refusal`), the password reset (`reset_password`).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, update
from sqlalchemy import event as sa_event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import ORMExecuteState, object_session
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from bbbms_app import db, settings
from bbbms_app.i18n.collation import search_key
from bbbms_app.models import AccountRequest, LoginSession, User
from bbbms_app.models.accounts import ROLES, UI_LANGUAGES
from bbbms_app.services import audit, passwords, revocations, rights
from bbbms_app.services.access import Principal
from bbbms_app.services.errors import Refused

FREE_ATTEMPTS = 5  # failures before the back-off starts
BACKOFF_START_S = 30
BACKOFF_MAX_S = 15 * 60
LAST_SEEN_RESOLUTION_S = 60  # last_seen_at is rewritten at most once a minute per session


class AccountError(Refused):
    """A refused account operation; `key` names the translated message."""


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes for timezone-aware columns; every stored time is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def token_hash(token: str) -> str:
    """SHA-256 of a session token: what the database keeps instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def backoff_seconds(failures: int) -> int:
    """Lock time after `failures` consecutive failures: 0 for the first few, then doubling."""
    if failures < FREE_ATTEMPTS:
        return 0
    return min(BACKOFF_START_S * 2 ** (failures - FREE_ATTEMPTS), BACKOFF_MAX_S)


# Unknown usernames are throttled like real ones (in this process), so the answers to an
# attacker do not tell which usernames exist.
_unknown_failures: dict[str, tuple[int, float]] = {}
_unknown_lock = threading.Lock()

# Who outranks whom on accounts: nobody acts on an account whose role ranks at or above his own.
# The administrator (who manages accounts) ranks with the deputy and below the director, so he
# cannot reset, disable or edit a director's or a deputy's account, nor another administrator's.
ROLE_RANK: dict[str, int] = {
    "director": 4,
    "deputy": 3,
    "administrator": 3,
    "teacher": 2,
    "class_teacher": 2,
    "clerk": 2,
    "parent": 1,
    "pupil": 1,
}
# Roles whose grant waits for the director (director and administrator are refused outright to
# anyone without rights.write: services.rights.role_assignment_refusal).
APPROVAL_ROLES = frozenset({"deputy", "director", "administrator"})
LINK_FIELDS = ("staff_id", "pupil_id", "guardian_id")


def approves(actor: Principal | None) -> bool:
    """True for whoever needs no approval: the director (rights.write) or the operator's CLI."""
    return actor is None or actor.can("rights.write")


def rank_refusal(actor: Principal | None, target_role: str) -> str | None:
    """Why `actor` may not act on an account of `target_role` (its rank is at or above his)."""
    if actor is None:
        return None
    if ROLE_RANK.get(target_role, 99) >= ROLE_RANK.get(actor.role, 0):
        return "accounts.error.rank"
    return None


def action_refusal(actor: Principal | None, user: User) -> str | None:
    """Why `actor` may not disable, enable, edit or reset `user` directly (None: he may).

    Across schools (issue 16, the district): a district account (a director of no school) acts
    on every school's accounts, its directors included, but never on another district account;
    an account of a school never acts on a district account nor on another school's accounts,
    whatever its rank."""
    if actor is None:
        return None
    if actor.school_id is not None and user.school_id is None:
        return "accounts.error.rank"  # a district account outranks every school's
    if actor.school_id is not None and user.school_id != actor.school_id:
        return "accounts.error.other_school"
    if actor.is_district and user.school_id is not None:
        return None
    return rank_refusal(actor, user.role)


def create_user(
    session: Session,
    username: str,
    role: str,
    password: str | None,
    *,
    school_id: int | None = None,
    full_name: str = "",
    staff_id: int | None = None,
    pupil_id: int | None = None,
    guardian_id: int | None = None,
    language: str = "ky",
    actor: Principal | None = None,
    check_password_rules: bool = True,
    must_change_password: bool = False,
) -> User:
    """Create an account; the password is checked against the rules and stored as argon2id."""
    username = username.strip().lower()
    if not username or len(username) > 80:
        raise AccountError("error.invalid", field="username")
    if role not in ROLES:
        raise AccountError("error.invalid", field="role")
    refusal = rights.role_assignment_refusal(session, actor, None, role)
    if refusal is not None:
        raise AccountError(refusal)
    if language not in UI_LANGUAGES:
        raise AccountError("error.invalid", field="language")
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise AccountError("error.invalid", field="username")
    pw_hash = ""
    if password is not None:
        if check_password_rules:
            passwords.check_rules(password)
        pw_hash = passwords.hash_password(password)
    user = User(
        username=username,
        role=role,
        password_hash=pw_hash,
        school_id=school_id,
        full_name=full_name,
        staff_id=staff_id,
        pupil_id=pupil_id,
        guardian_id=guardian_id,
        language=language,
        password_changed_at=_now() if password else None,
        must_change_password=must_change_password and password is not None,
        search_key=search_key(username, full_name),
    )
    held = (
        {}
        if approves(actor)
        else {
            f: v
            for f, v in (("staff_id", staff_id), ("pupil_id", pupil_id), ("guardian_id", guardian_id))
            if v is not None
        }
    )
    for f in held:
        setattr(user, f, None)  # linked only when the director confirms
    needs_role = not approves(actor) and role in APPROVAL_ROLES
    if needs_role:
        user.is_active = False  # a deputy-level account opens when the director confirms it
    session.add(user)
    session.flush()
    audit.record(session, actor, "create", "user", user.id, new=f"{username} ({role})", school_id=school_id)
    for f, v in held.items():
        _file_request(session, actor, user, "link", f, str(v))
    if needs_role:
        _file_request(session, actor, user, "role", "new_role", role)
    return user


def set_password(
    session: Session, user: User, password: str, *, actor: Principal | None = None, must_change: bool = False
) -> None:
    """Set a new password and revoke every session of the user. `must_change`: someone else chose
    it (an administrator's reset), so the user must set his own at the next sign-in."""
    passwords.check_rules(password)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = _now()
    user.must_change_password = must_change
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    revoke_all(session, user.id)  # type: ignore[arg-type]
    audit.record(session, actor, "update", "user", user.id, field="password", new="(changed)", school_id=user.school_id)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in. On success the raw token goes to the browser once and is never
    stored; on failure `error` says why. Failures are returned, not raised, so the caller commits
    the failure count and the audit event."""

    token: str | None = None
    user: User | None = None
    error: AccountError | None = None


def authenticate(session: Session, username: str, password: str, *, user_agent: str = "", address: str = "") -> SignIn:
    """Check the credentials and open a session.

    Unknown user, wrong password and disabled account all answer "login.failed"; a throttled
    username or client address answers "login.throttled" whether or not the username exists.
    The throttle is checked before any hashing, so a throttled attempt costs no argon2 and takes
    the same (short) time for known and unknown usernames; an attempt that is not throttled
    always runs one argon2 verification (a dummy hash for an unknown user). Slow: call it off
    the event loop (auth.state runs it in a worker thread).
    """
    try:
        return _authenticate(session, username, password, user_agent, address)
    except AccountError as exc:
        return SignIn(error=exc)


# Failures per client address (in this process): a school's computers often share one address
# behind its router, so the free attempts are many; a password-spraying client still stops.
ADDRESS_FREE_ATTEMPTS = 30
_address_failures: dict[str, tuple[int, float]] = {}


def _throttled(table: dict[str, tuple[int, float]], key: str) -> float:
    """Seconds `key` must still wait (0 when it may try)."""
    with _unknown_lock:
        _failures, until = table.get(key, (0, 0.0))
    return max(0.0, until - time.time())


def _count_failure(table: dict[str, tuple[int, float]], key: str, free: int) -> None:
    with _unknown_lock:
        failures, _until = table.get(key, (0, 0.0))
        failures += 1
        wait = backoff_seconds(failures - free + FREE_ATTEMPTS) if failures >= free else 0
        table[key] = (failures, time.time() + wait)
        if len(table) > 100_000:  # bounded: forget the oldest half
            for old in list(table)[: len(table) // 2]:
                table.pop(old, None)


def _authenticate(session: Session, username: str, password: str, user_agent: str, address: str) -> SignIn:
    username = (username or "").strip().lower()[:80]
    now = _now()
    user = session.exec(select(User).where(User.username == username)).first()
    # 1. The throttle, before any hashing.
    wait = _throttled(_address_failures, address) if address else 0.0
    if user is None:
        wait = max(wait, _throttled(_unknown_failures, username))
    else:
        locked = _aware(user.locked_until)
        if locked is not None and locked > now:
            wait = max(wait, (locked - now).total_seconds())
    if wait > 0:
        raise AccountError("login.throttled", seconds=int(wait) + 1)
    # 2. One argon2 verification, real or dummy.
    ok = passwords.verify(user.password_hash if user is not None else passwords.dummy_hash(), password or "")
    if user is None or not ok or not user.is_active:
        if address:
            _count_failure(_address_failures, address, ADDRESS_FREE_ATTEMPTS)
        if user is None:
            _count_failure(_unknown_failures, username, FREE_ATTEMPTS)
            audit.record(session, None, "login_failed", "user", None, username=username, reason="unknown user")
            raise AccountError("login.failed")
        _count_user_failure(user, now)
        session.add(user)
        audit.record(
            session,
            None,
            "login_failed",
            "user",
            user.id,
            username=username,
            school_id=user.school_id,
            reason="disabled" if ok else "wrong password",
        )
        raise AccountError("login.failed")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    return SignIn(token=open_session(session, user, user_agent=user_agent, method="password"), user=user)


def _count_user_failure(user: User, now: datetime) -> None:
    user.failed_logins += 1
    wait = backoff_seconds(user.failed_logins)
    user.locked_until = now + timedelta(seconds=wait) if wait else None


def change_own_password(session: Session, principal: Principal, current: str, new: str) -> AccountError | None:
    """The signed-in user replaces his password, proving the current one. The current-password
    check shares the sign-in throttle of the account (a stolen open session cannot guess it at
    will). Returns the refusal (its failure count is written with the caller's commit) or None.
    Slow (argon2 twice): call it off the event loop."""
    user = session.get(User, principal.user_id)
    if user is None:
        return AccountError("error.password_wrong")
    now = _now()
    locked = _aware(user.locked_until)
    if locked is not None and locked > now:
        return AccountError("login.throttled", seconds=int((locked - now).total_seconds()) + 1)
    if not passwords.verify(user.password_hash, current):
        _count_user_failure(user, now)
        session.add(user)
        audit.record(session, principal, "login_failed", "user", user.id, reason="profile: wrong current password")
        return AccountError("error.password_wrong")
    if user.must_change_password and new == current:
        return AccountError("password.must_differ")
    try:
        set_password(session, user, new, actor=principal)
    except passwords.PasswordRejected as exc:
        return AccountError(exc.key, **exc.params)
    return None


def open_session(session: Session, user: User, *, user_agent: str = "", method: str = "") -> str:
    """Start a new session for a user who just proved who he is (password or SSO); the raw token
    is returned once for the browser, the database keeps only its hash."""
    now = _now()
    user.last_login_at = now
    session.add(user)
    token = secrets.token_urlsafe(32)  # 256 bits from the OS CSPRNG
    session.add(
        LoginSession(
            user_id=user.id,  # type: ignore[arg-type]
            token_hash=token_hash(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.get().session_absolute_hours),
            user_agent=user_agent[:300],
        )
    )
    audit.record(
        session, None, "login", "user", user.id, username=user.username, school_id=user.school_id, reason=method
    )
    return token


def principal_for(user: User, session_id: int | None = None, *, session: Session | None = None) -> Principal:
    """The Principal an event runs as for this user, with his role's effective permissions now.

    The permissions come from the matrix the director sets (services.rights), read from the
    database each time, so a change of rights holds on the very next event.
    """
    if session is None:
        session = object_session(user)
    if session is None:
        with db.session() as s:
            return principal_for(user, session_id, session=s)
    return Principal(
        user_id=user.id,  # type: ignore[arg-type]
        username=user.username,
        role=user.role,
        school_id=user.school_id,
        full_name=user.full_name,
        language=user.language,
        staff_id=user.staff_id,
        pupil_id=user.pupil_id,
        guardian_id=user.guardian_id,
        session_id=session_id,
        permissions=rights.effective_permissions(session, user.role, user.school_id),
        must_change_password=bool(user.must_change_password),
    )


# ------------------------------------------------------------------ the session cache (issue 12 #3)
#
# Resolving a token costs a query (~0.2 ms of CPU); the guard does it at every event. A resolved
# session is kept for SESSION_CACHE_S (never past its idle or absolute end). Every change that can
# end or change a session (a revocation, a disabled account, a new password or role, a change of
# the rights matrix) clears the cache of its own process at its commit (the listeners below) and
# tells every other process (`revocations`: a stamp file each lookup compares, one stat; a Redis
# channel in a district), so a revoked session stops at its very next event in any worker and after
# a change on the command line. A process that cannot be sure to hear (a stamp file it cannot make,
# or Redis configured but not listened to) keeps a session SESSION_UNHEARD_S only. A change made outside the
# app (SQL typed into the database) holds when the cache life ends.
SESSION_CACHE_S = 30.0
SESSION_UNHEARD_S = 1.0
SESSION_CACHE_MAX = 20_000
_session_cache: dict[str, tuple[float, int, Principal]] = {}
_generation = 0
_seen_stamp: object = ()  # the stamp file as this process last saw it (() = not looked at yet)
_stamp_retry_at = 0.0  # when this process may try again to make a missing stamp file
STAMP_RETRY_S = 10.0
# Columns a sign-in or an event writes that change nothing about who the session is.
_BOOKKEEPING = frozenset({"last_login_at", "failed_logins", "locked_until", "last_seen_at"})


def invalidate_sessions() -> None:
    """Forget every cached session of this process (after a change of accounts or rights)."""
    global _generation
    _generation += 1
    _session_cache.clear()


def _heard_stamp() -> object:
    """The stamp file now; forgets the cached sessions when another process changed it since."""
    global _seen_stamp, _stamp_retry_at
    stamp = revocations.stamp()
    if stamp is None and time.monotonic() >= _stamp_retry_at:
        # Missing (a first start, or removed by hand): made again; a new file is a change for every
        # process. One that cannot be made is tried again after a while, not at every event.
        _stamp_retry_at = time.monotonic() + STAMP_RETRY_S
        revocations.ensure_stamp()
        stamp = revocations.stamp()
    if stamp != _seen_stamp:
        invalidate_sessions()
        _seen_stamp = stamp
    return stamp


def resolve_token(token: str | None) -> Principal | None:
    """`resolve` with the session cache in front: the guard's per-event call."""
    if not token or len(token) > 200:
        return None
    key = token_hash(token)
    stamp = _heard_stamp()
    generation = _generation
    hit = _session_cache.get(key)
    now = time.monotonic()
    if hit is not None and hit[0] > now and hit[1] == generation:
        return hit[2]
    with db.session() as s:
        principal = resolve(s, token)
    left = _cache_seconds.pop(key, SESSION_UNHEARD_S)
    if principal is not None and generation == _generation:
        if len(_session_cache) >= SESSION_CACHE_MAX:
            _session_cache.clear()
        life = SESSION_CACHE_S if stamp is not None and revocations.heard_everywhere() else SESSION_UNHEARD_S
        _session_cache[key] = (now + min(life, left), generation, principal)
    return principal


_cache_seconds: dict[str, float] = {}  # how long a just-resolved session may still live, by token hash


def _auth_change(session: OrmSession) -> bool:
    from bbbms_app.models import RolePermission

    if any(isinstance(obj, (User, LoginSession, RolePermission)) for obj in session.deleted):
        return True
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, RolePermission):
            return True
        if isinstance(obj, (User, LoginSession)) and obj not in session.new:
            changed = {a.key for a in sa_inspect(obj).attrs if a.history.has_changes()}
            if changed - _BOOKKEEPING:
                return True
    return False


@sa_event.listens_for(OrmSession, "before_flush")
def _note_auth_flush(session: OrmSession, _context: object, _instances: object) -> None:
    if _auth_change(session):
        session.info["bbbms_auth_changed"] = True


@sa_event.listens_for(OrmSession, "do_orm_execute")
def _note_auth_statement(state: ORMExecuteState) -> None:
    table = getattr(state.statement, "table", None) if (state.is_update or state.is_delete) else None
    if table is not None and getattr(table, "name", "") in ("user", "loginsession", "rolepermission"):
        state.session.info["bbbms_auth_changed"] = True


@sa_event.listens_for(OrmSession, "after_commit")
def _auth_committed(session: OrmSession) -> None:
    if session.info.pop("bbbms_auth_changed", False):
        invalidate_sessions()
        revocations.announce()


@sa_event.listens_for(OrmSession, "after_rollback")
def _auth_rolled_back(session: OrmSession) -> None:
    session.info.pop("bbbms_auth_changed", None)


# Built once (the guard resolves a token at every event the session cache does not answer): plain
# columns through the session's connection, no ORM objects — two entities loaded and tracked cost
# about a third of a lookup.
_SESSION_OF_TOKEN = (
    select(
        LoginSession.id,
        LoginSession.revoked_at,
        LoginSession.expires_at,
        LoginSession.last_seen_at,
        User.id,
        User.username,
        User.role,
        User.school_id,
        User.full_name,
        User.language,
        User.staff_id,
        User.pupil_id,
        User.guardian_id,
        User.is_active,
        User.must_change_password,
    )
    .join(User, User.id == LoginSession.user_id)  # type: ignore[arg-type]
    .where(LoginSession.token_hash == bindparam("token_hash"))
)
# A bookkeeping write on the connection, as the ORM's flush of last_seen_at was: no session event
# sees it, so it invalidates no cached session (it changes nothing about who the session is).
_SEEN_NOW = update(LoginSession).where(LoginSession.id == bindparam("login_id")).values(last_seen_at=bindparam("now"))


def resolve(session: Session, token: str | None) -> Principal | None:
    """The Principal of a live session token, or None (unknown, revoked, idle, expired, disabled)."""
    if not token or len(token) > 200:
        return None
    key = token_hash(token)
    session.flush()  # a session opened in this same unit of work (sign-in, then resolve) must be seen
    conn = session.connection()
    row = conn.execute(_SESSION_OF_TOKEN, {"token_hash": key}).first()
    if row is None:
        return None
    login_id, revoked_at, expires_at, last_seen_at, user_id, username, role, school_id, full_name = row[:9]
    language, staff_id, pupil_id, guardian_id, is_active, must_change = row[9:]
    now = _now()
    idle = timedelta(minutes=settings.get().session_idle_minutes)
    last_seen = _aware(last_seen_at) or now
    if revoked_at is not None or not is_active or (_aware(expires_at) or now) <= now or last_seen + idle <= now:
        return None
    if (now - last_seen).total_seconds() > LAST_SEEN_RESOLUTION_S:
        conn.execute(_SEEN_NOW, {"login_id": login_id, "now": now})
    left = min((_aware(expires_at) or now) - now, last_seen + idle - now).total_seconds()
    _cache_seconds[key] = max(0.0, left)
    return Principal(
        user_id=user_id,
        username=username,
        role=role,
        school_id=school_id,
        full_name=full_name,
        language=language,
        staff_id=staff_id,
        pupil_id=pupil_id,
        guardian_id=guardian_id,
        session_id=login_id,
        permissions=rights.effective_permissions(session, role, school_id),
        must_change_password=bool(must_change),
    )


def revoke(session: Session, token: str | None) -> None:
    """End one session (sign-out)."""
    if not token:
        return
    login = session.exec(select(LoginSession).where(LoginSession.token_hash == token_hash(token))).first()
    if login is not None and login.revoked_at is None:
        login.revoked_at = _now()
        session.add(login)


def revoke_all(session: Session, user_id: int, *, except_session_id: int | None = None) -> int:
    """End every open session of a user; returns how many."""
    rows = session.exec(
        select(LoginSession).where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))  # type: ignore[union-attr]
    ).all()
    n = 0
    for login in rows:
        if login.id == except_session_id:
            continue
        login.revoked_at = _now()
        session.add(login)
        n += 1
    return n


def set_language(session: Session, user_id: int, language: str) -> None:
    """Remember the user's UI language."""
    if language not in UI_LANGUAGES:
        raise AccountError("error.invalid", field="language")
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("error.not_found")
    user.language = language
    session.add(user)


def set_active(session: Session, user: User, active: bool, *, actor: Principal | None = None) -> None:
    """Enable or disable an account. Disabling ends all its sessions at once (and `resolve` refuses
    a disabled user anyway, so a session is dead at its very next event)."""
    if user.is_active == active:
        return
    user.is_active = active
    session.add(user)
    if not active:
        revoke_all(session, user.id)  # type: ignore[arg-type]
    audit.record(
        session,
        actor,
        "update",
        "user",
        user.id,
        field="is_active",
        old=not active,
        new=active,
        school_id=user.school_id,
    )


# ------------------------------------------------------------------ requests the director approves


def _file_request(
    session: Session, actor: Principal | None, user: User, kind: str, field: str, value: str, password_hash: str = ""
) -> AccountRequest:
    request = AccountRequest(
        school_id=user.school_id,
        user_id=user.id,  # type: ignore[arg-type]
        kind=kind,
        field=field,
        value=value,
        password_hash=password_hash,
        requested_by=actor.user_id if actor else None,
        requested_by_name=(actor.full_name or actor.username) if actor else "",
    )
    session.add(request)
    session.flush()
    audit.record(
        session,
        actor,
        "request",
        "user",
        user.id,
        field=field or kind,
        new="(password)" if kind == "password" else value,
        reason=f"account request {request.id}",
        school_id=user.school_id,
    )
    return request


def hold_for_approval(session: Session, actor: Principal | None, user: User, changes: dict) -> dict:
    """The part of an edit of `user` that `actor` may save now; the rest becomes requests.

    Raises AccountError when the account is out of his reach altogether (rank). A new link to a
    person and a deputy-level role wait for the director; removing a link needs nobody.
    """
    if actor is not None and user.id != actor.user_id:
        key = action_refusal(actor, user)
        if key is not None:
            raise AccountError(key, field="role")
    if approves(actor) or not changes:
        return changes
    now_changes = dict(changes)
    for f in LINK_FIELDS:
        if now_changes.get(f) is not None:
            _file_request(session, actor, user, "link", f, str(now_changes.pop(f)))
    if now_changes.get("role") in APPROVAL_ROLES:
        _file_request(session, actor, user, "role", "role", str(now_changes.pop("role")))
    return now_changes


def reset_password(session: Session, actor: Principal | None, user: User, password: str) -> str:
    """Give `user` a password chosen by `actor`: "done", or "requested" when it waits for the
    director (the account is at or above the actor's rank, or deputy-level). Rules are checked
    first either way; a held password is kept only as its hash."""
    if approves(actor):
        key = action_refusal(actor, user) if actor is not None and user.id != actor.user_id else None
        if key is not None:
            raise AccountError(key)
        set_password(session, user, password, actor=actor, must_change=True)
        return "done"
    if action_refusal(actor, user) is None and user.role not in APPROVAL_ROLES:
        set_password(session, user, password, actor=actor, must_change=True)
        return "done"
    if ROLE_RANK.get(user.role, 99) >= ROLE_RANK["director"]:
        raise AccountError("accounts.error.rank")  # nobody in the school outranks a director
    passwords.check_rules(password)
    _file_request(session, actor, user, "password", "password", "", passwords.hash_password(password))
    return "requested"


def pending_requests(session: Session, actor: Principal) -> list[dict[str, str]]:
    """The requests waiting for `actor` (the director of his school), oldest first, display-ready."""
    query = (
        select(AccountRequest, User)
        .join(User, User.id == AccountRequest.user_id)
        .where(  # type: ignore[arg-type]
            AccountRequest.status == "pending"
        )
    )
    if actor.school_id is not None:
        query = query.where(AccountRequest.school_id == actor.school_id)
    rows = session.exec(query.order_by(AccountRequest.requested_at, AccountRequest.id)).all()  # type: ignore[arg-type]
    return [
        {
            "id": str(r.id),
            "kind": r.kind,
            "username": u.username,
            "full_name": u.full_name,
            "role": u.role,
            "field": r.field,
            "value": r.value,
            "requested_by": r.requested_by_name,
            "requested_at": (_aware(r.requested_at) or _now()).strftime("%Y-%m-%d %H:%M"),
        }
        for r, u in rows
    ]


def decide(session: Session, actor: Principal, request_id: int, approve: bool) -> AccountRequest:
    """The director confirms or rejects a pending request; audited with both names."""
    if not approves(actor) or actor is None:
        raise AccountError("accounts.error.rank")
    request = session.get(AccountRequest, request_id)
    if (
        request is None
        or request.status != "pending"
        or (actor.school_id is not None and request.school_id != actor.school_id)
    ):
        raise AccountError("error.not_found")
    user = session.get(User, request.user_id)
    if user is None:
        raise AccountError("error.not_found")
    key = action_refusal(actor, user) if user.id != actor.user_id else "accounts.error.rank"
    if key is not None:
        raise AccountError(key)
    if approve:
        if request.kind == "link":
            setattr(user, request.field, int(request.value))
        elif request.kind == "role":
            user.role = request.value
            if request.field == "new_role":
                user.is_active = True
        else:
            user.password_hash = request.password_hash
            user.password_changed_at = _now()
            user.must_change_password = True
            user.failed_logins = 0
            user.locked_until = None
            revoke_all(session, user.id)  # type: ignore[arg-type]
        user.version += 1
        user.search_key = search_key(user.username, user.full_name)
        session.add(user)
    request.status = "approved" if approve else "rejected"
    request.decided_by = actor.user_id
    request.decided_by_name = actor.full_name or actor.username
    request.decided_at = _now()
    session.add(request)
    audit.record(
        session,
        actor,
        "approve" if approve else "reject",
        "user",
        user.id,
        field=request.field or request.kind,
        new="(password)" if request.kind == "password" else request.value,
        reason=f"account request {request.id}: requested by {request.requested_by_name}, "
        f"{'approved' if approve else 'rejected'} by {request.decided_by_name}",
        school_id=user.school_id,
    )
    return request


def end_sessions(session: Session, actor: Principal, user: User) -> int:
    """The director ends every session of `user` (a lost phone, a shared computer); audited."""
    if not approves(actor):
        raise AccountError("accounts.error.rank")
    key = action_refusal(actor, user) if user.id != actor.user_id else None
    if key is not None:
        raise AccountError(key)
    n = revoke_all(session, user.id)  # type: ignore[arg-type]
    audit.record(
        session, actor, "end_sessions", "user", user.id, new=str(n), reason="sessions ended", school_id=user.school_id
    )
    return n
