"""Single sign-on with OpenID Connect (authlib + joserfc), and the accounts it may open.

The flow is the authorization code flow with PKCE (S256), `state` and `nonce`. The browser only
carries the provider's one-time code back; the code is exchanged for tokens here, on the server,
and the ID token is verified with the provider's published keys (JWKS) and `claims.validate()`:
signature, issuer, audience, expiry, nonce (and `azp`, `at_hash`). A school may also pin its
Google Workspace domain (`hd`) or Microsoft tenant (`tid`).

A verified identity is the pair (issuer, subject). It opens a session only for the account the
administrator linked to exactly that pair (`link`); an e-mail address in the token never links
or matches anything.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from sqlmodel import Session, select

from bbbms_app import settings
from bbbms_app.models import User
from bbbms_app.services import accounts, audit
from bbbms_app.services.access import Principal
from bbbms_app.services.errors import Refused
from bbbms_app.settings import SsoProvider

CALLBACK_PATH = "/auth/callback"
FLOW_TTL_S = 10 * 60  # the user has ten minutes at the provider
HTTP_TIMEOUT_S = 5.0  # the whole exchange runs inside one event; keep it well under the state lock
METADATA_TTL_S = 3600
LEEWAY_S = 60  # clock difference tolerated on exp / iat
# Asymmetric algorithms only: an HS256 token "signed" with the public key must never verify.
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
MAX_SUBJECT = 300  # User.oidc_subject / oidc_issuer length


class SsoError(Refused):
    """A refused SSO step; `key` names the message the user sees, `reason` what the audit keeps."""

    def __init__(self, key: str, reason: str, **params: object) -> None:
        super().__init__(key, **params)
        self.args = (reason,)
        self.detail = self.reason = reason


@dataclass(frozen=True)
class Flow:
    """What the browser tab that started a sign-in must remember (server side) until the callback."""

    provider: str
    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    started_at: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Flow:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Identity:
    """A person the provider vouched for, after every check."""

    provider: str
    issuer: str
    subject: str
    email: str = ""
    name: str = ""


def redirect_uri(s: settings.Settings | None = None) -> str:
    """Where providers send the browser back; register exactly this at the provider."""
    return (s or settings.get()).site_url + CALLBACK_PATH


def provider(key: str) -> SsoProvider:
    p = settings.get().sso_provider(key) if isinstance(key, str) else None
    if p is None:
        raise SsoError("sso.failed", f"unknown provider {str(key)[:30]!r}")
    return p


def _http() -> httpx2.AsyncClient:
    return httpx2.AsyncClient(timeout=HTTP_TIMEOUT_S, follow_redirects=False)


# Per issuer: the discovery document (with its expiry) and the provider's published keys.
_metadata: dict[str, tuple[float, dict[str, Any]]] = {}
_jwks: dict[str, dict[str, Any]] = {}


def forget_cached_provider_data() -> None:
    """Drop cached discovery documents and keys (after a settings change, and in tests)."""
    _metadata.clear()
    _jwks.clear()


async def _get_json(url: str, what: str, p: SsoProvider) -> dict[str, Any]:
    try:
        async with _http() as client:
            resp = await client.get(url)
    except httpx2.HTTPError as exc:
        raise SsoError("sso.unavailable", f"{p.key}: {what} unreachable: {type(exc).__name__}", name=p.name) from exc
    if resp.status_code != 200:
        raise SsoError("sso.unavailable", f"{p.key}: {what} answered HTTP {resp.status_code}", name=p.name)
    try:
        data = resp.json()
    except ValueError as exc:
        raise SsoError("sso.unavailable", f"{p.key}: {what} is not JSON", name=p.name) from exc
    if not isinstance(data, dict):
        raise SsoError("sso.unavailable", f"{p.key}: {what} is not a JSON object", name=p.name)
    return data


async def metadata(p: SsoProvider) -> dict[str, Any]:
    """The provider's discovery document, checked to be its own (issuer mix-up) and cached."""
    cached = _metadata.get(p.issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    doc = await _get_json(p.issuer + "/.well-known/openid-configuration", "discovery", p)
    if doc.get("issuer") != p.issuer:
        raise SsoError(
            "sso.unavailable", f"{p.key}: discovery names issuer {str(doc.get('issuer'))[:100]!r}", name=p.name
        )
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = doc.get(endpoint)
        if not isinstance(value, str) or not value.startswith(("https://", "http://")):
            raise SsoError("sso.unavailable", f"{p.key}: discovery lacks {endpoint}", name=p.name)
        if p.issuer.startswith("https://") and not value.startswith("https://"):
            raise SsoError("sso.unavailable", f"{p.key}: {endpoint} is not https", name=p.name)
    methods = doc.get("code_challenge_methods_supported")
    if isinstance(methods, list) and "S256" not in methods:
        raise SsoError("sso.unavailable", f"{p.key}: the provider does not offer PKCE S256", name=p.name)
    _metadata[p.issuer] = (time.monotonic() + METADATA_TTL_S, doc)
    return doc


async def _key_set(p: SsoProvider, doc: dict[str, Any], *, refresh: bool = False) -> KeySet:
    if refresh or p.issuer not in _jwks:
        _jwks[p.issuer] = await _get_json(doc["jwks_uri"], "JWKS", p)
    try:
        return KeySet.import_key_set(_jwks[p.issuer])  # type: ignore[arg-type]
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise SsoError("sso.unavailable", f"{p.key}: JWKS unusable: {type(exc).__name__}", name=p.name) from exc


async def begin(key: str) -> tuple[Flow, str]:
    """Start a sign-in: fresh state, nonce and PKCE verifier, and the provider URL to send the browser to."""
    p = provider(key)
    doc = await metadata(p)
    flow = Flow(
        provider=p.key,
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),  # 86 characters, within RFC 7636's 43..128
        redirect_uri=redirect_uri(),
        started_at=time.time(),
    )
    client = AsyncOAuth2Client(
        client_id=p.client_id, scope=" ".join(p.scopes), redirect_uri=flow.redirect_uri, code_challenge_method="S256"
    )
    extra: dict[str, str] = {}
    if len(p.hosted_domains) == 1:
        extra["hd"] = p.hosted_domains[0]  # only a hint to Google's account chooser; the claim is checked
    url, _ = client.create_authorization_url(
        doc["authorization_endpoint"], state=flow.state, nonce=flow.nonce, code_verifier=flow.code_verifier, **extra
    )
    await client.aclose()
    return flow, url


async def validate_id_token(
    p: SsoProvider,
    doc: dict[str, Any],
    id_token: str,
    *,
    nonce: str,
    access_token: str | None = None,
    now: int | None = None,
) -> dict[str, Any]:
    """The claims of an ID token whose signature, issuer, audience, expiry and nonce all hold."""
    offered = doc.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [a for a in offered if a in ALLOWED_ALGORITHMS]
    if not algorithms:
        raise SsoError("sso.unavailable", f"{p.key}: no acceptable id token algorithm"[:300], name=p.name)
    try:
        try:
            token = jwt.decode(id_token, await _key_set(p, doc), algorithms=algorithms)
        except InvalidKeyIdError:
            # The provider rotated its keys since we cached them: read them once more.
            token = jwt.decode(id_token, await _key_set(p, doc, refresh=True), algorithms=algorithms)
    except JoseError as exc:
        raise SsoError("sso.failed", f"{p.key}: id token rejected: {exc.error}") from exc
    except (ValueError, TypeError) as exc:
        raise SsoError("sso.failed", f"{p.key}: id token malformed") from exc
    claims = CodeIDToken(
        token.claims,
        token.header,
        {
            "iss": {"essential": True, "value": p.issuer},
            "aud": {"essential": True, "value": p.client_id},
            "exp": {"essential": True},
            "sub": {"essential": True},
        },
        {"nonce": nonce, "client_id": p.client_id, "access_token": access_token},
    )
    try:
        claims.validate(now=now, leeway=LEEWAY_S)
    except JoseError as exc:
        raise SsoError("sso.failed", f"{p.key}: id token {exc.error}: {exc.description or ''}"[:300]) from exc
    return dict(claims)


def _check_organisation(p: SsoProvider, claims: dict[str, Any]) -> None:
    if p.hosted_domains and str(claims.get("hd", "")).lower() not in p.hosted_domains:
        raise SsoError("sso.foreign", f"{p.key}: hd {str(claims.get('hd'))[:80]!r} is not the school's", name=p.name)
    if p.tenants and claims.get("tid") not in p.tenants:
        raise SsoError("sso.foreign", f"{p.key}: tid {str(claims.get('tid'))[:80]!r} is not the school's", name=p.name)


async def complete(flow: Flow, query: dict[str, str], *, now: float | None = None) -> Identity:
    """Finish a sign-in from the callback's query: check state, exchange the code, verify the token."""
    p = provider(flow.provider)
    if query.get("error"):
        detail = f"{str(query.get('error'))[:60]} {str(query.get('error_description', ''))[:100]}".strip()
        raise SsoError("sso.cancelled", f"{p.key}: provider answered {detail}", name=p.name)
    state = str(query.get("state", ""))
    if not state or not hmac.compare_digest(state.encode(), flow.state.encode()):
        raise SsoError("sso.failed", f"{p.key}: state does not match the one this browser was given")
    if (now if now is not None else time.time()) - flow.started_at > FLOW_TTL_S:
        raise SsoError("sso.expired", f"{p.key}: the sign-in took longer than {FLOW_TTL_S // 60} minutes")
    code = str(query.get("code", ""))
    if not code or len(code) > 4096:
        raise SsoError("sso.failed", f"{p.key}: no authorization code in the callback")
    doc = await metadata(p)
    client = AsyncOAuth2Client(
        client_id=p.client_id,
        client_secret=p.client_secret,
        token_endpoint_auth_method=p.token_auth_method,
        timeout=HTTP_TIMEOUT_S,
        follow_redirects=False,
    )
    try:
        token = await client.fetch_token(
            doc["token_endpoint"],
            grant_type="authorization_code",
            code=code,
            redirect_uri=flow.redirect_uri,
            code_verifier=flow.code_verifier,
        )
    except OAuthError as exc:
        raise SsoError("sso.failed", f"{p.key}: token endpoint refused: {exc.error}"[:300]) from exc
    except httpx2.HTTPError as exc:
        raise SsoError("sso.unavailable", f"{p.key}: token endpoint unreachable", name=p.name) from exc
    except ValueError as exc:
        raise SsoError("sso.failed", f"{p.key}: token endpoint answer unreadable") from exc
    finally:
        await client.aclose()
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SsoError("sso.failed", f"{p.key}: the token answer holds no id_token")
    claims = await validate_id_token(p, doc, id_token, nonce=flow.nonce, access_token=token.get("access_token"))
    _check_organisation(p, claims)
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > MAX_SUBJECT:
        raise SsoError("sso.failed", f"{p.key}: unusable subject")
    return Identity(
        provider=p.key,
        issuer=p.issuer,
        subject=subject,
        email=str(claims.get("email", ""))[:200],
        name=str(claims.get("name", ""))[:200],
    )


# ---------------------------------------------------------------- accounts


def linked_user(session: Session, issuer: str, subject: str) -> User | None:
    """The account linked to exactly (issuer, subject), or None."""
    return session.exec(select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)).first()


def sign_in(session: Session, identity: Identity, *, user_agent: str = "") -> accounts.SignIn:
    """Open a session for the account linked to the verified identity.

    No linked account and a disabled one get the same answer; the audit keeps the issuer and
    subject so the administrator can link the person.
    """
    user = linked_user(session, identity.issuer, identity.subject)
    if user is None or not user.is_active:
        why = "account disabled" if user is not None else "no account linked"
        audit.record(
            session,
            None,
            "login_failed",
            "user",
            user.id if user is not None else None,
            username=user.username if user is not None else "",
            school_id=user.school_id if user is not None else None,
            reason=f"sso {identity.provider}: {why}; iss={identity.issuer} sub={identity.subject}"[:500],
        )
        return accounts.SignIn(error=accounts.AccountError("sso.unlinked", subject=identity.subject))
    token = accounts.open_session(session, user, user_agent=user_agent, method=f"sso {identity.provider}")
    return accounts.SignIn(token=token, user=user)


def link(session: Session, user: User, issuer: str, subject: str, *, actor: Principal | None = None) -> None:
    """Link an account to an SSO identity (administrator). The user's open sessions end."""
    issuer = (issuer or "").strip().rstrip("/")
    subject = (subject or "").strip()
    if not issuer.startswith(("https://", "http://")) or len(issuer) > MAX_SUBJECT:
        raise accounts.AccountError("error.invalid", field="issuer")
    if not subject or len(subject) > MAX_SUBJECT:
        raise accounts.AccountError("error.invalid", field="subject")
    other = linked_user(session, issuer, subject)
    if other is not None and other.id != user.id:
        raise accounts.AccountError("sso.already_linked", username=other.username)
    old = f"{user.oidc_issuer} {user.oidc_subject}" if user.oidc_subject else ""
    user.oidc_issuer, user.oidc_subject = issuer, subject
    session.add(user)
    accounts.revoke_all(session, user.id)  # type: ignore[arg-type]
    audit.record(
        session,
        actor,
        "update",
        "user",
        user.id,
        field="sso",
        old=old,
        new=f"{issuer} {subject}",
        school_id=user.school_id,
    )


def unlink(session: Session, user: User, *, actor: Principal | None = None) -> None:
    """Remove an account's SSO link (administrator). The user's open sessions end."""
    if not user.oidc_subject:
        return
    old = f"{user.oidc_issuer} {user.oidc_subject}"
    user.oidc_issuer, user.oidc_subject = None, None
    session.add(user)
    accounts.revoke_all(session, user.id)  # type: ignore[arg-type]
    audit.record(session, actor, "update", "user", user.id, field="sso", old=old, new="", school_id=user.school_id)
