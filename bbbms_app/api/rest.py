"""The integration API over HTTP (issue 19): `POST /oauth/token`, `POST /oauth/revoke` and REST
API v1 under `/api/v1/`, with its OpenAPI 3 document at `/api/v1/openapi.json`.

Thin on purpose: the token logic is in services/api_clients.py, every query and scope check in
services/api_v1.py. Here only HTTP: client authentication (HTTP Basic or the form's
client_id/client_secret, not both — RFC 6749 §2.3.1), the bearer token (the Authorization header
only, never a query parameter), the per-client rate limit, one audit row per call with the
client's name, and one error shape everywhere: `{"error": code, "error_description": text}`.
Every answer carries `Cache-Control: no-store`. A missing, unknown, expired, revoked or
other-audience token is 401 with `WWW-Authenticate: Bearer error="invalid_token"`; a token without
the route's scope is 403 `insufficient_scope`; any other `/api/…` address is a JSON 404.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import secrets
from collections.abc import Callable
from html import escape
from urllib.parse import parse_qs, unquote_plus

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from bbbms_app import db
from bbbms_app.api.openapi import document
from bbbms_app.i18n import LANGUAGES, t
from bbbms_app.services import api_clients, api_v1, audit
from bbbms_app.services.api_clients import ApiCaller, OAuthError
from bbbms_app.services.errors import NotFound, Refused

log = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
MAX_FORM_BYTES = 8192


def error(code: str, description: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    """The one error shape of the API and the token endpoint."""
    return JSONResponse(
        {"error": code, "error_description": description}, status_code=status, headers={**NO_STORE, **(headers or {})}
    )


def _bearer_challenge(code: str, description: str, scope: str = "") -> str:
    parts = ['realm="bbbms"', f'error="{code}"', f'error_description="{description}"']
    if scope:
        parts.append(f'scope="{scope}"')
    return "Bearer " + ", ".join(parts)


def _unexpected(request: Request) -> JSONResponse:
    """Any failure nobody foresaw: the one shape and a reference; the details go to the log only."""
    ref = secrets.token_hex(4)
    log.exception("API %s failed (ref %s)", request.url.path, ref)
    return error("server_error", f"unexpected error; reference {ref}", 500)


# --- the token endpoint -----------------------------------------------------------------------


def _basic(header: str) -> tuple[str, str] | None:
    if not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError("invalid_client", "malformed HTTP Basic credentials", 401) from None
    client_id, sep, secret = raw.partition(":")
    if not sep:
        raise OAuthError("invalid_client", "malformed HTTP Basic credentials", 401)
    # RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
    return unquote_plus(client_id), unquote_plus(secret)


async def _form(request: Request) -> dict[str, str]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "the body must be application/x-www-form-urlencoded")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise OAuthError("invalid_request", "the request is too large")
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise OAuthError("invalid_request", "the body is not UTF-8") from None
    if any(len(v) > 1 for v in parsed.values()):
        raise OAuthError("invalid_request", "a parameter is repeated")  # RFC 6749 §3.2
    return {k: v[0] for k, v in parsed.items()}


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str, bool]:
    basic = _basic(request.headers.get("authorization", ""))
    in_form = "client_secret" in form
    if basic and in_form:
        raise OAuthError("invalid_request", "use one client authentication method, not two")
    if basic:
        return basic[0], basic[1], True
    return form.get("client_id", ""), form.get("client_secret", ""), False


def _oauth_error(exc: OAuthError, basic: bool) -> JSONResponse:
    headers = {}
    if exc.code == "invalid_client" and basic:
        headers["WWW-Authenticate"] = 'Basic realm="bbbms"'
    if exc.status == 429:
        headers["Retry-After"] = "60"
    return error(exc.code, exc.description, exc.status, headers)


async def token(request: Request) -> Response:
    """POST /oauth/token: the client credentials grant (RFC 6749 §4.4)."""
    basic = request.headers.get("authorization", "").lower().startswith("basic ")
    try:
        form = await _form(request)
        client_id, secret, basic = _client_credentials(request, form)
        if "grant_type" not in form:
            raise OAuthError("invalid_request", "grant_type is missing")

        def issue() -> dict:
            with db.session() as s:
                return api_clients.issue_token(s, client_id, secret, form["grant_type"], form.get("scope"))

        body = await run_in_threadpool(issue)
    except OAuthError as exc:
        return _oauth_error(exc, basic)
    except db.DatabaseBusy:
        return error("temporarily_unavailable", "the database is busy; retry in a moment", 503, {"Retry-After": "5"})
    except Exception:
        return _unexpected(request)
    return JSONResponse(body, headers=NO_STORE)


async def revoke(request: Request) -> Response:
    """POST /oauth/revoke: a client revokes one of its tokens (RFC 7009: 200 even when unknown)."""
    basic = request.headers.get("authorization", "").lower().startswith("basic ")
    try:
        form = await _form(request)
        client_id, secret, basic = _client_credentials(request, form)

        def work() -> dict:
            with db.session() as s:
                api_clients.revoke_own_token(s, client_id, secret, form.get("token", ""))
            return {}

        await run_in_threadpool(work)
    except OAuthError as exc:
        return _oauth_error(exc, basic)
    return JSONResponse({}, headers=NO_STORE)


# --- REST API v1 -------------------------------------------------------------------------------

Lister = Callable[..., api_v1.Page]


def _caller(request: Request) -> ApiCaller:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise OAuthError("invalid_token", "a bearer token is required", 401)
    with db.session() as s:
        return api_clients.authenticate(s, value.strip())


def api_route(entity: str, lister: Callable[[object, ApiCaller, api_v1.Paging, dict[str, str]], api_v1.Page]):
    """A GET list route: token, rate limit, paging, the service's list, audit, one error shape."""

    def endpoint(request: Request) -> Response:
        try:
            caller = _caller(request)
        except OAuthError as exc:
            challenge = _bearer_challenge(exc.code, exc.description)
            return error(exc.code, exc.description, 401, {"WWW-Authenticate": challenge})
        key = f"call:{caller.client_pk}"
        if not api_clients.RATE.allow(key, limit=api_clients.CALLS_PER_MINUTE):
            wait = api_clients.RATE.retry_after(key)
            return error("rate_limited", "too many requests; wait and retry", 429, {"Retry-After": str(wait)})
        params = dict(request.query_params)
        lang = _language(request)
        try:
            with db.session() as s:
                page = lister(s, caller, api_v1.paging(params.get("limit"), params.get("offset")), params)
                audit.record(
                    s,
                    None,
                    "view",
                    f"api_{entity}",
                    reason=f"{request.url.path}?{request.url.query}"[:500],
                    username=caller.username,
                    school_id=caller.school_id,
                )
        except api_v1.InsufficientScope as exc:
            _audit_refusal(caller, entity, f"insufficient_scope: {exc.scope}")
            description = f"this route needs the scope {exc.scope.replace(' ', ' or ')}"
            challenge = _bearer_challenge("insufficient_scope", description, exc.scope)
            return error("insufficient_scope", description, 403, {"WWW-Authenticate": challenge})
        except Refused as exc:
            return error("invalid_request", exc.message(lang), 400)
        except NotFound:
            return error("not_found", t("error.not_found", lang), 404)
        except db.DatabaseBusy:
            return error("temporarily_unavailable", t("error.db_busy", lang), 503, {"Retry-After": "5"})
        except Exception:
            return _unexpected(request)
        body = {
            "data": page.data,
            "paging": {"limit": page.limit, "offset": page.offset, "next_offset": page.next_offset},
        }
        return _with_etag(request, JSONResponse(body, headers=NO_STORE))

    endpoint.__name__ = f"list_{entity}"
    return endpoint


def _with_etag(request: Request, response: Response) -> Response:
    """A strong ETag of the answer's bytes; `If-None-Match` with it is 304 and no body (a poll
    that finds nothing changed moves no data). `no-store` stays: no cache keeps personal data."""
    tag = '"' + hashlib.sha256(bytes(response.body)).hexdigest()[:32] + '"'
    wanted = [t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")]
    if tag in wanted or "*" in wanted:
        return Response(status_code=304, headers={**NO_STORE, "ETag": tag})
    response.headers["ETag"] = tag
    return response


def _language(request: Request) -> str:
    """The first of ky, ru, en in Accept-Language (English when none is: a machine reads it)."""
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def _audit_refusal(caller: ApiCaller, entity: str, reason: str) -> None:
    with db.session() as s:
        audit.record(
            s, None, "denied", f"api_{entity}", reason=reason, username=caller.username, school_id=caller.school_id
        )


def _classes(s, caller, page, p):
    return api_v1.classes(s, caller, page, api_v1.int_param(p.get("academic_year_id"), "academic_year_id"))


def _pupils(s, caller, page, p):
    return api_v1.pupils(s, caller, page, api_v1.int_param(p.get("class_id"), "class_id"))


def _staff(s, caller, page, _p):
    return api_v1.staff(s, caller, page)


def _subjects(s, caller, page, _p):
    return api_v1.subjects(s, caller, page)


def _terms(s, caller, page, _p):
    return api_v1.terms(s, caller, page)


def _marks(s, caller, page, p):
    return api_v1.marks(
        s,
        caller,
        page,
        class_id=api_v1.int_param(p.get("class_id"), "class_id"),
        subject_id=api_v1.int_param(p.get("subject_id"), "subject_id"),
        updated_since=api_v1.timestamp_param(p.get("updated_since"), "updated_since"),
    )


def _guardians(s, caller, page, p):
    return api_v1.guardians(s, caller, page, api_v1.int_param(p.get("class_id"), "class_id"))


def _timetable(s, caller, page, p):
    return api_v1.timetable(s, caller, page, api_v1.int_param(p.get("class_id"), "class_id"))


def _lessons(s, caller, page, p):
    ids = {k: api_v1.int_param(p.get(k), k) for k in ("class_id", "subject_id", "term_id")}
    return api_v1.lessons(s, caller, page, **ids)


def _changes(lister):
    """A list of changes: class_id, subject_id and updated_since (marks, attendance, period marks)."""

    def work(s, caller, page, p):
        return lister(
            s,
            caller,
            page,
            class_id=api_v1.int_param(p.get("class_id"), "class_id"),
            subject_id=api_v1.int_param(p.get("subject_id"), "subject_id"),
            updated_since=api_v1.timestamp_param(p.get("updated_since"), "updated_since"),
        )

    return work


LISTS: dict[str, Callable] = {
    "classes": _classes,
    "pupils": _pupils,
    "staff": _staff,
    "subjects": _subjects,
    "terms": _terms,
    "marks": _marks,
    "guardians": _guardians,
    "timetable": _timetable,
    "lessons": _lessons,
    "attendance": _changes(api_v1.attendance),
    "period_marks": _changes(api_v1.period_marks),
}


def openapi(_request: Request) -> Response:
    """GET /api/v1/openapi.json: the API's OpenAPI 3 document (public: it describes, it holds no data)."""
    return JSONResponse(document(), headers={"Cache-Control": "no-store"})


def reference(_request: Request) -> Response:
    """GET /api/v1/docs: the OpenAPI document as a page a person reads (no script, nothing fetched
    from elsewhere): each operation with its scope, parameters and answers."""
    doc = document()
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{escape(doc['info']['title'])}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;"
        "line-height:1.45}code{background:#f3f3f3;padding:0 .2rem}h2{margin-top:2rem;font-size:1.1rem}"
        "td,th{text-align:left;padding:.15rem .6rem .15rem 0;vertical-align:top}</style></head><body>",
        f"<h1>{escape(doc['info']['title'])} {escape(doc['info']['version'])}</h1>",
        f"<p>{escape(doc['info']['description'])}</p>",
        "<p>Token: <code>POST /oauth/token</code> (client credentials). "
        "Machine-readable: <a href='/api/v1/openapi.json'>openapi.json</a>.</p>",
    ]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            scopes = ", ".join(op.get("x-scopes-any-of") or op["security"][0]["oauth2"])
            out.append(
                f"<h2><code>{method.upper()} {escape(path)}</code></h2><p>{escape(op['summary'])}. "
                f"Scope: <code>{escape(scopes)}</code>.</p>"
            )
            params = [p for p in op.get("parameters", []) if p["in"] in ("query", "path")]
            if params:
                out.append("<table><tr><th>parameter</th><th>in</th><th>about</th></tr>")
                for param in params:
                    out.append(
                        f"<tr><td><code>{escape(param['name'])}</code></td><td>{param['in']}</td>"
                        f"<td>{escape(param.get('description', ''))}</td></tr>"
                    )
                out.append("</table>")
            answers = ", ".join(f"{code} {escape(r['description'])}" for code, r in op["responses"].items())
            out.append(f"<p><small>{answers}</small></p>")
    out.append("</body></html>")
    return HTMLResponse("".join(out), headers={"Cache-Control": "no-store"})


def not_found(request: Request) -> Response:
    return error("not_found", f"no such API address: {request.url.path}", 404)


ROUTES = [
    Route("/oauth/token", token, methods=["POST"]),
    Route("/oauth/revoke", revoke, methods=["POST"]),
    Route("/api/v1/openapi.json", openapi, methods=["GET"]),
    Route("/api/v1/docs", reference, methods=["GET"]),
    *(Route(f"/api/v1/{name}", api_route(name, lister), methods=["GET"]) for name, lister in LISTS.items()),
    Route("/api/{rest:path}", not_found, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
]


def _all_routes() -> list[Route]:
    from bbbms_app.api import exchange, oneroster  # they use this module's helpers

    return [*exchange.ROUTES, *ROUTES, *oneroster.ROUTES]


# Mounted by app.py as an api_transformer, before Reflex's own routes and the frontend.
rest_api = Starlette(routes=_all_routes())
