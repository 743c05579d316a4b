"""OneRoster 1.2 over HTTP (issue 19 §3): `/ims/oneroster/rostering/v1p2/…` and
`/ims/oneroster/gradebook/v1p2/…`. Thin: services/oneroster.py holds the mapping, the queries and
the write-back; here the bearer token (the same tokens and scopes as REST API v1), the rate
limit, one audit row per call with the client's name, OneRoster's paging headers (`X-Total-Count`,
`Link`) and its error shape (`imsx_codeMajor`, `imsx_severity`, `imsx_description`,
`imsx_CodeMinor`). Every answer is `Cache-Control: no-store`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bbbms_app import db
from bbbms_app.api import rest
from bbbms_app.services import api_clients, audit, oneroster, oneroster_csv, oneroster_resources, private_files
from bbbms_app.services.api_clients import ApiCaller, OAuthError
from bbbms_app.services.api_v1 import InsufficientScope
from bbbms_app.services.errors import NotFound, OutOfScope, Refused

ROSTERING = "/ims/oneroster/rostering/v1p2"
GRADEBOOK = "/ims/oneroster/gradebook/v1p2"
MAX_BODY = 256 * 1024
MAX_BATCH = 200


def imsx(status: int, minor: str, description: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """OneRoster's error payload (imsx_StatusInfo)."""
    body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_CodeMinor": {
            "imsx_codeMinorField": [{"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": minor}]
        },
    }
    return JSONResponse(body, status_code=status, headers={**rest.NO_STORE, **(headers or {})})


def _authorize(request: Request) -> ApiCaller | Response:
    try:
        caller = rest._caller(request)
    except OAuthError as exc:
        challenge = rest._bearer_challenge(exc.code, exc.description)
        return imsx(401, "unauthorisedrequest", exc.description, {"WWW-Authenticate": challenge})
    key = f"call:{caller.client_pk}"
    if not api_clients.RATE.allow(key, limit=api_clients.CALLS_PER_MINUTE):
        wait = api_clients.RATE.retry_after(key)
        return imsx(429, "server_busy", "too many requests; wait and retry", {"Retry-After": str(wait)})
    return caller


def _refusal(exc: Exception, caller: ApiCaller, entity: str, lang: str) -> Response:
    if isinstance(exc, InsufficientScope):
        rest._audit_refusal(caller, "oneroster", f"insufficient_scope: {exc.scope} ({entity})")
        description = f"this route needs the scope {exc.scope.replace(' ', ' or ')}"
        challenge = rest._bearer_challenge("insufficient_scope", description, exc.scope)
        return imsx(403, "forbidden", description, {"WWW-Authenticate": challenge})
    if isinstance(exc, oneroster.OneRosterError):
        return imsx(exc.status, exc.minor, exc.description)
    if isinstance(exc, Refused):
        return imsx(400, "invaliddata", exc.message(lang))
    if isinstance(exc, NotFound | OutOfScope):
        return imsx(404, "unknownobject", "no such object")
    raise exc


def _links(request: Request, q: oneroster.Query, total: int) -> dict[str, str]:
    params = dict(request.query_params)
    links = []

    def at(offset: int, rel: str) -> None:
        url = f"{request.url.path}?{urlencode({**params, 'limit': q.limit, 'offset': offset})}"
        links.append(f'<{url}>; rel="{rel}"')

    if q.offset + q.limit < total:
        at(q.offset + q.limit, "next")
    if q.offset > 0:
        at(max(0, q.offset - q.limit), "prev")
    at(0, "first")
    at(max(0, (total - 1) // q.limit * q.limit), "last")
    return {"X-Total-Count": str(total), "Link": ", ".join(links)}


def route(entity: str, work: Callable[..., object], *, many: bool, key: str) -> Callable:
    """A GET route: token, rate limit, the service call, audit, OneRoster's answer and errors."""

    def endpoint(request: Request) -> Response:
        caller = _authorize(request)
        if isinstance(caller, Response):
            return caller
        lang = rest._language(request)
        try:
            q = oneroster.parse_query(dict(request.query_params))
            with db.session() as s:
                answer = work(s, caller, q, **request.path_params)
                audit.record(
                    s, None, "view", "api_oneroster", reason=f"{request.url.path}?{request.url.query}"[:500],
                    username=caller.username, school_id=caller.school_id,
                )  # fmt: skip
        except (InsufficientScope, oneroster.OneRosterError, Refused, NotFound, OutOfScope) as exc:
            return _refusal(exc, caller, entity, lang)
        except db.DatabaseBusy:
            return imsx(503, "server_busy", "the database is busy; retry in a moment", {"Retry-After": "5"})
        except Exception:
            rest._unexpected(request)
            return imsx(500, "server_error", "unexpected error")
        if many:
            rows, total = answer  # type: ignore[misc]
            return JSONResponse({key: rows}, headers={**rest.NO_STORE, **_links(request, q, total)})
        return JSONResponse({key: answer}, headers=rest.NO_STORE)

    endpoint.__name__ = f"oneroster_{entity}"
    return endpoint


def _roster_list(view: str):
    return lambda s, caller, q: oneroster.roster_collection(s, caller, view, q)


def _roster_one(view: str):
    return lambda s, caller, q, sourced_id: oneroster.roster_one(s, caller, view, sourced_id, q.fields)


async def _json_body(request: Request) -> object:
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise oneroster.OneRosterError(415, "invaliddata", "the body must be application/json")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise oneroster.OneRosterError(413, "invaliddata", "the request is too large")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise oneroster.OneRosterError(400, "invaliddata", "the body is not JSON") from None


def _write_one(caller: ApiCaller, body: object, line_item: str | None, lang: str) -> dict:
    """One result written in its own transaction: a refusal is answered for this result only."""
    try:
        with db.session(write=True) as s:
            return {**oneroster.write_result(s, caller, body, line_item), "imsx_codeMajor": "success"}  # type: ignore[arg-type]
    except InsufficientScope:
        raise
    except (Refused, NotFound, OutOfScope, oneroster.OneRosterError) as exc:
        if isinstance(exc, Refused):
            minor, text = "invaliddata", exc.message(lang)
        elif isinstance(exc, oneroster.OneRosterError):
            minor, text = exc.minor, exc.description
        else:
            minor, text = "unknownobject", "no such line item or student in this school's journal"
        with db.session() as s:
            audit.record(s, None, "denied", "api_oneroster", reason=f"{minor}: {text}"[:500],
                         username=caller.username, school_id=caller.school_id)  # fmt: skip
        return {"imsx_codeMajor": "failure", "imsx_CodeMinor": minor, "imsx_description": text}


async def put_result(request: Request) -> Response:
    """PUT /gradebook/v1p2/results/{sourcedId}: one result; the body is `{"result": {...}}`."""
    caller = await run_in_threadpool(_authorize, request)
    if isinstance(caller, Response):
        return caller
    lang = rest._language(request)
    try:
        body = await _json_body(request)
        result = body.get("result") if isinstance(body, dict) else None
        if not isinstance(result, dict):
            raise oneroster.OneRosterError(400, "invaliddata", 'the body is {"result": {...}}')
        named = oneroster.result_refs(request.path_params["sourced_id"])
        for key, ref in named.items():  # the address names the result: the body may leave them out
            if key in result and oneroster._ref_id(result, key) != ref["sourcedId"]:
                raise Refused("oneroster.error.mismatch", field=key)
        answer = await run_in_threadpool(_write_one, caller, {**named, **result}, None, lang)
    except (InsufficientScope, oneroster.OneRosterError, Refused) as exc:
        return _refusal(exc, caller, "results", lang)
    except db.DatabaseBusy:
        return imsx(503, "server_busy", "the database is busy; retry in a moment", {"Retry-After": "5"})
    except Exception:
        rest._unexpected(request)
        return imsx(500, "server_error", "unexpected error")
    if answer["imsx_codeMajor"] != "success":
        status = 404 if answer["imsx_CodeMinor"] == "unknownobject" else 400
        return imsx(status, answer["imsx_CodeMinor"], answer["imsx_description"])
    return JSONResponse({"result": answer}, status_code=201, headers=rest.NO_STORE)


async def post_results(request: Request) -> Response:
    """POST /gradebook/v1p2/lineItems/{sourcedId}/results: `{"results": [{...}, …]}`; answered
    result by result (`imsx_codeMajor` success or failure each) with 200."""
    caller = await run_in_threadpool(_authorize, request)
    if isinstance(caller, Response):
        return caller
    lang = rest._language(request)
    line_item = request.path_params["sourced_id"]
    try:
        if "gradebook:write" not in caller.scopes:
            raise InsufficientScope("gradebook:write")
        body = await _json_body(request)
        items = body.get("results") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items or len(items) > MAX_BATCH:
            raise oneroster.OneRosterError(400, "invaliddata", f'the body is {{"results": [1 to {MAX_BATCH} results]}}')
        oneroster.parse_line_item(line_item)
        answers = [await run_in_threadpool(_write_one, caller, item, line_item, lang) for item in items]
    except (InsufficientScope, oneroster.OneRosterError, NotFound) as exc:
        return _refusal(exc, caller, "results", lang)
    except db.DatabaseBusy:
        return imsx(503, "server_busy", "the database is busy; retry in a moment", {"Retry-After": "5"})
    except Exception:
        rest._unexpected(request)
        return imsx(500, "server_error", "unexpected error")
    return JSONResponse({"results": answers}, headers=rest.NO_STORE)


CSV_BUNDLE = "/ims/oneroster/csv/v1p2/bundle.zip"


def csv_bundle(request: Request) -> Response:
    """GET the school's OneRoster CSV bundle (zip): `roster:read`; the gradebook files with
    `gradebook:read`, demographics with `demographics:read` (and consent). Audited as an export."""
    caller = _authorize(request)
    if isinstance(caller, Response):
        return caller
    try:
        with db.session() as s:
            data, _names = oneroster_csv.bundle(s, caller)
            audit.record(s, None, "export", "api_oneroster", reason="csv bundle", username=caller.username,
                         school_id=caller.school_id)  # fmt: skip
    except (InsufficientScope, NotFound) as exc:
        return _refusal(exc, caller, "csv", rest._language(request))
    except Exception:
        rest._unexpected(request)
        return imsx(500, "server_error", "unexpected error")
    headers = {**rest.NO_STORE, "Content-Disposition": 'attachment; filename="oneroster.zip"'}
    return Response(data, media_type="application/zip", headers=headers)


def _members(role: str):
    return lambda s, caller, q, class_sid: oneroster.class_members(s, caller, class_sid, role, q)


def _line_item(s, caller, q, sourced_id):
    return oneroster.line_item(s, caller, sourced_id, q.fields)


def _class_line_items(s, caller, q, class_sid):
    return oneroster.line_items(s, caller, q, class_sid=class_sid)


def _result(s, caller, q, sourced_id):
    return oneroster.result(s, caller, sourced_id, q.fields)


def _line_item_results(s, caller, q, sourced_id):
    return oneroster.results(s, caller, q, line_item_sid=sourced_id)


def _class_results(s, caller, q, class_sid):
    return oneroster.results(s, caller, q, class_sid=class_sid)


def _routes() -> list[Route]:
    out: list[Route] = []
    for view, (base, _keep) in oneroster.VIEWS.items():
        single = oneroster.SINGULAR[view]
        out.append(Route(f"{ROSTERING}/{view}", route(view, _roster_list(view), many=True, key=base)))
        out.append(Route(f"{ROSTERING}/{view}/{{sourced_id}}", route(view, _roster_one(view), many=False, key=single)))
    for role, path in (("student", "students"), ("teacher", "teachers")):
        out.append(
            Route(f"{ROSTERING}/classes/{{class_sid}}/{path}", route(path, _members(role), many=True, key="users"))
        )
    g = GRADEBOOK
    return [
        *out,
        Route(f"{g}/categories", route("categories", oneroster.categories, many=True, key="categories")),
        Route(f"{g}/lineItems", route("lineItems", oneroster.line_items, many=True, key="lineItems")),
        Route(f"{g}/lineItems/{{sourced_id}}", route("lineItems", _line_item, many=False, key="lineItem")),
        Route(
            f"{g}/classes/{{class_sid}}/lineItems", route("lineItems", _class_line_items, many=True, key="lineItems")
        ),
        Route(f"{g}/results", route("results", oneroster.results, many=True, key="results")),
        Route(f"{g}/results/{{sourced_id}}", route("results", _result, many=False, key="result")),
        Route(f"{g}/results/{{sourced_id}}", put_result, methods=["PUT"]),
        Route(f"{g}/lineItems/{{sourced_id}}/results", route("results", _line_item_results, many=True, key="results")),
        Route(f"{g}/lineItems/{{sourced_id}}/results", post_results, methods=["POST"]),
        Route(f"{g}/classes/{{class_sid}}/results", route("results", _class_results, many=True, key="results")),
        Route(CSV_BUNDLE, csv_bundle),
    ]


RESOURCES = oneroster_resources.BASE


def resource_file(request: Request) -> Response:
    """GET /resources/v1p2/resources/{sourcedId}/file: a published file material's bytes, with a
    bearer token of `resources:read` only (audited as a view with the client's name)."""
    caller = _authorize(request)
    if isinstance(caller, Response):
        return caller
    sourced_id = request.path_params["sourced_id"]
    try:
        with db.session() as s:
            m = oneroster_resources.material_file(s, caller, sourced_id)
            audit.record(s, None, "view", "api_oneroster", reason=request.url.path[:500], username=caller.username,
                         school_id=caller.school_id)  # fmt: skip
        data = private_files.read_verified("courses", m.file_name, m.file_sha256)
    except (InsufficientScope, NotFound) as exc:
        return _refusal(exc, caller, "resources", rest._language(request))
    except Exception:
        rest._unexpected(request)
        return imsx(500, "server_error", "unexpected error")
    if data is None:
        return imsx(410, "unknownobject", "the stored file is missing or altered")
    ext = m.file_name.rsplit(".", 1)[-1]
    headers = {**rest.NO_STORE, "X-Content-Type-Options": "nosniff",
               "Content-Disposition": f'attachment; filename="material-{m.id}.{ext}"'}  # fmt: skip
    return Response(data, media_type=m.file_type or "application/octet-stream", headers=headers)


def _resources_of(kind: str):
    return lambda s, caller, q, target: oneroster_resources.resources_of(s, caller, kind, target, q)


def _user_resources(s, caller, q, target):
    return oneroster_resources.resources_of_user(s, caller, target, q)


def _resource(s, caller, q, sourced_id):
    return oneroster_resources.resource(s, caller, sourced_id, q.fields)


RESOURCE_ROUTES = [
    Route(f"{RESOURCES}/resources", route("resources", oneroster_resources.resources, many=True, key="resources")),
    Route(f"{RESOURCES}/resources/{{sourced_id}}", route("resources", _resource, many=False, key="resource")),
    Route(f"{RESOURCES}/resources/{{sourced_id}}/file", resource_file),
    Route(f"{RESOURCES}/courses/{{target}}/resources",
          route("resources", _resources_of("course"), many=True, key="resources")),
    Route(f"{RESOURCES}/classes/{{target}}/resources",
          route("resources", _resources_of("class"), many=True, key="resources")),
    Route(f"{RESOURCES}/users/{{target}}/resources",
          route("resources", _user_resources, many=True, key="resources")),
]  # fmt: skip


def not_found(request: Request) -> Response:
    return imsx(404, "unknownobject", f"no such OneRoster address: {request.url.path}")


ROUTES = [
    *_routes(),
    *RESOURCE_ROUTES,
    Route("/ims/{rest:path}", not_found, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
]
