"""Just the widget's cold load against the bare stock page, interleaved, with the first paint.

The short form of bench_widget.py's load benchmark, for a busy machine: no warm loads, no import
pages, no 100 MB dump to generate first. Not run by `make bench` (its name is not bench_*).
Run: BENCH_ROUNDS=7 .venv/bin/python bench/quick_coldload.py
"""

from __future__ import annotations

import statistics

from bench_widget import ARGS, CHROMIUM, ROUNDS, bench_server, cold_load, widget_url
from playwright.sync_api import sync_playwright


def main() -> None:
    times: dict[str, list[float]] = {"bare": [], "widget": []}
    paints: list[float] = []
    with sync_playwright() as p, bench_server({}) as base:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            cold_load(browser, f"{base}/bench/hello.html")  # warm the server and the disk cache
            for n in range(ROUNDS):
                times["bare"].append(cold_load(browser, f"{base}/bench/hello.html"))
                times["widget"].append(cold_load(browser, widget_url(base), paints))
                print(f"round {n}: bare {times['bare'][-1]:.3f} s, widget "
                      f"{times['widget'][-1]:.3f} s, first paint {paints[-1]:.0f} ms", flush=True)  # fmt: skip
        finally:
            browser.close()
    bare, widget = statistics.median(times["bare"]), statistics.median(times["widget"])
    print(f"median of {ROUNDS}: bare {bare:.3f} s, widget {widget:.3f} s, ratio {widget / bare:.3f} "
          f"(target <= 0.85); first paint {statistics.median(paints):.0f} ms (target <= 300)")  # fmt: skip


if __name__ == "__main__":
    main()
