"""`GET /api/v1/exchange?term=<id>[&format=csv|xlsx]` (issue 19 §4): a term's marks, attendance and
quarter marks as the flat table keyed by PIN and OKPO (services/exchange.py), for the national
e-journal. Scope `gradebook:read`; the client's school only (another school's term is a 404).
The one answer of the API that carries a PIN: the table is keyed by it. Audited as an `export`
on `api_exchange` with the client's name; `Cache-Control: no-store`; errors in REST API v1's shape.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bbbms_app import db
from bbbms_app.api import rest
from bbbms_app.i18n import t
from bbbms_app.services import api_clients, api_v1, audit, exchange
from bbbms_app.services.api_clients import OAuthError
from bbbms_app.services.errors import NotFound, Refused

PATH = "/api/v1/exchange"
MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export(request: Request) -> Response:
    try:
        caller = rest._caller(request)
    except OAuthError as exc:
        challenge = rest._bearer_challenge(exc.code, exc.description)
        return rest.error(exc.code, exc.description, 401, {"WWW-Authenticate": challenge})
    key = f"call:{caller.client_pk}"
    if not api_clients.RATE.allow(key, limit=api_clients.CALLS_PER_MINUTE):
        wait = api_clients.RATE.retry_after(key)
        return rest.error("rate_limited", "too many requests; wait and retry", 429, {"Retry-After": str(wait)})
    lang = rest._language(request)
    try:
        api_v1.require(caller, "gradebook:read")
        term = api_v1.int_param(request.query_params.get("term"), "term")
        if term is None:
            raise Refused("exchange.error.term_required", field="term")
        fmt = request.query_params.get("format") or "csv"
        if fmt not in MEDIA:
            raise Refused("exchange.error.bad_format", field="format")
        with db.session() as s:
            table = exchange.export_rows(s, caller.school_id, term)
            audit.record(s, None, "export", "api_exchange", reason=f"term {term}, {len(table.rows)} rows, {fmt}",
                         username=caller.username, school_id=caller.school_id)  # fmt: skip
        data = exchange.to_csv(table) if fmt == "csv" else exchange.to_xlsx(table)
    except api_v1.InsufficientScope as exc:
        rest._audit_refusal(caller, "exchange", f"insufficient_scope: {exc.scope}")
        description = f"this route needs the scope {exc.scope}"
        challenge = rest._bearer_challenge("insufficient_scope", description, exc.scope)
        return rest.error("insufficient_scope", description, 403, {"WWW-Authenticate": challenge})
    except Refused as exc:
        return rest.error("invalid_request", exc.message(lang), 400)
    except NotFound:
        return rest.error("not_found", t("error.not_found", lang), 404)
    except db.DatabaseBusy:
        return rest.error("temporarily_unavailable", t("error.db_busy", lang), 503, {"Retry-After": "5"})
    except Exception:
        return rest._unexpected(request)
    headers = {
        **rest.NO_STORE,
        "Content-Disposition": f'attachment; filename="{table.filename}.{fmt}"',
        "X-Rows-Without-Pin": str(table.without_pin),
    }
    return Response(data, media_type=MEDIA[fmt], headers=headers)


ROUTES = [Route(PATH, export, methods=["GET"])]
