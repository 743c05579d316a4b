"""AuthState: the session cookie, the UI language and the signed-in user's display context."""

from __future__ import annotations

from datetime import date

import reflex as rx

from bbbms_app import db, settings
from bbbms_app.auth.guard import PROFILE_ROUTE, current, requires
from bbbms_app.i18n import LANGUAGES, normalize_language, t
from bbbms_app.services import accounts, audit
from bbbms_app.services import school as school_service
from bbbms_app.services.access import Principal

LOGIN_ROUTE = "/login"
HOME_ROUTE = "/"


def session_cookie(s: settings.Settings | None = None) -> rx.Cookie:
    """The browser side of a session: a random token, sent only to this site (SameSite=Strict), only
    over https when the site is https (Secure), and no longer than a session may live."""
    s = s or settings.get()
    return rx.Cookie(
        "",
        name="bbbms_session",
        path="/",
        same_site="strict",
        secure=s.https,
        max_age=s.session_absolute_hours * 3600,
    )


class AuthState(rx.State):
    """Who is signed in on this tab. The token is the only credential; everything else is display."""

    # The browser keeps the raw token; the database keeps only its hash.
    session_token: str = session_cookie()
    lang: str = rx.LocalStorage("ky", name="bbbms_lang", sync=True)

    signed_in: bool = False
    display_name: str = ""
    role: str = ""
    perms: list[str] = []
    school_names: dict[str, str] = {}
    year_name: str = ""
    term_labels: dict[str, str] = {}
    login_error: str = ""
    login_busy: bool = False
    must_change_password: bool = False  # the password was chosen by someone else (see accounts.set_password)

    def _resolve_principal(self) -> Principal | None:
        with db.session() as s:
            return accounts.resolve(s, self.session_token)

    def _fill(self, principal: Principal) -> None:
        with db.session() as s:
            ctx = school_service.context(s, principal, date.today())
        self.signed_in = True
        self.display_name = principal.full_name or principal.username
        self.role = principal.role
        self.perms = sorted(principal.permissions)
        self.school_names = ctx["school_names"]
        self.year_name = ctx["year_name"]
        self.term_labels = ctx["term_labels"]
        self.must_change_password = principal.must_change_password

    def _clear(self) -> None:
        self.signed_in = False
        self.display_name = ""
        self.role = ""
        self.perms = []
        self.school_names = {}
        self.year_name = ""
        self.term_labels = {}
        self.must_change_password = False

    @rx.event
    @requires("public")
    def check_session(self):
        """on_load of every protected page: fill the shell, or send the browser to sign in."""
        principal = self._resolve_principal()
        if principal is None:
            had_session = self.signed_in or bool(self.session_token)
            self._clear()
            self.session_token = ""
            if had_session:
                return [rx.toast.info(t("login.expired", self.lang)), rx.redirect(LOGIN_ROUTE)]
            return rx.redirect(LOGIN_ROUTE)
        self._fill(principal)
        if principal.must_change_password and self.router.url.path.rstrip("/") != PROFILE_ROUTE:
            return [rx.toast.warning(t("password.must_change", self.lang)), rx.redirect(PROFILE_ROUTE)]
        return None

    @rx.event
    @requires("public")
    def redirect_if_signed_in(self):
        """on_load of the sign-in page: a signed-in user goes home."""
        if self._resolve_principal() is not None:
            return rx.redirect(HOME_ROUTE)
        self.login_error = ""
        return None

    @rx.event
    @requires("public")
    def login(self, form_data: dict):
        """Check the credentials and start a session; the same message for every failure."""
        username = str(form_data.get("username", ""))[:80]
        password = str(form_data.get("password", ""))[:256]
        agent = self.router.headers.user_agent[:300] if self.router else ""
        with db.session() as s:
            result = accounts.authenticate(s, username, password, user_agent=agent)
            if result.error is not None:
                self.login_error = t(result.error.key, self.lang, **result.error.params)
                return None
            assert result.user is not None and result.token is not None
            principal = accounts.principal_for(result.user)
        self.session_token = result.token
        self.login_error = ""
        self.lang = normalize_language(principal.language)
        self._fill(principal)
        return rx.redirect(HOME_ROUTE)

    @rx.event
    @requires("public")
    def logout(self):
        """Revoke this session on the server and forget the token in the browser."""
        principal = self._resolve_principal()
        with db.session() as s:
            accounts.revoke(s, self.session_token)
            if principal is not None:
                audit.record(s, principal, "logout", "user", principal.user_id)
        self.session_token = ""
        self._clear()
        return rx.redirect(LOGIN_ROUTE)

    @rx.event
    @requires("public")
    def set_language(self, lang: str | list[str]):
        """Switch the UI language; a signed-in user's choice is remembered on his account."""
        if not isinstance(lang, str) or lang not in LANGUAGES:
            return None
        self.lang = lang
        principal = self._resolve_principal()
        if principal is not None:
            with db.session() as s:
                accounts.set_language(s, principal.user_id, lang)
        return None

    @rx.event
    @requires("signed_in")
    def refresh_context(self):
        """Reload the header (after the term changes, say)."""
        self._fill(current())
