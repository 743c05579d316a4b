"""AuthState: the session cookie, the UI language and the signed-in user's display context.

The tab's state token (Reflex's, kept in sessionStorage) is not a credential (issue 10 #3): a
session token in the state counts only when the `bbbms_session` cookie of the websocket handshake
carries the same token, or when the event comes over the very socket that signed in (the cookie
is written by the browser after the sign-in, so that socket's handshake could not carry it). A
copy of the state token replayed from another browser — a new socket without the cookie — is
worth nothing.
"""

from __future__ import annotations

import asyncio
import hmac
from datetime import date
from http.cookies import CookieError, SimpleCookie
from typing import Any, ClassVar

import reflex as rx
from reflex.middleware import Middleware

from bbbms_app import db, settings
from bbbms_app.auth.guard import PROFILE_ROUTE, bind_auth_state, current, requires
from bbbms_app.i18n import LANGUAGES, normalize_language, t
from bbbms_app.services import accounts, audit, district
from bbbms_app.services import school as school_service
from bbbms_app.services.access import Principal

LOGIN_ROUTE = "/login"
# After sign-out: drop the tab's state token (Reflex's, in sessionStorage) and load the sign-in page
# afresh, so the browser gets a new token and an empty state; the old token's state is wiped.
FORGET_TAB_SCRIPT = "window.sessionStorage.removeItem('token'); window.location.replace('/login');"
COOKIE_NAME = settings.SESSION_COOKIE
HOME_ROUTE = "/"


def session_cookie(s: settings.Settings | None = None) -> rx.Cookie:
    """The browser side of a session: a random token, sent only to this site (SameSite=Strict), only
    over https when the site is https (Secure), and no longer than a session may live."""
    s = s or settings.get()
    return rx.Cookie(
        "",
        name=COOKIE_NAME,
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
    # Unread messages and notifications: the badge of /messages in the sidebar and the header.
    unread: int = 0
    term_labels: dict[str, str] = {}
    login_error: str = ""
    login_busy: bool = False
    must_change_password: bool = False  # the password was chosen by someone else (see accounts.set_password)
    # A district account (a director of no school): its header names the district, its menu only
    # what it can do, and a school's page opened by its URL says it needs a school.
    no_school: bool = False

    # The loaders of the pages that need a school, by route (app.py: `school_pages`).
    _school_loaders: ClassVar[dict[str, tuple[Any, ...]]] = {}

    # The websocket (socket.io sid) that signed in: its events count without the cookie.
    _bound_sid: str = ""

    def _connection(self) -> tuple[str, str]:
        """(the session cookie of this event's websocket handshake, the socket id)."""
        data = self._get_root_state().router_data or {}
        header = (data.get("headers") or {}).get("cookie", "")
        cookie = ""
        if header:
            try:
                morsel = SimpleCookie(header).get(COOKIE_NAME)
            except CookieError:
                morsel = None
            cookie = morsel.value if morsel is not None else ""
        return cookie, str(data.get("sid") or "")

    def _presented_token(self) -> str:
        """The session token, when this connection may use it (see the module docstring)."""
        token = self.session_token
        if not token:
            return ""
        cookie, sid = self._connection()
        if cookie and hmac.compare_digest(cookie.encode(), token.encode()):
            if sid and self._bound_sid != sid:
                self._bound_sid = sid  # a reload's new socket, proven by the cookie
            return token
        if sid and hmac.compare_digest(sid.encode(), self._bound_sid.encode()):
            return token
        return ""

    def _start_session(self, token: str) -> None:
        """Keep a new session's token (for the cookie) and bind it to the socket that signed in."""
        self.session_token = token
        self._bound_sid = self._connection()[1]

    def _resolve_principal(self) -> Principal | None:
        return accounts.resolve_token(self._presented_token())

    def _fill(self, principal: Principal) -> None:
        self._show(principal, _shell_of(principal))

    def _show(self, principal: Principal, shell: dict[str, Any]) -> None:
        """Put the header's context (`_shell_of`, read before) into the tab."""
        self.signed_in = True
        self.display_name = principal.full_name or principal.username
        self.role = principal.role
        self.perms = sorted(principal.permissions)
        self.no_school = principal.school_id is None
        self.school_names = shell["school_names"]
        self.year_name = shell["year_name"]
        self.term_labels = {} if self.no_school else shell["term_labels"]  # no «no quarter running» line
        self.must_change_password = principal.must_change_password
        self.unread = shell["unread"]
        # The account's language is the truth for a signed-in tab: a page loaded before the switch's
        # answer reached the browser's storage would otherwise show one language and compute the
        # server-made texts (the summary's indicators, toasts) in another.
        self.lang = normalize_language(principal.language)

    def _refresh_unread(self, principal: Principal) -> None:
        """Count the unread messages and notifications again (two indexed counts)."""
        from bbbms_app.services import messages, notify

        with db.session() as s:
            self.unread = messages.unread_count(s, principal) + notify.unread_count(s, principal)

    def _clear(self) -> None:
        self.signed_in = False
        self.display_name = ""
        self.role = ""
        self.perms = []
        self.school_names = {}
        self.year_name = ""
        self.unread = 0
        self.term_labels = {}
        self.must_change_password = False
        self.no_school = False

    @rx.event
    @requires("public")
    async def check_session(self):
        """on_load of every protected page: fill the shell, or send the browser to sign in (a dead
        session's tab is wiped first: nothing of the previous user stays in it)."""
        principal = self._resolve_principal()
        if principal is None:
            had_session = self.signed_in or bool(self.session_token)
            if had_session:
                await wipe_tab(self)
                return [rx.toast.info(t("login.expired", self.lang)), rx.redirect(LOGIN_ROUTE)]
            return rx.redirect(LOGIN_ROUTE)
        self._fill(principal)
        if principal.must_change_password and self.router.url.path.rstrip("/") != PROFILE_ROUTE:
            return [rx.toast.warning(t("password.must_change", self.lang)), rx.redirect(PROFILE_ROUTE)]
        return None

    @classmethod
    def school_pages(cls, loaders: dict[str, tuple[Any, ...]]) -> None:
        """The pages that need a school and their loaders, by route (app.py, once)."""
        cls._school_loaders = dict(loaders)

    @rx.event
    @requires("signed_in")
    def load_school_page(self):
        """on_load of a page that needs a school, after check_session: its own loaders, unless the
        account has no school (a district's): the page then says so instead of loading (no loader
        meets a school of None, no refusal toast for a page opened by its URL)."""
        if current().school_id is None:
            return None
        route = self.router.route_id.rstrip("/") or "/"
        return list(self._school_loaders.get(route, ()))

    @rx.event
    @requires("public")
    def redirect_if_signed_in(self):
        """on_load of the sign-in page: a signed-in user goes home."""
        if self._resolve_principal() is not None:
            return rx.redirect(HOME_ROUTE)
        self.login_error = ""
        return None

    @rx.event(background=True)
    @requires("public")
    async def login(self, form_data: dict):
        """Check the credentials and start a session; the same message for every failure.

        A background event: the throttle, argon2 and the header's reads run in a worker thread
        while the tab's state is *not* locked, and only the result is written under the lock. As a
        plain event it waited in the thread pool holding its tab's lock, and at a district's full
        load (900 families signing in on two workers) some waited past the Redis lock's 60 s:
        Reflex then discarded the sign-in (LockExpiredError) and the tab's next event was refused."""
        username = str(form_data.get("username", ""))[:80]
        password = str(form_data.get("password", ""))[:256]
        agent = self.router.headers.user_agent[:300] if self.router else ""
        address = self.router.session.client_ip if self.router else ""
        result, principal, shell = await asyncio.to_thread(_sign_in, username, password, agent, address)
        async with self:
            if result.error is not None or principal is None or result.token is None or shell is None:
                error = result.error or accounts.AccountError("login.failed")
                self.login_error = t(error.key, self.lang, **error.params)
                return None
            self._start_session(result.token)
            self.login_error = ""
            self._show(principal, shell)
        return rx.redirect(HOME_ROUTE)

    @rx.event
    @requires("public")
    async def logout(self):
        """Revoke this session on the server, wipe every state of the tab and make the browser
        start over with a new tab token (issue 10 #2: a reload after sign-out on a shared
        computer finds nothing of the previous user)."""
        token = self._presented_token()
        principal = self._resolve_principal()
        with db.session() as s:
            accounts.revoke(s, token)
            if principal is not None:
                audit.record(s, principal, "logout", "user", principal.user_id)
        await wipe_tab(self)
        return [rx.call_script(FORGET_TAB_SCRIPT)]

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


def _sign_in(
    username: str, password: str, agent: str, address: str
) -> tuple[accounts.SignIn, Principal | None, dict[str, Any] | None]:
    """The sign-in's database and argon2 work, and the new session's header (a worker thread)."""
    with db.session() as s:
        result = accounts.authenticate(s, username, password, user_agent=agent, address=address)
        principal = accounts.principal_for(result.user) if result.user is not None and result.token else None
    return result, principal, _shell_of(principal) if principal is not None else None


def _shell_of(principal: Principal) -> dict[str, Any]:
    """What the header shows this user: school (or, for a district account, the district's name),
    year, quarter, unread messages and notifications (its database reads, apart from the state)."""
    from bbbms_app.services import messages, notify

    with db.session() as s:
        shell = dict(school_service.context(s, principal, date.today()))
        if principal.is_district:
            shell["school_names"] = district.area_names(s)
        shell["unread"] = messages.unread_count(s, principal) + notify.unread_count(s, principal)
    return shell


def _state_classes(cls: type[rx.State]) -> list[type[rx.State]]:
    out = [cls]
    for sub in cls.get_substates():
        out.extend(_state_classes(sub))
    return out


async def wipe_tab(state: rx.State) -> None:
    """Put every state of the tab back to its defaults (the session token and the socket binding
    with them), keeping only the UI language. Every substate is loaded first: a state manager that
    keeps substates apart (disk, Redis) would otherwise keep the ones this event did not touch.
    Once the event is over, the tab's stored state is deleted from the state manager (memory or
    Redis), unless a sign-in on the same tab got in first (tab_states.forget_after_event)."""
    from bbbms_app import tab_states

    root = state._get_root_state()
    auth = await root.get_state(AuthState)
    lang = auth.lang
    for cls in _state_classes(type(root))[1:]:
        await root.get_state(cls)
    root.reset()
    auth.lang = lang
    tab_states.forget_after_event(lambda auth: not auth.session_token)


class ForeignTabGuard(Middleware):
    """Before any event (hydrate too): a tab whose session token this connection may not use —
    a state token replayed from another browser, without the session cookie — is wiped before
    the event runs, so neither its events nor its hydrate see the signed-in user's data."""

    async def preprocess(self, app: Any, state: Any, event: Any) -> None:
        auth = await state.get_state(AuthState)
        if auth.session_token and not auth._presented_token():
            await wipe_tab(state)
        return None


bind_auth_state(AuthState, wipe_tab)
