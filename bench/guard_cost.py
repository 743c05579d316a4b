"""What the guard costs per event, the old way against the new one, in the same run (issue 12 #3).

The guard runs at every event: it resolves the session token to a Principal and, before the
handler, takes the snapshot that a refused event is put back from. Measured on the heaviest tab,
a teacher's journal (JournalState: 166 vars, 40 pupils' rows of 70 cells), for its mark event
`key`:

- old: an uncached `resolve()` (one query) + a copy of every var of the state;
- new: `resolve_token()` served from the session cache + the snapshot of what `key` can change
  (old objects kept, copies only of what it changes in place);
- at a normal pace (a user's events seconds apart): with the 1-s cache of 2026-12-05 every event
  missed it, so the guard was an uncached `resolve()` + the lean snapshot; the cache now keeps a
  session 30 s, told of every change by the stamp file (one `stat` per event, included here).

Interleaved rounds, best of each, on SQLite (a temp file) and, with BENCH_PG_URL, PostgreSQL.

    .venv/bin/python bench/guard_cost.py
"""

from __future__ import annotations

import copy
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("BBBMS_ENV", "test")  # cheap argon2 for the one sign-in

import reflex as rx
from sqlalchemy import text

import bbbms_app.app  # noqa: F401  (registers the states)
from bbbms_app import db, settings
from bbbms_app.auth import guard
from bbbms_app.cli import migrate
from bbbms_app.models import School
from bbbms_app.pages.journal import JournalState
from bbbms_app.pages.journal.state import pack, period_view
from bbbms_app.services import accounts

CALLS = 2000
ROUNDS = 5
PUPILS, LESSONS = 40, 70


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
        school = School(okpo="99999998", name_ky="Бенч", name_ru="Бенч")
        s.add(school)
        s.flush()
        accounts.create_user(s, "bench_guard", "teacher", "bench-password-1", school_id=school.id)
    with db.session(url) as s:
        result = accounts.authenticate(s, "bench_guard", "bench-password-1")
    assert result.token
    return result.token


def _journal() -> rx.State:
    os.environ.setdefault("PYTEST_CURRENT_TEST", "bench")  # Reflex lets only tests build a state by hand
    state = rx.State().get_substate(JournalState.get_full_name().split(".")[1:])
    # The grid as the journal keeps it: packed cells «text|classes|token», a packed period cell.
    for i in range(PUPILS):
        setattr(state, f"r{i}", [pack("5", "", f"m:{i}.{c}") for c in range(LESSONS)])
        setattr(state, f"p{i}", period_view("5", "4.6", "4.6", "", ""))
    return state


def _old(token: str, state: rx.State) -> None:
    with db.session() as s:
        assert accounts.resolve(s, token) is not None
    cls = type(state)
    {n: copy.copy(state.get_value(n)) for n, f in cls.__fields__.items() if f._owner is cls}


def _new(token: str, state: rx.State, fn) -> None:
    assert accounts.resolve_token(token) is not None
    guard._snapshot(state, fn)


def _missed(token: str, state: rx.State, fn) -> None:
    _uncached(token)
    guard._snapshot(state, fn)


def _uncached(token: str) -> None:
    with db.session() as s:
        accounts.resolve(s, token)


def _per_call_us(step) -> float:
    start = time.perf_counter()
    for _ in range(CALLS):
        step()
    return (time.perf_counter() - start) / CALLS * 1e6


def run(label: str, url: str) -> None:
    token = _prepare(url)
    state = _journal()
    fn = guard.inspect.unwrap(JournalState.key.fn)  # type: ignore[attr-defined]
    own, copied = guard._plan(JournalState, fn)
    old, new, resolve_old, resolve_new, paced = [], [], [], [], []
    for _ in range(ROUNDS):
        old.append(_per_call_us(lambda: _old(token, state)))
        new.append(_per_call_us(lambda: _new(token, state, fn)))
        paced.append(_per_call_us(lambda: _missed(token, state, fn)))
        resolve_old.append(_per_call_us(lambda: _uncached(token)))
        resolve_new.append(_per_call_us(lambda: accounts.resolve_token(token)))
    print(
        f"{label}: guard per event on a {PUPILS}×{LESSONS} journal ({len(own)} vars; `key` copies {len(copied or ())})"
    )
    print(f"  old (uncached resolve + copy of every var): {min(old):7.1f} µs")
    print(f"  new (cached resolve + lean snapshot):       {min(new):7.1f} µs   ratio {min(new) / min(old):.3f}")
    print(f"  of which resolve: old {min(resolve_old):7.1f} µs, cached {min(resolve_new):5.1f} µs")
    print(
        f"  at a normal pace: the 1-s cache missed ({min(paced):7.1f} µs)"
        f" → the 30-s cache with its stamp ({min(new):5.1f} µs)   ratio {min(new) / min(paced):.3f}"
    )
    print(f"  load average: {os.getloadavg()[0]:.2f}")
    db.dispose_all()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/bench.db")
    pg = os.environ.get("BENCH_PG_URL")
    if pg:
        run("PostgreSQL", pg)


if __name__ == "__main__":
    main()
