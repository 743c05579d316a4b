"""Authorized HTTP routes for private files, behind one helper with one behaviour.

Personal documents and exports never sit in Reflex's public `/_upload` folder and are never pushed
over the websocket. Every route here is made by `private_download`: it reads the session cookie
(`settings.SESSION_COOKIE`), resolves it against the database like every event handler does
(services.accounts.resolve: a revoked, idle, expired or disabled session fails) and asks the
service for the file; the service decides the permission and the data scope and refuses with the
error hierarchy (services/errors.py). Any refusal — no live session, an unknown or expired token,
another user's file, an id outside the caller's scope — is the same `404 not found`, audited as
`denied` with the reason, so a guessed or stolen link tells nothing. A file that is known and his
but no longer on disk (an export already downloaded, a scan altered) is `410`.

- `/private/consent-scan/{id}`: a consent's scanned form (services.consent.scan_for); every
  opening is audited as a view.
- `/private/export/{owner}/{file}`: a marked export, once (services.private_files.open_export).
- `/admin-files/{token}`: an engine export (services.engine.downloads.open_for).
- `/journal-files/{token}`: a journal's XLSX (services.journal_export.open_download).
- `/private/document/{version_id}`: a version of a document of the register, old ones included,
  to whoever may read that document (services.documents.version_for); every download audited.
- `/private/announcement-file/{id}`: an announcement's attachment, to whoever receives it today
  and to those who manage it (services.announcements.attachment_for); every download audited.
- `/private/course-material/{id}`, `/private/handin/{id}`: a course's file and a pupil's handed-in
  file, to whoever services.courses lets read them (a pupil of another class, a guessed id: 404).
- `/private/quiz-image/{question_id}`: a test question's picture (services.quiz.image_for).
- `/private/message-file/{id}`: a message's attachment, to its conversation's members (services.messages).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from bbbms_app import db, settings
from bbbms_app.services import accounts, announcements, audit, documents, journal_export, messages, private_files
from bbbms_app.services import consent as consent_service
from bbbms_app.services import courses as course_service
from bbbms_app.services import quiz as quiz_service
from bbbms_app.services.access import Principal
from bbbms_app.services.engine import downloads
from bbbms_app.services.errors import ServiceError

log = logging.getLogger(__name__)
HEADERS = {
    "Cache-Control": "no-store, private",
    "X-Content-Type-Options": "nosniff",
    # A scanned PDF opened by mistake in a tab runs nothing and frames nothing.
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Referrer-Policy": "no-referrer",
}
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
    "zip": "application/zip",
}

Handler = Callable[[Request, Principal], Response]


def _not_found(principal: Principal | None, entity: str, detail: str) -> Response:
    with db.session() as s:
        audit.record(s, principal, "denied", entity, reason=detail[:500])
    return PlainTextResponse("not found", status_code=404, headers={"Cache-Control": "no-store"})


def gone(text: str) -> Response:
    return PlainTextResponse(text, status_code=410, headers={"Cache-Control": "no-store"})


def send(body: bytes | Path, filename: str, media_type: str, background: BackgroundTask | None = None) -> Response:
    """The file as an attachment, with the private headers."""
    if isinstance(body, Path):
        return FileResponse(
            body, media_type=media_type, filename=filename, content_disposition_type="attachment", headers=HEADERS
        )
    headers = {**HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, media_type=media_type, headers=headers, background=background)


def private_download(entity: str) -> Callable[[Handler], Callable[[Request], Response]]:
    """The one behaviour of every private download route (see the module's docstring)."""

    def wrap(handler: Handler) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            with db.session() as s:
                principal = accounts.resolve(s, request.cookies.get(settings.SESSION_COOKIE, ""))
            if principal is None:
                return _not_found(None, entity, f"no session: {entity}")
            try:
                return handler(request, principal)
            except ServiceError as exc:
                return _not_found(principal, entity, f"{type(exc).__name__}: {exc}")

        endpoint.__name__ = handler.__name__
        endpoint.__doc__ = handler.__doc__
        return endpoint

    return wrap


@private_download("consent_scan")
def consent_scan(request: Request, principal: Principal) -> Response:
    """GET /private/consent-scan/{consent_id}: the scanned signed form, to whoever may see it."""
    with db.session() as s:
        consent = consent_service.scan_for(s, principal, request.path_params.get("consent_id"))
        data = private_files.read_verified("consents", consent.scan_name, consent.scan_sha256)
        if data is None:
            log.error("consent %s: scan missing or its SHA-256 differs", consent.id)
            audit.record(s, principal, "denied", "consent_scan", consent.id, reason="scan missing or altered")
            return gone("the stored scan is missing or altered")
        audit.record(
            s,
            principal,
            "view",
            "consent",
            consent.id,
            field="scan",
            pupil_id=consent.subject_id if consent.subject_type == "pupil" else None,
            school_id=consent.school_id,
        )
    ext = consent.scan_name.rsplit(".", 1)[-1]
    return send(data, f"consent-{consent.id}.{ext}", consent.scan_content_type)


@private_download("export_download")
def export_download(request: Request, principal: Principal) -> Response:
    """GET /private/export/{owner}/{file}: a marked export, once, to the user who made it."""
    name = f"{request.path_params.get('owner')}/{request.path_params.get('file', '')}"
    path = private_files.open_export(principal, name)
    if path is None:
        return gone("this export was already downloaded or has expired")
    ext = name.rsplit(".", 1)[-1]
    # One download only: the file leaves the server's disk as soon as it has been sent.
    unlink = BackgroundTask(path.unlink, missing_ok=True)
    return send(path.read_bytes(), f"bbbms-export.{ext}", MEDIA.get(ext, "application/octet-stream"), unlink)


@private_download("download")
def engine_download(request: Request, principal: Principal) -> Response:
    """GET /admin-files/{token}: an entity export, to the user it was made for while he may."""
    ticket = downloads.open_for(principal, str(request.path_params.get("token", "")))
    return send(ticket.path, ticket.filename, ticket.content_type)


@private_download("journal_file")
def journal_file(request: Request, principal: Principal) -> Response:
    """GET /journal-files/{token}: a journal's XLSX, to its maker while he may still read that journal."""
    with db.session() as s:
        ticket = journal_export.open_download(s, principal, str(request.path_params.get("token", "")))
    return send(ticket.path, ticket.filename, ticket.content_type)


@private_download("document_version")
def document_version(request: Request, principal: Principal) -> Response:
    """GET /private/document/{version_id}: one version of a register document, to its readers."""
    with db.session() as s:
        version, doc = documents.version_for(s, principal, request.path_params.get("version_id"))
        data = private_files.read_verified("documents", version.file_name, version.sha256)
        if data is None:
            log.error("document version %s: file missing or its SHA-256 differs", version.id)
            audit.record(s, principal, "denied", "document_version", version.id, reason="file missing or altered")
            return gone("the stored file is missing or altered")
        audit.record(
            s,
            principal,
            "download",
            "document_version",
            version.id,
            field=f"document:{doc.id}",
            school_id=doc.school_id,
        )
    ext = version.file_name.rsplit(".", 1)[-1]
    return send(data, f"document-{doc.id}-v{version.number}.{ext}", version.content_type)


@private_download("announcement_file")
def announcement_file(request: Request, principal: Principal) -> Response:
    """GET /private/announcement-file/{attachment_id}: a file of an announcement, to its recipients."""
    with db.session() as s:
        f, a = announcements.attachment_for(s, principal, request.path_params.get("attachment_id"), date.today())
        data = private_files.read_verified("documents", f.file_name, f.sha256)
        if data is None:
            log.error("announcement file %s: missing or its SHA-256 differs", f.id)
            audit.record(s, principal, "denied", "announcement_file", f.id, reason="file missing or altered")
            return gone("the stored file is missing or altered")
        audit.record(s, principal, "download", "announcement_file", f.id, field=f"announcement:{a.id}")
    ext = f.file_name.rsplit(".", 1)[-1]
    return send(data, f"announcement-{a.id}-{f.id}.{ext}", f.content_type)


@private_download("course_material")
def course_material(request: Request, principal: Principal) -> Response:
    """GET /private/course-material/{id}: a course's file, to whoever reads its published module."""
    with db.session() as s:
        m = course_service.material_file(
            s, principal, request.path_params.get("material_id"), course_service.school_today()
        )
        data = private_files.read_verified("courses", m.file_name, m.file_sha256)
        if data is None:
            log.error("course material %s: file missing or its SHA-256 differs", m.id)
            return gone("the stored file is missing or altered")
    return send(data, f"material-{m.id}.{m.file_name.rsplit('.', 1)[-1]}", m.file_type)


@private_download("handin_file")
def handin_file(request: Request, principal: Principal) -> Response:
    """GET /private/handin/{id}: a handed-in file, to the pupil, his parents, the course's teacher, the leaders."""
    with db.session() as s:
        f, pupil_id = course_service.handin_file(
            s, principal, request.path_params.get("file_id"), course_service.school_today()
        )
        data = private_files.read_verified("courses", f.file_name, f.file_sha256)
        if data is None:
            log.error("hand-in file %s: file missing or its SHA-256 differs", f.id)
            return gone("the stored file is missing or altered")
        audit.record(s, principal, "view", "submission", f.submission_id, field="file", pupil_id=pupil_id)
    return send(data, f"handin-{f.id}.{f.file_name.rsplit('.', 1)[-1]}", f.file_type)


@private_download("quiz_image")
def quiz_image(request: Request, principal: Principal) -> Response:
    """GET /private/quiz-image/{question_id}: a question's picture, to its bank's writers and the
    pupils whose attempt holds it."""
    with db.session() as s:
        data, content_type = quiz_service.image_for(s, principal, int(request.path_params["question_id"]))
    return send(data, f"question-{request.path_params['question_id']}.{content_type.rsplit('/', 1)[-1]}", content_type)


@private_download("message_file")
def message_file(request: Request, principal: Principal) -> Response:
    """GET /private/message-file/{message_id}: a message's attachment, to the members of its conversation."""
    with db.session() as s:
        m = messages.attachment_for(s, principal, request.path_params.get("message_id"))
        data = private_files.read_verified("messages", m.file_name, m.file_sha256)
        if data is None:
            return gone("the stored file is missing or altered")
        audit.record(s, principal, "view", "message", m.id, field="file")
    ext = m.file_name.rsplit(".", 1)[-1]
    return send(data, f"message-{m.id}.{ext}", m.file_type)


ROUTES = [
    Route("/private/message-file/{message_id:int}", message_file, methods=["GET"]),
    Route(f"{course_service.MATERIAL_ROUTE}/{{material_id:int}}", course_material, methods=["GET"]),
    Route(f"{course_service.HANDIN_ROUTE}/{{file_id:int}}", handin_file, methods=["GET"]),
    Route("/private/consent-scan/{consent_id:int}", consent_scan, methods=["GET"]),
    Route("/private/export/{owner:int}/{file}", export_download, methods=["GET"]),
    Route(f"{downloads.ROUTE}/{{token}}", engine_download, methods=["GET"]),
    Route(f"{journal_export.JOURNAL_ROUTE}/{{token}}", journal_file, methods=["GET"]),
    Route(f"{documents.ROUTE}/{{version_id:int}}", document_version, methods=["GET"]),
    Route(f"{announcements.FILE_ROUTE}/{{attachment_id:int}}", announcement_file, methods=["GET"]),
    Route("/private/quiz-image/{question_id:int}", quiz_image, methods=["GET"]),
]

# Mounted by app.py as an api_transformer: these routes come before Reflex's own and the frontend.
private_files_api = Starlette(routes=ROUTES)
