"""The 40 × 70 journal in Chromium: time from choosing it to a rendered, usable grid, and one keyed mark.

Against a running server on the benchmark database (see journal_ws.py for how to start one):
sign in as bench01, open /journal, choose the class; the clock stops when all 40 × 70 cells are in
the page and a focused cell takes a mark that comes back saved. Baseline in the same run: the same
steps for the teacher's smallest demo journal. Five rounds each; the median is reported.

    .venv/bin/python bench/journal_render.py --url http://localhost:3817
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import expect, sync_playwright

ROUNDS = 5


def open_and_mark(page, class_name: str) -> tuple[float, float, int, int]:
    """(ms to the grid rendered, ms for one keyed mark to come back saved, rows, columns)."""
    page.get_by_test_id("pick-class").click()
    t0 = time.perf_counter()
    page.get_by_role("option", name=class_name, exact=True).click()
    grid = page.get_by_test_id("grade-grid")
    expect(page.get_by_test_id("journal-heading")).to_contain_text(class_name)
    rows = int(grid.get_attribute("data-rows") or 0)
    cols = int(grid.get_attribute("data-cols") or 0)
    expect(grid.locator(f'td[data-r="{rows - 1}"][data-c="{cols - 1}"]')).to_be_attached()
    rendered = (time.perf_counter() - t0) * 1000
    cell = grid.locator(f'td[data-r="{rows - 1}"][data-c="{cols - 1}"]')
    value = "4" if cell.inner_text().strip() == "5" else "5"
    cell.focus()
    t1 = time.perf_counter()
    page.keyboard.press("Backspace" if cell.inner_text().strip() in ("н", "б", "у", "п") else value)
    expect(cell).to_have_class(re.compile(r"\b(ok|err)\b"))
    return rendered, (time.perf_counter() - t1) * 1000, rows, cols


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--big", default="11-Я")
    args = p.parse_args()
    expect.set_options(timeout=20_000)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=args.url).new_page()
        page.goto("/login")
        page.locator("#username").fill("bench01")
        page.locator("#password").fill("bbbms-demo")
        page.get_by_test_id("login-submit").click()
        expect(page.get_by_test_id("page-title")).to_be_visible()
        page.goto("/journal")
        expect(page.get_by_test_id("grade-grid")).to_be_visible()
        page.get_by_test_id("pick-class").click()
        names = [o.inner_text().strip() for o in page.get_by_role("option").all()]
        page.keyboard.press("Escape")
        small_name = next(n for n in names if n != args.big)
        results: dict[str, list[tuple[float, float, int, int]]] = {args.big: [], small_name: []}
        for _ in range(ROUNDS):
            for name in (small_name, args.big):
                results[name].append(open_and_mark(page, name))
        browser.close()
    print("Chromium (Debian's, headless, 1280 × 800): choose a journal → grid rendered; then one keyed mark saved")
    for name, runs in results.items():
        rows, cols = runs[0][2], runs[0][3]
        rendered = statistics.median(r[0] for r in runs)
        saved = statistics.median(r[1] for r in runs)
        print(
            f"  {name:>5} ({rows} × {cols}): rendered median {rendered:6.0f} ms, max {max(r[0] for r in runs):6.0f} ms;"
            f" one mark saved median {saved:5.0f} ms"
        )
    big = statistics.median(r[0] for r in results[args.big])
    small = statistics.median(r[0] for r in results[small_name])
    print(f"  ratio big / small journal: {big / small:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
