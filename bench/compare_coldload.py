"""Cold loads of two checkouts of the widget, interleaved: what a change to the start-up gains.

Each checkout is served by its own `chatdump serve --demo` process (its own page, modules and
vendor/ from `make setup`). Reported per checkout, medians of BENCH_ROUNDS new browser contexts:
time to ``ready`` on the page's clock, the part of it from main.py's first line to ``ready`` (a
timing line is put before main.py as it is served), and the first contentful paint.
Not run by `make bench` (its name is not bench_*). BEFORE is another checkout whose vendor/ is
built (`make setup` there, or this vendor/ copied in while it still held that checkout's build).
Run: BEFORE=/tmp/before BENCH_ROUNDS=9 .venv/bin/python bench/compare_coldload.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from bench_widget import (
    ARGS,
    CHROMIUM,
    FIRST_PAINT,
    ROOT,
    ROUNDS,
    TIMEOUT_MS,
    wait_state,
    widget_url,
)
from playwright.sync_api import Browser, sync_playwright

from tests.live import free_port, wait_until_up

# The page's clock at PyScript's py:ready, at main.py's first line and at the widget's "ready".
CLOCK = """
new MutationObserver(() => {
  const root = document.documentElement;
  if (root && root.dataset.chatdumpState === "ready" && window.__readyAt === undefined) {
    window.__readyAt = performance.now();
  }
}).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-chatdump-state"] });
"""
MAIN_CLOCK = "import js as _js\n_js.window.__mainAt = _js.performance.now()\n"


@contextmanager
def serve(checkout: Path) -> Iterator[str]:
    """`chatdump serve --demo` running that checkout's code and files, on a loopback port."""
    port = free_port()
    env = {**os.environ, "CHATDUMP_GRANT_SECRET": "", "PYTHONPATH": str(checkout)}
    command = [sys.executable, "-m", "chatdump", "serve", "--demo", "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=checkout, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, base)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def cold_load(browser: Browser, base: str, main: str) -> tuple[float, float, float]:
    """Page-clock ms to ready, main.py's first line to ready, and the first paint."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script(CLOCK)
        page.route(
            "**/main.py", lambda route: route.fulfill(body=main, content_type="text/x-python")
        )
        page.goto(widget_url(base), wait_until="commit", timeout=TIMEOUT_MS)
        wait_state(page, "ready")
        ready, main_at = page.evaluate("[window.__readyAt, window.__mainAt]")
        return float(ready), float(ready - main_at), float(page.evaluate(FIRST_PAINT))
    finally:
        context.close()


def main() -> None:
    checkouts = {"before": Path(os.environ["BEFORE"]).resolve(), "after": ROOT}
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in checkouts}
    with ExitStack() as stack, sync_playwright() as p:
        bases = {name: stack.enter_context(serve(path)) for name, path in checkouts.items()}
        mains = {
            name: MAIN_CLOCK + httpx.get(f"{base}/main.py").text for name, base in bases.items()
        }
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for name in checkouts:  # warm the servers and the disk cache
                cold_load(browser, bases[name], mains[name])
            for n in range(ROUNDS):
                order = list(checkouts) if n % 2 == 0 else list(checkouts)[::-1]
                for name in order:
                    results[name].append(cold_load(browser, bases[name], mains[name]))
                print(f"round {n}:", {k: [round(x) for x in v[-1]] for k, v in results.items()},
                      flush=True)  # fmt: skip
        finally:
            browser.close()
    for name, rows in results.items():
        ready, python, paint = (statistics.median(column) for column in zip(*rows, strict=True))
        print(f"{name}: ready {ready:.0f} ms, main.py -> ready {python:.0f} ms, "
              f"first paint {paint:.0f} ms (medians of {ROUNDS})")  # fmt: skip


if __name__ == "__main__":
    main()
