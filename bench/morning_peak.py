"""The morning peak: 40 teachers marking, 300 parents and pupils opening the diary, an export every 30 s.

Drives the production server as `make run` starts it (real argon2id hashing at sign-in) on the
journal benchmark database (bench/journal_data.py), over 127.0.0.1 only, for a bounded time:

- 40 teachers (bench01…bench40), each with the 40 × 70 journal open, mark cells of their own row
  (JournalState.key), now and then send a trivial event (set_kind) and the page's 15 s poll;
  `jitter`: think times drawn uniformly around 4 s; `lockstep`: all 40 send at the same instant
  every 4 s (the bell rang);
- 300 families arrive spread over the first 80 % of the run: fetch the diary page (one in three
  with a cold cache: the page and all its assets, gzip; the others revalidate the page only), sign
  in (parent or pupil), open the diary (DiaryState.load; the "first diary visit" is all of that),
  look at last week, stay connected;
- one export of the journal every 30 s (JournalState.export_xlsx).

Baselines in the same run: a trivial event on a quiet server (one tab, before the peak) and the
same trivial event during the peak; ratios are printed against both. Reported: p50/p95/p99 per
kind and over all events, errors (time-outs, refused connections), the server's CPU (% of one
core), its memory at the middle and at the end (growth in the second half).

    .venv/bin/python bench/morning_peak.py                                   # jitter and lockstep, one worker
    .venv/bin/python bench/morning_peak.py --workers 2 --redis redis://127.0.0.1:6379/3
    .venv/bin/python bench/morning_peak.py --modes jitter --seconds 60 --families 150

The district (issue 16): `--schools N` gives every school the same load (its own big journal, 40
teachers, 300 families, its own export every 30 s) on one installation; `--postgres URL` serves
from that PostgreSQL database (empty, or built by an earlier run with the same N) instead of SQLite:

    createdb -h 127.0.0.1 -U postgres bbbms_bench_district
    .venv/bin/python bench/morning_peak.py --schools 3 --workers 2 --redis redis://127.0.0.1:6379/10 \
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/bbbms_bench_district --modes jitter
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.journal_data import BigJournal, build, build_district
from bench.server_harness import DEFAULT_PORT, MARK, Tab, machine, pct, serving, signed_in_tab, state_names

THINK_S = 4.0
POLL_S = 15.0
EXPORT_EVERY_S = 30.0


class Recorder:
    def __init__(self) -> None:
        self.lat: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.silent = 0  # polls with nothing to send back

    def add(self, kind: str, ms: float) -> None:
        self.lat.setdefault(kind, []).append(ms)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    async def timed(self, kind: str, coro) -> None:
        try:
            self.add(kind, await coro)
        except Exception as exc:  # named by its type: a time-out is not a refused connection
            self.error(f"{kind} ({type(exc).__name__})")


def _line(name: str, values: list[float]) -> str:
    if not values:
        return f"  {name:<28} no answer"
    return (
        f"  {name:<28} n {len(values):5d}  p50 {statistics.median(values):7.1f}  p95 {pct(values, 0.95):7.1f}"
        f"  p99 {pct(values, 0.99):7.1f} ms"
    )


async def teacher(url, names, i: int, big: BigJournal) -> Tab:
    """Teacher i of the big journal's school signs in and opens it (before the bell: not timed)."""
    tab, _ = await signed_in_tab(url, names, f"{big.prefix}bench{i + 1:02d}", "/journal")
    page = names["journal"]
    await tab.call(f"{page}.load", {}, "class_options")
    await tab.call(f"{page}.set_term", {"value": str(big.term_id)}, "term_id")
    await tab.call(f"{page}.set_class", {"value": str(big.class_id)}, "n_rows")
    return tab


async def teacher_loop(tab: Tab, names, i: int, rec: Recorder, end: float, mode: str, tick, rng: random.Random):
    page = names["journal"]
    row, j = i % 40, 0
    next_poll = time.perf_counter() + rng.uniform(0, POLL_S)
    while time.perf_counter() < end:
        if mode == "lockstep":
            async with tick:
                await tick.wait()
        else:
            await asyncio.sleep(rng.uniform(0.25 * THINK_S, 1.75 * THINK_S))
        if time.perf_counter() >= end:
            break
        j += 1
        if j % 10 == 0:
            flip = ("home", "class")[j // 10 % 2]
            await rec.timed("trivial (set_kind)", tab.call(f"{page}.set_kind", {"value": flip}, "kind"))
        else:
            cell = f"{row}:{(j * 7) % 35}"
            mark = str(2 + (i + j) % 4)
            await rec.timed("mark (key)", tab.call(f"{page}.key", {"cell": cell, "key": mark}, f"r{row}"))
        if time.perf_counter() >= next_poll:
            next_poll += POLL_S
            # A poll that finds nothing changed sends nothing back (Reflex emits no empty delta):
            # its silence is counted apart, not as an error; a poll that answers is timed.
            try:
                rec.add("journal poll", await tab.call(f"{page}.poll", {}, None, timeout=30))
            except TimeoutError:
                rec.silent += 1
            except Exception as exc:
                rec.error(f"journal poll ({type(exc).__name__})")


ASSET = re.compile(r'"(/assets/[^"]+)"')


async def page_files(url: str, cold: bool) -> None:
    """What a browser fetches before the socket: the diary's page and, with a cold cache, its assets.

    A warm cache (a visit on an earlier day) only revalidates the page (Cache-Control: no-cache →
    304); the hashed assets are immutable and not asked for again.
    """
    import aiohttp

    # The bytes are read as sent (gzip), not inflated: the client shares the server's two cores.
    async with aiohttp.ClientSession(headers={"Accept-Encoding": "gzip"}, auto_decompress=False) as http:
        async with http.get(f"{url}/diary/") as r:
            body = await r.read()
            # Sent gzip (serving.py's precompressed pages): inflate the page itself to find its assets.
            if r.headers.get("Content-Encoding", "") == "gzip":
                body = gzip.decompress(body)
            html = body.decode()
            etag = r.headers.get("etag", "")
        if not cold:
            async with http.get(f"{url}/diary/", headers={"If-None-Match": etag}) as r:
                await r.read()
            return
        for path in dict.fromkeys(ASSET.findall(html)):
            async with http.get(url + path) as r:
                await r.read()


async def family(url, names, k: int, rec: Recorder, start_at: float, end: float, prefix: str = ""):
    await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
    if time.perf_counter() >= end:
        return None
    who = prefix + ("parent" if k % 2 == 0 else "pupil")
    try:
        t0 = time.perf_counter()
        # One family in three comes with a cold browser cache.
        await page_files(url, cold=k % 3 == 0)
        rec.add("page files (HTTP)", (time.perf_counter() - t0) * 1000)
        tab, login_ms = await signed_in_tab(url, names, who, "/diary")
        rec.add("sign-in", login_ms)
        load_ms = await tab.call(f"{names['diary']}.load", {}, "children")
        if not _children(tab.last):
            # A refused load answers too (the guard puts the vars back: children stays empty).
            raise PermissionError("the diary answered with no child: refused")
        rec.add("diary load", load_ms)
        rec.add("first diary visit", (time.perf_counter() - t0) * 1000)
    except Exception as exc:
        rec.error(f"first diary visit ({type(exc).__name__})")
        return None
    await asyncio.sleep(random.uniform(5, 20))
    if time.perf_counter() < end:
        await rec.timed("diary previous week", tab.call(f"{names['diary']}.prev_week", {}, "monday"))
    return tab


def _children(answer: dict) -> list:
    """The diary's children in an answer's delta (empty when the load was refused)."""
    for sub in answer.get("delta", {}).values():
        if "children" + MARK in sub:
            return sub["children" + MARK] or []
    return []


async def exporter(tab: Tab, names, rec: Recorder, end: float):
    while time.perf_counter() + EXPORT_EVERY_S < end:
        await asyncio.sleep(EXPORT_EVERY_S)
        await rec.timed("export (xlsx)", tab.call(f"{names['journal']}.export_xlsx", {}, None, timeout=60))


async def peak(
    server, journals: list[BigJournal], mode: str, seconds: float, teachers: int, families: int, seed: int
) -> dict:
    """The peak on every school of `journals` at once: per school `teachers` teachers, `families`
    families and an export every 30 s."""
    names = state_names()
    url = server.url
    rng = random.Random(seed)
    rec = Recorder()
    # Quiet baseline: one tab, the trivial event, nothing else running.
    quiet, _ = await signed_in_tab(url, names, "bench50", "/journal")
    await quiet.call(f"{names['journal']}.load", {}, "class_options")
    quiet_lat = []
    for j in range(40):
        quiet_lat.append(await quiet.call(f"{names['journal']}.set_kind", {"value": ("home", "class")[j % 2]}, "kind"))
    # Each further school's exporter: its own quiet tab (the first school's is the baseline's).
    exporters = [quiet]
    for big in journals[1:]:
        tab, _ = await signed_in_tab(url, names, f"{big.prefix}bench50", "/journal")
        await tab.call(f"{names['journal']}.load", {}, "class_options")
        exporters.append(tab)
    # The teachers open their journals before the clock starts (as before the bell).
    tabs = []
    for big in journals:
        for i in range(teachers):
            tabs.append(await teacher(url, names, i, big))
    tick = asyncio.Condition()
    rss_start, cpu0 = server.rss(), server.cpu()
    t0 = time.perf_counter()
    end = t0 + seconds
    mid_rss = {}

    async def ticker():
        while time.perf_counter() < end:
            await asyncio.sleep(THINK_S)
            async with tick:
                tick.notify_all()

    async def sample_mid():
        await asyncio.sleep(seconds / 2)
        mid_rss["rss"] = server.rss()

    arrivals = [(t0 + rng.uniform(0, 0.8 * seconds), big.prefix) for big in journals for _ in range(families)]
    jobs = [
        asyncio.create_task(teacher_loop(tab, names, i % teachers, rec, end, mode, tick, random.Random(seed + i)))
        for i, tab in enumerate(tabs)
    ]
    fam = [asyncio.create_task(family(url, names, k, rec, at, end, prefix)) for k, (at, prefix) in enumerate(arrivals)]
    extra = [*(asyncio.create_task(exporter(tab, names, rec, end)) for tab in exporters)]
    extra.append(asyncio.create_task(sample_mid()))
    if mode == "lockstep":
        extra.append(asyncio.create_task(ticker()))
    await asyncio.gather(*jobs)
    async with tick:
        tick.notify_all()
    opened = [t for t in await asyncio.gather(*fam) if t is not None]
    await asyncio.gather(*extra)
    wall = time.perf_counter() - t0
    cpu = (server.cpu() - cpu0) / wall * 100
    rss_end = server.rss()
    for tab in [*tabs, *opened, *exporters]:
        with contextlib.suppress(Exception):  # closing after the measurement
            await tab.close()
    return {
        "rec": rec,
        "quiet": quiet_lat,
        "cpu": cpu,
        "wall": wall,
        "rss_start": rss_start,
        "rss_mid": mid_rss.get("rss", rss_end),
        "rss_end": rss_end,
        "families": len(opened),
    }


def report(mode: str, workers: int, r: dict, teachers: int, families: int, where: str = "") -> None:
    rec: Recorder = r["rec"]
    # Over the websocket events only: the HTTP page fetch and the visit's sum are reported apart.
    separate = ("first diary visit", "page files (HTTP)")
    everything = [ms for kind, values in rec.lat.items() if kind not in separate for ms in values]
    print(
        f"Morning peak, {mode}: {teachers} teachers marking, {families} families arriving, an export every 30 s"
        f"{where}; {workers} worker(s); {r['wall']:.0f} s; {machine()}"
    )
    for kind in sorted(rec.lat):
        print(_line(kind, rec.lat[kind]))
    print(_line("ALL websocket events", everything))
    print(_line("quiet trivial (baseline)", r["quiet"]))
    errors = sum(rec.errors.values())
    print(f"  errors: {errors} {dict(rec.errors) if errors else ''}; families who opened the diary: {r['families']}")
    print(f"  polls with nothing changed (no answer within 30 s, not errors): {rec.silent}")
    trivial = rec.lat.get("trivial (set_kind)", [])
    marks = rec.lat.get("mark (key)", [])
    if trivial and marks:
        print(
            f"  ratios: all-events p95 / quiet trivial p95 {pct(everything, 0.95) / pct(r['quiet'], 0.95):.1f};"
            f" mark p95 / trivial-under-load p95 {pct(marks, 0.95) / pct(trivial, 0.95):.2f}"
        )
    growth = (r["rss_end"] - r["rss_mid"]) / r["rss_mid"] * 100
    print(
        f"  server CPU {r['cpu']:.0f} % of one core; RSS {r['rss_start'] / 2**20:.0f} → {r['rss_mid'] / 2**20:.0f}"
        f" (middle) → {r['rss_end'] / 2**20:.0f} MiB (end): growth in the second half {growth:.1f} %"
    )
    print("  targets: all events p95 ≤ 300 ms, 0 errors, memory growth < 5 % in the second half")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", default="/tmp/bbbms-bench/journal.db")
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument("--modes", default="jitter,lockstep")
    p.add_argument("--seconds", type=float, default=120)
    p.add_argument("--teachers", type=int, default=40)
    p.add_argument("--families", type=int, default=300)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--redis", default="", help="Redis URL for several workers (use your own database index)")
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--schools", type=int, default=1, help="schools on the installation, each with the same load")
    p.add_argument("--postgres", default="", help="serve from this PostgreSQL database (empty or built before)")
    p.add_argument("--no-oplock", action="store_true", help="with Redis: leave REFLEX_OPLOCK_ENABLED unset")
    args = p.parse_args()
    if args.workers > 1 and not args.redis:
        p.error("several workers share the tabs' state through Redis: give --redis")
    if not 1 <= args.schools <= 20:
        p.error("--schools: 1 to 20")
    db_path = Path(args.db)
    url = args.postgres.replace("postgresql://", "postgresql+psycopg://", 1)
    if url or args.schools > 1:
        if not url:  # a district on SQLite: its own file next to the one-school database
            db_path = db_path.with_name(f"district{args.schools}.db")
            url = f"sqlite:///{db_path}"
        journals = build_district(url, args.schools)
    else:
        journals = [build(db_path)]
    teachers, families = args.teachers * len(journals), args.families * len(journals)
    engine = "PostgreSQL" if args.postgres else "SQLite"
    where = f" over {len(journals)} schools ({engine})" if len(journals) > 1 else ""
    for mode in args.modes.split(","):
        with serving(
            db_path,
            port=args.port,
            workers=args.workers,
            redis=args.redis,
            database_url=args.postgres and url,
            oplock=not args.no_oplock,
        ) as server:
            r = asyncio.run(peak(server, journals, mode, args.seconds, args.teachers, args.families, args.seed))
        report(mode, args.workers, r, teachers, families, where)
    return 0


if __name__ == "__main__":
    sys.exit(main())
