"""Opening a 40-pupil × 70-lesson journal, server side: the service, the page handler, and a raw baseline.

Measured in one run on the benchmark database (bench/journal_data.py):

- services.journal.grid(): every query and the suggestions (scope checks included);
- JournalState.set_class(): the page handler a teacher's click runs (guard, grid, 40 row vars,
  period cells, topics), and the bytes of the state delta it sends to the browser;
- baseline: the same rows read with the standard library's sqlite3 (pupils, lessons, marks,
  attendance): what the database itself costs. Ratio = app p95 / baseline p95.

    .venv/bin/python bench/journal_grid.py [--db /tmp/bbbms-bench/journal.db]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("BBBMS_ENV", "test")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

from bench.journal_data import DEFAULT_DB, build

ROUNDS = 200


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def raw_grid(path: str, big) -> None:
    con = sqlite3.connect(path)
    try:
        cur = con.cursor()
        cur.execute(
            "SELECT p.id, p.last_name, p.first_name, e.starts_on, e.ends_on FROM pupil p JOIN enrollment e "
            "ON e.pupil_id = p.id WHERE e.class_id = ? ORDER BY p.sort_key",
            (big.class_id,),
        ).fetchall()
        lessons = [
            r[0]
            for r in cur.execute(
                "SELECT id, date, number, topic, homework FROM lesson WHERE class_id = ? AND subject_id = ? "
                "AND term_id = ? AND subgroup = 0 AND cancelled = 0 ORDER BY date, number",
                (big.class_id, big.subject_id, big.term_id),
            ).fetchall()
        ]
        marks = ",".join("?" * len(lessons))
        cur.execute(
            f"SELECT lesson_id, pupil_id, kind, value, version FROM mark WHERE lesson_id IN ({marks})",  # noqa: S608
            lessons,
        ).fetchall()
        cur.execute(
            f"SELECT lesson_id, pupil_id, code, late_minutes, version FROM attendance WHERE lesson_id IN ({marks})",  # noqa: S608
            lessons,
        ).fetchall()
    finally:
        con.close()


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="SQLite file to build (default: %(default)s)")
    path = p.parse_args().db
    big = build(path)
    import reflex as rx
    from sqlmodel import select

    import bbbms_app.app  # noqa: F401  (registers the states)
    from bbbms_app import db
    from bbbms_app.auth.state import AuthState
    from bbbms_app.models import User
    from bbbms_app.pages.journal import JournalState
    from bbbms_app.services import accounts, journal

    with db.session() as s:
        principal = accounts.principal_for(s.exec(select(User).where(User.username == "teacher")).one(), session=s)
    # Service.
    service: list[float] = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        with db.session() as s:
            g = journal.grid(s, principal, big.class_id, big.subject_id, big.term_id)
        service.append((time.perf_counter() - t0) * 1000)
    assert len(g.pupils) == 40 and len(g.lessons) == 70
    # Baseline.
    raw: list[float] = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        raw_grid(path, big)
        raw.append((time.perf_counter() - t0) * 1000)
    # The page handler: a tab switches between another class and the big journal; only the big opens count.
    os.environ["PYTEST_CURRENT_TEST"] = "bench"  # lets a state tree live outside a running app
    root = rx.State()
    with db.session() as s:
        token = accounts.authenticate(s, "teacher", "bbbms-demo").token
    root.get_substate(AuthState.get_full_name().split(".")[1:]).session_token = token
    state = root.get_substate(JournalState.get_full_name().split(".")[1:])
    await state.load()
    await state.set_term(str(big.term_id))
    other = next(o["id"] for o in state.class_options if o["id"] != str(big.class_id))
    handler: list[float] = []
    delta_bytes = 0
    for _ in range(ROUNDS // 4):
        await state.set_class(other)
        root._clean()
        t0 = time.perf_counter()
        await state.set_class(str(big.class_id))
        handler.append((time.perf_counter() - t0) * 1000)
        delta_bytes = len(json.dumps(root.get_delta(), ensure_ascii=False, default=str).encode())
        assert state.n_rows == 40 and state.n_cols == 70, (state.n_rows, state.n_cols)
    print(
        f"Opening a 40 × 70 journal (server side), ms; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"  services.journal.grid()        p50 {statistics.median(service):6.2f}  p95 {pct(service, 0.95):6.2f}")
    print(f"  JournalState.set_class handler p50 {statistics.median(handler):6.2f}  p95 {pct(handler, 0.95):6.2f}")
    print(f"  baseline: raw sqlite3 reads    p50 {statistics.median(raw):6.2f}  p95 {pct(raw, 0.95):6.2f}")
    print(f"  ratio service p95 / raw p95: {pct(service, 0.95) / pct(raw, 0.95):.1f}")
    print(f"  ratio handler p95 / raw p95: {pct(handler, 0.95) / pct(raw, 0.95):.1f}")
    print(f"  delta sent to the browser on opening: {delta_bytes / 1024:.1f} KiB")


if __name__ == "__main__":
    asyncio.run(main())
