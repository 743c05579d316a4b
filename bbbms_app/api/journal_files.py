"""GET /journal-files/<token>: a journal's XLSX, to the teacher (or leader) who made it.

The journal export (pages/journal.py) writes the workbook to a private file
(services.journal_export.write_download) instead of pushing it over the websocket; this route hands
it out. It reads the `bbbms_session` cookie and resolves it against the database like every event
(a revoked, idle or expired session fails), then checks that the file is this user's, that he still
holds journal.read and may still read that class × subject × subgroup journal. Answers: 401
without a live session, 403 for anyone else (both audited as "denied"), 404 for an unknown or
expired token. Files are swept with the other private downloads after an hour.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from bbbms_app import db
from bbbms_app.services import accounts, audit, journal, journal_export
from bbbms_app.services.engine import downloads

SESSION_COOKIE = "bbbms_session"
_HEADERS = {"Cache-Control": "no-store, private", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def _deny(principal, detail: str, status: int) -> Response:
    with db.session() as s:
        audit.record(s, principal, "denied", "journal_file", reason=detail[:500])
    text = "sign in first" if status == 401 else "forbidden"
    return PlainTextResponse(text, status_code=status, headers={"Cache-Control": "no-store"})


def journal_file(request: Request) -> Response:
    token = str(request.path_params.get("token", ""))
    with db.session() as s:
        principal = accounts.resolve(s, request.cookies.get(SESSION_COOKIE, ""))
    if principal is None:
        return _deny(None, f"no session: journal file {token[:32]}", 401)
    try:
        with db.session() as s:
            ticket = journal_export.open_download(s, principal, token)
    except downloads.DownloadRefused:
        return PlainTextResponse("not found", status_code=404, headers={"Cache-Control": "no-store"})
    except journal.OutOfScope as exc:
        return _deny(principal, f"{journal_export.PERMISSION}: {exc}", 403)
    return FileResponse(
        ticket.path,
        media_type=ticket.content_type,
        filename=ticket.filename,
        content_disposition_type="attachment",
        headers=_HEADERS,
    )


journal_files_api = Starlette(
    routes=[Route(f"{journal_export.JOURNAL_ROUTE}/{{token}}", journal_file, methods=["GET"])]
)
