"""The director's dashboard (services.reports.dashboard) against the results report, in one run.

On the demo school in May (`--today`, default 20.05.2027: quarters 1–3 closed with their marks,
quarter 4 running): the dashboard runs the results of the last finished term (with the previous
one beside it), the trend over every finished quarter of the year, the attendance by week and the
teacher figures. Measured in the same run:

- the results report of that quarter (`results()`, what /reports opens): the baseline;
- the dashboard with its per-term cache emptied before each round (the first opening after a mark
  was saved) and with the cache kept (every other opening);
- a mark saved through the journal's own path (`set_period_mark`) between two openings: the next
  one reads the new figure (the cache is invalidated by the save).

    .venv/bin/python bench/dashboard.py [--db /tmp/exports-bench/dashboard.db] [--rounds 20] [--exports]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("BBBMS_ENV", "test")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

from demo_db import sqlite_demo

DEFAULT_DB = Path("/tmp/exports-bench/dashboard.db")
TODAY = date(2027, 5, 20)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", type=Path, default=DEFAULT_DB)
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--today", type=date.fromisoformat, default=TODAY)
    p.add_argument("--exports", action="store_true", help="also time the whole-school export workbooks")
    args = p.parse_args()
    print(f"The director's dashboard, SQLite; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    sqlite_demo(args.db, today=args.today)

    from sqlmodel import select

    from bbbms_app import db
    from bbbms_app.models import User
    from bbbms_app.services import accounts
    from bbbms_app.services import school as school_service
    from bbbms_app.services.reports import dashboard, results

    cache = getattr(dashboard, "CACHE", None)
    late_cache = getattr(dashboard, "LATE_CACHE", None)  # the teacher figures' marks entered late
    with db.session() as s:
        principal = accounts.principal_for(s.exec(select(User).where(User.username == "director")).one(), session=s)
        year = school_service.current_year(s, principal.school_id)  # type: ignore[arg-type]
        board = dashboard.dashboard(s, principal, year.id, today=args.today)  # type: ignore[union-attr]
    term_id = board.period.term_id  # type: ignore[union-attr]
    print(
        f"  {board.period.kind} {board.period.number}, trend over {len(board.trend)} terms, "  # type: ignore[union-attr]
        f"{len(board.weeks)} weeks; school SOU {board.figures['sou']} %"
    )

    def report():
        with db.session() as s:
            results.results(s, principal, year.id, term_id)  # type: ignore[union-attr]

    def open_board():
        with db.session() as s:
            dashboard.dashboard(s, principal, year.id, today=args.today)  # type: ignore[union-attr]

    # The server's start-up heap is frozen (app.py: gc.freeze()); the same here, or a full collection
    # lands in one round in a few and is timed as the report's (bench/reports.py).
    gc.collect()
    gc.freeze()
    base, cold, warm = [], [], []
    for _ in range(args.rounds):
        base.append(timed(report))
        if cache is not None:
            cache.clear()
        if late_cache is not None:
            late_cache.clear()
        cold.append(timed(open_board))
        warm.append(timed(open_board))
    rows = [("results report (baseline)", base), ("dashboard, cache emptied", cold)]
    if cache is not None:
        rows.append(("dashboard, cache kept", warm))
    for name, values in rows:
        print(f"  {name:28s} p50 {statistics.median(values):8.1f}  p95 {pct(values, 0.95):8.1f} ms")
    for name, values in rows[1:]:
        print(f"  ratio {name} / results: p50 {statistics.median(values) / statistics.median(base):.2f}")
    if args.exports:
        exports(principal, year.id, term_id)  # type: ignore[union-attr]


def exports(principal, year_id: int, term_id: int) -> None:
    """The whole-school workbooks the export job builds (services/reports/export_jobs.py), timed
    without the queue: the results of the quarter (a sheet per class) and its attendance."""
    import tempfile

    from bbbms_app import db
    from bbbms_app.services.reports import export_jobs

    params = {"year_id": year_id, "term_id": term_id, "lang": "ky", "named": False}
    with tempfile.TemporaryDirectory() as tmp:
        for kind, build in (
            ("results", export_jobs._results_workbook),
            ("attendance", export_jobs._attendance_workbook),
        ):
            out = Path(tmp) / f"{kind}.xlsx"
            t0 = time.perf_counter()
            with db.session() as s:
                build(s, principal, params, out, lambda done, total: None)
            ms = (time.perf_counter() - t0) * 1000
            print(f"  export job, {kind:10s} workbook: {ms:8.0f} ms, {out.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
