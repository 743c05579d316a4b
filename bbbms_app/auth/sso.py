"""SsoState: the providers on the sign-in page, starting an OpenID Connect sign-in, finishing it.

`start` keeps the flow's secrets (state, nonce, PKCE verifier) in a backend-only var of this
browser tab's state, which the browser never sees, and sends the tab to the provider. The
provider sends the same tab back to /auth/callback, whose on_load `finish` accepts the answer
only if its `state` is the one this tab was given, and only once (the flow is forgotten first).
A code carried to another browser therefore opens nothing. On success the tab gets a new session
exactly like a password sign-in.
"""

from __future__ import annotations

import json

import reflex as rx

from bbbms_app import db, settings
from bbbms_app.auth.guard import requires
from bbbms_app.auth.state import HOME_ROUTE, AuthState
from bbbms_app.i18n import normalize_language, t
from bbbms_app.services import accounts, audit, sso


class SsoState(rx.State):
    """Sign-in with a school's identity provider (Google Workspace, Microsoft, Keycloak)."""

    providers: list[dict[str, str]] = []  # key and display name of each configured provider
    error: str = ""  # the translated refusal shown on the callback page
    _flow: str = ""  # JSON of services.sso.Flow for the sign-in this tab started; never sent

    @rx.event
    @requires("public")
    def load_providers(self):
        """on_load of the sign-in page: the buttons to show."""
        self.providers = [{"key": p.key, "name": p.name} for p in settings.get().sso_providers]
        return None

    @rx.event
    @requires("public")
    async def start(self, key: str):
        """Begin a sign-in with provider `key`: remember the flow, send the browser to the provider."""
        auth = await self.get_state(AuthState)
        if not isinstance(key, str) or settings.get().sso_provider(key) is None:
            return rx.toast.error(t("sso.failed", auth.lang))
        try:
            flow, url = await sso.begin(key)
        except sso.SsoError as exc:
            self._record_failure(exc.reason)
            return rx.toast.error(t(exc.key, auth.lang, **exc.params))
        self._flow = json.dumps(flow.to_dict())
        self.error = ""
        return rx.redirect(url)

    @rx.event
    @requires("public")
    async def finish(self):
        """on_load of /auth/callback: verify the provider's answer and open a session."""
        auth = await self.get_state(AuthState)
        stored, self._flow = self._flow, ""  # one use only, whatever happens next
        query = {k: str(v)[:4096] for k, v in self.router.url.query_parameters.items()}
        try:
            if not stored:
                raise sso.SsoError("sso.expired", "sso: no sign-in was started in this browser tab")
            identity = await sso.complete(sso.Flow.from_dict(json.loads(stored)), query)
        except sso.SsoError as exc:
            self._record_failure(exc.reason)
            self.error = t(exc.key, auth.lang, **exc.params)
            return None
        agent = self.router.headers.user_agent[:300] if self.router else ""
        with db.session() as s:
            result = sso.sign_in(s, identity, user_agent=agent)
            if result.error is not None or result.user is None or result.token is None:
                key = result.error.key if result.error else "sso.failed"
                params = result.error.params if result.error else {}
                self.error = t(key, auth.lang, **params)
                return None
            principal = accounts.principal_for(result.user)
        auth._start_session(result.token)
        auth.login_error = ""
        auth.lang = normalize_language(principal.language)
        auth._fill(principal)
        self.error = ""
        # replace: the used code leaves the browser history
        return rx.redirect(HOME_ROUTE, replace=True)

    def _record_failure(self, reason: str) -> None:
        with db.session() as s:
            audit.record(s, None, "login_failed", "user", None, reason=f"sso: {reason}"[:500])
