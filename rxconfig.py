"""Reflex configuration: app module, database URL, telemetry off, origins, proxy hops and the state manager.

The state manager is chosen here on purpose (Reflex 0.10.1's own default pickles every tab to files
in `.states/`): in memory for one worker, Redis when `REFLEX_REDIS_URL` is set for several; either
way a tab's state expires after the session idle time (docs/performance.md, "State manager").

In production (BBBMS_ENV=prod) importing this file refuses unsafe settings, naming each one
(`settings.check_production`), so neither the build nor the server starts with them.
"""

import os

import reflex as rx

from bbbms_app import settings

_s = settings.get()
_port = os.environ.get("REFLEX_FRONTEND_PORT") or os.environ.get("PORT") or "3000"

# Socket.IO's keep-alive, chosen on purpose (Reflex 0.10.1 reads these when the app is built; its
# own values: a ping every 25 s, 120 s to answer). Every open tab costs the worker a ping and its
# answer per interval even when nobody touches it, and python-engineio's service task visits one
# tab every timeout / tabs seconds, so a short timeout costs CPU too. 500 idle tabs added 1.13
# points of a core at 25 s / 120 s, 0.83 at 60 s / 40 s, 0.63 at 60 s / 90 s (docs/performance.md).
# A packet each way a minute keeps a phone carrier's NAT mapping and nginx's (deploy/nginx.conf:
# 1 h) alive; a tab whose phone lost its network without a word is noticed within interval +
# timeout = 150 s (it was 145 s) and reconnects; 90 s to answer is generous for a weak mobile link
# (a pong queued behind a 200 KiB journal update at 100 kbit/s arrives in ~16 s). An operator's
# REFLEX_SOCKET_INTERVAL / REFLEX_SOCKET_TIMEOUT win.
os.environ.setdefault("REFLEX_SOCKET_INTERVAL", "60s")
os.environ.setdefault("REFLEX_SOCKET_TIMEOUT", "90s")


def _origins() -> list[str]:
    if _s.cors_origins:
        return list(_s.cors_origins)
    if _s.environment == "dev":
        # A demo on a school LAN is opened by the server's IP address, which is not known here.
        return ["*"]
    if _s.site_url_configured:
        return [_s.site_origin]
    return [f"http://localhost:{_port}", f"http://127.0.0.1:{_port}"]


config = rx.Config(
    app_name="bbbms_app",
    app_module_import="bbbms_app.app",
    db_url=_s.database_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    cors_allowed_origins=_origins(),
    # Behind nginx/Caddy the client address is the N-th from the right of X-Forwarded-For;
    # with 0 the header is ignored (a client could forge it).
    trusted_proxy_hops=_s.trusted_proxy_hops,
    state_manager_mode=rx.constants.StateManagerMode(_s.state_manager),
    # Despite its name Reflex applies it to the memory manager too: a closed tab's state is dropped.
    redis_token_expiration=_s.state_expiry_s,
    # A tab's lock in Redis (several workers) must outlive the slowest event of a loaded machine:
    # past it Reflex discards the event's write (LockExpiredError), so a sign-in slowed beyond the
    # default 10 s was forgotten and the tab's next event refused (bench/morning_peak.py --schools 3
    # on PostgreSQL + Redis: 43–243 diary loads refused, docs/performance.md). REFLEX_REDIS_LOCK_EXPIRATION
    # overrides it; a worker that dies holding a lock keeps that one tab waiting this long at most.
    redis_lock_expiration=60_000,
    plugins=[
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="teal", gray_color="slate", radius="medium")),
        rx.plugins.SitemapPlugin(),
    ],
)

settings.refuse_unsafe_production(
    _s,
    settings.check_reflex_config(
        telemetry_enabled=config.telemetry_enabled, cors_allowed_origins=config.cors_allowed_origins
    ),
)
