"""16 teachers saving marks at once through services.journal.save_cell on SQLite: marks/s, latency, lock errors.

Each of 16 threads owns every 16th row of the 40 × 70 benchmark journal and writes a mark into
its cells in turn (each save a change, so each one writes the mark and its audit row in one
BEGIN IMMEDIATE transaction, after the scope, term, enrolment, policy and version checks).
Baseline in the same run: 16 threads doing a raw sqlite3 upsert of the same rows (the database's
own limit). Ratio = app / raw. Runs on a copy of the benchmark database.

    .venv/bin/python bench/journal_writers.py [--db /tmp/bbbms-bench/journal.db] [--seconds 5]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("BBBMS_ENV", "test")

from bench.journal_data import DEFAULT_DB, build, load

THREADS = 16


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] if values else 0.0


def app_writers(big, seconds: float) -> tuple[int, list[float], Counter]:
    from sqlalchemy.exc import OperationalError
    from sqlmodel import select

    from bbbms_app import db
    from bbbms_app.models import User
    from bbbms_app.services import accounts, journal

    with db.session() as s:
        principal = accounts.principal_for(s.exec(select(User).where(User.username == "teacher")).one(), session=s)
        g = journal.grid(s, principal, big.class_id, big.subject_id, big.term_id)
    tokens = {(p.id, lesson.id): g.cell(p.id, lesson.id).token() for p in g.pupils for lesson in g.lessons}
    absent = {key for key, cell in g.cells.items() if cell.absent}
    latencies: list[float] = []
    errors: Counter = Counter()
    done = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def work(i: int) -> None:
        cells = [
            (p, lesson) for p in big.pupil_ids[i::THREADS] for lesson in big.lesson_ids if (p, lesson) not in absent
        ]
        n = 0
        mine: list[float] = []
        while time.perf_counter() < stop:
            pupil, lesson = cells[n % len(cells)]
            value = 2 + (n // len(cells) + i) % 4
            t0 = time.perf_counter()
            try:
                with journal.write_session() as s:
                    saved = journal.save_cell(
                        s, principal, lesson, pupil, journal.CellChange("class", value), tokens[(pupil, lesson)]
                    )
                tokens[(pupil, lesson)] = saved.cell.token()
                mine.append((time.perf_counter() - t0) * 1000)
            except OperationalError as exc:
                errors["database is locked" if "locked" in str(exc) else "operational"] += 1
            except journal.JournalError as exc:
                errors[exc.key] += 1
            n += 1
        with lock:
            latencies.extend(mine)
            done[0] += len(mine)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return done[0], latencies, errors


def raw_writers(path: str, big, seconds: float) -> tuple[int, list[float], Counter]:
    latencies: list[float] = []
    errors: Counter = Counter()
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def work(i: int) -> None:
        con = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("PRAGMA busy_timeout=10000")
        cells = [(p, lesson) for p in big.pupil_ids[i::THREADS] for lesson in big.lesson_ids]
        n = 0
        mine: list[float] = []
        while time.perf_counter() < stop:
            pupil, lesson = cells[n % len(cells)]
            t0 = time.perf_counter()
            try:
                con.execute("BEGIN IMMEDIATE")
                con.execute(
                    "INSERT INTO mark (school_id, lesson_id, pupil_id, value, kind, version, updated_at) "
                    "VALUES (1, ?, ?, ?, 'home', 1, CURRENT_TIMESTAMP) ON CONFLICT (lesson_id, pupil_id, kind) "
                    "DO UPDATE SET value = excluded.value, version = mark.version + 1",
                    (lesson, pupil, 2 + n % 4),
                )
                con.execute("COMMIT")
                mine.append((time.perf_counter() - t0) * 1000)
            except sqlite3.OperationalError as exc:
                errors["database is locked" if "locked" in str(exc) else "operational"] += 1
                con.execute("ROLLBACK")
            n += 1
        con.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return len(latencies), latencies, errors


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="SQLite file to build (default: %(default)s)")
    p.add_argument("--seconds", type=float, default=5.0, help="how long the writers run")
    args = p.parse_args()
    source, seconds = args.db, args.seconds
    build(source)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "writers.db"
        with sqlite3.connect(source) as src, sqlite3.connect(copy) as dst:
            src.backup(dst)  # consistent even while a server has the benchmark database open (WAL)
        from bbbms_app import db, settings

        db.dispose_all()
        os.environ["DATABASE_URL"] = f"sqlite:///{copy}"
        settings.reload()
        big = load(f"sqlite:///{copy}")
        cpu0 = time.process_time()
        n_app, lat_app, err_app = app_writers(big, seconds)
        cpu_app = (time.process_time() - cpu0) * 1000 / max(1, n_app)
        n_raw, lat_raw, err_raw = raw_writers(str(copy), big, seconds)
        db.dispose_all()
    app_rate, raw_rate = n_app / seconds, n_raw / seconds
    load_avg = os.getloadavg()[0]
    print(
        f"{THREADS} concurrent writers for {seconds:g} s on SQLite (WAL, BEGIN IMMEDIATE, busy_timeout 10 s);"
        f" machine load average {load_avg:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"  app: services.journal.save_cell  {app_rate:8.0f} marks/s  p50 {statistics.median(lat_app):6.2f} ms"
        f"  p99 {pct(lat_app, 0.99):7.2f} ms  errors {dict(err_app) or 0}"
    )
    print(
        f"  baseline: raw sqlite3 upsert     {raw_rate:8.0f} marks/s  p50 {statistics.median(lat_raw):6.2f} ms"
        f"  p99 {pct(lat_raw, 0.99):7.2f} ms  errors {dict(err_raw) or 0}"
    )
    print(f"  ratio app / raw: {app_rate / raw_rate:.2f}")
    print(f"  CPU per saved mark (this process): {cpu_app:.2f} ms, i.e. {1000 / cpu_app:.0f} marks/s per free core")
    print(f"  'database is locked': app {err_app['database is locked']}, raw {err_raw['database is locked']}")


if __name__ == "__main__":
    main()
