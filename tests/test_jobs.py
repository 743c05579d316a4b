"""The job queue (bbbms_app/jobs): the scheduled backup under a fast clock, retries and their report,
jobs that survive a restart of the consumer, and the Redis storage of a district.

The consumer is Huey's own (threads, real SQLite or Redis storage), not a stand-in.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from huey import signals
from huey.consumer import Scheduler

from bbbms_app import db, jobs, settings
from bbbms_app.jobs import tasks
from bbbms_app.services import backup

START = dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC)
STEP = dt.timedelta(hours=12)  # the fast clock: each periodic check of the scheduler is half a day later


@pytest.fixture
def queue_env(school, tmp_path, monkeypatch):
    """A small known school, its own data folder, backup folder and SQLite queue."""
    monkeypatch.setenv("BBBMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BBBMS_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.delenv("BBBMS_QUEUE_URL", raising=False)
    monkeypatch.setenv("BBBMS_QUEUE_NAME", f"test-{secrets.token_hex(3)}")
    settings.reload()
    jobs.reload()
    yield tmp_path
    jobs.huey.storage.close()


@pytest.fixture
def consumer():
    """Start Huey's consumer in this process (threads); stopped and signal handlers put back after."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    started = []

    def start(**options):
        c = jobs.huey.create_consumer(workers=1, worker_type="thread", scheduler_interval=1, **options)
        c.start()
        started.append(c)
        return c

    yield start
    for c in started:
        c.stop(graceful=True)
    for s, handler in saved.items():
        signal.signal(s, handler)


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_scheduled_backup_runs_daily_under_a_fast_clock(queue_env, consumer, monkeypatch):
    """Huey's own scheduler and worker; the clock jumps twelve hours at each of the scheduler's
    (one-second) periodic checks, once the jobs of the previous check have finished — so the test
    means the same on a busy machine as on an idle one."""
    clock = {"now": START, "checks": 0}
    counts = {"enqueued": 0, "finished": 0}

    def enqueued(_signal, _task, *_args):
        counts["enqueued"] += 1

    def finished(_signal, _task, *_args):
        counts["finished"] += 1

    jobs.huey.signal(signals.SIGNAL_ENQUEUED)(enqueued)
    jobs.huey.signal(signals.SIGNAL_COMPLETE, signals.SIGNAL_ERROR)(finished)
    real_check = Scheduler.enqueue_periodic_tasks

    def check(self, _now):
        if counts["enqueued"] != counts["finished"]:
            return  # the previous half day's jobs are still running
        if clock["checks"]:
            clock["now"] += STEP
        clock["checks"] += 1
        real_check(self, None)

    monkeypatch.setattr(jobs, "now", lambda: clock["now"])
    monkeypatch.setattr(jobs.huey, "_get_timestamp", lambda: clock["now"].replace(tzinfo=None))
    monkeypatch.setattr(Scheduler, "periodic_task_seconds", 1)
    monkeypatch.setattr(Scheduler, "enqueue_periodic_tasks", check)
    monkeypatch.setenv("BBBMS_BACKUP_KEEP", "10")
    folder = settings.ops().backup_dir
    try:
        consumer()
        # Three and a half days of the school's clock: checks every 12 hours, a backup once a day.
        end = START + dt.timedelta(days=3, hours=12)
        _wait(lambda: clock["now"] >= end and counts["enqueued"] == counts["finished"], 120, "3.5 days")
    finally:
        jobs.huey.disconnect_signal(enqueued)
        jobs.huey.disconnect_signal(finished)

    made = sorted(b.created_at for b in backup.list_backups(folder))
    assert made == [START + dt.timedelta(days=d) for d in range(4)]
    assert all(b.good for b in backup.list_backups(folder))
    newest = backup.list_backups(folder)[0]
    assert backup.verify(newest.path).tables["pupil"]["rows"] > 0
    status = jobs.status("backup")
    assert status and status["ok"] and newest.path.name in status["message"]
    assert jobs.status("heartbeat")["ok"]  # the consumer's pulse, read by /health


def test_a_failed_job_is_retried_then_reported(queue_env, consumer, monkeypatch):
    blocker = queue_env / "not-a-folder"
    blocker.write_text("a file where the backup folder should be")
    monkeypatch.setenv("BBBMS_BACKUP_DIR", str(blocker / "backups"))
    failures = []
    monkeypatch.setattr(tasks.log, "warning", lambda *a: failures.append(("retry", a)))
    monkeypatch.setattr(tasks.log, "error", lambda *a: failures.append(("failed", a)))

    task = tasks.backup_now.s()
    task.retries, task.retry_delay = 1, 0  # the real job retries twice, ten minutes apart
    jobs.huey.enqueue(task)
    # No periodic jobs here: at a minute divisible by ten the scheduled backup check would fail on
    # the same folder and add its own retry to what this test counts.
    consumer(periodic=False)
    status = _wait(lambda: (s := jobs.status("backup")) and s, 20, "the failure's report")

    assert status["ok"] is False and "NotADirectoryError" in status["message"]
    assert [kind for kind, _ in failures] == ["retry", "failed"]

    # Once the folder is right, the next run succeeds and the report says so.
    monkeypatch.setenv("BBBMS_BACKUP_DIR", str(queue_env / "backups"))
    jobs.huey.enqueue(tasks.backup_now.s())
    _wait(lambda: (jobs.status("backup") or {}).get("ok"), 20, "a good backup")
    assert backup.last_good(queue_env / "backups") is not None


def test_jobs_survive_a_restart(queue_env, db_url):
    """A backup asked for while no consumer runs waits in the queue file; a consumer started later,
    as its own process (`python -m bbbms_app jobs`, what `make run` starts), runs it."""
    jobs.huey.enqueue(tasks.backup_now.s())
    jobs.huey.storage.close()
    jobs.reload()  # a new storage object on the same file: what a restarted server sees
    assert jobs.huey.pending_count() == 1

    env = dict(os.environ, DATABASE_URL=db_url, PYTHONDONTWRITEBYTECODE="1")
    child = subprocess.Popen(
        [sys.executable, "-m", "bbbms_app", "jobs", "--no-periodic"],
        env=env,
        cwd=settings.ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        good = _wait(lambda: backup.last_good(settings.ops().backup_dir), 60, "the queued backup")
    finally:
        child.send_signal(signal.SIGTERM)
        err = child.communicate(timeout=30)[1].decode()
    assert good.good and backup.verify(good.path).schema == backup.known_revisions()[-1]
    assert jobs.huey.pending_count() == 0
    assert "Traceback" not in err


def test_the_consumer_stops_with_its_parent(queue_env, db_url):
    """`make run`'s consumer watches the server's pid: when the server dies, so does the consumer."""
    env = dict(os.environ, DATABASE_URL=db_url, PYTHONDONTWRITEBYTECODE="1")
    code = (
        "import subprocess, sys, os, time;"
        "c = subprocess.Popen([sys.executable, '-m', 'bbbms_app', 'jobs', '--parent', str(os.getpid())]);"
        "print(c.pid, flush=True); time.sleep(1.5); os._exit(0)"
    )
    parent = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=settings.ROOT, capture_output=True, text=True, timeout=60
    )
    pid = int(parent.stdout.split()[0])

    def gone() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return Path(f"/proc/{pid}/status").read_text().find("State:\tZ") >= 0

    _wait(gone, 20, "the orphaned consumer to stop")


def test_redis_storage_for_a_district(school, tmp_path, monkeypatch, consumer):
    """BBBMS_QUEUE_URL=redis://… : the same jobs through Redis (db 8 here, CI's own Redis db there)."""
    url = os.environ.get("BBBMS_TEST_REDIS_URL") or "redis://127.0.0.1:6379/8"
    monkeypatch.setenv("BBBMS_QUEUE_URL", url)
    monkeypatch.setenv("BBBMS_QUEUE_NAME", f"test-{secrets.token_hex(3)}")
    monkeypatch.setenv("BBBMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BBBMS_BACKUP_DIR", str(tmp_path / "backups"))
    settings.reload()
    jobs.reload()
    try:
        assert type(jobs.huey.storage).__name__ == "RedisStorage"
        assert not (tmp_path / "data" / "private" / "jobs" / "queue.db").exists()
        jobs.huey.enqueue(tasks.backup_now.s())
        consumer(periodic=False)
        _wait(lambda: (jobs.status("backup") or {}).get("ok"), 30, "the backup through Redis")
        assert backup.last_good(tmp_path / "backups") is not None
    finally:
        jobs.huey.storage.flush_all()  # only this test's queue name
        monkeypatch.delenv("BBBMS_QUEUE_URL")
        settings.reload()
        jobs.reload()
    db.dispose_all()


def test_the_restore_drill_runs_weekly_and_records_its_outcome(queue_env, monkeypatch):
    at = dt.datetime.now(dt.UTC)
    monkeypatch.setattr(jobs, "now", lambda: at)
    assert tasks.drill_due(at) is False  # nothing to drill yet
    assert tasks.restore_drill.call_local() is None
    backup.run()
    assert tasks.drill_due(at)

    assert tasks.restore_drill.call_local() is True
    status = jobs.status("restore_drill")
    assert status["ok"] and status["message"].startswith("good:")
    assert backup.list_backups(settings.ops().backup_dir)[0].drill == "good"
    assert not tasks.drill_due(at + dt.timedelta(days=6))
    assert tasks.drill_due(at + dt.timedelta(days=7))


def test_the_consumer_beside_the_server_yields_the_cpu_to_it(queue_env, db_url, monkeypatch):
    """`make run`'s consumer runs niced: a backup or an export gives way to the people's events."""
    from bbbms_app.jobs import consumer

    monkeypatch.setenv("DATABASE_URL", db_url)
    child = consumer.start_child()
    assert child is not None
    try:

        def niceness() -> int:
            return int(Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[16])

        _wait(lambda: niceness() == os.nice(0) + consumer.CHILD_NICENESS, 30, "the consumer to lower its priority")
        assert child.poll() is None  # still running its schedule
    finally:
        child.terminate()
        child.wait(timeout=20)
