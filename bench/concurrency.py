"""50 users signing in and navigating while 16 teachers save marks, on SQLite: «database is locked» count.

Each of 50 threads signs in as one of the benchmark accounts bench01…bench50 (accounts.authenticate
in an ordinary session, as AuthState.login does: read the user, then write the session and the
audit row), then sends events: each event resolves the session as the guard does
(accounts.resolve, which refreshes `last_seen_at`) and reads the shell's school context (as
AuthState._fill). To make every event a read-then-write, the refresh throttle
(accounts.LAST_SEEN_RESOLUTION_S, 60 s in the app) is 0 by default here (--refresh-every): the
worst case, as if every user's every click came just after a minute of silence. Every 20th event
signs in again; a user pauses --think-ms (100 ms) between two events. Meanwhile 16 threads save
marks into the 40 × 70 benchmark journal through journal.write_session + journal.save_cell, as journal_writers.py does.

The same load runs twice on fresh copies of the benchmark database: first with the transaction
handling of main before this change (an ordinary session began a deferred transaction and became a
writer at its first write), then with today's db.py (reads statement by statement, BEGIN IMMEDIATE
at the first write). Both in this process, one after the other.

    .venv/bin/python bench/concurrency.py [--db /tmp/bbbms-bench/journal.db] [--seconds 8]
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
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("BBBMS_ENV", "test")

from bench.journal_data import BENCH_USERS, DEFAULT_DB, build, load

TEACHERS = 16
SIGN_IN_AGAIN_EVERY = 20


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] if values else 0.0


def _old_begin(conn) -> None:
    """db._sqlite_begin as it was on main: every ordinary session began a deferred transaction."""
    if conn.get_execution_options().get("bbbms_write"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def _no_op(*_args) -> None:
    return None


def _kind(exc: BaseException) -> str:
    from bbbms_app import db

    if isinstance(exc, db.DatabaseBusy) or "locked" in str(exc) or "busy" in str(exc).lower():
        return "database is locked"
    return type(exc).__name__


def run_load(url: str, big, seconds: float, think_s: float) -> dict:
    from sqlmodel import select

    from bbbms_app import db, demo
    from bbbms_app.models import User
    from bbbms_app.services import accounts, journal
    from bbbms_app.services import school as school_service

    with db.session(url) as s:
        principal = accounts.principal_for(s.exec(select(User).where(User.username == "teacher")).one(), session=s)
        g = journal.grid(s, principal, big.class_id, big.subject_id, big.term_id)
    tokens = {(p.id, lesson.id): g.cell(p.id, lesson.id).token() for p in g.pupils for lesson in g.lessons}
    absent = {key for key, cell in g.cells.items() if cell.absent}
    errors: dict[str, Counter] = {"sign-in": Counter(), "event": Counter(), "mark": Counter()}
    counts = Counter()
    event_ms: list[float] = []
    mark_ms: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    today = date.today()

    def sign_in(username: str) -> str | None:
        try:
            with db.session(url) as s:
                result = accounts.authenticate(s, username, demo.DEMO_PASSWORD, user_agent="bench")
            with lock:
                counts["sign-in"] += 1
            return result.token
        except Exception as exc:
            with lock:
                errors["sign-in"][_kind(exc)] += 1
            return None

    def user(i: int) -> None:
        username = f"bench{i + 1:02d}"
        token = sign_in(username)
        mine: list[float] = []
        n = 0
        while time.perf_counter() < stop:
            n += 1
            time.sleep(think_s)  # a person reads the page before the next click
            if token is None or n % SIGN_IN_AGAIN_EVERY == 0:
                token = sign_in(username)
                continue
            t0 = time.perf_counter()
            try:
                with db.session(url) as s:
                    who = accounts.resolve(s, token)
                if who is not None:
                    with db.session(url) as s:
                        school_service.context(s, who, today)
                mine.append((time.perf_counter() - t0) * 1000)
            except Exception as exc:
                with lock:
                    errors["event"][_kind(exc)] += 1
        with lock:
            event_ms.extend(mine)
            counts["event"] += len(mine)

    def teacher(i: int) -> None:
        cells = [(p, x) for p in big.pupil_ids[i::TEACHERS] for x in big.lesson_ids if (p, x) not in absent]
        mine: list[float] = []
        n = 0
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
            except journal.JournalError as exc:
                with lock:
                    errors["mark"][exc.key] += 1
            except Exception as exc:
                with lock:
                    errors["mark"][_kind(exc)] += 1
            n += 1
        with lock:
            mark_ms.extend(mine)
            counts["mark"] += len(mine)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(BENCH_USERS)]
    threads += [threading.Thread(target=teacher, args=(i,)) for i in range(TEACHERS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return {"counts": counts, "errors": errors, "event_ms": event_ms, "mark_ms": mark_ms}


def one_mode(source: Path, seconds: float, *, old: bool, refresh_s: int, think_s: float) -> dict:
    from bbbms_app import db, settings
    from bbbms_app.services import accounts

    saved = (db._sqlite_begin, db._sqlite_writer_on_first_write)
    if old:
        db._sqlite_begin, db._sqlite_writer_on_first_write = _old_begin, _no_op  # engines made below use them
    try:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "concurrency.db"
            with sqlite3.connect(source) as src, sqlite3.connect(copy) as dst:
                src.backup(dst)  # consistent even while another process has the benchmark database open
            db.dispose_all()
            url = f"sqlite:///{copy}"
            os.environ["DATABASE_URL"] = url
            settings.reload()
            big = load(url)
            accounts.LAST_SEEN_RESOLUTION_S = refresh_s  # 0: every event refreshes its session
            result = run_load(url, big, seconds, think_s)
            db.dispose_all()
    finally:
        db._sqlite_begin, db._sqlite_writer_on_first_write = saved
    return result


def report(name: str, r: dict, seconds: float) -> None:
    c, e = r["counts"], r["errors"]
    locked = sum(e[k]["database is locked"] for k in e)
    print(f"  {name}")
    print(
        f"    sign-ins {c['sign-in']:6d}   events {c['event']:6d} ({c['event'] / seconds:5.0f}/s, "
        f"p50 {statistics.median(r['event_ms'] or [0]):6.2f} ms, p99 {pct(r['event_ms'], 0.99):7.2f} ms)   "
        f"marks {c['mark']:6d} ({c['mark'] / seconds:4.0f}/s, p99 {pct(r['mark_ms'], 0.99):7.2f} ms)"
    )
    print(
        f"    'database is locked': {locked}  (sign-in {e['sign-in']['database is locked']}, "
        f"event {e['event']['database is locked']}, mark {e['mark']['database is locked']})"
    )
    others = {f"{k}: {kind}": n for k in e for kind, n in e[k].items() if kind != "database is locked"}
    print(f"    other errors: {others or 0}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="SQLite benchmark file (default: %(default)s)")
    p.add_argument("--seconds", type=float, default=8.0, help="how long each run lasts")
    p.add_argument(
        "--refresh-every",
        type=int,
        default=0,
        help="seconds between two refreshes of a session's last_seen_at (the app: 60; default 0, the worst case)",
    )
    p.add_argument("--think-ms", type=float, default=100.0, help="pause of each user between two events")
    args = p.parse_args()
    build(args.db)
    think = args.think_ms / 1000
    old = one_mode(args.db, args.seconds, old=True, refresh_s=args.refresh_every, think_s=think)
    new = one_mode(args.db, args.seconds, old=False, refresh_s=args.refresh_every, think_s=think)
    print(
        f"{BENCH_USERS} users signing in and navigating + {TEACHERS} teachers saving marks, {args.seconds:g} s each, "
        f"{args.think_ms:g} ms between a user's events, session refresh every {args.refresh_every} s, "
        "SQLite WAL, busy_timeout 10 s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    report("main's transactions (deferred BEGIN, writer at the first write)", old, args.seconds)
    report("now (reads statement by statement, BEGIN IMMEDIATE at the first write)", new, args.seconds)


if __name__ == "__main__":
    main()
