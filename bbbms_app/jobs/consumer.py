"""Running the job consumer: as `make run`'s child process, or as a district's own service.

Why a child process of the server and not a thread inside it: Reflex's production server may run
several worker processes (each would start its own consumer and its own schedule, so two daily
backups), and a backup hashes every row of the database — in a thread of a worker that would hold
the GIL against the teachers' events. One child process per server has its own interpreter, its
own schedule, and dies with the server (it watches its parent). A district sets BBBMS_JOBS=external
and runs `python -m bbbms_app jobs` under systemd on one machine (or several: Huey's Redis storage
hands each job to one consumer; run the schedule (`--periodic`) on one of them only).
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import subprocess
import sys
import threading
import time

from bbbms_app import settings

log = logging.getLogger("bbbms.jobs")
START_DELAY_S = 30
CHILD_NICENESS = 10


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(2)
        if os.getppid() != parent:
            log.info("the server (pid %d) is gone: stopping the job consumer", parent)
            os.kill(os.getpid(), signal.SIGTERM)
            return


def run(*, workers: int = 1, periodic: bool = True, parent: int | None = None) -> None:
    """Run a consumer in this process until SIGTERM/SIGINT (blocks)."""
    from bbbms_app import jobs
    from bbbms_app.jobs import tasks

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    jobs.reload()
    if parent:
        # Beside the server on the same cores, a backup (it hashes every row) or an export must not
        # take the CPU from the people marking: the consumer yields to the server when both want it.
        os.nice(CHILD_NICENESS)
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="watch-parent").start()
    if periodic:
        # The schedule checks every 10 minutes on the clock; check once soon after start, so that a
        # server switched on in the morning backs up when yesterday's backup is missing — after the
        # app's own start-up, not competing with it for the CPU.
        tasks.backup_if_due.schedule(delay=START_DELAY_S)
    consumer = jobs.huey.create_consumer(
        workers=workers, worker_type="thread", periodic=periodic, check_worker_health=True
    )
    consumer.run()


def start_child() -> subprocess.Popen | None:
    """Start the consumer beside the server (`make run`), unless the settings say it runs elsewhere."""
    if settings.ops().jobs == "external":
        print("job consumer: external (BBBMS_JOBS=external); not started here", flush=True)
        return None
    cmd = [sys.executable, "-m", "bbbms_app", "jobs", "--parent", str(os.getpid())]
    child = subprocess.Popen(cmd)  # noqa: S603 - our own interpreter and module
    print(f"job consumer started (pid {child.pid}): scheduled backups to {settings.ops().backup_dir}", flush=True)

    def _stop() -> None:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()

    atexit.register(_stop)
    return child
