"""A small but real OpenID Connect provider for the tests, served by uvicorn on 127.0.0.1 in a thread.

It does what Google, Microsoft or Keycloak do for the authorization code flow: discovery,
/authorize (it approves its one test user at once), /token (client secret, one-time code,
redirect URI and the PKCE S256 verifier all checked) and /jwks with an RSA key made by joserfc.
Knobs let a test make its ID tokens wrong (audience, issuer, nonce, expiry, signing key).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from typing import Any
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse
from starlette.routing import Route

CLIENT_ID = "bbbms-test-client"
CLIENT_SECRET = "test-client-secret-0123456789"
PROVIDER_KEY = "testidp"
PROVIDER_NAME = "Mektep ID"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _half_hash(value: str) -> str:
    digest = hashlib.sha256(value.encode()).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


class OidcProvider:
    """The provider; `issuer` is its URL once started."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "key-1", "use": "sig", "alg": "RS256"})
        # Same key id, other key: a token signed with it must fail the signature check.
        self.foreign_key = RSAKey.generate_key(2048, parameters={"kid": "key-1"})
        self.redirect_uris: set[str] = set()
        self.issuer = ""
        self.reset()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def rotate_key(self) -> None:
        """Publish a new signing key under a new key id, as providers do every few weeks."""
        self.key = RSAKey.generate_key(2048, parameters={"kid": f"key-{secrets.token_hex(4)}", "use": "sig"})

    def reset(self) -> None:
        """Back to a well-behaved provider signing in the default test user."""
        self.subject = "mektep-user-1001"
        self.email = "teacher@mektep.example.kg"
        self.extra_claims: dict[str, Any] = {}
        self.sign_with_foreign_key = False
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, str]] = []
        self.token_refusals: list[str] = []

    # ---------------------------------------------------------------- endpoints

    async def discovery(self, request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            }
        )

    async def jwks(self, request: Request) -> JSONResponse:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: Request):
        q = request.query_params
        redirect_uri = q.get("redirect_uri", "")
        if q.get("client_id") != CLIENT_ID or redirect_uri not in self.redirect_uris:
            # Never send a browser to an address nobody registered.
            return PlainTextResponse("unknown client or redirect_uri", status_code=400)
        problem = None
        if q.get("response_type") != "code" or "openid" not in q.get("scope", "").split():
            problem = "unsupported_response_type"
        elif q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            problem = "invalid_request"
        if problem:
            return RedirectResponse(f"{redirect_uri}?{urlencode({'error': problem, 'state': q.get('state', '')})}")
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "challenge": q["code_challenge"],
            "nonce": q.get("nonce"),
            "redirect_uri": redirect_uri,
            "subject": self.subject,
            "email": self.email,
        }
        return RedirectResponse(f"{redirect_uri}?{urlencode({'code': code, 'state': q.get('state', '')})}", 302)

    def _client_ok(self, request: Request, form: dict[str, str]) -> bool:
        auth = request.headers.get("authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            return user == CLIENT_ID and password == CLIENT_SECRET
        return form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET

    def _refuse(self, error: str, why: str) -> JSONResponse:
        self.token_refusals.append(why)
        return JSONResponse({"error": error, "error_description": why}, status_code=400)

    async def token(self, request: Request) -> JSONResponse:
        form = {k: str(v) for k, v in (await request.form()).items()}
        self.token_requests.append(form)
        if not self._client_ok(request, form):
            return self._refuse("invalid_client", "client authentication failed")
        if form.get("grant_type") != "authorization_code":
            return self._refuse("unsupported_grant_type", "only authorization_code")
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None:
            return self._refuse("invalid_grant", "unknown or used code")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return self._refuse("invalid_grant", "redirect_uri differs")
        verifier = form.get("code_verifier", "")
        if not verifier or s256(verifier) != grant["challenge"]:
            return self._refuse("invalid_grant", "PKCE verifier does not match the challenge")
        access_token = secrets.token_urlsafe(24)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": grant["subject"],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            "email": grant["email"],
            "email_verified": True,
            "name": "Test User",
            "at_hash": _half_hash(access_token),
            **self.extra_claims,
        }
        claims = {k: v for k, v in claims.items() if v is not None}
        key = self.foreign_key if self.sign_with_foreign_key else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, key)
        return JSONResponse(
            {"access_token": access_token, "token_type": "Bearer", "expires_in": 300, "id_token": id_token},
            headers={"cache-control": "no-store"},
        )

    # ---------------------------------------------------------------- serving

    def start(self) -> OidcProvider:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        self.issuer = f"http://127.0.0.1:{port}"
        app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
            ]
        )
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.time() + 10
        while not self._server.started:
            if time.time() > deadline:
                raise RuntimeError("the test OIDC provider did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def app_env(self) -> dict[str, str]:
        """The environment that configures BBBMS to use this provider."""
        prefix = f"BBBMS_SSO_{PROVIDER_KEY.upper()}_"
        return {
            "BBBMS_SSO_PROVIDERS": PROVIDER_KEY,
            prefix + "ISSUER": self.issuer,
            prefix + "CLIENT_ID": CLIENT_ID,
            prefix + "CLIENT_SECRET": CLIENT_SECRET,
            prefix + "NAME": PROVIDER_NAME,
        }
