"""`GET /health`: a JSON report for a monitor — database, Redis (when used), job queue, last good backup.

Public (a monitor has no session) and so it says nothing a stranger could use: no paths, no
messages, no versions of software, only yes/no and ages. 200 when every check passes, 503 when
one fails, with `"status": "ok"` or `"failing"` and the name of each failing check.

- database: a `SELECT 1` and the schema being this release's head;
- redis: a PING of REFLEX_REDIS_URL (the district's state manager), only when it is set;
- jobs: a consumer's heartbeat (written every minute, `jobs/tasks.py`) younger than 5 minutes;
- backup: the newest backup that was read back and checked is younger than the backup interval
  plus an hour (BBBMS_BACKUP_EVERY_HOURS, 24 by default).
"""

from __future__ import annotations

import datetime as dt
import os
import time

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bbbms_app import db, jobs, settings
from bbbms_app.services import backup

HEARTBEAT_MAX_AGE = dt.timedelta(minutes=5)


def _timed(check) -> dict:
    started = time.monotonic()
    try:
        result = check()
    except Exception:  # a monitor gets "not ok"; the reason goes to the server's log, not the world
        import logging

        logging.getLogger("bbbms.health").exception("health check %s failed", check.__name__)
        result = {"ok": False}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def _database() -> dict:
    with db.engine().connect() as conn:
        conn.execute(text("SELECT 1"))
        current = backup.revision(conn)
    return {"ok": current == backup.known_revisions()[-1], "kind": db.engine().dialect.name}


def _redis() -> dict:
    import redis

    client = redis.Redis.from_url(os.environ["REFLEX_REDIS_URL"], socket_timeout=2, socket_connect_timeout=2)
    try:
        return {"ok": bool(client.ping())}
    finally:
        client.close()


def _age_s(iso: str | None, now: dt.datetime) -> float | None:
    if not iso:
        return None
    try:
        return round((now - dt.datetime.fromisoformat(iso)).total_seconds(), 1)
    except ValueError:
        return None


def _jobs() -> dict:
    now = dt.datetime.now(dt.UTC)
    beat = jobs.status("heartbeat") or {}
    age = _age_s(beat.get("at"), now)
    failed = [name for name in ("backup", "restore_drill", "clean_up") if (jobs.status(name) or {}).get("ok") is False]
    return {
        "ok": age is not None and age <= HEARTBEAT_MAX_AGE.total_seconds(),
        "storage": "redis" if settings.ops().queue_url else "sqlite",
        "pending": jobs.huey.pending_count(),
        "heartbeat_age_s": age,
        "last_run_failed": failed,
    }


def _backup() -> dict:
    ops = settings.ops()
    last = backup.last_good(ops.backup_dir)
    if last is None:
        return {"ok": False, "last_good_age_h": None}
    age = last.age()
    return {
        "ok": age <= dt.timedelta(hours=ops.backup_every_hours + 1),
        "last_good_age_h": round(age.total_seconds() / 3600, 2),
        "last_good_at": last.created_at.isoformat(timespec="seconds"),
    }


def report() -> dict:
    """Every check, and the overall status."""
    checks = {"database": _timed(_database)}
    if os.environ.get("REFLEX_REDIS_URL"):
        checks["redis"] = _timed(_redis)
    checks["jobs"] = _timed(_jobs)
    checks["backup"] = _timed(_backup)
    failing = [name for name, c in checks.items() if not c.get("ok")]
    return {
        "status": "failing" if failing else "ok",
        "failing": failing,
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **checks,
    }


async def health(_request: Request) -> JSONResponse:
    body = await run_in_threadpool(report)
    return JSONResponse(body, status_code=503 if body["failing"] else 200, headers={"Cache-Control": "no-store"})


health_api = Starlette(routes=[Route("/health", health, methods=["GET"])])
