"""Widget benchmarks, each against a baseline measured in the same run, in headless Chromium.

- cold load to ``ready``: the widget vs a bare PyScript + Pyodide hello page of the same versions
  on the stock runtime (a new browser context each time, so the HTTP cache is empty); target
  <= 0.85x. In the same rounds: the widget's first contentful paint (its button; target <= 300 ms),
  a warm (cached) load, the widget without index.html's runtime preloads, and how long importing
  ``urllib.request`` (the token request's stack) takes on the stock and the precompiled runtime.
- a click made while Python is still starting (as soon as the button is painted), to the saved
  file: the widget vs the bare page's cold load to ready plus the plain-JS page's download of the
  same 10 MB CSV (each measured in the same rounds); target <= 1.0x.
- 100 MB CSV, click to saved: the widget vs a plain-JS page doing fetch -> blob -> <a download> on
  the same kind of signed URL; target <= 1.3x. Plus the longest main-thread task during the widget's
  download (PerformanceObserver "longtask"); target <= 200 ms.
- a 100k-message dump converted in the browser (Excel CSV, JSON Lines, transcript): click to saved,
  reported against the same conversion in CPython.
- the page's memory (renderer RSS) before and after the 100 MB download: Python must not hold it.

Run: .venv/bin/python bench/bench_widget.py   (loopback only; writes bench/out/widget.json)
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import Result, save  # noqa: E402

from chatdump.core.dump import chunks_of  # noqa: E402
from chatdump.core.formats import convert  # noqa: E402
from chatdump.secret import Secret  # noqa: E402
from chatdump.server.app import create_app  # noqa: E402
from chatdump.server.grants import mint_grant  # noqa: E402
from chatdump.server.settings import DEMO_GRANT_SECRET, Settings  # noqa: E402
from chatdump.upstream.demo import DEFAULT_SESSION_ID, DEMO_SESSIONS, STORAGE_PATH, DemoUpstream  # noqa: E402
from chatdump.upstream.demo.dumps import DemoSession, render_dump  # noqa: E402
from tests.live import free_port  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
# BENCH_ONLY=load,download,convert runs a subset (each is a few minutes on a busy 2-core machine).
ONLY = set(os.environ.get("BENCH_ONLY", "load,early,download,convert").split(","))
BIG_BYTES = 100 * 1000 * 1000
EARLY_BYTES = 10 * 1000 * 1000
CONVERT_MESSAGES = 100_000
TIMEOUT_MS = 180_000
ROOT_PAGES = "/bench-"  # bench pages that stand in for the widget's own (see at_root)

HELLO_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script type="module" src="/vendor/pyscript-0.7.31/core.js"></script></head><body>
<script type="py" config='{"interpreter": "/vendor/pyodide-314.0.2/pyodide.mjs"}'>
from pyscript import document
document.documentElement.dataset.chatdumpState = "ready"
</script></body></html>"""
# The hello page, timing the import the widget's token request needs (urllib.request and what it
# imports), in milliseconds, before it says ready.
URLLIB_PAGE = HELLO_PAGE.replace(
    "from pyscript import document\n",
    "from pyscript import document\nimport js\nstarted = js.performance.now()\n"
    "import urllib.request\n"
    "document.documentElement.dataset.importMs = str(js.performance.now() - started)\n",
)
# The same, on the runtime `make setup` precompiles (tools/precompile.mjs): bytecode in the stdlib.
URLLIB_PYC_PAGE = URLLIB_PAGE.replace("/vendor/pyodide-314.0.2/", "/vendor/pyodide-314.0.2-pyc/")
FIRST_PAINT = """(() => {
  const e = performance.getEntriesByName("first-contentful-paint")[0];
  return e ? e.startTime : -1;
})()"""
PLAIN_PAGE = """<!doctype html><html data-chatdump-state="ready"><head><meta charset="utf-8">
</head><body><button id="go">Download chat</button><script>
document.getElementById("go").addEventListener("click", async () => {
  const url = location.hash.slice(1);
  const response = await fetch(url, {credentials: "omit", cache: "no-store"});
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob); link.download = "chat.csv";
  document.body.appendChild(link); link.click(); link.remove();
  document.documentElement.dataset.chatdumpState = "done";
});
</script></body></html>"""
LONGTASKS = """
window.__longtasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]);
}).observe({type: "longtask", buffered: true});
document.addEventListener("click", () => { window.__clickedAt = performance.now(); }, true);
"""
# The widget asks for its signed URL once ready, while the page is idle; the plain-JS page has its
# URL in its link. The download benchmarks click once both hold theirs (start-up has its own rows).
HOLDS_URL = """() => !document.getElementById("chatdump-download") ||
  performance.getEntriesByType("resource").some((entry) => entry.name.includes("/chat-url"))"""
# The widget's state when the button was clicked: "loading" means Python was not up yet.
STATE_AT_CLICK = """
document.addEventListener("click", () => {
  window.__stateAtClick ??= document.documentElement.dataset.chatdumpState;
}, true);
"""


def big_dump(size: int) -> bytes:
    """A realistic CSV of about ``size`` bytes: the demo generator's rows, repeated."""
    session = DemoSession(
        DEMO_SESSIONS[0].session_id, DEMO_SESSIONS[0].meeting_id, "Big", DEMO_SESSIONS[0].started_at,
        20_000,
    )  # fmt: skip
    header, _, rows = render_dump(session).partition(b"\r\n")
    parts, total = [header + b"\r\n"], len(header) + 2
    while total < size:
        parts.append(rows)
        total += len(rows)
    return b"".join(parts)


@contextmanager
def bench_server(objects: dict[str, bytes]) -> Iterator[str]:
    """chatdump's app on loopback (demo upstream, storage objects replaced), plus /bench pages."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    demo = DemoUpstream(base)
    demo.storage.objects.update(objects)
    pages = Path(tempfile.mkdtemp(prefix="chatdump-bench-"))
    (pages / "hello.html").write_text(HELLO_PAGE)
    (pages / "plain.html").write_text(PLAIN_PAGE)
    (pages / "urllib.html").write_text(URLLIB_PAGE)
    (pages / "urllib-pyc.html").write_text(URLLIB_PYC_PAGE)
    write_page_without_preloads(pages)
    app = create_app(
        Settings.from_env({}, demo=True),
        demo.provider(),
        mounts={STORAGE_PATH: demo.storage.app, "/bench": StaticFiles(directory=pages)},
    )
    config = uvicorn.Config(at_root(app), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("bench server did not start")
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def at_root(app: ASGIApp) -> ASGIApp:
    """``/bench-NAME`` answers as ``/bench/NAME``: a copy of the widget's page must sit at the root,
    where its ``./`` (the API, embed.json) is the app's, not under /bench/."""

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith(ROOT_PAGES):
            scope = {**scope, "path": "/bench/" + path.removeprefix(ROOT_PAGES), "raw_path": None}
        await app(scope, receive, send)

    return serve


def write_page_without_preloads(pages: Path) -> None:
    """index.html minus its preload links, served as /bench-nopreload.html (with absolute paths,
    and a pyscript.toml copy whose sources are absolute, since it is served from /bench/)."""
    page = (ROOT / "index.html").read_text().replace('"./', '"/')
    page = page.replace('config="/pyscript.toml"', 'config="/bench/pyscript.toml"')
    page = re.sub(r'\s*<link rel="(?:module)?preload"[^>]*>', "", page)
    if "preload" in re.sub(r"<!--.*?-->", "", page, flags=re.S):
        raise RuntimeError("index.html preloads in a way this benchmark does not remove")
    config = (ROOT / "pyscript.toml").read_text()
    config = re.sub(r'^"\./', '"/', config, flags=re.M).replace(
        'interpreter = "./', 'interpreter = "/'
    )
    (pages / "nopreload.html").write_text(page)
    (pages / "pyscript.toml").write_text(config)


def grant() -> str:
    return mint_grant(Secret(DEMO_GRANT_SECRET), DEFAULT_SESSION_ID, ttl=3600)


def widget_url(base: str, fmt: str = "csv") -> str:
    return f"{base}/#session={DEFAULT_SESSION_ID}&grant={quote(grant())}&format={fmt}"


def signed_url(base: str) -> str:
    answer = httpx.get(
        f"{base}/api/sessions/{DEFAULT_SESSION_ID}/chat-url",
        headers={"Authorization": f"Bearer {grant()}"},
        timeout=30,
    )
    return str(answer.json()["url"])


def wait_state(page: Page, *states: str) -> None:
    selector = ", ".join(f"html[data-chatdump-state={s}]" for s in states)
    page.wait_for_selector(selector, state="attached", timeout=TIMEOUT_MS)


def cold_load(browser: Browser, url: str, paints: list[float] | None = None) -> float:
    """Seconds to ``ready`` with an empty HTTP cache; appends the first contentful paint (ms)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        wait_state(page, "ready")
        elapsed = time.perf_counter() - start
        if paints is not None:
            paints.append(float(page.evaluate(FIRST_PAINT)))
        return elapsed
    finally:
        context.close()


def warm_load(browser: Browser, url: str) -> float:
    """Seconds to ``ready`` on a second visit: the same context, so the HTTP cache is warm."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        wait_state(page, "ready")
        page.goto("about:blank")
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        wait_state(page, "ready")
        return time.perf_counter() - start
    finally:
        context.close()


def click_to_saved(browser: Browser, url: str, button: str) -> tuple[float, float, int, int]:
    """Seconds from click to the download event; longest task (ms); renderer RSS before/after."""
    context = browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        page.add_init_script(LONGTASKS)
        page.goto(url, timeout=TIMEOUT_MS)
        wait_state(page, "ready")
        page.wait_for_function(HOLDS_URL, timeout=TIMEOUT_MS)
        before = renderer_rss()
        saved_at: list[float] = []
        page.on("download", lambda _download: saved_at.append(time.perf_counter()))
        with page.expect_download(timeout=TIMEOUT_MS) as info:
            start = time.perf_counter()
            page.click(button)
            wait_state(page, "done", "save", "error")
            state = page.evaluate("document.documentElement.dataset.chatdumpState")
            if state == "save":  # the gesture lapsed during a long conversion: one more click
                page.click("#chatdump-save")
            elif state == "error":
                raise RuntimeError(page.inner_text("#chatdump-status"))
        elapsed = saved_at[0] - start
        info.value.path()  # the file is fully written
        after = renderer_rss()
        longest = page.evaluate(
            "Math.max(0, ...window.__longtasks"
            ".filter(([start]) => start >= window.__clickedAt).map(([, d]) => d))"
        )
        return elapsed, float(longest), before, after
    finally:
        context.close()


def renderer_rss() -> int:
    """Resident memory of this process's Chromium renderers, in bytes (Linux /proc)."""
    mine, total = os.getpid(), 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            if b"--type=renderer" not in cmdline or not _descends_from(int(entry.name), mine):
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def _descends_from(pid: int, ancestor: int) -> bool:
    for _ in range(20):  # bounded walk up the process tree
        if pid == ancestor:
            return True
        if pid <= 1:
            return False
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        pid = int(stat.rpartition(")")[2].split()[1])
    return False


def median(run: Callable[[], float], rounds: int = ROUNDS) -> float:
    return statistics.median(run() for _ in range(rounds))


def ratio_result(
    name: str, mine: float, base: float, unit: str, limit: float, notes: str
) -> Result:
    ratio = mine / base if base else float("inf")
    return Result(name, round(mine, 3), round(base, 3), unit, round(ratio, 3), f"<= {limit}x",
                  ratio <= limit, notes)  # fmt: skip


def main() -> None:
    print("generating dumps…", flush=True)  # then a few minutes of browser runs
    big = big_dump(BIG_BYTES)
    hundred_k = render_dump(
        DemoSession(
            DEMO_SESSIONS[1].session_id, DEMO_SESSIONS[1].meeting_id, "Convert",
            DEMO_SESSIONS[1].started_at, CONVERT_MESSAGES,
        )
    )  # fmt: skip
    results: list[Result] = []
    with sync_playwright() as p, bench_server({f"{DEFAULT_SESSION_ID}.csv": big}) as base:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            if "load" in ONLY:
                results += load_benchmarks(browser, base)
            if "download" in ONLY:
                results += download_benchmarks(browser, base, len(big))
        finally:
            browser.close()
    if "early" in ONLY:
        with (
            sync_playwright() as p,
            bench_server({f"{DEFAULT_SESSION_ID}.csv": big_dump(EARLY_BYTES)}) as base,
        ):
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                results += early_click_benchmarks(browser, base, EARLY_BYTES)
            finally:
                browser.close()
    if "convert" in ONLY:
        with (
            sync_playwright() as p,
            bench_server({f"{DEFAULT_SESSION_ID}.csv": hundred_k}) as base,
        ):
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                results += conversion_benchmarks(browser, base, hundred_k)
            finally:
                browser.close()
    save("widget", results)


def load_benchmarks(browser: Browser, base: str) -> list[Result]:
    cold_load(browser, f"{base}/bench/hello.html")  # warm the server and the disk cache
    fragment = widget_url(base).split("#", 1)[1]
    pages = {
        "bare": f"{base}/bench/hello.html",
        "widget": widget_url(base),
        "no preloads": f"{base}{ROOT_PAGES}nopreload.html#{fragment}",
    }
    times: dict[str, list[float]] = {name: [] for name in [*pages, "bare warm", "widget warm"]}
    paints: list[float] = []
    imports: dict[str, list[float]] = {"stock": [], "pyc": []}
    for _ in range(ROUNDS):  # interleaved, so machine load hits all alike
        for name, url in pages.items():
            times[name].append(cold_load(browser, url, paints if name == "widget" else None))
        times["bare warm"].append(warm_load(browser, pages["bare"]))
        times["widget warm"].append(warm_load(browser, pages["widget"]))
        imports["stock"].append(import_ms(browser, f"{base}/bench/urllib.html"))
        imports["pyc"].append(import_ms(browser, f"{base}/bench/urllib-pyc.html"))
        print("round:", {k: round(v[-1], 3) for k, v in {**times, **imports}.items()}, flush=True)
    bare = statistics.median(times["bare"])
    without = statistics.median(times["no preloads"])
    stock, pyc = statistics.median(imports["stock"]), statistics.median(imports["pyc"])
    paint = statistics.median(paints)
    warm, bare_warm = statistics.median(times["widget warm"]), statistics.median(times["bare warm"])
    return [
        ratio_result(
            "cold load to ready", statistics.median(times["widget"]), bare, "s", 0.85,
            f"median of {ROUNDS}, new browser context each (empty HTTP cache); baseline: bare "
            "PyScript 0.7.31 + stock Pyodide 314.0.2 page setting the same attribute",
        ),
        Result(
            "first contentful paint of the button (cold)", round(paint), 300, "ms",
            round(paint / 300, 3), "<= 1.0x", paint <= 300,
            f"median of {ROUNDS}, same cold loads; baseline is the target (300 ms)",
        ),
        Result(
            "warm (cached) load to ready (informative)", round(warm, 3), round(bare_warm, 3), "s",
            round(warm / bare_warm, 3), "-", True,
            f"median of {ROUNDS}; second visit in the same context; baseline: the bare page, warm",
        ),
        Result(
            "cold load to ready without index.html's runtime preloads (informative)",
            round(without, 3), round(bare, 3), "s", round(without / bare, 3), "-", True,
            f"median of {ROUNDS}, same rounds; the same page with the preload links removed",
        ),
        Result(
            "import urllib.request, precompiled runtime (informative)", round(pyc), round(stock),
            "ms", round(pyc / stock, 3) if stock else 0.0, "-", True,
            f"median of {ROUNDS}; the token request's stack (urllib.parse, http.client, "
            "email.parser, ...) from vendor/pyodide-314.0.2-pyc; baseline: the stock runtime, "
            "which compiles it from source on each load",
        ),
    ]  # fmt: skip


def import_ms(browser: Browser, url: str) -> float:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        wait_state(page, "ready")
        return float(page.evaluate("document.documentElement.dataset.importMs"))
    finally:
        context.close()


def early_click_to_saved(browser: Browser, url: str) -> tuple[float, str, bool]:
    """Seconds from navigation to the saved file, the button clicked as soon as it can be; the
    state it was clicked in, and whether the gesture had lapsed (a second click on "Save file")."""
    context = browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        page.add_init_script(STATE_AT_CLICK)
        saved_at: list[float] = []
        page.on("download", lambda _download: saved_at.append(time.perf_counter()))
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        with page.expect_download(timeout=TIMEOUT_MS) as info:
            page.click("#chatdump-download", timeout=TIMEOUT_MS)  # once it is painted
            wait_state(page, "done", "save", "error")
            state = page.evaluate("document.documentElement.dataset.chatdumpState")
            if state == "save":
                page.click("#chatdump-save")
            elif state == "error":
                raise RuntimeError(page.inner_text("#chatdump-status"))
        info.value.path()  # the file is fully written
        return saved_at[0] - start, str(page.evaluate("window.__stateAtClick")), state == "save"
    finally:
        context.close()


def early_click_benchmarks(browser: Browser, base: str, size: int) -> list[Result]:
    cold_load(browser, f"{base}/bench/hello.html")  # warm the server and the disk cache
    early, bare, plain, not_early, lapsed = [], [], [], 0, 0
    for _ in range(ROUNDS):  # interleaved, so machine load hits all alike
        bare.append(cold_load(browser, f"{base}/bench/hello.html"))
        plain.append(
            click_to_saved(browser, f"{base}/bench/plain.html#{signed_url(base)}", "#go")[0]
        )
        seconds, state, gesture_lapsed = early_click_to_saved(browser, widget_url(base))
        early.append(seconds)
        not_early += state != "loading"
        lapsed += gesture_lapsed
        print("round:", {"early click": round(seconds, 3), "bare": round(bare[-1], 3),
                         "plain": round(plain[-1], 3), "state": state}, flush=True)  # fmt: skip
    baseline = statistics.median(bare) + statistics.median(plain)
    mine = statistics.median(early)
    return [
        Result(
            f"click while Python starts, to the saved {size / 1e6:.0f} MB CSV", round(mine, 3),
            round(baseline, 3), "s", round(mine / baseline, 3), "<= 1.0x",
            mine <= baseline and lapsed == 0,
            f"median of {ROUNDS}, cold (new context each), clicked as soon as painted; baseline: "
            "median bare PyScript page cold load to ready + median plain-JS fetch -> blob -> "
            f"<a download> of the same file, same rounds; clicked after Python was up: "
            f"{not_early}; gesture lapsed (took a second click): {lapsed}",
        )
    ]  # fmt: skip


def download_benchmarks(browser: Browser, base: str, size: int) -> list[Result]:
    mine, plain, longest, growth, plain_growth = [], [], [], [], []
    for _ in range(ROUNDS):
        seconds, _, before, after = click_to_saved(
            browser, f"{base}/bench/plain.html#{signed_url(base)}", "#go"
        )
        plain.append(seconds)
        plain_growth.append(after - before)
        seconds, task, before, after = click_to_saved(
            browser, widget_url(base), "#chatdump-download"
        )
        mine.append(seconds)
        longest.append(task)
        growth.append(after - before)
    mb = size / 1e6
    return [
        ratio_result(
            f"{mb:.0f} MB CSV click to saved", statistics.median(mine), statistics.median(plain),
            "s", 1.3, f"median of {ROUNDS}; baseline: plain JS fetch -> blob -> <a download>",
        ),
        Result(
            "longest main-thread task during the download", round(max(longest), 1), 200.0, "ms",
            round(max(longest) / 200.0, 3), "<= 200 ms", max(longest) <= 200.0,
            f"PerformanceObserver longtask after the click, worst of {ROUNDS}; baseline is the target",
        ),
        Result(
            f"page memory growth over a {mb:.0f} MB download", round(max(growth) / 1e6, 1),
            round(max(plain_growth) / 1e6, 1), "MB", round(max(growth) / max(1, max(plain_growth)), 3),
            f"< {mb / 2:.0f} MB (Python holds no CSV)", max(growth) < size / 2,
            "renderer RSS after the save minus before the click, worst of rounds; baseline: the "
            "plain-JS page",
        ),
    ]  # fmt: skip


def conversion_benchmarks(browser: Browser, base: str, dump: bytes) -> list[Result]:
    results = []
    for fmt in ("excel", "jsonl", "txt"):
        start = time.perf_counter()
        for _ in convert(chunks_of(dump, 256 * 1024), fmt):
            pass
        cpython = time.perf_counter() - start
        seconds = median(
            lambda fmt=fmt: click_to_saved(browser, widget_url(base, fmt), "#chatdump-download")[0]
        )
        results.append(
            Result(
                f"{CONVERT_MESSAGES // 1000}k-message dump to {fmt} in the browser, click to saved",
                round(seconds, 3), round(cpython, 3), "s", round(seconds / cpython, 3),
                "reported (no target)", True,
                f"{len(dump) / 1e6:.1f} MB CSV; baseline: the same conversion in CPython here; "
                "browser time includes the download",
            )
        )  # fmt: skip
    return results


if __name__ == "__main__":
    main()
