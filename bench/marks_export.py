"""The school year's marks as one XLSX table: the app's streaming writer against pandas, same rows, same run.

On a demo school near the end of its year (python -m bbbms_app demo, `--today` late May: about
150,000 lesson and period marks), each way runs in a fresh process, so its peak memory is its own:

- ours: `services.reports.marks_export.write` — rows streamed from the database in batches into
  the app's one writer with `streaming=True` (xlsxwriter's constant_memory);
- baseline: the same rows (the same generator) into a `pandas.DataFrame`, then
  `DataFrame.to_excel(engine="xlsxwriter")`, what a quick script would do.

Printed: wall time of each (median of `--rounds`), ratio = pandas / ours (target ≥ 2), the peak RSS
growth of each process over its state before the export (target for ours ≤ 150 MiB), and the
read-back check: the file opened with openpyxl (read-only) has every row and all nine columns
filled where they should be (pandas with xlsxwriter's constant_memory is known to drop columns).

    .venv/bin/python bench/marks_export.py [--db /tmp/bbbms-bench/marks.db] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("BBBMS_ENV", "test")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

from demo_db import sqlite_demo

DEFAULT_DB = Path("/tmp/bbbms-bench/marks.db")
TODAY = date(2027, 5, 20)  # the year's last week: three quarters closed with their marks, the fourth all but


def _rss_mib() -> float:
    """This process's peak resident set so far (Linux: KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def build(path: Path) -> str:
    return sqlite_demo(path, today=TODAY)


def one(way: str, url: str, out: str) -> None:
    """Run one export in this (fresh) process and print its facts as JSON."""
    from sqlmodel import select

    from bbbms_app import db, settings
    from bbbms_app.models import AcademicYear, School

    os.environ["DATABASE_URL"] = url
    settings.reload()
    db.dispose_all()
    import pandas as pd

    from bbbms_app.services.reports import marks_export

    with db.session() as s:
        school_id = s.exec(select(School.id)).first()
        year_id = s.exec(select(AcademicYear.id).where(AcademicYear.is_current.is_(True))).first()  # type: ignore[attr-defined]
        before = _current_rss_mib()
        t0 = time.perf_counter()
        if way == "ours":
            n = marks_export.write(Path(out), s, school_id, year_id, "ru")
        else:
            import pandas as pd

            sheet = marks_export.sheet(s, school_id, year_id, "ru")
            frame = pd.DataFrame(list(sheet.rows), columns=[c.header for c in sheet.columns])
            frame.to_excel(out, index=False, engine="xlsxwriter", sheet_name=sheet.name)
            n = len(frame)
        seconds = time.perf_counter() - t0
    print(json.dumps({"way": way, "rows": n, "seconds": seconds, "growth_mib": _rss_mib() - before}))


def read_back(path: str) -> tuple[int, list[int]]:
    """(data rows, rows with a value per column) of the first sheet, read with openpyxl read-only."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    ws = book.worksheets[0]
    rows = 0
    filled = [0] * 9
    for row in ws.iter_rows(min_row=2, values_only=True):
        if row[6] is None:  # the marking line under the table has no pupil
            continue
        rows += 1
        for i, value in enumerate(row[:9]):
            filled[i] += value is not None
    return rows, filled


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one", choices=("ours", "pandas"))
    parser.add_argument("--url")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.one:
        one(args.one, args.url, args.out)
        return
    url = build(args.db)
    results: dict[str, list[dict]] = {"ours": [], "pandas": []}
    for _ in range(args.rounds):
        for way in ("ours", "pandas"):
            out = str(args.db.with_suffix(f".{way}.xlsx"))
            cmd = [sys.executable, __file__, "--one", way, "--url", url, "--out", out]
            line = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
            results[way].append(json.loads(line))
    med = {way: statistics.median(r["seconds"] for r in rs) for way, rs in results.items()}
    grow = {way: max(r["growth_mib"] for r in rs) for way, rs in results.items()}
    rows = results["ours"][0]["rows"]
    print(f"rows: {rows:,} (pandas: {results['pandas'][0]['rows']:,})")
    print(f"ours   (write_table)     : median {med['ours']:.2f} s, peak RSS growth {grow['ours']:.0f} MiB")
    print(f"pandas (to_excel):         median {med['pandas']:.2f} s, peak RSS growth {grow['pandas']:.0f} MiB")
    print(f"ratio pandas / ours: {med['pandas'] / med['ours']:.2f} (target ≥ 2), ours' growth ≤ 150 MiB")
    back, filled = read_back(str(args.db.with_suffix(".ours.xlsx")))
    print(f"read back: {back:,} rows; values per column: {filled}")
    assert back == rows, (back, rows)
    # Every column has values: term, class, subject, pupil, kind and mark on every row; date, lesson
    # and teacher on the lesson marks (the period marks have none).
    assert all(filled[i] == rows for i in (3, 4, 6, 7, 8)) and all(filled[i] > 0 for i in (0, 1, 2, 5)), filled


if __name__ == "__main__":
    main()
