"""SSO end to end against a real OpenID Connect provider the tests run on 127.0.0.1 (tests/oidc_provider.py).

The flow is driven through the real handlers: SsoState.start gives the provider URL, an HTTP
client plays the browser at the provider, and SsoState.finish gets the callback URL, exactly as
the /auth/callback page's on_load would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import reflex as rx
from joserfc import jwt
from reflex.istate.data import ReflexURL, RouterData
from sqlmodel import select

from bbbms_app import db, settings
from bbbms_app.auth.sso import SsoState
from bbbms_app.auth.state import AuthState
from bbbms_app.cli import main as cli
from bbbms_app.i18n import t
from bbbms_app.models import AuditEvent, LoginSession, User
from bbbms_app.services import accounts, sso
from tests.oidc_provider import CLIENT_ID, PROVIDER_KEY, OidcProvider, s256
from tests.states import is_refusal, new_tab, shows_error, sub

SITE = "http://localhost:3999"


@pytest.fixture(scope="module")
def provider():
    p = OidcProvider().start()
    p.redirect_uris = {SITE + sso.CALLBACK_PATH}
    yield p
    p.stop()


@pytest.fixture
def idp(provider, school, monkeypatch):
    """The provider, well behaved, configured in the app's settings."""
    provider.reset()
    env = {**provider.app_env(), "BBBMS_PUBLIC_URL": SITE}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    settings.reload()
    sso.forget_cached_provider_data()
    yield provider
    for k in env:
        monkeypatch.delenv(k)
    settings.reload()
    sso.forget_cached_provider_data()


def _link(username: str, issuer: str, subject: str) -> None:
    with db.session() as s:
        user = s.exec(select(User).where(User.username == username)).one()
        sso.link(s, user, issuer, subject)


def _redirect_target(spec) -> str:
    items = spec if isinstance(spec, list) else [spec]
    for item in items:
        args = {k._js_expr: v for k, v in getattr(item, "args", ())}
        if "_redirect" in repr(item.handler.fn) and "path" in args:
            return args["path"]._var_value
    raise AssertionError(f"not a redirect: {spec!r}")


async def _start(root: rx.State) -> str:
    """Click "sign in with …": the provider URL the browser is sent to."""
    return _redirect_target(await sub(root, SsoState).start(PROVIDER_KEY))


def _at_provider(url: str) -> str:
    """The browser at the provider: it approves and answers with the callback URL."""
    resp = httpx.get(url, follow_redirects=False, timeout=5)
    assert resp.status_code in (302, 307), resp.text
    return resp.headers["location"]


async def _finish(root: rx.State, callback_url: str):
    root.router = RouterData(url=ReflexURL(callback_url))
    return await sub(root, SsoState).finish()


async def _sign_in(root: rx.State):
    return await _finish(root, _at_provider(await _start(root)))


def _b64(raw: bytes) -> bytes:
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def _failures() -> list[str]:
    with db.session() as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.action == "login_failed")).all()
        return [r.reason for r in rows]


def _sessions() -> int:
    with db.session() as s:
        return len(s.exec(select(LoginSession)).all())


def _assert_refused(root: rx.State, result, key: str, reason_part: str, **params) -> None:
    assert result is None, result  # no redirect home
    assert sub(root, SsoState).error == t(key, "ky", **params)
    assert sub(root, AuthState).session_token == ""
    assert not sub(root, AuthState).signed_in
    assert _sessions() == 0
    assert any(reason_part in r for r in _failures()), _failures()


# ---------------------------------------------------------------- the happy path


async def test_linked_user_signs_in_through_the_provider(idp):
    _link("t_teacher", idp.issuer, idp.subject)
    root = new_tab()
    url = await _start(root)
    query = parse_qs(urlsplit(url).query)
    # Code flow with PKCE S256, state and nonce; the verifier itself never leaves the server.
    assert url.startswith(idp.issuer + "/authorize?")
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [SITE + "/auth/callback"]
    assert "openid" in query["scope"][0].split()
    flow = json.loads(sub(root, SsoState)._flow)
    assert query["state"] == [flow["state"]] and query["nonce"] == [flow["nonce"]]
    assert query["code_challenge"] == [s256(flow["code_verifier"])]
    assert flow["code_verifier"] not in url
    assert "_flow" not in sub(root, SsoState).get_delta().get(SsoState.get_full_name(), {})

    result = await _finish(root, _at_provider(url))

    assert _redirect_target(result) == "/"
    auth = sub(root, AuthState)
    assert auth.signed_in and auth.role == "teacher" and auth.display_name == "t_teacher"
    # The tab holds a normal session, the same kind a password sign-in opens.
    with db.session() as s:
        principal = accounts.resolve(s, auth.session_token)
        login = s.exec(select(AuditEvent).where(AuditEvent.action == "login")).one()
    assert principal is not None and principal.username == "t_teacher"
    assert login.reason == f"sso {PROVIDER_KEY}" and login.username == "t_teacher"
    assert _sessions() == 1
    # The code was exchanged on the server with the client secret and the PKCE verifier.
    (request,) = idp.token_requests
    assert request["code_verifier"] == flow["code_verifier"] and request["grant_type"] == "authorization_code"
    assert sub(root, SsoState)._flow == ""


# ---------------------------------------------------------------- the browser's answer


async def test_wrong_state_is_refused(idp):
    _link("t_teacher", idp.issuer, idp.subject)
    root = new_tab()
    callback = _at_provider(await _start(root))
    parts = urlsplit(callback)
    forged = parts._replace(query=urlencode({**{k: v[0] for k, v in parse_qs(parts.query).items()}, "state": "x" * 43}))
    result = await _finish(root, forged.geturl())
    _assert_refused(root, result, "sso.failed", "state does not match")
    assert idp.token_requests == []  # refused before the code was even used


async def test_a_callback_carried_to_another_browser_opens_nothing(idp):
    # Login CSRF: an attacker's own code and state, sent to a victim's browser, must not sign it in.
    _link("t_teacher", idp.issuer, idp.subject)
    attacker = new_tab()
    callback = _at_provider(await _start(attacker))
    victim = new_tab()
    result = await _finish(victim, callback)
    _assert_refused(victim, result, "sso.expired", "no sign-in was started")


async def test_a_callback_works_once(idp):
    _link("t_teacher", idp.issuer, idp.subject)
    root = new_tab()
    callback = _at_provider(await _start(root))
    assert _redirect_target(await _finish(root, callback)) == "/"
    sub(root, AuthState).session_token = ""
    sub(root, AuthState).signed_in = False
    assert await _finish(root, callback) is None
    assert sub(root, AuthState).session_token == "" and _sessions() == 1


async def test_provider_error_and_a_slow_sign_in_are_refused(idp):
    root = new_tab()
    url = await _start(root)
    state = parse_qs(urlsplit(url).query)["state"][0]
    result = await _finish(root, f"{SITE}/auth/callback?{urlencode({'error': 'access_denied', 'state': state})}")
    _assert_refused(root, result, "sso.cancelled", "access_denied", name="Mektep ID")

    _link("t_teacher", idp.issuer, idp.subject)
    url = await _start(root)
    flow = json.loads(sub(root, SsoState)._flow)
    sub(root, SsoState)._flow = json.dumps({**flow, "started_at": time.time() - sso.FLOW_TTL_S - 1})
    result = await _finish(root, _at_provider(url))
    _assert_refused(root, result, "sso.expired", "longer than")


# ---------------------------------------------------------------- the ID token


@pytest.mark.parametrize(
    "claims,reason",
    [
        ({"nonce": "a-nonce-from-another-sign-in"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"aud": "another-client"}, "aud"),
        ({"iss": "https://evil.example"}, "iss"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}, "expired"),
        ({"at_hash": "AAAAAAAAAAAAAAAAAAAAAA"}, "at_hash"),
    ],
    ids=["wrong-nonce", "no-nonce", "wrong-audience", "wrong-issuer", "expired", "wrong-at-hash"],
)
async def test_a_bad_id_token_is_refused(idp, claims, reason):
    _link("t_teacher", idp.issuer, idp.subject)
    idp.extra_claims = claims
    root = new_tab()
    result = await _sign_in(root)
    _assert_refused(root, result, "sso.failed", reason)


async def test_a_token_signed_with_another_key_is_refused(idp):
    _link("t_teacher", idp.issuer, idp.subject)
    idp.sign_with_foreign_key = True
    root = new_tab()
    _assert_refused(root, await _sign_in(root), "sso.failed", "id token rejected")


async def test_new_signing_keys_are_fetched_when_the_provider_rotates(idp):
    _link("t_teacher", idp.issuer, idp.subject)
    assert _redirect_target(await _sign_in(new_tab())) == "/"  # the keys are cached now
    old_key = idp.key
    idp.rotate_key()
    try:
        assert _redirect_target(await _sign_in(new_tab())) == "/"
    finally:
        idp.key = old_key


async def test_hs256_signed_with_the_public_key_is_refused(idp):
    # Algorithm confusion (CVE-2016-10555): the public key used as an HMAC secret.
    p = settings.get().sso_provider(PROVIDER_KEY)
    # Even when the discovery document offers HS256.
    doc = {**(await sso.metadata(p)), "id_token_signing_alg_values_supported": ["RS256", "HS256"]}
    now = int(time.time())
    claims = {"iss": idp.issuer, "sub": idp.subject, "aud": CLIENT_ID, "iat": now, "exp": now + 60, "nonce": "n"}
    # joserfc will not even build such a key, so the token is made by hand.
    signing_input = b".".join(_b64(json.dumps(x).encode()) for x in ({"alg": "HS256", "kid": "key-1"}, claims))
    mac = hmac.new(idp.key.as_pem(private=False), signing_input, hashlib.sha256).digest()
    forged = (signing_input + b"." + _b64(mac)).decode()
    with pytest.raises(sso.SsoError) as exc:
        await sso.validate_id_token(p, doc, forged, nonce="n")
    assert exc.value.key == "sso.failed"
    honest = jwt.encode({"alg": "RS256", "kid": "key-1"}, claims, idp.key)
    assert (await sso.validate_id_token(p, doc, honest, nonce="n"))["sub"] == idp.subject


async def test_pkce_verifier_mismatch_is_refused_by_the_provider(idp):
    _link("t_teacher", idp.issuer, idp.subject)
    root = new_tab()
    url = await _start(root)
    state = sub(root, SsoState)
    flow = json.loads(state._flow)
    state._flow = json.dumps({**flow, "code_verifier": "another-verifier-" + "v" * 40})
    result = await _finish(root, _at_provider(url))
    _assert_refused(root, result, "sso.failed", "token endpoint refused: invalid_grant")
    assert idp.token_refusals == ["PKCE verifier does not match the challenge"]


def test_the_test_provider_really_checks_pkce(idp):
    # The provider must refuse a code without its verifier, or the test above proves nothing.
    idp.redirect_uris.add("http://localhost:1/cb")
    resp = httpx.get(
        f"{idp.issuer}/authorize",
        params={
            "client_id": CLIENT_ID,
            "redirect_uri": "http://localhost:1/cb",
            "response_type": "code",
            "scope": "openid",
            "state": "s",
            "code_challenge": s256("v" * 50),
            "code_challenge_method": "S256",
        },
    )
    code = parse_qs(urlsplit(resp.headers["location"]).query)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": "http://localhost:1/cb"}
    auth = (CLIENT_ID, "test-client-secret-0123456789")
    assert httpx.post(f"{idp.issuer}/token", data=form, auth=auth).status_code == 400


# ---------------------------------------------------------------- matching accounts


async def test_an_unlinked_identity_gets_a_clear_translated_refusal(idp):
    _link("t_teacher", idp.issuer, idp.subject)
    idp.subject = "mektep-user-2002"
    root = new_tab()
    sub(root, AuthState).lang = "ru"
    result = await _sign_in(root)
    assert result is None and sub(root, AuthState).session_token == ""
    assert sub(root, SsoState).error == t("sso.unlinked", "ru", subject="mektep-user-2002")
    assert "mektep-user-2002" in sub(root, SsoState).error
    # The administrator finds who tried in the audit, with what he needs to link him.
    assert any(f"iss={idp.issuer} sub=mektep-user-2002" in r for r in _failures())


async def test_an_e_mail_alone_never_matches_an_account(idp):
    # An account whose username is the e-mail in the token, and one linked to the same subject at
    # another issuer: neither may be signed in.
    with db.session() as s:
        accounts.create_user(s, idp.email, "teacher", "a-long-password-1", school_id=idp_school_id(s))
    _link("t_classteacher", "https://another-issuer.example", idp.subject)
    root = new_tab()
    result = await _sign_in(root)
    _assert_refused(root, result, "sso.unlinked", "no account linked", subject=idp.subject)


def idp_school_id(s) -> int:
    return s.exec(select(User.school_id).where(User.username == "t_teacher")).one()


async def test_a_disabled_linked_account_is_refused_like_an_unlinked_one(idp):
    _link("t_teacher", idp.issuer, idp.subject)
    with db.session() as s:
        user = s.exec(select(User).where(User.username == "t_teacher")).one()
        user.is_active = False
        s.add(user)
    root = new_tab()
    _assert_refused(root, await _sign_in(root), "sso.unlinked", "account disabled", subject=idp.subject)


async def test_the_school_domain_is_checked_from_the_token(idp, monkeypatch):
    _link("t_teacher", idp.issuer, idp.subject)
    monkeypatch.setenv(f"BBBMS_SSO_{PROVIDER_KEY.upper()}_HOSTED_DOMAIN", "mektep.example.kg")
    settings.reload()
    root = new_tab()
    url = await _start(root)
    assert parse_qs(urlsplit(url).query)["hd"] == ["mektep.example.kg"]  # a hint only
    result = await _finish(root, _at_provider(url))
    _assert_refused(root, result, "sso.foreign", "hd", name="Mektep ID")
    idp.extra_claims = {"hd": "mektep.example.kg"}
    assert _redirect_target(await _sign_in(new_tab())) == "/"
    monkeypatch.delenv(f"BBBMS_SSO_{PROVIDER_KEY.upper()}_HOSTED_DOMAIN")


async def test_the_microsoft_tenant_is_checked_from_the_token(idp, monkeypatch):
    school_tenant = "8f1c2a3b-0d4e-4f5a-9b6c-7d8e9f0a1b2c"
    _link("t_teacher", idp.issuer, idp.subject)
    monkeypatch.setenv(f"BBBMS_SSO_{PROVIDER_KEY.upper()}_TENANTS", school_tenant)
    settings.reload()
    # A work account of another organisation (or a personal account, no tid at all) is refused.
    for foreign in ({"tid": "00000000-1111-2222-3333-444444444444"}, {}):
        idp.extra_claims = foreign
        root = new_tab()
        result = await _sign_in(root)
        _assert_refused(root, result, "sso.foreign", "tid", name="Mektep ID")
    idp.extra_claims = {"tid": school_tenant}
    assert _redirect_target(await _sign_in(new_tab())) == "/"
    monkeypatch.delenv(f"BBBMS_SSO_{PROVIDER_KEY.upper()}_TENANTS")


async def test_start_refuses_an_unknown_provider_and_an_unreachable_one(idp, monkeypatch):
    root = new_tab()
    assert shows_error(await sub(root, SsoState).start("nope"))
    assert is_refusal(await sub(root, SsoState).start({"key": PROVIDER_KEY}))  # type: ignore[arg-type]
    assert sub(root, SsoState)._flow == ""
    monkeypatch.setenv(f"BBBMS_SSO_{PROVIDER_KEY.upper()}_ISSUER", "http://127.0.0.1:9")  # nothing listens
    settings.reload()
    sso.forget_cached_provider_data()
    assert shows_error(await sub(root, SsoState).start(PROVIDER_KEY))
    assert any("unreachable" in r for r in _failures())


async def test_sign_in_page_lists_the_configured_providers(idp):
    state = sub(new_tab(), SsoState)
    await state.load_providers()
    assert state.providers == [{"key": PROVIDER_KEY, "name": "Mektep ID"}]


# ---------------------------------------------------------------- linking by the administrator


def test_link_is_audited_unique_and_ends_open_sessions(idp):
    with db.session() as s:
        token = accounts.authenticate(s, "t_teacher", "test-password-1").token
    _link("t_teacher", idp.issuer, "subject-1")
    with db.session() as s:
        assert accounts.resolve(s, token) is None  # a relink ends the sessions
        event = s.exec(select(AuditEvent).where(AuditEvent.field == "sso")).one()
        assert event.new_value == f"{idp.issuer} subject-1"
        other = s.exec(select(User).where(User.username == "t_director")).one()
        with pytest.raises(accounts.AccountError) as exc:
            sso.link(s, other, idp.issuer + "/", "subject-1")  # the same identity, written differently
        assert exc.value.key == "sso.already_linked"
        for bad_issuer, bad_subject in (("not-a-url", "x"), (idp.issuer, ""), (idp.issuer, "x" * 301)):
            with pytest.raises(accounts.AccountError):
                sso.link(s, other, bad_issuer, bad_subject)


def test_cli_links_and_unlinks_by_provider_or_issuer(idp, capsys):
    assert cli(["user", "link-sso", "t_clerk", "--provider", PROVIDER_KEY, "--subject", "clerk-7"]) == 0
    with db.session() as s:
        user = s.exec(select(User).where(User.username == "t_clerk")).one()
        assert (user.oidc_issuer, user.oidc_subject) == (idp.issuer, "clerk-7")
    # The command line speaks one language: Kyrgyz unless --lang or BBBMS_LANG says otherwise.
    assert cli(["--lang", "en", "user", "link-sso", "t_director", "--issuer", idp.issuer, "--subject", "clerk-7"]) == 2
    assert "already linked to the user t_clerk" in capsys.readouterr().err
    assert cli(["user", "link-sso", "t_clerk", "--unlink"]) == 0
    assert cli(["user", "link-sso", "nobody", "--provider", PROVIDER_KEY, "--subject", "x"]) == 2
    assert cli(["user", "link-sso", "t_clerk", "--provider", "unknown", "--subject", "x"]) == 2
    with db.session() as s:
        user = s.exec(select(User).where(User.username == "t_clerk")).one()
        assert user.oidc_subject is None and user.oidc_issuer is None
