"""The house's rules that a grep can prove: no import cycle between the guard and the auth state,
no page re-raising a service refusal by hand, one session cookie name, one private-download module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import bbbms_app

PACKAGE = Path(bbbms_app.__file__).parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_the_guard_does_not_import_the_auth_state():
    # auth/state imports the guard (for `requires`); the guard gets the state class bound instead.
    assert "bbbms_app.auth.guard" in _imports(PACKAGE / "auth" / "state.py")
    assert not {m for m in _imports(PACKAGE / "auth" / "guard.py") if m.startswith("bbbms_app.auth.state")}


def test_pages_let_service_refusals_reach_the_guard():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "Forbidden(str(exc))" in text or ("class OutOfScope" in text and path.name != "errors.py"):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_one_session_cookie_name_and_one_private_download_module():
    literal = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if '"bbbms_session"' in p.read_text(encoding="utf-8") and p.name != "settings.py"
    ]
    assert literal == []
    routes = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "from starlette.routing import Route" in p.read_text(encoding="utf-8")
    ]
    # Private files go through the one helper (api/private_files.py); the other routes serve no
    # stored file: /health, a user's iCalendar feed (its secret token is its credential), and the
    # integration API (api/rest.py and OneRoster's api/oneroster.py: bearer tokens of registered
    # clients, never the session cookie); api/portfolio.py: its private files through that helper,
    # and the family's public link (a secret token); api/exchange.py: the exchange file of the
    # integration API (a bearer token); api/report_exports.py: a background export's workbook through
    # that helper.
    assert sorted(routes) == [
        "api/calendar_feed.py",
        "api/exchange.py",
        "api/health.py",
        "api/oneroster.py",
        "api/portfolio.py",
        "api/private_files.py",
        "api/report_exports.py",
        "api/rest.py",
    ]


def test_one_xlsx_writer():
    """Only services/engine/xlsx.py imports xlsxwriter: every workbook gets its safety and its paper."""
    writers = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py") if "xlsxwriter" in _imports(path))
    assert writers == ["services/engine/xlsx.py"]


# Filters may wait for a pause in typing; a field whose text a button then saves may not: the
# event-level debounce holds the text back and a tap on the button within the pause was handled
# first, saving what was there before (a topic saved empty, a rights change without its reason).
# Reflex's inputs already wait for a pause and send at once when the field is left.
DEBOUNCED_FILTERS = {
    "admin/states.py": ["find_guardians"],
    "admin/views.py": ["set_search", "search_options"],
    "pages/documents.py": ["set_search"],
    "pages/consents.py": ["set_search"],
    "pages/audit.py": ["set_person", "set_pupil"],
    "components/date_input.py": ["on_change"],  # sent at once on blur as well
}


def test_only_filters_wait_for_a_pause_in_typing():
    found: dict[str, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for match in re.finditer(r"([A-Za-z_]+)(?:\([^()]*\))?\.debounce\(", path.read_text(encoding="utf-8")):
            found.setdefault(str(path.relative_to(PACKAGE)), []).append(match.group(1))
    assert found == DEBOUNCED_FILTERS
