"""Authorized HTTP routes for private files: consent scans and one-time downloads of marked exports.

Personal documents never sit in Reflex's public `/_upload` folder. These routes read the
`bbbms_session` cookie, resolve it against the database like every event handler does
(services.accounts.resolve: revoked, idle, expired or disabled sessions fail), then check the
permission and the data scope in the services. Answers: 401 without a live session, 403 without
the permission (audited as "denied"); to a holder of the permission, 404 alike for an id outside
his scope (audited) and an unknown one, so ids tell nothing; 410 when the stored file is
missing or no longer matches its recorded SHA-256. Every successful opening of a scan is audited.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bbbms_app import db
from bbbms_app.services import accounts, audit, private_files
from bbbms_app.services import consent as consent_service
from bbbms_app.services.access import Principal
from bbbms_app.services.engine.marking import PERMISSION as EXPORT_PERMISSION

log = logging.getLogger(__name__)
SESSION_COOKIE = "bbbms_session"
_PRIVATE_HEADERS = {
    "Cache-Control": "no-store, private",
    "X-Content-Type-Options": "nosniff",
    # A scanned PDF opened by mistake in a tab runs nothing and frames nothing.
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Referrer-Policy": "no-referrer",
}


def _principal(request: Request) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    with db.session() as s:
        return accounts.resolve(s, token)


def _deny(principal: Principal | None, entity: str, detail: str, status: int) -> Response:
    with db.session() as s:
        audit.record(s, principal, "denied", entity, reason=detail[:500])
    text = "sign in first" if status == 401 else "forbidden"
    return PlainTextResponse(text, status_code=status, headers={"Cache-Control": "no-store"})


def consent_scan(request: Request) -> Response:
    """GET /private/consent-scan/{consent_id}: the scanned signed form, to whoever may see it."""
    principal = _principal(request)
    raw_id = request.path_params.get("consent_id")
    if principal is None:
        return _deny(None, "consent_scan", f"no session: consent {raw_id}", 401)
    with db.session() as s:
        try:
            consent = consent_service.scan_for(s, principal, raw_id)
        except consent_service.OutOfScope as exc:
            exists = s.get(consent_service.Consent, raw_id) is not None
            if principal.can("consent.read") or principal.can("own.read"):
                # One answer for another family's scan and for a missing id, so ids tell nothing;
                # the attempt on an existing one is still audited.
                if exists:
                    _deny(principal, "consent_scan", f"consent.read: {exc}", 404)
                return PlainTextResponse("not found", status_code=404, headers={"Cache-Control": "no-store"})
            return _deny(principal, "consent_scan", f"consent.read: {exc}", 403)
        data = private_files.read_verified("consents", consent.scan_name, consent.scan_sha256)
        if data is None:
            log.error("consent %s: scan missing or its SHA-256 differs", consent.id)
            audit.record(s, principal, "denied", "consent_scan", consent.id, reason="scan missing or altered")
            return PlainTextResponse("the stored scan is missing or altered", status_code=410)
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
        headers = dict(_PRIVATE_HEADERS)
        headers["Content-Disposition"] = f'attachment; filename="consent-{consent.id}.{ext}"'
        return Response(data, media_type=consent.scan_content_type, headers=headers)


def export_download(request: Request) -> Response:
    """GET /private/export/{owner}/{file}: a marked export, once, to the user who made it."""
    principal = _principal(request)
    name = f"{request.path_params.get('owner')}/{request.path_params.get('file', '')}"
    if principal is None:
        return _deny(None, "export_download", "no session", 401)
    owner = private_files.export_owner(name)
    if owner is None:
        return PlainTextResponse("not found", status_code=404)
    if owner != principal.user_id or not principal.can(EXPORT_PERMISSION):
        return _deny(principal, "export_download", f"{EXPORT_PERMISSION}: export of user {owner}", 403)
    path = private_files.path_of("exports", name)
    if not path.is_file():
        return PlainTextResponse("this export was already downloaded or has expired", status_code=410)
    data = path.read_bytes()
    ext = name.rsplit(".", 1)[-1]
    media = {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv": "text/csv; charset=utf-8",
        "json": "application/json",
    }.get(ext, "application/octet-stream")
    headers = dict(_PRIVATE_HEADERS)
    headers["Content-Disposition"] = f'attachment; filename="bbbms-export.{ext}"'
    # One download only: the file leaves the server's disk as soon as it has been sent.
    return Response(data, media_type=media, headers=headers, background=BackgroundTask(path.unlink, missing_ok=True))


ROUTES = [
    Route("/private/consent-scan/{consent_id:int}", consent_scan, methods=["GET"]),
    Route("/private/export/{owner:int}/{file}", export_download, methods=["GET"]),
]

# Mounted by app.py as an api_transformer: these routes come before Reflex's own and the frontend.
private_files_api = Starlette(routes=ROUTES)
