"""The school's quarter results (services.reports.results) on the demo school, against a raw baseline.

Measured in one run on a demo database (python -m bbbms_app demo: 700 pupils, the quarters before
`--today` closed with their marks):

- results(): the whole report the director opens — every class, parallel, level and the school,
  per subject and all subjects, by sex, the lists of pupils, and the previous quarter beside it;
- the page's table and the workbook (sheets.results_table + results_xlsx);
- baseline: the quarter's period marks read once with the standard library's sqlite3 and counted
  per class × subject in Python: what reading the marks costs. Ratio = results p95 / baseline p95.
- the grouping by teacher (by_teacher.by_teacher: the results' own read, counted in Python) against
  the same grouping as one SQL GROUP BY (tests/results_oracle.py, what by_teacher ran before); both
  give the same tallies (checked at each round).

With `--schools 20` the same report runs for the first school of a 20-school database built beside
the one-school one, and its ratio to the one-school figure is printed (the target: ≤ 1.5).

    .venv/bin/python bench/reports.py [--db /tmp/bbbms-bench/reports.db] [--rounds 50] [--schools 20]
"""

from __future__ import annotations

import argparse
import gc
import os
import sqlite3
import statistics
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("BBBMS_ENV", "test")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

from demo_db import sqlite_demo

DEFAULT_DB = Path("/tmp/bbbms-bench/reports.db")
TODAY = date(2026, 3, 20)  # the third quarter: quarters 1 and 2 are closed with their marks


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def build(path: Path, schools: int) -> str:
    return sqlite_demo(path, today=TODAY, schools=schools)


def baseline(path: Path, school_id: int, year_id: int, number: int) -> int:
    con = sqlite3.connect(path)
    try:
        rows = con.execute(
            "SELECT pm.class_id, pm.subject_id, p.sex, pm.value, pm.special FROM periodmark pm "
            "JOIN pupil p ON p.id = pm.pupil_id WHERE pm.school_id = ? AND pm.academic_year_id = ? "
            "AND pm.kind = 'quarter' AND pm.number = ?",
            (school_id, year_id, number),
        ).fetchall()
    finally:
        con.close()
    counts = Counter((c, s, x, v if v is not None else sp) for c, s, x, v, sp in rows)
    return len(counts)


def measure(path: Path, rounds: int) -> dict[str, float]:
    from sqlmodel import select

    from bbbms_app import db
    from bbbms_app.models import Term, User
    from bbbms_app.services import accounts
    from bbbms_app.services import school as school_service
    from bbbms_app.services.reports import by_teacher, results, sheets
    from tests import results_oracle

    def grouped_in_sql(s, res):
        class_ids = [c.id for c in res.classes] or [-1]
        _on_roll, gone = results._roll(s, res.period, class_ids)
        live, half_year = results._readings(s, res.school.id, list(res.classes))
        return results_oracle.by_teacher_sql(s, res, list(live) or [-1], gone, half_year)

    with db.session() as s:
        principal = accounts.principal_for(s.exec(select(User).where(User.username == "director")).one(), session=s)
        year = school_service.current_year(s, principal.school_id)  # type: ignore[arg-type]
        term = s.exec(select(Term).where(Term.academic_year_id == year.id, Term.number == 2)).one()
    # The server freezes its start-up heap (app.py: gc.freeze()): Python's full collections then do
    # not rescan it. Without the same here a full collection lands in one report in a few and the
    # bench times the collector, not the report (bench/admin_list.py does the same).
    gc.collect()
    gc.freeze()
    report, table, raw, teachers, teachers_sql = [], [], [], [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        with db.session() as s:
            res = results.results(s, principal, year.id, term.id)  # type: ignore[arg-type]
        report.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        sheets.results_table(res, None, None, "ky")
        sheets.results_xlsx(res, None, None, "ky")
        table.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        baseline(path, principal.school_id, year.id, 2)  # type: ignore[arg-type]
        raw.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        with db.session() as s:
            grouped = {t.staff_id: t.marks for t in by_teacher.by_teacher(s, res)}
        teachers.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        with db.session() as s:
            in_sql = grouped_in_sql(s, res)
        teachers_sql.append((time.perf_counter() - t0) * 1000)
        assert grouped and grouped == in_sql, "the two groupings by teacher differ"
    school = res.groups[-1]
    ind = res.indicators(school)
    marks = sum(t.n for t in res.marks.values())
    print(
        f"  {len(res.classes)} classes, {res.roll(school)} pupils on roll, {marks} quarter marks; school: "
        f"N {ind.n}, success {ind.success} %, quality {ind.quality} %, SOU {ind.sou} %, previous quarter: "
        f"{'yes' if res.previous else 'no'}"
    )
    out = {"report": pct(report, 0.95), "table": pct(table, 0.95), "raw": pct(raw, 0.95)}
    out["report50"], out["raw50"] = statistics.median(report), statistics.median(raw)
    print(f"  results() incl. lists and previous p50 {statistics.median(report):7.2f}  p95 {out['report']:7.2f} ms")
    print(f"  table + XLSX                      p50 {statistics.median(table):7.2f}  p95 {out['table']:7.2f} ms")
    print(f"  baseline: raw sqlite3 read+count  p50 {statistics.median(raw):7.2f}  p95 {out['raw']:7.2f} ms")
    print(f"  ratio results / baseline: p50 {out['report50'] / out['raw50']:.1f}, p95 {out['report'] / out['raw']:.1f}")
    t50, t95, q50, q95 = (f(v) for v in (teachers, teachers_sql) for f in (statistics.median, lambda v: pct(v, 0.95)))
    print(f"  by teacher, one read counted in Python  p50 {t50:7.2f}  p95 {t95:7.2f} ms ({len(grouped)} teachers)")
    print(f"  baseline: by teacher, SQL GROUP BY      p50 {q50:7.2f}  p95 {q95:7.2f} ms")
    print(f"  ratio Python / SQL: p50 {t50 / q50:.2f}, p95 {t95 / q95:.2f}")
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="SQLite file to build or reuse (default: %(default)s)")
    p.add_argument("--rounds", type=int, default=50)
    p.add_argument("--schools", type=int, default=1, help="also measure inside a database of this many schools")
    args = p.parse_args()
    load = os.getloadavg()[0]
    print(f"Quarter results of the demo school, SQLite; load average {load:.1f} on {os.cpu_count()} cores")
    build(args.db, 1)
    one = measure(args.db, args.rounds)
    if args.schools > 1:
        many = args.db.with_name(f"{args.db.stem}-{args.schools}{args.db.suffix}")
        print(f"The first school of a {args.schools}-school database:")
        build(many, args.schools)
        big = measure(many, args.rounds)
        p50, p95 = big["report50"] / one["report50"], big["report"] / one["report"]
        print(f"  ratio {args.schools}-school / one-school: p50 {p50:.2f}, p95 {p95:.2f} (target ≤ 1.5)")


if __name__ == "__main__":
    main()
