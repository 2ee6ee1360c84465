"""Where the Blob design stops, per engine, and what the widget does beyond it.

The widget no longer builds a Blob beyond the limit it knows (``chatdump.core.save_plan``), so the
limit itself is measured on a page doing exactly what the widget does below it, without Python:
``xhr`` — one XMLHttpRequest with ``responseType = "blob"`` (the widget's first part, and the
whole body where storage ignores ranges) — and ``parts`` — ``fetch`` byte ranges into Blobs joined
into one (the widget's parts, sized as it sizes them) — then ``<a download>`` of the Blob. For each
size in turn, until the first failure: the page must end ``done`` and the saved file must have
the served sha256; a page error, a wrong file, no file or a hang past the time allowed is a
failure, recorded with what the page said. The dump is generated as it is sent
(``bigstorage.Generated``): no source file on disk.

Then the real widget at the first size that failed (the largest size tried if none did), with
``showSaveFilePicker`` removed — as in Firefox, Safari or a cross-origin frame — so it hands the
download to the browser (a ticket and the server's streaming route); its saved file is checked the
same way. (Headless browsers cannot answer a native save dialog; the streaming writer itself is
tested at 12 MB in tests/browser/test_big_downloads.py.)

Engines: Debian's Chromium through Playwright in an off-the-record context (a private window: Blobs
in memory only) and in a persistent profile (an ordinary window); Firefox ESR headless through
Marionette, its own profile saving to a folder (started as tests/browser/engines/firefox.py does, with its
own temp folder, where it keeps big Blobs as mozilla-temp-* files). A size is skipped unless
the disk keeps ``KEEP_FREE_GB`` free with two copies of it (the Blob's backing and the saved file).

Run: .venv/bin/python bench/blob_limits.py [chromium-private chromium-profile firefox]
(BLOB_LIMIT_GB="1,2,3"; writes bench/out/blob_limits.json; tens of minutes)
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bench_bigdump import sha256_of
from bench_widget import ARGS, CHROMIUM, widget_url
from bigstorage import FileStorage, Generated
from common import Result, save
from playwright.sync_api import Page, sync_playwright
from starlette.staticfiles import StaticFiles

from chatdump.server.app import create_app
from chatdump.server.settings import Settings
from chatdump.upstream.demo import DEFAULT_SESSION_ID
from tests.browser.engines.base import IN_PROGRESS
from tests.browser.engines.firefox import Firefox
from tests.live import serve

SIZES_GB = {
    "chromium-private": "1,2,2.1,2.5,3",
    "chromium-profile": "1,2,2.1,2.5,3,4,6,8",
    "firefox": "1,2,4,8,16",
}
KEEP_FREE_GB = 20
STATE = "document.documentElement.dataset.chatdumpState"
STATUS = "document.getElementById('chatdump-status').textContent"
NO_PICKER = "delete Window.prototype.showSaveFilePicker; delete window.showSaveFilePicker;"
BOOT_SECONDS = 120
# The widget's mechanisms, in plain JS: one XHR into a Blob, or fetch parts joined into one.
BLOB_PAGE = """<!doctype html><html data-chatdump-state="ready"><head><meta charset="utf-8">
</head><body><button id="chatdump-download">Download</button><p id="chatdump-status"></p><script>
const root = document.documentElement, status = document.getElementById("chatdump-status");
const via = new URLSearchParams(location.search).get("via"), url = location.hash.slice(1);
function saved(blob) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob); a.download = "chat.csv";
  document.body.append(a); a.click(); a.remove();
  status.textContent = "saved " + blob.size; root.dataset.chatdumpState = "done";
}
function failed(error) {
  status.textContent = String((error && error.message) || error);
  root.dataset.chatdumpState = "error";
}
function xhr() {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open("GET", url); x.responseType = "blob";
    x.onload = () => x.status === 200 ? resolve(x.response) : reject(new Error("HTTP " + x.status));
    x.onerror = () => reject(new Error("XMLHttpRequest network error"));
    x.send();
  });
}
async function parts() {
  const got = []; let start = 0, size = 4 << 20, total = Infinity;
  while (start < total) {
    const t0 = performance.now();
    const r = await fetch(url, {headers: {Range: `bytes=${start}-${start + size - 1}`}, cache: "no-store"});
    if (r.status !== 206) throw new Error("HTTP " + r.status);
    total = Number(r.headers.get("Content-Range").split("/")[1]);
    const blob = await r.blob(); got.push(blob); start += blob.size;
    if (performance.now() - t0 < 500) size = Math.min(size * 2, 256 << 20);
  }
  return new Blob(got, {type: "text/csv"});
}
document.getElementById("chatdump-download").addEventListener("click", () => {
  root.dataset.chatdumpState = "working";
  (via === "xhr" ? xhr() : parts()).then(saved, failed);
});
</script></body></html>"""


def allowed_seconds(size: int) -> float:
    """Time a size may take here before it counts as a hang: generous (20 MB/s, busy cores)."""
    return 120 + size / 20e6


@dataclass
class Trial:
    size: int
    ok: bool
    seconds: float
    detail: str


class Driver(Protocol):
    """What a trial needs from an engine: open, click, read the page, find the saved file."""

    def open(self, url: str, init_script: str = "") -> None: ...
    def click(self, css: str) -> None: ...
    def evaluate(self, expression: str) -> object: ...
    def saved(self, timeout: float) -> Path | None: ...
    def forget(self) -> None: ...


def until_state(driver: Driver, states: tuple[str, ...], seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = str(driver.evaluate(STATE))
        if state in states:
            return state
        time.sleep(0.25)
    return "hang"


def trial(driver: Driver, url: str, dump: Generated, expected: str, init: str = "") -> Trial:
    driver.open(url, init)
    if until_state(driver, ("ready", "error"), BOOT_SECONDS) != "ready":
        return Trial(dump.size, False, 0.0, f"did not boot: {driver.evaluate(STATUS)}")
    start = time.monotonic()
    driver.click("#chatdump-download")
    state = until_state(driver, ("done", "save", "error"), allowed_seconds(dump.size))
    if state == "save":  # the click's activation lapsed during the download: one more click
        driver.click("#chatdump-save")
        state = until_state(driver, ("done", "error"), 60)
    message = str(driver.evaluate(STATUS))
    if state != "done":
        return Trial(dump.size, False, time.monotonic() - start, f"{state}: {message}")
    saved = driver.saved(allowed_seconds(dump.size))
    seconds = time.monotonic() - start
    if saved is None:
        return Trial(dump.size, False, seconds, f"no complete file; the page said: {message}")
    try:
        same = saved.stat().st_size == dump.size and sha256_of(saved) == expected
    finally:
        saved.unlink(missing_ok=True)
        driver.forget()
    return Trial(dump.size, same, seconds, message if same else "the saved file differs")


class PlaywrightDriver:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.downloads: list[Any] = []
        page.on("download", lambda download: self.downloads.append(download))

    def open(self, url: str, init_script: str = "") -> None:
        if init_script:
            self.page.add_init_script(init_script)
        self.page.goto(url)

    def click(self, css: str) -> None:
        self.page.click(css)

    def evaluate(self, expression: str) -> object:
        return self.page.evaluate(expression)

    def saved(self, _timeout: float) -> Path | None:
        if not self.downloads:
            return None
        download = self.downloads[-1]
        return None if download.failure() else Path(download.path())

    def forget(self) -> None:
        for download in self.downloads:
            download.delete()
        self.downloads.clear()


class FirefoxDriver:
    def __init__(self, firefox: Firefox) -> None:
        self.firefox = firefox

    def open(self, url: str, init_script: str = "") -> None:
        self.firefox.open(url)  # Firefox has no showSaveFilePicker: nothing to remove

    def click(self, css: str) -> None:
        self.firefox.click(css)

    def evaluate(self, expression: str) -> object:
        return self.firefox.evaluate(expression)

    def saved(self, timeout: float) -> Path | None:
        folder, deadline, last = self.firefox.folder.path, time.monotonic() + timeout, -1
        while time.monotonic() < deadline and self.firefox.process.poll() is None:
            files = list(folder.iterdir())
            writing = any(f.name.endswith(IN_PROGRESS) for f in files)
            if len(files) == 1 and not writing:
                size = files[0].stat().st_size
                if size == last:
                    return files[0]
                last = size
            time.sleep(1)
        return None

    def forget(self) -> None:
        self.firefox.folder.clear()


@contextmanager
def chromium(mode: str, workdir: Path) -> Iterator[Driver]:
    with sync_playwright() as p:
        if mode == "chromium-private":
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(accept_downloads=True)
        else:
            context = p.chromium.launch_persistent_context(
                workdir / "profile", executable_path=CHROMIUM, args=ARGS, accept_downloads=True
            )
        try:
            yield PlaywrightDriver(context.new_page())
        finally:
            context.close()


@contextmanager
def firefox(workdir: Path) -> Iterator[Driver]:
    browser = Firefox(workdir)  # its TMPDIR (Blob temp files) is in workdir: removed with it
    try:
        yield FirefoxDriver(browser)
    finally:
        try:
            browser.close()
        except OSError:  # it crashed (at 16 GB in parts: "[unhandlable oom] Failed to mmap")
            browser.stop_firefox()


def engine(mode: str, workdir: Path) -> AbstractContextManager[Driver]:
    return firefox(workdir) if mode == "firefox" else chromium(mode, workdir)


def free_gb() -> float:
    return shutil.disk_usage(tempfile.gettempdir()).free / 1e9


def run(mode: str, url: str, dump: Generated, init: str = "") -> Trial:
    expected = dump.sha256()
    with (
        tempfile.TemporaryDirectory(prefix=f"chatdump-{mode}-") as folder,
        engine(mode, Path(folder)) as driver,  # a fresh browser each time
    ):
        return trial(driver, url, dump, expected, init)


def sweep(mode: str, via: str, base: str, storage: FileStorage) -> list[Trial]:
    from bench_bigdump import signed_url

    trials: list[Trial] = []
    for gb in os.environ.get("BLOB_LIMIT_GB", SIZES_GB[mode]).split(","):
        size = int(float(gb) * 1e9)
        if free_gb() - 2 * size / 1e9 < KEEP_FREE_GB:
            print(
                f"{mode}/{via}: {gb} GB skipped, the disk would keep under {KEEP_FREE_GB} GB free"
            )
            break
        storage.files[f"{DEFAULT_SESSION_ID}.csv"] = dump = Generated(size)
        result = run(mode, f"{base}/bench/blob.html?via={via}#{signed_url(base)}", dump)
        trials.append(result)
        print(f"{mode}/{via}: {result}", flush=True)
        if not result.ok:
            break
    return trials


def row(name: str, trials: list[Trial]) -> Result:
    passed = [t.size for t in trials if t.ok]
    failed = next((t for t in trials if not t.ok), None)
    notes = "; ".join(
        f"{t.size / 1e9:g} GB: {'saved, sha256 equal' if t.ok else 'FAILED'} in {t.seconds:.0f} s"
        + ("" if t.ok else f" ({t.detail[:160]})")
        for t in trials
    )
    return Result(
        name, max(passed, default=0) / 1e9, failed.size / 1e9 if failed else 0.0, "GB", 0.0,
        "report (baseline: the smallest size that failed; 0: none did)", True, notes,
    )  # fmt: skip


def beyond(mode: str, base: str, storage: FileStorage, trials: list[Trial]) -> Result:
    failed = [t.size for t in trials if not t.ok]
    size = min(failed) if failed else max(t.size for t in trials)
    storage.files[f"{DEFAULT_SESSION_ID}.csv"] = dump = Generated(size)
    result = run(mode, widget_url(base), dump, NO_PICKER)
    print(f"{mode}/widget: {result}", flush=True)
    return Result(
        f"the widget at {size / 1e9:g} GB, no file picker: {mode}", float(result.ok), 1.0, "bool",
        float(result.ok), "saved, sha256 equal", result.ok,
        f"{result.detail[:200]} ({result.seconds:.0f} s)",
    )  # fmt: skip


def main(modes: list[str]) -> None:
    storage = FileStorage({})
    rows = []
    with tempfile.TemporaryDirectory(prefix="chatdump-limits-") as pages:
        (Path(pages) / "blob.html").write_text(BLOB_PAGE)
        app = create_app(
            Settings.from_env({}, demo=True),
            storage.demo.provider(),
            mounts={"/bench": StaticFiles(directory=pages)},
        )
        with storage.running(), serve(app) as base:
            for mode in modes or list(SIZES_GB):
                found: list[Trial] = []
                for via in ("xhr", "parts"):
                    trials = sweep(mode, via, base, storage)
                    rows.append(row(f"largest Blob saved, {via}: {mode}", trials))
                    found += trials
                rows.append(beyond(mode, base, storage, found))
    save("blob_limits", rows)


if __name__ == "__main__":
    main(sys.argv[1:])
