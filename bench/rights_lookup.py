"""What reading the director's rights matrix at every event costs: resolve() with and without it.

Every event resolves the session token to a Principal (accounts.resolve). With the rights matrix
in the database that adds one indexed query for the role's RolePermission rows. This measures
resolve() per call with the effective matrix against the same call with the built-in default
matrix (the baseline, measured in the same run), with no rows and with 20 rows, on SQLite (a temp
file) and, when BENCH_PG_URL is set, on PostgreSQL.

    .venv/bin/python bench/rights_lookup.py
    BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bbbms_bench_rights .venv/bin/python bench/rights_lookup.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("BBBMS_ENV", "test")  # cheap argon2 for the one sign-in

from sqlalchemy import text

from bbbms_app import db, settings
from bbbms_app.cli import migrate
from bbbms_app.models import RolePermission, School
from bbbms_app.services import accounts, rights
from bbbms_app.services.access import permissions_for

CALLS = 2000
ROUNDS = 5


def _prepare(url: str) -> str:
    os.environ["DATABASE_URL"] = url
    settings.reload()
    if url.startswith("postgresql"):
        with db.engine(url).begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        db.dispose_all()
    migrate(url)
    with db.session(url) as s:
        school = School(okpo="99999999", name_ky="Бенч", name_ru="Бенч")
        s.add(school)
        s.flush()
        accounts.create_user(s, "bench_teacher", "teacher", "bench-password-1", school_id=school.id)
    with db.session(url) as s:
        result = accounts.authenticate(s, "bench_teacher", "bench-password-1")
    assert result.token
    return result.token


def _per_call_us(url: str, token: str) -> float:
    """The mean time of one resolve() over CALLS calls, in microseconds."""
    start = time.perf_counter()
    for _ in range(CALLS):
        with db.session(url) as s:
            principal = accounts.resolve(s, token)
    assert principal is not None
    return (time.perf_counter() - start) / CALLS * 1e6


def _compare(url: str, token: str) -> tuple[float, float]:
    """Baseline and effective-matrix timings, interleaved round by round so that both see the same
    machine (other work on the 2 cores); the best round of each."""
    real = rights.effective_permissions
    baseline, effective = [], []
    for _ in range(ROUNDS):
        rights.effective_permissions = lambda _s, role, _school: permissions_for(role)  # type: ignore[assignment]
        try:
            baseline.append(_per_call_us(url, token))
        finally:
            rights.effective_permissions = real  # type: ignore[assignment]
        effective.append(_per_call_us(url, token))
    return min(baseline), min(effective)


def _add_rows(url: str, school_id: int) -> None:
    with db.session(url) as s:
        for i, permission in enumerate(rights.MATRIX_PERMISSIONS[:20]):
            role = ("teacher", "clerk", "deputy", "class_teacher")[i % 4]
            s.add(RolePermission(school_id=school_id, role=role, permission=permission, granted=i % 2 == 0))


def run(label: str, url: str) -> None:
    token = _prepare(url)
    with db.session(url) as s:
        school_id = s.exec(text("SELECT id FROM school")).scalar_one()
    base_0, no_rows = _compare(url, token)
    _add_rows(url, school_id)
    base_20, with_rows = _compare(url, token)
    print(f"{label}: resolve() per event, best of {ROUNDS} rounds × {CALLS} calls, interleaved")
    for rows, base, effective in (("no rows", base_0, no_rows), ("20 rows", base_20, with_rows)):
        print(
            f"  {rows}: default matrix (baseline) {base:7.1f} µs, effective matrix {effective:7.1f} µs, "
            f"ratio {effective / base:.2f}, cost {effective - base:6.1f} µs per event"
        )
    db.dispose_all()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/bench.db")
    pg = os.environ.get("BENCH_PG_URL")
    if pg:
        run("PostgreSQL", pg)


if __name__ == "__main__":
    main()
