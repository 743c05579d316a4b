"""Reflex configuration: app module, database URL, telemetry off, origins from settings."""

import os

import reflex as rx

from bbbms_app import settings

_s = settings.get()
_port = os.environ.get("REFLEX_FRONTEND_PORT") or os.environ.get("PORT") or "3000"


def _origins() -> list[str]:
    if _s.cors_origins:
        return list(_s.cors_origins)
    if _s.environment == "dev":
        # A demo on a school LAN is opened by the server's IP address, which is not known here.
        return ["*"]
    return [f"http://localhost:{_port}", f"http://127.0.0.1:{_port}"]


config = rx.Config(
    app_name="bbbms_app",
    app_module_import="bbbms_app.app",
    db_url=_s.database_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    cors_allowed_origins=_origins(),
    plugins=[
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="teal", gray_color="slate", radius="medium")),
        rx.plugins.SitemapPlugin(),
    ],
)
