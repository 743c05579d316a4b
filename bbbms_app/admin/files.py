"""The authorized download route for exports: `/admin-files/<token>`, mounted as an api_transformer.

The browser sends its `bbbms_session` cookie with the request; the route resolves it exactly as
every event does (services.accounts.resolve) and hands the file only to the user it was made for,
while he still holds the permission it was made under (services/engine/downloads.py). Anything else is a
plain 404, so a guessed or stolen link tells nothing.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from bbbms_app import db
from bbbms_app.services.engine import downloads

SESSION_COOKIE = "bbbms_session"


async def download(request: Request) -> Response:
    token = str(request.path_params.get("token", ""))
    try:
        with db.session() as s:
            ticket = downloads.open_for(s, token, request.cookies.get(SESSION_COOKIE))
    except downloads.DownloadRefused:
        return PlainTextResponse("Not found", status_code=404)
    return FileResponse(
        ticket.path,
        media_type=ticket.content_type,
        filename=ticket.filename,
        content_disposition_type="attachment",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


api = Starlette(routes=[Route(f"{downloads.ROUTE}/{{token}}", download, methods=["GET"])])
