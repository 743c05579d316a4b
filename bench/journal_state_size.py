"""What an open 40-pupil × 70-lesson journal tab costs the server: its pickled state, and the poll.

Opens the benchmark journal (bench/journal_data.py) in a state tree as a teacher's tab does
(JournalState.load, set_term, set_class) and reports:

- what a tab keeps in one worker's memory (tracemalloc over 10 tabs, after the first hydrate's
  full snapshot), with the journal open and without, as the memory manager makes it: a tab's
  substates made at their first use (bbbms_app/tab_states.py), and — the baseline, same run —
  Reflex 0.10.1's whole tree of every State class per tab; target ≤ 300 KiB;
- the journal tab's server-side state: `pickle.dumps` of the JournalState instance (what the disk
  and Redis state managers store for it) and the sum over every state of the tab, in KiB;
- the poll every open journal sends every 15 s: p50/p95 when nothing changed, when another
  teacher saved one mark in the meantime (only that lesson's column is read again), and when a
  whole column was marked (40 rows moved) against the whole grid read again (what it did before), ms;
- baseline in the same run: `pickle.dumps` of the grid's raw rows (pupils, lessons, cells with
  text and version), the least a tab that keeps the grid could hold;
- what a reconnect's hydrate sends (Reflex's snapshot of every state, as JSON, after the tab's first
  one): a tab with the journal open and one without, ours against Reflex's whole tree.

    .venv/bin/python bench/journal_state_size.py [--db /tmp/bbbms-bench/journal.db]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import pickle
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("BBBMS_ENV", "test")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

from bench.journal_data import DEFAULT_DB, build

ROUNDS = 100
TABS = 10


def _tree(state):
    """A state and its substates: the state managers store each one on its own."""
    yield state
    for child in state.substates.values():
        yield from _tree(child)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="SQLite file to build (default: %(default)s)")
    path = p.parse_args().db
    big = build(path)

    import reflex as rx
    from sqlmodel import select

    import bbbms_app.app  # noqa: F401  (registers the states)
    from bbbms_app import db
    from bbbms_app.auth import guard
    from bbbms_app.auth.state import COOKIE_NAME, AuthState
    from bbbms_app.models import User
    from bbbms_app.pages.journal import JournalState
    from bbbms_app.pages.journal.state import unpack
    from bbbms_app.services import accounts, journal

    os.environ["PYTEST_CURRENT_TEST"] = "bench"  # lets a state tree live outside a running app
    with db.session() as s:
        token = accounts.authenticate(s, "teacher", "bbbms-demo").token
        principal = accounts.principal_for(s.exec(select(User).where(User.username == "teacher")).one(), session=s)

    from reflex.istate.manager.token import BaseStateToken

    from bbbms_app import tab_states

    async def open_tab(with_journal: bool = True, lazy: bool = True):
        # As the worker's memory manager makes a tab's root state, then the first hydrate's snapshot.
        manager = tab_states.BoundedMemoryManager(lazy=lazy)
        root = manager._get_or_create_state(BaseStateToken(ident=str(id(manager)), cls=rx.State))
        root.dict()
        root.get_substate(AuthState.get_full_name().split(".")[1:]).session_token = token
        # The tab's token counts only with the session cookie of the websocket's handshake (docs/security.md).
        root.router_data = {"sid": f"bench-{id(root)}", "headers": {"cookie": f"{COOKIE_NAME}={token}"}}
        state = root.get_substate(JournalState.get_full_name().split(".")[1:])
        if with_journal:
            await state.load()
            await state.set_term(str(big.term_id))
            await state.set_class(str(big.class_id))
            assert state.n_rows == 40 and state.n_cols == 70, (state.n_rows, state.n_cols)
        root._clean()
        return root, state

    async def resident(with_journal: bool, lazy: bool = True) -> float:
        """What TABS more tabs keep in memory, per tab, in KiB (the memory state manager holds them live)."""
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        tabs = [await open_tab(with_journal, lazy) for _ in range(TABS)]
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        assert len(tabs) == TABS
        return (after - before) / TABS / 1024

    from reflex.state import _resolve_delta
    from reflex_base.utils import format

    async def reconnect_snapshot(root) -> tuple[int, int]:
        """(bytes, states) of the snapshot a reconnect's hydrate sends (`State.hydrate_and_load`)."""
        delta = await _resolve_delta(root.dict())
        return len(format.json_dumps(delta).encode()), len(delta)

    again = {
        (lazy, with_journal): await reconnect_snapshot((await open_tab(with_journal, lazy))[0])
        for lazy in (False, True)
        for with_journal in (False, True)
    }
    root, state = await open_tab()
    await open_tab(False)  # warm: imports, statement caches
    await open_tab(False, lazy=False)
    whole_bare_kib, whole_journal_kib = await resident(False, lazy=False), await resident(True, lazy=False)
    bare_kib, journal_kib = await resident(False), await resident(True)

    # The grid's row vars counted alone, each string once, as if no other tab shared them.
    rows = [state.get_value(f"r{i}") for i in range(state.n_rows)]
    own_rows = sum(sys.getsizeof(r) for r in rows) + sum(
        sys.getsizeof(c) for c in {id(c): c for r in rows for c in r}.values()
    )
    journal_bytes = len(pickle.dumps(state))
    tree_bytes = sum(len(pickle.dumps(st)) for st in _tree(root))
    with db.session() as s:
        g = journal.grid(s, principal, big.class_id, big.subject_id, big.term_id)
    raw = (
        [(p.id, p.name) for p in g.pupils],
        [(lesson.id, lesson.date, lesson.topic) for lesson in g.lessons],
        {key: (cell.text(), cell.token()) for key, cell in g.cells.items()},
    )
    raw_bytes = len(pickle.dumps(raw))

    quiet: list[float] = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        await state.poll()
        quiet.append((time.perf_counter() - t0) * 1000)
    # Another teacher saves one mark between two polls (a column of its own each time).
    changed: list[float] = []
    pupil = g.pupils[0].id
    for i in range(ROUNDS // 2):
        lesson = g.lessons[i % len(g.lessons)]
        with journal.write_session() as s:
            cell = journal.load_cell(s, lesson.id, pupil)
            value = 5 if cell.marks.get("home", (0, 0))[0] != 5 else 4
            journal.save_cell(s, principal, lesson.id, pupil, journal.CellChange("home", value), cell.token())
        root._clean()
        t0 = time.perf_counter()
        await state.poll()
        changed.append((time.perf_counter() - t0) * 1000)
        assert str(value) in unpack(state.get_value("r0")[i % len(g.lessons)])[0]

    # A whole column marked by another tab between two polls (a test's results, or 40 teachers in one
    # journal at the morning peak): the poll reads that column and the rows' suggestions in one go.
    # Baseline, same run: what the poll did before once more than eight rows moved — the whole grid
    # read again (`_open`), timed after the same kind of change.
    def mark_column(i: int) -> None:
        lesson = g.lessons[(i * 3 + 5) % len(g.lessons)]
        with journal.write_session() as s:
            for p in g.pupils:
                cell = journal.load_cell(s, lesson.id, p.id)
                value = 5 if cell.marks.get("class", (0, 0))[0] != 5 else 3
                with contextlib.suppress(journal.JournalError):  # a pupil not in the class that day
                    journal.save_cell(s, principal, lesson.id, p.id, journal.CellChange("class", value), cell.token())

    column: list[float] = []
    reread: list[float] = []
    for i in range(ROUNDS // 5):
        mark_column(2 * i)
        root._clean()
        t0 = time.perf_counter()
        await state.poll()
        column.append((time.perf_counter() - t0) * 1000)
        mark_column(2 * i + 1)
        root._clean()
        t0 = time.perf_counter()
        held = guard._current.set(principal)  # what the guard sets around a handler (the old poll ran in one)
        try:
            with db.session() as s:
                state._open(s)
        finally:
            guard._current.reset(held)
        reread.append((time.perf_counter() - t0) * 1000)  # `_open` keeps the new stamps: the next poll starts even

    load = os.getloadavg()[0]
    print(f"An open 40 × 70 journal tab on the server; load average {load:.1f} on {os.cpu_count()} cores")
    print(f"  tab kept in memory, journal open{journal_kib:7.1f} KiB   (target ≤ 300 KiB; {TABS} tabs, tracemalloc)")
    print(f"  the same, a tab with no journal {bare_kib:7.1f} KiB   ratio {journal_kib / bare_kib:.1f}")
    print(
        f"  baseline: Reflex's whole tree   {whole_journal_kib:7.1f} KiB   journal open;"
        f" {whole_bare_kib:.1f} KiB without; ours / baseline {journal_kib / whole_journal_kib:.2f}"
        f" and {bare_kib / whole_bare_kib:.2f}"
    )
    print(f"  the grid's rows, nothing shared {own_rows / 1024:7.1f} KiB   (lists and their strings, getsizeof)")
    print(f"  JournalState pickled            {journal_bytes / 1024:7.1f} KiB   (what Redis stores for it)")
    print(f"  every state of the tab pickled  {tree_bytes / 1024:7.1f} KiB")
    print(f"  baseline: the grid's raw rows   {raw_bytes / 1024:7.1f} KiB   ratio {journal_bytes / raw_bytes:.1f}")
    for with_journal, what in ((True, "journal open"), (False, "no journal  ")):
        (ours, n_ours), (whole, n_whole) = again[(True, with_journal)], again[(False, with_journal)]
        print(
            f"  a reconnect's snapshot, {what} {ours / 1024:5.1f} KiB ({n_ours} states);"
            f" baseline, Reflex's whole tree {whole / 1024:5.1f} KiB ({n_whole}); ratio {ours / whole:.2f}"
        )
    print(f"  poll, nothing changed      ms   p50 {statistics.median(quiet):6.2f}  p95 {pct(quiet, 0.95):6.2f}")
    print(f"  poll, one mark saved       ms   p50 {statistics.median(changed):6.2f}  p95 {pct(changed, 0.95):6.2f}")
    print(f"  poll, a column of 40 marked ms  p50 {statistics.median(column):6.2f}  p95 {pct(column, 0.95):6.2f}")
    print(
        f"  baseline: the grid read again ms p50 {statistics.median(reread):6.2f}  p95 {pct(reread, 0.95):6.2f}"
        f"   ratio p50 {statistics.median(column) / statistics.median(reread):.2f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
