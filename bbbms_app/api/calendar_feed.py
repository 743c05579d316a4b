"""`GET /calendar-feed/{token}.ics`: a user's personal iCalendar feed for his phone's calendar.

The token in the address is the credential (a phone's calendar has no session): only its SHA-256
is stored, it is revoked by the user or replaced by a new one, and any unknown, revoked or
disabled-account token answers a bare 404 — a guessed address tells nothing. What the feed lists
is decided by services.school_events with the owner's current rights and scope at every request.
"""

from __future__ import annotations

from datetime import date

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bbbms_app import db
from bbbms_app.services import accounts, school_events


def _feed(token: str) -> bytes | None:
    with db.session() as s:
        user = school_events.feed_owner(s, token)
        if user is None:
            return None
        return school_events.ical(s, accounts.principal_for(user, session=s), date.today())


async def calendar_feed(request: Request) -> Response:
    name = str(request.path_params.get("name", ""))
    body = await run_in_threadpool(_feed, name.removesuffix(".ics")) if name.endswith(".ics") else None
    if body is None:
        return PlainTextResponse("not found", status_code=404, headers={"Cache-Control": "no-store"})
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "no-store", "Content-Disposition": 'inline; filename="bbbms.ics"'},
    )


calendar_feed_api = Starlette(routes=[Route(f"{school_events.FEED_ROUTE}/{{name}}", calendar_feed, methods=["GET"])])
