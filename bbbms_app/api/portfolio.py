"""HTTP routes of the e-portfolio and project work (issue 18 #4, #5).

- `/private/portfolio/{id}`: an achievement's evidence file, `/private/project-file/{post_id}`: a
  file shared in a project's thread, and `/portfolio-print/{pupil_id}?lang=ky`: the printable
  portfolio (A4, verified entries only) — all three through the one private download helper
  (`api.private_files.private_download`: the session cookie resolved like every event, any
  refusal `404`, audited as denied); the services decide the scope.
- `/portfolio-public/{token}`: the family's public link (the secret token is the credential, as
  for the calendar feed): the same page as the print, verified entries only, no PIN, address or
  birth date; an unknown or revoked token is a bare 404.
"""

from __future__ import annotations

from datetime import date
from html import escape

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from bbbms_app import db
from bbbms_app.api.private_files import private_download, send
from bbbms_app.i18n import t
from bbbms_app.i18n.messages import LANGUAGES
from bbbms_app.services import audit, portfolio, projects
from bbbms_app.services.access import Principal
from bbbms_app.services.errors import NotFound

# The page's own policy: its inline style, nothing else (no script, no frame, no form).
PAGE_HEADERS = {
    "Cache-Control": "no-store, private",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}

STYLE = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #111; margin: 0 auto; max-width: 190mm; font-size: 11pt; }
h1 { font-size: 18pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; border-bottom: 1px solid #888; padding-bottom: 1mm; }
.head { color: #333; margin-bottom: 4mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
th { background: #eee; }
.entry { border: 1px solid #bbb; border-radius: 2mm; padding: 2.5mm 3mm; margin: 0 0 3mm; break-inside: avoid; }
.entry .title { font-weight: bold; font-size: 12pt; }
.meta { color: #444; font-size: 10pt; }
.foot { margin-top: 8mm; color: #666; font-size: 9pt; }
"""


def _entry(e: dict[str, str], tr) -> str:
    meta = " · ".join(escape(v) for v in (e["kind"], e["level"], e["place"], e["date"]) if v)
    description = f"<div>{escape(e['description'])}</div>" if e["description"] else ""
    verified = (
        f'<div class="meta">{tr("portfolio.verified_by", name=e["verified_by"])}</div>' if e["verified_by"] else ""
    )
    return (
        f'<div class="entry" data-testid="print-entry"><div class="title">{escape(e["title"])}</div>'
        f'<div class="meta">{meta}</div>{description}{verified}</div>'
    )


def render(data: dict, lang: str, today: date) -> str:
    """The portfolio as one A4 HTML page (text escaped; no script)."""

    def tr(key: str, **params: object) -> str:
        return escape(t(key, lang, **params))

    entries = "".join(_entry(e, tr) for e in data["entries"]) or f"<p>{tr('portfolio.none')}</p>"
    marks = (
        "<table><tr>"
        f"<th>{tr('portfolio.print.year')}</th><th>{tr('portfolio.print.subject')}</th>"
        f"<th>{tr('portfolio.print.mark')}</th></tr>"
        + "".join(
            f"<tr><td>{escape(m['year'])}</td><td>{escape(m['subject'])}</td><td>{escape(m['value'])}</td></tr>"
            for m in data["marks"]
        )
        + "</table>"
        if data["marks"]
        else f"<p>{tr('portfolio.marks_none')}</p>"
    )
    klass = f" · {tr('portfolio.print.class', name=data['class'])}" if data["class"] else ""
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{tr("portfolio.print.title")} · {escape(data["name"])}</title><style>{STYLE}</style></head>
<body><h1>{tr("portfolio.print.title")}</h1>
<div class="head"><b data-testid="print-name">{escape(data["name"])}</b>{klass}<br>{escape(data["school"])}</div>
<h2>{tr("portfolio.entries")}</h2>{entries}
<h2>{tr("portfolio.marks")}</h2>{marks}
<div class="foot">{tr("portfolio.print.printed", date=today.strftime("%d.%m.%Y"))} · BBBMS</div>
</body></html>"""


def _lang(request: Request, fallback: str) -> str:
    lang = str(request.query_params.get("lang", ""))
    return lang if lang in LANGUAGES else fallback


@private_download("portfolio_evidence")
def evidence(request: Request, principal: Principal) -> Response:
    """GET /private/portfolio/{id}: an achievement's evidence, to whoever may read that portfolio."""
    with db.session(write=True) as s:
        data, entry = portfolio.evidence_for(s, principal, int(request.path_params["achievement_id"]), date.today())
    ext = entry.evidence_name.rsplit(".", 1)[-1]
    return send(data, f"evidence-{entry.id}.{ext}", entry.evidence_type)


@private_download("project_file")
def project_file(request: Request, principal: Principal) -> Response:
    """GET /private/project-file/{post_id}: a file shared in a project's thread, to its readers."""
    with db.session(write=True) as s:
        data, post = projects.file_for(s, principal, int(request.path_params["post_id"]))
    ext = post.file_name.rsplit(".", 1)[-1]
    return send(data, f"project-{post.project_id}-{post.id}.{ext}", post.file_type)


@private_download("portfolio_print")
def print_view(request: Request, principal: Principal) -> Response:
    """GET /portfolio-print/{pupil_id}?lang=: the printable portfolio (verified entries only)."""
    if not principal.can("portfolio.read"):
        raise NotFound("portfolio.read")
    today = date.today()
    pupil_id = int(request.path_params["pupil_id"])
    with db.session(write=True) as s:
        portfolio.readable_pupil(s, principal, pupil_id, today)
        lang = _lang(request, portfolio.pupil_language(s, pupil_id, today))
        data = portfolio.portfolio_of(s, pupil_id, lang, today)
        audit.record(s, principal, "view", "portfolio_print", pupil_id, pupil_id=pupil_id)
    return HTMLResponse(render(data, lang, today), headers=PAGE_HEADERS)


def _public(token: str, lang: str | None) -> str | None:
    today = date.today()
    with db.session() as s:
        pupil_id = portfolio.public_pupil(s, token)
        if pupil_id is None:
            return None
        lang = lang or portfolio.pupil_language(s, pupil_id, today)
        return render(portfolio.portfolio_of(s, pupil_id, lang, today), lang, today)


async def public_view(request: Request) -> Response:
    """GET /portfolio-public/{token}: the family's public link; anything unknown is a bare 404."""
    lang = str(request.query_params.get("lang", ""))
    body = await run_in_threadpool(
        _public, str(request.path_params.get("token", "")), lang if lang in LANGUAGES else None
    )
    if body is None:
        return PlainTextResponse("not found", status_code=404, headers={"Cache-Control": "no-store"})
    return HTMLResponse(body, headers=PAGE_HEADERS)


ROUTES = [
    Route(f"{portfolio.EVIDENCE_ROUTE}/{{achievement_id:int}}", evidence, methods=["GET"]),
    Route(f"{projects.FILE_ROUTE}/{{post_id:int}}", project_file, methods=["GET"]),
    Route(f"{portfolio.PRINT_ROUTE}/{{pupil_id:int}}", print_view, methods=["GET"]),
    Route(f"{portfolio.PUBLIC_ROUTE}/{{token}}", public_view, methods=["GET"]),
]

# Mounted by app.py as an api_transformer, beside the other private files.
portfolio_api = Starlette(routes=ROUTES)
