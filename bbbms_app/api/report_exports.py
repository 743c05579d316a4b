"""GET /private/report-export/{id}: a whole-school export made in the background, to its maker.

The route is made by `api.private_files.private_download` (the session cookie resolved like every
event; any refusal, another user's id included, is the same audited 404); the service
(`services.reports.export_jobs.open_for`) decides and audits the download.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bbbms_app import db
from bbbms_app.api.private_files import MEDIA, private_download, send
from bbbms_app.services.access import Principal
from bbbms_app.services.reports import export_jobs


@private_download("report_export")
def report_export(request: Request, principal: Principal) -> Response:
    """The finished workbook of one of the caller's own export jobs (24 hours)."""
    with db.session(write=True) as s:
        path, name = export_jobs.open_for(s, principal, request.path_params.get("job_id"))
    return send(path, name, MEDIA[path.suffix.lstrip(".")])


report_exports_api = Starlette(routes=[Route("/private/report-export/{job_id:int}", report_export, methods=["GET"])])
