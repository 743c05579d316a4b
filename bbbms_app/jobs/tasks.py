"""The jobs: the scheduled backup, the restore drill, the clean-up, and the consumer's heartbeat.

The backup check runs every 10 minutes and backs up once the last good backup is older than
BBBMS_BACKUP_EVERY_HOURS (24): a school server switched off at night still gets its daily backup
soon after it is switched on, instead of missing a fixed 02:00. A failure is retried twice, ten
minutes apart; each outcome (and the last failure's reason) is kept by `jobs.put_status`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from pathlib import Path

from huey import crontab, signals

from bbbms_app import jobs, settings
from bbbms_app.jobs import huey
from bbbms_app.services import backup

log = logging.getLogger("bbbms.jobs")
# A backup younger than the interval less this margin is "recent": the check's own 10-minute
# rhythm must not push a daily backup a day later.
MARGIN = dt.timedelta(minutes=15)
BACKUP_RETRIES = 2
RETRY_DELAY_S = 600


def backup_due(at: dt.datetime) -> bool:
    last = backup.last_good()
    every = dt.timedelta(hours=settings.ops().backup_every_hours)
    return last is None or at - last.created_at >= every - MARGIN


def _backup(reason: str) -> str:
    at = jobs.now()
    result = backup.run(now=at)
    message = (
        f"{result.path.name}: {result.manifest.rows} rows, {len(result.manifest.files)} files, "
        f"{backup.human_size(result.path.stat().st_size)} in {result.seconds:.1f} s ({reason})"
    )
    if result.copy_error:
        message += f"; the second copy failed: {result.copy_error}"
        log.error("backup copy failed: %s", result.copy_error)
    jobs.put_status(
        "backup",
        ok=not result.copy_error,
        message=message,
        file=result.path.name,
        rows=result.manifest.rows,
        files=len(result.manifest.files),
        size=backup.human_size(result.path.stat().st_size),
        seconds=round(result.seconds, 1),
        copy_error=result.copy_error,
    )
    log.info("backup written: %s", message)
    return message


@huey.periodic_task(crontab(minute="*/10"), retries=BACKUP_RETRIES, retry_delay=RETRY_DELAY_S, name="backup_if_due")
def backup_if_due() -> str | None:
    """The scheduled backup: back up when the last good one is older than the interval."""
    if not backup_due(jobs.now()):
        return None
    return _backup("scheduled")


@huey.task(retries=BACKUP_RETRIES, retry_delay=RETRY_DELAY_S, name="backup_now")
def backup_now() -> str:
    """A backup asked for by the administrator (backups screen) or before an upgrade."""
    return _backup("asked for")


# A backup asked for on the screen and not done within this time is asked for again (the queue or
# its consumer was down); inside it a second click queues nothing.
ASK_PATIENCE = dt.timedelta(minutes=30)


def ask_backup(user_id: int) -> dt.timedelta | None:
    """Queue a backup for the administrator. Returns None when queued, or how long ago the
    backup still being made was asked for (then nothing more is queued)."""
    at = jobs.now()
    asked = jobs.status("backup_asked") or {}
    done = (jobs.status("backup") or {}).get("at", "")
    try:
        asked_at = dt.datetime.fromisoformat(asked["at"]) if asked.get("at") else None
    except ValueError:
        asked_at = None
    if asked_at is not None and asked.get("at", "") > done and at - asked_at < ASK_PATIENCE:
        return at - asked_at
    backup_now()
    jobs.put_status("backup_asked", ok=True, message="asked", by=user_id)
    return None


DRILL_EVERY = dt.timedelta(days=7)


def drill_due(at: dt.datetime) -> bool:
    """A week since the last drill (or none yet), and a good backup to drill."""
    if backup.last_good() is None:
        return False
    last = (jobs.status("restore_drill") or {}).get("at")
    try:
        return last is None or at - dt.datetime.fromisoformat(last) >= DRILL_EVERY
    except ValueError:
        return True


@huey.periodic_task(crontab(minute="5,35"), name="restore_drill")
def restore_drill() -> bool | None:
    """Once a week (checked twice an hour, so a server that is off at night still drills): restore
    the newest backup into a scratch database and record whether it is good."""
    if not drill_due(jobs.now()):
        return None
    outcome = backup.drill()
    jobs.put_status("restore_drill", ok=outcome.good, message=outcome.message)
    (log.info if outcome.good else log.error)("restore drill: %s", outcome.message)
    return outcome.good


def _sweep_states(max_age_s: float) -> int:
    """Reflex's disk state manager purges its tab states only when a worker starts: do it daily."""
    folder = Path(os.environ.get("REFLEX_STATES_WORKDIR") or settings.ROOT / ".states")
    if not folder.is_dir():
        return 0
    cutoff = time.time() - max_age_s
    removed = 0
    for path in folder.glob("*.pkl"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


@huey.periodic_task(crontab(minute="*/15"), name="clean_up")
def clean_up() -> dict[str, int]:
    """Remove expired downloads, unfetched exports and staged scans, and tab states a week old."""
    from bbbms_app.services import private_files
    from bbbms_app.services.engine import downloads
    from bbbms_app.services.reports import export_jobs

    done = {
        "downloads": downloads.sweep(),
        "exports": private_files.purge_exports(),
        "report_exports": export_jobs.sweep(),
        "states": _sweep_states(7 * 24 * 3600),
    }
    jobs.put_status("clean_up", ok=True, message=", ".join(f"{k} {v}" for k, v in done.items()))
    return done


@huey.task(name="school_export")
def school_export(job_id: int) -> str:
    """A whole-school report workbook asked for on /reports (services/reports/export_jobs.py); its
    progress and outcome are kept on its ExportJob row, so it is not retried."""
    from bbbms_app.services.reports import export_jobs

    return export_jobs.run(job_id)


@huey.periodic_task(crontab(minute="20,50"), name="api_tokens")
def api_tokens() -> int:
    """Every half hour: delete the integration API's tokens expired an hour ago (api_clients.purge_tokens)."""
    from bbbms_app import db
    from bbbms_app.services import api_clients

    with db.session(write=True) as s:
        removed = api_clients.purge_tokens(s)
    jobs.put_status("api_tokens", ok=True, message=f"expired tokens removed: {removed}")
    return removed


@huey.periodic_task(crontab(), name="heartbeat")
def heartbeat() -> None:
    """Every minute: proves to /health that a consumer is running and reaching the queue."""
    jobs.put_status("heartbeat", ok=True, message=f"pid {os.getpid()}")


@huey.signal(signals.SIGNAL_ERROR)
def _report_failure(signal, task, exc=None) -> None:
    """A failed job is logged; its final failure (no retry left) is recorded for the screen and /health."""
    left = getattr(task, "retries", 0)
    reason = f"{type(exc).__name__}: {exc}"[:400] if exc else "failed"
    if left:
        log.warning("job %s failed (%s); %d retries left", task.name, reason, left)
        return
    log.error("job %s failed for good: %s", task.name, reason)
    name = "backup" if task.name in ("backup_if_due", "backup_now") else task.name
    jobs.put_status(name, ok=False, message=reason)


@huey.periodic_task(crontab(), retries=2, retry_delay=60, name="notify_tick")
def notify_tick() -> dict[str, int]:
    """Every minute: the journal's new events to notifications, due deliveries by e-mail and
    Telegram (each once, services/notify.py), and the bot's `/start CODE` links."""
    from bbbms_app.services import notify

    offset = int((jobs.status("telegram") or {}).get("offset", 0))
    done = notify.run(jobs.now(), telegram_offset=offset)
    if "telegram_offset" in done:
        jobs.put_status("telegram", ok=True, message="polled", offset=done["telegram_offset"])
    jobs.put_status("notify", ok=not done["failed"], message=", ".join(f"{k} {v}" for k, v in done.items()))
    return done
