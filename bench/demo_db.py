"""The benches' demo database: a SQLite file of the demo generator's school(s) on a chosen day,
built once (the generator takes minutes) and reused by later runs; the app pointed at it.

    from demo_db import sqlite_demo   # bench/ is the script's folder, so it imports as a module
    url = sqlite_demo(Path("/tmp/bbbms-bench/x.db"), today=date(2026, 12, 2), schools=1)
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path


def sqlite_demo(path: Path, *, today: date, schools: int = 1, seed: int = 7) -> str:
    """The database URL of `path`, made (migrated, then the demo) when the file is not there yet."""
    from bbbms_app import db, demo, settings
    from bbbms_app.cli import migrate

    url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = url
    settings.reload()
    db.dispose_all()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        migrate(url)
        t0 = time.perf_counter()
        demo.generate(db.engine(url), schools=schools, seed=seed, today=today)
        print(f"  built {path} ({schools} school(s), {today:%d.%m.%Y}) in {time.perf_counter() - t0:.0f} s")
    return url
