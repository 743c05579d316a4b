"""Security headers on every HTTP response the app serves (pages, assets, /ping, uploads).

Mounted as Reflex's `api_transformer`, so it wraps the backend and the compiled frontend that
`toolchain serve` mounts on the same port. The Content-Security-Policy allows the page's own
inline scripts by their SHA-256 (React Router and Reflex write several into every page), computed
from the very HTML being sent, and nothing else inline. Two allowances are the framework's price:
`'unsafe-eval'`, because Reflex runs the client calls the server sends (toasts, downloads,
redirect helpers) through `eval`; and inline styles, which Radix/emotion inject at run time.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bbbms_app import settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HSTS_SECONDS = 365 * 24 * 3600
_SCRIPT = re.compile(rb"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.S | re.I)
_SRC_ATTR = re.compile(rb"\bsrc\s*=", re.I)

FIXED_HEADERS: tuple[tuple[str, str], ...] = (
    ("x-content-type-options", "nosniff"),
    # The SSO callback URL carries a one-time code: never hand it to another site as a referrer.
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
)


def inline_script_hashes(html: bytes) -> list[str]:
    """CSP source expressions ('sha256-…') for every inline <script> of an HTML document."""
    found: list[str] = []
    for match in _SCRIPT.finditer(html):
        if _SRC_ATTR.search(match.group("attrs")):
            continue
        digest = base64.b64encode(hashlib.sha256(match.group("body")).digest()).decode()
        source = f"'sha256-{digest}'"
        if source not in found:
            found.append(source)
    return found


def _backend_sources() -> list[str]:
    # In development the frontend and backend run on different ports; the websocket goes to the
    # backend. On one port (production) 'self' covers both.
    from reflex_base.config import get_config

    api = urlsplit(get_config().api_url)
    if api.scheme not in ("http", "https") or not api.netloc:
        return []
    ws = "wss" if api.scheme == "https" else "ws"
    return [f"{api.scheme}://{api.netloc}", f"{ws}://{api.netloc}"]


def content_security_policy(script_hashes: list[str], connect: list[str], https: bool) -> str:
    """The policy for one response; `script_hashes` are the page's own inline scripts."""
    directives = [
        "default-src 'self'",
        " ".join(["script-src 'self' 'unsafe-eval'", *script_hashes]),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        " ".join(["connect-src 'self'", *connect]),
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    if https:
        directives.append("upgrade-insecure-requests")
    return "; ".join(directives)


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    return next((v for k, v in headers if k.lower() == name), None)


class SecurityHeaders:
    """ASGI middleware adding the security headers; a header a route set itself is kept."""

    def __init__(self, app: ASGIApp, *, https: bool | None = None, connect: list[str] | None = None) -> None:
        self.app = app
        self._https = https
        self._connect = connect

    @property
    def https(self) -> bool:
        return settings.get().https if self._https is None else self._https

    @property
    def connect(self) -> list[str]:
        if self._connect is None:
            self._connect = _backend_sources()
        return self._connect

    def _add(self, headers: list[tuple[bytes, bytes]], csp: str) -> list[tuple[bytes, bytes]]:
        have = {k.lower() for k, _ in headers}
        wanted = [*FIXED_HEADERS, ("content-security-policy", csp)]
        if self.https:
            wanted.append(("strict-transport-security", f"max-age={HSTS_SECONDS}"))
        return headers + [(k.encode(), v.encode()) for k, v in wanted if k.encode() not in have]

    async def _send_page(self, send: Send, start: Message, body: bytes) -> None:
        """Send the held-back start of an HTML response, with a CSP naming its inline scripts."""
        html = body
        if _header(start["headers"], b"content-encoding") == b"gzip" and body:
            html = gzip.decompress(body)
        csp = content_security_policy(inline_script_hashes(html), self.connect, self.https)
        await send({**start, "headers": self._add(start["headers"], csp)})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Pages are hashed before they leave, so they may only come compressed as gzip (which
        # Python reads) or not at all; brotli/zstd variants are not offered.
        request_headers = []
        for name, value in scope.get("headers", []):
            if name.lower() == b"accept-encoding":
                value = b"gzip" if b"gzip" in value.lower() else b"identity"
            request_headers.append((name, value))
        scope = {**scope, "headers": request_headers}
        pending: Message | None = None
        chunks: list[bytes] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal pending
            if message["type"] == "http.response.start" and message.get("status") == 304:
                # "Not modified": the browser merges these headers into the cached page's, and a
                # policy without the page's script hashes would then block the cached page.
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                content_type = _header(headers, b"content-type") or b""
                if content_type.startswith(b"text/html"):
                    pending = {**message, "headers": headers}
                    return
                csp = content_security_policy([], self.connect, self.https)
                await send({**message, "headers": self._add(headers, csp)})
                return
            if pending is None:
                await send(message)
                return
            if message["type"] == "http.response.pathsend":
                # Granian sends static files by path (ASGI pathsend): read the page to hash it.
                body = Path(message["path"]).read_bytes()
                await self._send_page(send, pending, body)
                pending = None
                await send(message)
                return
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(chunks)
                await self._send_page(send, pending, body)
                pending = None
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, send_with_headers)


def security_headers(app: ASGIApp) -> ASGIApp:
    """The `api_transformer` for rx.App: wrap the whole backend (and the mounted frontend)."""
    return SecurityHeaders(app)
