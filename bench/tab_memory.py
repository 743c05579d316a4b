"""Server memory per idle tab (signed in, diary, journal) and the CPU that 1,000 idle tabs cost.

One production worker (memory state manager) on the journal benchmark database (bench/journal_data.py:
the demo school plus a 40 × 70 journal). Tabs are opened over the websocket as a browser does, then
left idle; the worker's RSS is read from /proc after each group. Each kind opens two groups: the
first also fills what the worker keeps whatever the number of tabs (the pooled database connections'
page caches fill as journals are read: ~9 MiB, ~90 KiB a tab over the first 100 journal tabs), so
a tab's cost is the second group's growth per tab. Baseline in the same run: the same
number of tabs that only connected and hydrated the sign-in page: ratio = a kind's KiB per tab / the baseline's.
Then N signed-in diary tabs stay idle for a while and the worker's CPU over that time is compared
with the same worker's CPU over as long with no tab (the idle server, measured first).

The server runs with the tests' cheap argon2 parameters (BBBMS_ENV=test) so that signing in a
thousand tabs measures the tabs, not password hashing (bench/morning_peak.py keeps real hashing).

    .venv/bin/python bench/tab_memory.py                   # 100 tabs per kind, 1,000 idle tabs for 60 s
    .venv/bin/python bench/tab_memory.py --tabs 50 --idle-tabs 300 --idle-seconds 30
    .venv/bin/python bench/tab_memory.py --tabs 0 --idle-tabs 1000 --ping-baseline   # 25 s ping, then ours
    .venv/bin/python bench/tab_memory.py --idle-tabs 0 --tree-baseline   # Reflex's whole tree per tab, then ours

`--tree-baseline` first serves with BBBMS_LAZY_TAB_STATES=0 (Reflex 0.10.1's memory manager: every
State class made for every tab), then with the tab's substates made at their first use
(bbbms_app/tab_states.py): the same tabs, the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.journal_data import BENCH_USERS, build
from bench.server_harness import DEFAULT_PORT, Tab, machine, serving, signed_in_tab, state_names


async def _open_many(n: int, opener, concurrency: int = 10, failures: list[str] | None = None) -> list[Tab]:
    """Open n tabs, `concurrency` at a time. With `failures` given, a tab that cannot connect or sign
    in within its time-out (a loaded machine) is retried twice and then counted there, not fatal."""
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> Tab | None:
        async with gate:
            for attempt in range(3):
                try:
                    return await opener(i)
                except Exception as exc:
                    if failures is None or attempt == 2:
                        if failures is None:
                            raise
                        failures.append(type(exc).__name__)
        return None

    return [t for t in await asyncio.gather(*(one(i) for i in range(n))) if t is not None]


async def run(url: str, server, db_path: Path, tabs: int, idle_tabs: int, idle_seconds: float) -> None:
    names = state_names()
    big = build(db_path)

    # Every tab hydrates as a browser does on its first connect (it sends the hashes of the compiled
    # defaults it holds; Reflex reads every field of every state and answers with what differs),
    # then signs in and opens its page.
    async def connected(_i: int) -> Tab:
        tab = Tab(url, pathname="/login")
        await tab.connect()
        await tab.hydrate()
        return tab

    async def signed_in(_i: int) -> Tab:
        tab, _ = await signed_in_tab(url, names, "director", "/", hydrate=True)
        await tab.call(f"{names['home']}.load", {}, None)
        return tab

    async def diary(_i: int) -> Tab:
        tab, _ = await signed_in_tab(url, names, "parent", "/diary", hydrate=True)
        await tab.call(f"{names['diary']}.load", {}, "children")
        return tab

    async def journal(i: int) -> Tab:
        tab, _ = await signed_in_tab(url, names, f"bench{i % BENCH_USERS + 1:02d}", "/journal", hydrate=True)
        page = names["journal"]
        await tab.call(f"{page}.load", {}, "class_options")
        await tab.call(f"{page}.set_term", {"value": str(big.term_id)}, "term_id")
        await tab.call(f"{page}.set_class", {"value": str(big.class_id)}, "n_rows")
        return tab

    print(f"Memory per idle tab, one worker, memory state manager; {machine()}")
    # Warm-up: the first tab of each kind pays for caches and first imports, not per tab.
    kept: list[Tab] = []
    for opener in (connected, signed_in, diary, journal):
        kept += await _open_many(3, opener)
    await asyncio.sleep(3)
    results = {}
    for kind, opener in (
        ()
        if not tabs
        else (
            ("connected, sign-in page (baseline)", connected),
            ("signed in, home page", signed_in),
            ("parent, diary open", diary),
            ("teacher, 40 × 70 journal open", journal),
        )
    ):
        # Two groups of each kind: the first also fills what the worker keeps whatever the number of
        # tabs (each pooled database connection's page cache, statement caches), so a tab's own cost
        # is the second group's growth — the figure judged against the target; both are printed.
        grew = []
        for _ in range(2):
            before = server.rss()
            t0 = time.perf_counter()
            group = await _open_many(tabs, opener)
            opened = time.perf_counter() - t0
            await asyncio.sleep(3)
            grew.append((server.rss() - before) / tabs / 1024)
            kept += group
        first, per_tab = grew
        results[kind] = per_tab
        print(
            f"  {kind:<34} {per_tab:8.0f} KiB per tab   (the first {tabs} tabs: {first:.0f} KiB each;"
            f" {tabs} tabs opened in {opened:.1f} s)"
        )
    if results:
        base = results["connected, sign-in page (baseline)"]
        for kind, per_tab in list(results.items())[1:]:
            print(f"  ratio {kind:<28} / baseline: {per_tab / base:5.1f}   (target ≤ 300 KiB per tab)")
        print(f"  worker RSS with {len(kept)} tabs open: {server.rss() / 1024 / 1024:.0f} MiB")
    for tab in kept:
        await tab.close()
    await asyncio.sleep(2)

    if idle_tabs:
        # The idle server first: the baseline of the CPU figure, over as long a time.
        cpu0, w0 = server.cpu(), time.perf_counter()
        await asyncio.sleep(idle_seconds)
        idle_server = (server.cpu() - cpu0) / (time.perf_counter() - w0) * 100
        t0 = time.perf_counter()
        failed: list[str] = []
        group = await _open_many(idle_tabs, diary, concurrency=10, failures=failed)
        opened = time.perf_counter() - t0
        await asyncio.sleep(5)
        cpu0, w0 = server.cpu(), time.perf_counter()
        await asyncio.sleep(idle_seconds)
        with_tabs = (server.cpu() - cpu0) / (time.perf_counter() - w0) * 100
        print(
            f"{len(group)} idle diary tabs (signed in, opened in {opened:.0f} s; {len(failed)} of {idle_tabs} could"
            f" not open: {sorted(set(failed))}), {idle_seconds:.0f} s each way; {machine()}"
        )
        print(f"  server CPU with no tab (baseline): {idle_server:5.2f} % of one core")
        print(f"  server CPU with {len(group)} idle tabs:   {with_tabs:5.2f} % of one core  (target < 2 %)")
        print(f"  difference: {with_tabs - idle_server:5.2f} points; worker RSS {server.rss() / 1024 / 1024:.0f} MiB")
        if group:  # what the server told the tabs in the Engine.IO handshake
            eio = group[0].sio.eio
            print(f"  Socket.IO keep-alive: a ping every {eio.ping_interval:g} s, {eio.ping_timeout:g} s to answer")
        for tab in group:
            await tab.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", default="/tmp/bbbms-bench/journal.db")
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument("--tabs", type=int, default=100, help="tabs per kind for the memory figures (0: skip them)")
    p.add_argument("--idle-tabs", type=int, default=1000)
    p.add_argument("--idle-seconds", type=float, default=60)
    p.add_argument(
        "--ping-baseline",
        action="store_true",
        help="first the idle tabs on a server with Reflex's own keep-alive (25 s / 120 s), then rxconfig's",
    )
    p.add_argument(
        "--tree-baseline",
        action="store_true",
        help="first a server that makes every state of every tab (BBBMS_LAZY_TAB_STATES=0), then ours",
    )
    args = p.parse_args()
    db_path = Path(args.db)
    build(db_path)
    runs = [("", {})]
    if args.tree_baseline:
        runs = [
            ("Baseline: Reflex 0.10.1's whole state tree per tab. ", {"BBBMS_LAZY_TAB_STATES": "0"}),
            ("A tab's substates made at their first use (the default). ", {}),
        ]
    elif args.ping_baseline:
        reflex_default = {"REFLEX_SOCKET_INTERVAL": "25s", "REFLEX_SOCKET_TIMEOUT": "120s"}
        runs = [("Baseline: Reflex 0.10.1's keep-alive. ", reflex_default), ("rxconfig's keep-alive. ", {})]
    for label, extra in runs:
        if label:
            print(label, flush=True)
        with serving(db_path, port=args.port, cheap_hashes=True, extra=extra) as server:
            asyncio.run(run(server.url, server, db_path, args.tabs, args.idle_tabs, args.idle_seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
