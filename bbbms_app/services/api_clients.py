"""API clients and OAuth 2 client credentials (RFC 6749 §4.4) for the integration API (issue 19).

- `create_client` registers a client of one school with its scopes and returns the secret once;
  only its SHA-256 is kept (models/api.py says why a random secret needs no slow hash).
- `issue_token` is the token endpoint's logic: the client authenticated by id and secret, the
  scopes asked for checked against the client's, an opaque 256-bit token for ≤ 15 minutes bound
  to this server's API audience, stored as its SHA-256. Every issuance and every refusal is
  audited with the client's name (`api:<name>`).
- `authenticate` turns a bearer token into an `ApiCaller` (the client, its school, the token's
  scopes) or refuses: unknown, expired, revoked, another audience, or a client switched off.
- `RateLimit`: a per-client sliding window (in this process) on token requests and API calls.

Errors are `OAuthError(code, description, status)`: the RFC 6749 §5.2 / RFC 6750 §3.1 codes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, delete, select

from bbbms_app import settings
from bbbms_app.models import ApiClient, ApiToken, School
from bbbms_app.services import audit

SCOPES = ("roster:read", "gradebook:read", "gradebook:write", "demographics:read", "resources:read")
TOKEN_LIFETIME = timedelta(minutes=15)
CLIENT_ID_PREFIX = "bbbms_"


class OAuthError(Exception):
    """A refusal in OAuth 2 terms: `code` (invalid_client, invalid_scope, invalid_token, …)."""

    def __init__(self, code: str, description: str, status: int = 400) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.status = status


class ClientError(Exception):
    """A registration refused (CLI): a catalog key and its parameters."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class ApiCaller:
    """Who an API call is made by: the client, its school, and the scopes its token carries."""

    client_pk: int
    name: str
    school_id: int
    scopes: frozenset[str]

    @property
    def username(self) -> str:
        return f"api:{self.name}"[:80]


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def audience() -> str:
    """The audience every token is bound to: this server's API address."""
    return f"{settings.get().site_url}/api/v1"


def parse_scopes(text: str) -> list[str]:
    """`roster:read,gradebook:read` or space-separated: the distinct scopes, in order."""
    out: list[str] = []
    for part in text.replace(",", " ").split():
        if part not in out:
            out.append(part)
    return out


def _refuse(s: Session, client: ApiClient | None, reason: str, exc: OAuthError, name: str = "") -> OAuthError:
    """Audit a refusal and commit it (the token path has written nothing else), then hand back
    the error to raise: the caller's session rolls back on the raise, the audit row stays."""
    _audit(s, client, "denied", reason, name)
    s.commit()
    return exc


def _audit(s: Session, client: ApiClient | None, action: str, reason: str, name: str = "") -> None:
    audit.record(
        s,
        None,
        action,
        "api_client",
        client.id if client else None,
        reason=reason,
        username=f"api:{client.name if client else name}",
        school_id=client.school_id if client else None,
    )


def create_client(s: Session, school_id: int, name: str, scopes: list[str], created_by: str) -> tuple[ApiClient, str]:
    """Register a client; returns it and its secret (shown once, never stored)."""
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise ClientError("api.client.bad_name")
    if s.get(School, school_id) is None:
        raise ClientError("cli.error.no_school", id=school_id)
    unknown = [sc for sc in scopes if sc not in SCOPES]
    if unknown or not scopes:
        raise ClientError("api.client.bad_scopes", scopes=", ".join(unknown) or "-", known=", ".join(SCOPES))
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        school_id=school_id,
        name=name,
        client_id=CLIENT_ID_PREFIX + secrets.token_hex(12),
        secret_sha256=digest(secret),
        scopes=" ".join(scopes),
        created_by=created_by[:80],
    )
    s.add(client)
    s.flush()
    audit.record(
        s, None, "create", "api_client", client.id, new=f"{name}: {client.scopes}", username=created_by,
        school_id=school_id,
    )  # fmt: skip
    return client, secret


def revoke_client(s: Session, client_pk: int, by: str) -> ApiClient:
    """Switch a client off and revoke every token it holds."""
    client = s.get(ApiClient, client_pk)
    if client is None:
        raise ClientError("api.client.no_such", id=client_pk)
    client.active = False
    client.revoked_at = datetime.now(UTC)
    s.add(client)
    for token in s.exec(select(ApiToken).where(ApiToken.client_id == client_pk, ApiToken.revoked == False)):  # noqa: E712
        token.revoked = True
        s.add(token)
    audit.record(s, None, "revoke", "api_client", client.id, old=client.name, username=by, school_id=client.school_id)
    return client


def list_clients(s: Session) -> list[ApiClient]:
    return list(s.exec(select(ApiClient).order_by(ApiClient.id)))  # type: ignore[arg-type]


def _find_client(s: Session, client_id: str, secret: str) -> ApiClient:
    """The active client these credentials authenticate, or invalid_client (audited)."""
    client = s.exec(select(ApiClient).where(ApiClient.client_id == client_id)).first() if client_id else None
    # The secret is compared in constant time, and an unknown id costs the same digest.
    ok = hmac.compare_digest(client.secret_sha256 if client else digest("-"), digest(secret))
    failed = OAuthError("invalid_client", "client authentication failed", 401)
    if client is None or not ok:
        # Failed attempts are counted per client id apart from the client's own requests: a
        # stranger who knows a client_id (it is no secret) cannot use up that client's allowance.
        if not RATE.allow(f"token-failed:{client_id[:64]}", limit=TOKEN_REQUESTS_PER_MINUTE):
            slow = OAuthError("slow_down", "too many requests; wait a minute", 429)
            raise _refuse(s, client, "token: too many failed attempts", slow, name=client_id[:60] or "?")
        raise _refuse(s, client, "token: bad client credentials", failed, name=client_id[:60] or "?")
    if not client.active:
        raise _refuse(s, client, "token: client revoked", failed)
    if not RATE.allow(f"token:{client.id}", limit=TOKEN_REQUESTS_PER_MINUTE):
        raise _refuse(s, client, "token: rate limit", OAuthError("slow_down", "too many requests; wait a minute", 429))
    return client


def issue_token(
    s: Session, client_id: str, secret: str, grant_type: str, scope: str | None, now: datetime | None = None
) -> dict:
    """The token response (RFC 6749 §5.1) for a client-credentials grant, or an OAuthError."""
    client = _find_client(s, client_id, secret)
    if grant_type != "client_credentials":
        raise _refuse(s, client, f"token: grant_type {grant_type[:40]!r}",
                      OAuthError("unsupported_grant_type", "only client_credentials is supported"))  # fmt: skip
    allowed = client.scopes.split()
    wanted = parse_scopes(scope) if scope is not None and scope.strip() else allowed
    if any(sc not in allowed for sc in wanted):
        raise _refuse(s, client, f"token: scope {' '.join(wanted)[:200]}",
                      OAuthError("invalid_scope", "the client may not have these scopes"))  # fmt: skip
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    s.add(
        ApiToken(
            client_id=client.id,  # type: ignore[arg-type]
            token_sha256=digest(token),
            scopes=" ".join(wanted),
            audience=audience(),
            issued_at=now,
            expires_at=now + TOKEN_LIFETIME,
        )
    )
    _audit(s, client, "api_token", f"token issued: {' '.join(wanted)}")
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": int(TOKEN_LIFETIME.total_seconds()),
        "scope": " ".join(wanted),
    }


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def authenticate(s: Session, token: str, now: datetime | None = None) -> ApiCaller:
    """The caller a bearer token speaks for, or OAuthError("invalid_token", …, 401)."""
    now = now or datetime.now(UTC)
    row = s.exec(select(ApiToken).where(ApiToken.token_sha256 == digest(token))).first() if token else None
    reason = ""
    client = s.get(ApiClient, row.client_id) if row else None
    if row is None or client is None:
        reason = "unknown token"
    elif row.revoked or not client.active:
        reason = "revoked token"
    elif _aware(row.expires_at) <= now:
        reason = "expired token"
    elif row.audience != audience():
        reason = "token of another audience"
    if reason:
        raise OAuthError("invalid_token", reason, 401)
    assert row is not None and client is not None
    return ApiCaller(client.id, client.name, client.school_id, frozenset(row.scopes.split()))  # type: ignore[arg-type]


def revoke_own_token(s: Session, client_id: str, secret: str, token: str) -> bool:
    """A client revokes one of its own tokens (RFC 7009: an unknown token is no error)."""
    client = _find_client(s, client_id, secret)
    row = s.exec(select(ApiToken).where(ApiToken.token_sha256 == digest(token))).first() if token else None
    if row is None or row.revoked or row.client_id != client.id:
        return False
    row.revoked = True
    s.add(row)
    _audit(s, client, "revoke", f"token {row.id} revoked by the client")
    return True


TOKEN_KEPT_AFTER_EXPIRY = timedelta(hours=1)


def purge_tokens(s: Session, now: datetime | None = None) -> int:
    """Delete tokens expired an hour ago or more (revoked or not): a dead token is only a hash that
    nothing can use; its issuance stays in the audit. The periodic job `api_tokens` runs this."""
    cutoff = (now or datetime.now(UTC)) - TOKEN_KEPT_AFTER_EXPIRY
    result = s.exec(delete(ApiToken).where(ApiToken.expires_at < cutoff))  # type: ignore[call-overload]
    return int(result.rowcount or 0)


MAX_KEYS = 10_000


class RateLimit:
    """A sliding one-minute window per key, in this process (a district runs one API worker per
    school's traffic; several workers each count on their own, so the limit is per worker)."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, limit: int, window_s: float = 60.0) -> bool:
        now = time.monotonic()
        with self._lock:
            if len(self._hits) > MAX_KEYS:  # made-up client ids must not grow the table forever
                for stale in [k for k, h in self._hits.items() if not h or h[-1] <= now - window_s]:
                    del self._hits[stale]
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - window_s:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            return True

    def used(self, key: str, window_s: float = 60.0) -> int:
        """Hits of `key` in the window, without adding one."""
        now = time.monotonic()
        with self._lock:
            return sum(1 for hit in self._hits.get(key, ()) if hit > now - window_s)

    def retry_after(self, key: str, window_s: float = 60.0) -> int:
        with self._lock:
            hits = self._hits.get(key)
            if not hits:
                return 1
            return max(1, int(hits[0] + window_s - time.monotonic()) + 1)

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


RATE = RateLimit()
TOKEN_REQUESTS_PER_MINUTE = 30
CALLS_PER_MINUTE = 600
