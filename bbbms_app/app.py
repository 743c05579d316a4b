"""The Reflex app: theme, and the one list of pages (route, title, permission, icon, loaders) from
which every page is registered and the sidebar is drawn (components/navigation.py)."""

from __future__ import annotations

import gc

import reflex as rx

from bbbms_app import serving, tab_sockets, tab_states
from bbbms_app.admin import pages as admin_pages
from bbbms_app.api.calendar_feed import calendar_feed_api
from bbbms_app.api.health import health_api
from bbbms_app.api.portfolio import portfolio_api
from bbbms_app.api.private_files import private_files_api
from bbbms_app.api.report_exports import report_exports_api
from bbbms_app.api.rest import rest_api
from bbbms_app.auth.guard import backend_error
from bbbms_app.auth.headers import security_headers
from bbbms_app.auth.sso import SsoState
from bbbms_app.auth.state import AuthState, ForeignTabGuard
from bbbms_app.components import layout, navigation
from bbbms_app.components.i18n import tr
from bbbms_app.components.navigation import Page
from bbbms_app.pages.account_requests import AccountRequestState, account_requests_page
from bbbms_app.pages.announcements import AnnouncementsState, announcements_page
from bbbms_app.pages.api_clients import ApiClientsState, api_clients_page
from bbbms_app.pages.audit import AuditState, audit_page
from bbbms_app.pages.backups import BackupsState, backups_page
from bbbms_app.pages.calendar import CalendarState, calendar_page
from bbbms_app.pages.consents import ConsentRegisterState, consents_page
from bbbms_app.pages.courses import CoursesState, courses_page
from bbbms_app.pages.dashboard import DashboardState, dashboard_page
from bbbms_app.pages.diary import DiaryState, diary_page
from bbbms_app.pages.district_summary import DistrictSummaryState, district_summary_page
from bbbms_app.pages.documents import DocumentsState, documents_page
from bbbms_app.pages.exams import ExamsState, exams_page
from bbbms_app.pages.home import HomeState, home_page
from bbbms_app.pages.journal import JournalState, journal_page
from bbbms_app.pages.journal_summary import SummaryState, summary_page
from bbbms_app.pages.login import login_page
from bbbms_app.pages.marks import MyMarksState, marks_page
from bbbms_app.pages.messages import MessagesState, NotifySettingsState, messages_page
from bbbms_app.pages.movement_books import AlphaBookState, ContingentState, alpha_book_page, contingent_page
from bbbms_app.pages.movement_import import MovementImportState, movement_import_page
from bbbms_app.pages.portfolio import PortfolioState, portfolio_page
from bbbms_app.pages.profile import profile_page
from bbbms_app.pages.projects import ProjectsState, projects_page
from bbbms_app.pages.promotion import PromotionState, promotion_page
from bbbms_app.pages.quiz import QuizState, quiz_page
from bbbms_app.pages.reports import ReportsState, reports_page
from bbbms_app.pages.rights import RightsState, rights_page
from bbbms_app.pages.schools import SchoolsState, schools_page
from bbbms_app.pages.sso import callback_page
from bbbms_app.pages.subgroups import SubgroupsState, subgroups_page
from bbbms_app.pages.teacher_reports import TeacherReportsState, teacher_reports_page
from bbbms_app.pages.timetable import TimetableState, timetable_page

tab_states.install()  # one worker's tab states: bounded in number, not only in time
# The events' websocket skips the layers of the APIs mounted around Reflex's app (serving.py).
_note_reflex_app, _event_socket_shortcut = serving.event_socket_shortcut()
app = rx.App(
    stylesheets=["/styles.css", "/admin.css"],
    head_components=[rx.el.meta(name="viewport", content="width=device-width, initial-scale=1")],
    # Private files (scans, exports, journal files: api/private_files.py) behind authorization, first;
    # then CSP, nosniff, Referrer-Policy, frame denial and (under https) HSTS on every response;
    # /health (database, Redis, job queue, last good backup) for a monitor, public and terse;
    # /calendar-feed/{token}.ics, a user's iCalendar feed (its secret token is the credential);
    # the portfolio's evidence, print and project files (private) and its public link (api/portfolio.py);
    # the integration API (/oauth/token, /api/v1/…: api/rest.py, bearer tokens of registered clients);
    # Cache-Control for the frontend's files, the /_upload gate, and outermost the events' websocket
    # routed straight to Reflex's own app, which the first transformer notes (bbbms_app/serving.py).
    api_transformer=[
        _note_reflex_app,
        *(private_files_api, portfolio_api, health_api, calendar_feed_api, rest_api),
        report_exports_api,  # /private/report-export/{id}: a whole-school export, to its maker
        *(serving.static_cache, security_headers),
        serving.upload_gate,
        _event_socket_shortcut,
    ],
    # An unexpected error: a generic message with a reference to the (redacted) log line.
    backend_exception_handler=backend_error,
)
# A tab whose state token arrives without its session cookie is wiped before any event (auth/state.py).
app.add_middleware(ForeignTabGuard())
# A new socket of a tab whose old one went silent (a phone that changed networks) asks it through
# this app's Socket.IO server before taking the tab's state (tab_sockets.py).
tab_sockets.serve_from(app)

# The pages behind sign-in, in sidebar order. `district=True` marks the few an account of no school
# (the district's) works on: the home page, its schools, the rights and audit of the installation,
# the backups and its profile; every other page is one school's work and tells it so. The generated
# screens of the entities come from the registry (services/engine/profiles/): those with
# `menu = "sidebar"` get a link, the others a card on the /admin hub.
PAGES: tuple[Page, ...] = (
    Page("/", "nav.home", ("signed_in",), "house", home_page, (HomeState.load,), district=True),
    Page("/marks", "nav.my_marks", ("own.read",), "notebook-pen", marks_page, (MyMarksState.load,)),
    Page("/diary", "nav.diary", ("own.read",), "book-open-text", diary_page, (DiaryState.load,)),
    # Families read their child's class timetable under own.read (the rights matrix gives them no
    # staff permission), staff under timetable.read.
    Page(
        "/timetable",
        "nav.timetable",
        ("timetable.read", "own.read"),
        "calendar-days",
        timetable_page,
        (TimetableState.open,),
    ),
    Page("/journal", "nav.journal", ("journal.read",), "book-marked", journal_page, (JournalState.load,)),
    Page("/summary", "nav.journal_summary", ("report.read",), "sheet", summary_page, (SummaryState.load,)),
    Page("/exams", "exams.nav", ("journal.read",), "graduation-cap", exams_page, (ExamsState.load,)),
    Page("/dashboard", "nav.dashboard", ("report.read",), "gauge", dashboard_page, (DashboardState.load,)),
    Page("/reports", "nav.reports", ("report.read",), "chart-column", reports_page, (ReportsState.load,)),
    Page(
        "/teacher-reports",
        "nav.teacher_reports",
        ("report.teacher",),
        "clipboard-check",
        teacher_reports_page,
        (TeacherReportsState.load,),
    ),
    Page(
        "/courses",
        "nav.courses",
        ("course.read", "course.write", "own.read"),
        "library-big",
        courses_page,
        (CoursesState.load,),
    ),
    Page("/calendar", "nav.calendar", ("signed_in",), "calendar-heart", calendar_page, (CalendarState.load,)),
    Page("/messages", "nav.messages", ("signed_in",), "mail", messages_page, (MessagesState.load,), badge=True),
    Page(
        "/announcements",
        "nav.announcements",
        ("announcement.write",),
        "megaphone",
        announcements_page,
        (AnnouncementsState.load,),
    ),
    Page("/documents", "nav.documents", ("document.read",), "files", documents_page, (DocumentsState.load,)),
    Page("/portfolio", "nav.portfolio", ("portfolio.read",), "award", portfolio_page, (PortfolioState.load,)),
    Page("/projects", "nav.projects", ("project.read",), "users", projects_page, (ProjectsState.load,)),
    Page("/tests", "nav.tests", ("quiz.take", "quiz.write"), "list-checks", quiz_page, (QuizState.load,)),
    Page("/subgroups", "nav.subgroups", ("subgroup.write",), "split", subgroups_page, (SubgroupsState.load,)),
    *admin_pages.entity_pages(),
    Page("/alpha-book", "alpha.nav", ("movement.read",), "book-a", alpha_book_page, (AlphaBookState.load,)),
    Page("/contingent", "contingent.nav", ("movement.read",), "chart-column", contingent_page, (ContingentState.load,)),
    Page("/promotion", "promotion.nav", ("movement.write",), "graduation-cap", promotion_page, (PromotionState.load,)),
    Page(
        "/movement-import",
        "movement.import.title",
        ("movement.write",),
        "file-up",
        movement_import_page,
        (MovementImportState.load,),
    ),
    admin_pages.hub(),
    Page("/consents", "nav.consents", ("consent.read",), "shield-check", consents_page, (ConsentRegisterState.load,)),
    Page("/audit", "rights.audit.nav", ("audit.read",), "scroll-text", audit_page, (AuditState.load,), district=True),
    Page(
        "/rights", "rights.nav", ("rights.read",), "user-round-check", rights_page, (RightsState.load,), district=True
    ),
    Page(
        "/account-requests",
        "requests.nav",
        ("rights.write",),
        "inbox",
        account_requests_page,
        (AccountRequestState.load,),
    ),
    Page(
        "/schools", "district.nav", ("district.schools",), "school", schools_page, (SchoolsState.load,), district=True
    ),
    Page(
        "/district",
        "district.summary.nav",
        ("district.schools",),
        "chart-column",
        district_summary_page,
        (DistrictSummaryState.load,),
        district=True,
    ),
    Page("/backups", "ops.nav", ("backup.read",), "archive", backups_page, (BackupsState.load,), district=True),
    Page("/api-clients", "apiclients.nav", ("api.manage",), "plug", api_clients_page, (ApiClientsState.load,)),
    Page(
        "/profile", "nav.profile", ("signed_in",), "user-cog", profile_page, (NotifySettingsState.load,), district=True
    ),
)
navigation.use(PAGES)
AuthState.school_pages({p.route: p.loaders for p in PAGES if not p.district})

app.add_page(
    login_page, route="/login", title="BBBMS", on_load=[AuthState.redirect_if_signed_in, SsoState.load_providers]
)
app.add_page(callback_page, route="/auth/callback", title="BBBMS", on_load=SsoState.finish)
for _page in PAGES:
    # check_session runs first: an expired session goes to /login before any page loader runs.
    # A page that needs a school gets its loaders from load_school_page, which skips them for an
    # account of no school (its shell shows the notice instead: layout.for_a_school).
    # The tab's title follows the UI language, as the page's heading does.
    app.add_page(
        _page.component if _page.district else layout.for_a_school(_page.component),
        route=_page.route,
        title=tr(_page.title_key) + " · BBBMS",
        on_load=[
            AuthState.check_session,
            *(_page.loaders if _page.district else (AuthState.load_school_page,)),
        ],
    )

# Everything built so far (pages, components, states) lives as long as the process: keep it out of
# the garbage collector's full passes, which otherwise scan it and stall a handler for ~100 ms now
# and then (bench/journal_grid.py: grid p95 110 ms → 12 ms).
gc.freeze()
