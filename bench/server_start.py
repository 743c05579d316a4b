"""A second `make run` with nothing changed: seconds from the command to a served sign-in page.

Runs the real `make run PORT=…` in this repository (its data/ database and .web build), stopping
the server each time once GET /login/ answers. The first run may migrate, load the demo and build;
the next `--runs` are the measured "second" starts. Baseline in the same run, interleaved: the same
make steps (migrate, demo --if-empty, build check) followed by the server started as before this
change, which compiled every page at each start (Reflex 0.10.1 ignored the REFLEX_SKIP_COMPILE the
toolchain set; it reads __REFLEX_SKIP_COMPILE). Target: ≤ 10 s.

    .venv/bin/python bench/server_start.py --port 3300 --runs 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.server_harness import ROOT, machine, stop, wait_served

COMPILING_SERVE = (
    "import sys; from bbbms_app import toolchain; "
    "toolchain.build_is_current = lambda port=None: False; "  # the start as it was: compile every page
    "sys.exit(toolchain.main(['serve', '--port', sys.argv[1]]))"
)


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("BBBMS_", "REFLEX_", "GRANIAN", "DATABASE_URL"))}


def _timed(cmd: list[str], port: int, before: list[str] | None = None) -> float:
    started = time.perf_counter()
    if before:
        subprocess.run(before, cwd=ROOT, env=_env(), check=True, stdout=subprocess.DEVNULL)
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        wait_served(f"http://127.0.0.1:{port}", proc, timeout=300)
        return time.perf_counter() - started
    finally:
        stop(proc)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    make_run = ["make", "-s", "run", f"PORT={args.port}"]
    make_steps = ["make", "-s", "demo", "build", f"PORT={args.port}"]
    first = _timed(make_run, args.port)
    print(f"Server start with nothing changed; {machine()}")
    print(f"  first `make run` (may migrate, load the demo, build): {first:.1f} s")
    new, old = [], []
    for _ in range(args.runs):
        new.append(_timed(make_run, args.port))
        old.append(_timed([sys.executable, "-c", COMPILING_SERVE, str(args.port)], args.port, before=make_steps))
    print(f"  second `make run`, compile skipped: {', '.join(f'{x:.1f}' for x in new)} s")
    print(f"  same make steps, pages compiled at start (before): {', '.join(f'{x:.1f}' for x in old)} s")
    ratio = statistics.median(new) / statistics.median(old)
    print(f"  median {statistics.median(new):.1f} s against {statistics.median(old):.1f} s: ratio {ratio:.2f}")
    print(f"  target ≤ 10 s; load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
