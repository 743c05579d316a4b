"""User accounts and sign-in sessions: create, authenticate with throttling, resolve, revoke."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from bbbms_app import db, settings
from bbbms_app.i18n.collation import search_key
from bbbms_app.models import LoginSession, User
from bbbms_app.models.accounts import ROLES, UI_LANGUAGES
from bbbms_app.services import audit, passwords, rights
from bbbms_app.services.access import Principal

FREE_ATTEMPTS = 5  # failures before the back-off starts
BACKOFF_START_S = 30
BACKOFF_MAX_S = 15 * 60
LAST_SEEN_RESOLUTION_S = 60  # last_seen_at is rewritten at most once a minute per session


class AccountError(ValueError):
    """A refused account operation; `key` names the translated message."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


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
    session.add(user)
    session.flush()
    audit.record(session, actor, "create", "user", user.id, new=f"{username} ({role})", school_id=school_id)
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


def authenticate(session: Session, username: str, password: str, *, user_agent: str = "") -> SignIn:
    """Check the credentials and open a session.

    Unknown user, wrong password and disabled account all answer "login.failed"; a throttled
    username answers "login.throttled" whether or not it exists.
    """
    try:
        return _authenticate(session, username, password, user_agent)
    except AccountError as exc:
        return SignIn(error=exc)


def _authenticate(session: Session, username: str, password: str, user_agent: str) -> SignIn:
    username = (username or "").strip().lower()[:80]
    now = _now()
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        passwords.verify(passwords.dummy_hash(), password or "")
        with _unknown_lock:
            failures, until = _unknown_failures.get(username, (0, 0.0))
            if until > time.time():
                raise AccountError("login.throttled", seconds=int(until - time.time()) + 1)
            failures += 1
            _unknown_failures[username] = (failures, time.time() + backoff_seconds(failures))
        audit.record(session, None, "login_failed", "user", None, username=username, reason="unknown user")
        raise AccountError("login.failed")
    locked = _aware(user.locked_until)
    if locked is not None and locked > now:
        raise AccountError("login.throttled", seconds=int((locked - now).total_seconds()) + 1)
    ok = passwords.verify(user.password_hash, password or "")
    if not ok or not user.is_active:
        user.failed_logins += 1
        wait = backoff_seconds(user.failed_logins)
        user.locked_until = now + timedelta(seconds=wait) if wait else None
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


def resolve(session: Session, token: str | None) -> Principal | None:
    """The Principal of a live session token, or None (unknown, revoked, idle, expired, disabled)."""
    if not token or len(token) > 200:
        return None
    row = session.exec(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)  # type: ignore[arg-type]
        .where(LoginSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    login, user = row
    now = _now()
    idle = timedelta(minutes=settings.get().session_idle_minutes)
    last_seen = _aware(login.last_seen_at) or now
    if (
        login.revoked_at is not None
        or not user.is_active
        or (_aware(login.expires_at) or now) <= now
        or last_seen + idle <= now
    ):
        return None
    if (now - last_seen).total_seconds() > LAST_SEEN_RESOLUTION_S:
        login.last_seen_at = now
        session.add(login)
    return principal_for(user, login.id, session=session)


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
