"""How the one port serves HTTP besides the pages' content: cache headers, the upload gate, the events' socket.

Mounted as Reflex `api_transformer`s (app.py), so they wrap the backend and the compiled frontend
that `toolchain serve` mounts on the same port.

- **Cache-Control.** The build's assets under `/assets/` carry a content hash in their names, so a
  browser keeps them a year without asking again (`immutable`); pages (`*.html`) and the few
  unhashed files (`/styles.css`, `/favicon.ico`…) are revalidated (`no-cache`: a 304 by ETag when
  nothing changed), so a new version reaches everyone at their next visit. A route that sets its
  own Cache-Control (private files: `no-store`) keeps it. The assets are stored gzip-compressed by
  the build, and Granian sends files by path from its own threads, so after the first visit a tab
  costs the worker nothing but its websocket.
- **The upload gate.** Reflex's `/_upload` is public and spools a whole request body to a
  temporary file before any handler runs. Here a POST to it is refused before a byte of its body
  is read: 411 without a Content-Length, 413 above `BBBMS_UPLOAD_MAX_MB` (12 MB), 401 without a
  live `bbbms_session` cookie (resolved like every event: revoked, idle or expired sessions fail).
- **The events' websocket goes straight to Reflex's backend.** Each API the app mounts (private
  files, the portfolio, /health, the calendar feed, the REST API, report exports) is a Starlette app
  wrapping the next, with its own error, exception and routing layers: a websocket passed through
  ~40 coroutine frames that stay alive as long as the tab is open (~20 KiB of every tab's memory in
  the worker, tracemalloc). None of those layers acts on a websocket (they route HTTP paths; the
  headers, the cache and the gate answer `http` scopes only), so `/_event`'s websocket is handed to
  Reflex's own app (its CORS and its mount of Socket.IO), inside Reflex's context middleware.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from anyio import to_thread

from bbbms_app import settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"
HASHED_PREFIX = "/assets/"  # Vite names every file there after its content's hash
UPLOAD_PATH = "/_upload"
EVENT_PATH = "/_event"  # Reflex's Socket.IO mount (reflex_base.constants.Endpoint.EVENT)
SESSION_COOKIE = settings.SESSION_COOKIE


def cache_control_for(path: str, status: int) -> bytes | None:
    """The Cache-Control a static response of `path` gets; None for what must not be cached."""
    if status not in (200, 203, 204, 206, 304):
        return None  # an error page must be asked for again
    if path.startswith(HASHED_PREFIX):
        return IMMUTABLE
    return REVALIDATE


class StaticCache:
    """Adds Cache-Control to GET/HEAD responses that have none (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_cache(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    value = cache_control_for(path, int(message.get("status", 200)))
                    if value is not None:
                        message = {**message, "headers": [*headers, (b"cache-control", value)]}
            await send(message)

        await self.app(scope, receive, send_with_cache)


def _cookie(scope: Scope, name: str) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            k, _, v = part.strip().partition("=")
            if k == name:
                return v
    return ""


def _session_is_live(token: str) -> bool:
    from bbbms_app import db
    from bbbms_app.services import accounts

    with db.session() as s:
        return accounts.resolve(s, token) is not None


async def _refuse(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


class UploadGate:
    """Refuses oversized, unsized or anonymous POSTs to Reflex's `/_upload` before reading them."""

    def __init__(self, app: ASGIApp, *, max_bytes: int | None = None) -> None:
        self.app = app
        self._max_bytes = max_bytes

    @property
    def max_bytes(self) -> int:
        return settings.get().upload_max_bytes if self._max_bytes is None else self._max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or not _is_upload(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        length = next((v for k, v in scope.get("headers", []) if k.lower() == b"content-length"), None)
        if length is None or not length.strip().isdigit():
            await _refuse(send, 411, "a Content-Length is required")
            return
        if int(length) > self.max_bytes:
            await _refuse(send, 413, f"the upload is larger than {self.max_bytes // (1024 * 1024)} MB")
            return
        token = _cookie(scope, SESSION_COOKIE)
        # The lookup is a database query: off the event loop, like a file read.
        if not token or not await to_thread.run_sync(_session_is_live, token):
            await _refuse(send, 401, "sign in first")
            return
        # The declared length bounds the body: HTTP/1.1 reads no further for this request.
        await self.app(scope, receive, send)


def _is_upload(path: str) -> bool:
    return path == UPLOAD_PATH or path.startswith(UPLOAD_PATH + "/")


def static_cache(app: ASGIApp) -> ASGIApp:
    """The `api_transformer` adding Cache-Control to the frontend's files."""
    return StaticCache(app)


def upload_gate(app: ASGIApp) -> ASGIApp:
    """The `api_transformer` guarding `/_upload`."""
    return UploadGate(app)


class EventSocketShortcut:
    """Sends the events' websocket to Reflex's own app; everything else to the wrapped stack."""

    def __init__(self, app: ASGIApp, reflex_app: ASGIApp) -> None:
        self.app = app
        self.reflex_app = reflex_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "websocket" and (path == EVENT_PATH or path.startswith(EVENT_PATH + "/")):
            await self.reflex_app(scope, receive, send)
            return
        await self.app(scope, receive, send)


def event_socket_shortcut() -> tuple[Callable[[ASGIApp], ASGIApp], Callable[[ASGIApp], ASGIApp]]:
    """Two `api_transformer`s: the first (innermost) notes Reflex's app, the last (outermost) routes
    the events' websocket to it past the layers between them."""
    reflex_app: list[ASGIApp] = []

    def note(app: ASGIApp) -> ASGIApp:
        reflex_app.append(app)
        return app

    def shortcut(app: ASGIApp) -> ASGIApp:
        return EventSocketShortcut(app, reflex_app[-1])

    return note, shortcut
