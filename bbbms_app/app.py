"""The Reflex app: theme, page registration with their on_load handlers."""

from __future__ import annotations

import gc

import reflex as rx

from bbbms_app.admin import pages as admin_pages
from bbbms_app.admin.files import api as admin_files_api
from bbbms_app.api.journal_files import journal_files_api
from bbbms_app.api.private_files import private_files_api
from bbbms_app.auth.guard import backend_error
from bbbms_app.auth.headers import security_headers
from bbbms_app.auth.sso import SsoState
from bbbms_app.auth.state import AuthState, ForeignTabGuard
from bbbms_app.pages.account_requests import AccountRequestState, account_requests_page
from bbbms_app.pages.audit import AuditState, audit_page
from bbbms_app.pages.consents import ConsentRegisterState, consents_page
from bbbms_app.pages.diary import DiaryState, diary_page
from bbbms_app.pages.home import HomeState, home_page
from bbbms_app.pages.journal import JournalState, journal_page
from bbbms_app.pages.journal_summary import SummaryState, summary_page
from bbbms_app.pages.login import login_page
from bbbms_app.pages.marks import MyMarksState, marks_page
from bbbms_app.pages.profile import profile_page
from bbbms_app.pages.rights import RightsState, rights_page
from bbbms_app.pages.sso import callback_page
from bbbms_app.pages.subgroups import SubgroupsState, subgroups_page
from bbbms_app.pages.timetable import TimetableState, timetable_page

app = rx.App(
    stylesheets=["/styles.css", "/admin.css"],
    head_components=[rx.el.meta(name="viewport", content="width=device-width, initial-scale=1")],
    # Private files (consent scans, marked exports) behind authorization, before Reflex's own routes;
    # then CSP, nosniff, Referrer-Policy, frame denial and (under https) HSTS on every response.
    api_transformer=[private_files_api, admin_files_api, journal_files_api, security_headers],
    # An unexpected error: a generic message with a reference to the (redacted) log line.
    backend_exception_handler=backend_error,
)
# A tab whose state token arrives without its session cookie is wiped before any event (auth/state.py).
app.add_middleware(ForeignTabGuard())


def _protected(component, route: str, title: str, *loads) -> None:
    # check_session runs first: an expired session goes to /login before any page loader runs.
    app.add_page(component, route=route, title=f"{title} · BBBMS", on_load=[AuthState.check_session, *loads])


app.add_page(
    login_page, route="/login", title="BBBMS", on_load=[AuthState.redirect_if_signed_in, SsoState.load_providers]
)
app.add_page(callback_page, route="/auth/callback", title="BBBMS", on_load=SsoState.finish)
_protected(home_page, "/", "BBBMS", HomeState.load)
# Generated admin screens: /pupils, /guardians, /classes, /staff, /users, /admin and /admin/<entity>.
admin_pages.register(_protected)
_protected(marks_page, "/marks", "Баалар", MyMarksState.load)
_protected(diary_page, "/diary", "Күндөлүк", DiaryState.load)
_protected(timetable_page, "/timetable", "Сабак жадыбалы", TimetableState.open)
_protected(journal_page, "/journal", "Журнал", JournalState.load)
_protected(summary_page, "/summary", "Жыйынтык ведомость", SummaryState.load)
_protected(subgroups_page, "/subgroups", "Топтор", SubgroupsState.load)
_protected(consents_page, "/consents", "Макулдуктар", ConsentRegisterState.load)
_protected(audit_page, "/audit", "Аудит", AuditState.load)
_protected(rights_page, "/rights", "Укуктар", RightsState.load)
_protected(account_requests_page, "/account-requests", "Өтүнүчтөр", AccountRequestState.load)
_protected(profile_page, "/profile", "Профиль")

# Everything built so far (pages, components, states) lives as long as the process: keep it out of
# the garbage collector's full passes, which otherwise scan it and stall a handler for ~100 ms now
# and then (bench/journal_grid.py: grid p95 110 ms → 12 ms).
gc.freeze()
