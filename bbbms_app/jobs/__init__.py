"""The job queue: Huey, with a SQLite file for one school and Redis for a district.

Everything that runs outside a request goes through it: the scheduled backup and its restore
drill (`jobs/tasks.py`), the clean-up of expired downloads and tab states. Queued and scheduled
jobs live in the storage, so they survive a restart of the app; a failed job is retried and its
last outcome is kept in the storage for the backups screen and /health (`status()`).

- One school: `<data_dir>/private/jobs/queue.db` (SQLite, no server; left out of backups).
- A district: `BBBMS_QUEUE_URL=redis://…` — every app server and every consumer share it.

`make run` starts one consumer as a child process of the server (`jobs/consumer.py` says why);
a district runs `python -m bbbms_app jobs` as its own service instead (`BBBMS_JOBS=external`).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from huey import Huey
from huey.storage import RedisStorage, SqliteStorage

from bbbms_app import settings

# Several installations may share one Redis: each names its queue (BBBMS_QUEUE_NAME).
QUEUE_NAME = os.environ.get("BBBMS_QUEUE_NAME", "bbbms")


def queue_file() -> Path:
    folder = settings.get().data_dir / "private" / "jobs"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / "queue.db"


def _storage():
    url = settings.ops().queue_url
    name = os.environ.get("BBBMS_QUEUE_NAME", QUEUE_NAME)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage(name, url=url)
    return SqliteStorage(name, filename=str(queue_file()))


class _Queue(Huey):
    """Huey whose storage follows the settings (a SQLite file or Redis), re-read by `reload()`."""

    def create_storage(self):
        return _storage()


# Results of ordinary tasks are not kept (nothing waits on them); outcomes go to status().
huey = _Queue(QUEUE_NAME, results=False, utc=True)


def reload() -> None:
    """Point the queue at the storage the settings name now (tests, and after a settings change)."""
    huey.storage = _storage()


def now() -> dt.datetime:
    """The jobs' clock (UTC); tests replace it to run days of schedule in seconds."""
    return dt.datetime.now(dt.UTC)


def put_status(name: str, **fields: object) -> None:
    huey.put(f"status:{name}", {"at": now().isoformat(timespec="seconds"), **fields})


def status(name: str) -> dict | None:
    """The last recorded outcome of job `name` (`ok`, `message`, `at`), or None."""
    try:
        value = huey.get(f"status:{name}", peek=True)
    except Exception:  # an unreachable queue reads as "nothing known"
        return None
    return value if isinstance(value, dict) else None
