"""Embedding cost: cold load to `ready`, widget inside a cross-site sandboxed iframe vs top-level.

The iframe case is the hard one: third-party storage is blocked there, so PyScript runs on boot.js's
in-memory IndexedDB fallback. Both cases are measured in the same run, alternating, each in a fresh
browser context (empty HTTP cache and storage). Loopback only; every wait bounded.

    .venv/bin/python bench/bench_embed.py   # writes bench/out/embed.json
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import save  # noqa: E402
from playwright.sync_api import Browser, sync_playwright  # noqa: E402

from chatdump.upstream.demo import DEFAULT_SESSION_ID  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, demo_grant  # noqa: E402
from tests.live import free_port, start_server  # noqa: E402

RUNS = 3
TIMEOUT_MS = 120_000
RATIO_TARGET = 1.25
SANDBOX = "allow-scripts allow-same-origin allow-downloads"


def host_server(page: str, port: int) -> ThreadingHTTPServer:
    body = page.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def load_to_ready(browser: Browser, url: str, framed: bool) -> float:
    context = browser.new_context()
    try:
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url)
        frame = page
        if framed:
            element = page.wait_for_selector("iframe", timeout=TIMEOUT_MS)
            frame = element.content_frame()  # type: ignore[assignment]
            assert frame is not None
        frame.wait_for_selector(
            "html[data-chatdump-state=ready]", state="attached", timeout=TIMEOUT_MS
        )
        return time.perf_counter() - started
    finally:
        context.close()


def main() -> None:
    dashboard_port = free_port()
    process, base = start_server(
        {"CHATDUMP_FRAME_ANCESTORS": f"http://dashboard.test:{dashboard_port}"}
    )
    fragment = f"#session={DEFAULT_SESSION_ID}&grant={quote(demo_grant(DEFAULT_SESSION_ID, 3600))}"
    widget = f"http://widget.test:{urlsplit(base).port}/{fragment}"
    page = f'<!doctype html><iframe src="{widget}&layout=embed" sandbox="{SANDBOX}"></iframe>'
    host = host_server(page, dashboard_port)
    framed_times: list[float] = []
    top_times: list[float] = []
    try:
        with sync_playwright() as p:
            args = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP *.test 127.0.0.1"]
            browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
            for _ in range(RUNS):
                top_times.append(load_to_ready(browser, widget, framed=False))
                framed_times.append(
                    load_to_ready(browser, f"http://dashboard.test:{dashboard_port}/", framed=True)
                )
            browser.close()
    finally:
        host.shutdown()
        process.terminate()
        process.wait(timeout=10)
    framed, top = statistics.median(framed_times), statistics.median(top_times)
    ratio = framed / top
    rows = [
        {
            "benchmark": "cold load to ready: cross-site sandboxed iframe vs top-level",
            "chatdump": round(framed, 2),
            "baseline": round(top, 2),
            "unit": "s (median)",
            "ratio": round(ratio, 2),
            "target": f"<= {RATIO_TARGET}",
            "ok": ratio <= RATIO_TARGET,
            "notes": f"{RUNS} alternating cold runs each; third-party storage blocked in the iframe",
        }
    ]
    save("embed", rows)


if __name__ == "__main__":
    main()
