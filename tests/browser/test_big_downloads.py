"""Big dumps in Chromium: the body in parts, and what the widget does beyond the Blob limit.

A 12 MB dump stands in for a big one: the page's ``max_blob`` param lowers the widget's Blob limit
(it can only lower it), so the paths beyond the limit run at a size a test can afford.

Headless Chromium cannot click a native save dialog, so where the widget asks for a file,
``showSaveFilePicker`` — the dialog only — is stood in for by a function that hands back a file
in the origin-private file system: a real ``FileSystemFileHandle``, whose ``createWritable()`` is
the File System Access API's real streaming writer. Where a test needs a browser without the
API (Firefox, Safari, a cross-origin frame), the function is removed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Download, Page, Route, expect

from chatdump.upstream.demo import DEFAULT_SESSION_ID, DEMO_SESSIONS
from chatdump.upstream.demo.dumps import DemoSession, render_dump
from tests.browser.conftest import demo_grant, wait_for_state, widget_url
from tests.browser.faults import WidgetServer, widget_server

FIRST = DEMO_SESSIONS[0]
BIG = render_dump(
    DemoSession(FIRST.session_id, FIRST.meeting_id, FIRST.title, FIRST.started_at, 50_000)
)
FILENAME = "team-standup-2026-11-24.csv"
STEP_TIMEOUT_MS = 60_000
PICKER = """
window.__picked = [];
window.showSaveFilePicker = async (options) => {
  window.__picked.push(options.suggestedName);
  const root = await navigator.storage.getDirectory();
  return root.getFileHandle(options.suggestedName, {create: true});
};
"""
PICKER_CLOSED = """
window.showSaveFilePicker = async () => {
  throw new DOMException("The user aborted a request.", "AbortError");
};
"""
NO_PICKER = "delete Window.prototype.showSaveFilePicker; delete window.showSaveFilePicker;"
PRIVATE_FILES = """async () => {
  const root = await navigator.storage.getDirectory();
  const found = {};
  for await (const [name, handle] of root.entries()) {
    const data = await (await handle.getFile()).arrayBuffer();
    const digest = await crypto.subtle.digest("SHA-256", data);
    found[name] = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  return found;
}"""


@pytest.fixture(scope="module")
def widget() -> Iterator[WidgetServer]:
    with widget_server() as server:
        yield server


@pytest.fixture
def tab(browser: Browser, widget: WidgetServer) -> Iterator[Page]:
    widget.reset()
    widget.storage.body = BIG
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    hosts: list[str] = []
    page.on("request", lambda request: hosts.append(urlsplit(request.url).hostname or ""))
    yield page
    context.close()
    assert {h for h in hosts if h not in ("127.0.0.1", "localhost")} == set()


def open_widget(page: Page, widget: WidgetServer, params: str = "") -> None:
    page.goto(widget_url(widget.base, DEFAULT_SESSION_ID, demo_grant(DEFAULT_SESSION_ID)) + params)
    assert wait_for_state(page, "ready", "error") == "ready"


def click_download(page: Page) -> str:
    page.get_by_role("button", name="Download chat", exact=True).click()
    return wait_for_state(page, "done", "save", "error", timeout=STEP_TIMEOUT_MS)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ranges_asked(widget: WidgetServer) -> int:
    return sum(1 for path in widget.storage.requests if "/demo-storage/" in path)


def test_a_big_dump_comes_in_parts_and_is_saved_whole(tab: Page, widget: WidgetServer) -> None:
    open_widget(tab, widget)
    with tab.expect_download(timeout=STEP_TIMEOUT_MS) as info:
        assert click_download(tab) in ("done", "save")
        if tab.evaluate("document.documentElement.dataset.chatdumpState") == "save":
            tab.get_by_role("button", name="Save file").click()
    assert info.value.suggested_filename == FILENAME
    assert sha256(Path(info.value.path()).read_bytes()) == sha256(BIG)
    assert ranges_asked(widget) >= 2  # a first part by XHR, then fetch parts


def test_beyond_the_limit_the_parts_stream_into_the_file_the_person_chose(
    tab: Page, widget: WidgetServer
) -> None:
    downloads: list[Download] = []
    tab.on("download", lambda download: downloads.append(download))
    tab.add_init_script(PICKER)
    open_widget(tab, widget, "&max_blob=1MB")
    assert click_download(tab) == "done"
    assert tab.evaluate("window.__picked") == [FILENAME]
    assert tab.evaluate(PRIVATE_FILES) == {FILENAME: sha256(BIG)}
    assert f"Saved {FILENAME} (12." in tab.get_by_role("status").inner_text()
    assert downloads == []  # no Blob, no <a download>: the writer put the file in place
    assert ranges_asked(widget) >= 2


def test_closing_the_save_dialog_cancels_and_saves_nothing(tab: Page, widget: WidgetServer) -> None:
    tab.add_init_script(PICKER_CLOSED)
    open_widget(tab, widget, "&max_blob=1MB")
    tab.get_by_role("button", name="Download chat", exact=True).click()
    expect(tab.get_by_role("status")).to_have_text(
        "Cancelled; nothing was saved.", timeout=STEP_TIMEOUT_MS
    )
    assert wait_for_state(tab, "ready") == "ready"
    assert tab.evaluate(PRIVATE_FILES) == {}


def cut_later_parts(route: Route) -> None:
    if route.request.headers.get("range", "bytes=0-").startswith("bytes=0-"):
        route.continue_()
    else:
        route.abort("connectionreset")


def test_a_part_that_breaks_off_leaves_no_file_behind(tab: Page, widget: WidgetServer) -> None:
    tab.add_init_script(PICKER)
    tab.route("**/demo-storage/**", cut_later_parts)
    open_widget(tab, widget, "&max_blob=1MB")
    assert click_download(tab) == "error"
    assert "nothing was saved" in tab.get_by_role("status").inner_text()
    assert tab.evaluate("window.__picked") == [FILENAME]
    assert tab.evaluate(PRIVATE_FILES) == {}  # the file the picker made was removed again


def test_a_part_of_another_version_of_the_dump_stops_the_download(
    tab: Page, widget: WidgetServer
) -> None:
    def other_version(route: Route) -> None:
        answer = route.fetch()
        if route.request.headers.get("range", "bytes=0-").startswith("bytes=0-"):
            route.fulfill(response=answer)
        else:
            route.fulfill(response=answer, headers={**answer.headers, "etag": '"changed"'})

    downloads: list[Download] = []
    tab.on("download", lambda download: downloads.append(download))
    tab.route("**/demo-storage/**", other_version)
    open_widget(tab, widget)
    assert click_download(tab) == "error"
    assert "changed in storage" in tab.get_by_role("status").inner_text()
    assert downloads == []


def test_beyond_the_limit_without_the_picker_the_browser_downloads_the_streaming_route(
    tab: Page, widget: WidgetServer
) -> None:
    tab.add_init_script(NO_PICKER)
    open_widget(tab, widget, "&max_blob=1MB")
    with tab.expect_download(timeout=STEP_TIMEOUT_MS) as info:
        state = click_download(tab)
        if state == "save":  # the ticket is asked for on this click
            tab.get_by_role("button", name="Save file").click()
    download = info.value
    assert "/chat.csv?ticket=" in download.url
    assert download.suggested_filename == FILENAME
    assert sha256(Path(download.path()).read_bytes()) == sha256(BIG)
    assert wait_for_state(tab, "done") == "done"
    assert "Your browser is downloading" in tab.get_by_role("status").inner_text()
    assert ranges_asked(widget) == 2  # the first part's headers, then the server's own fetch


def test_a_conversion_beyond_the_limit_says_so_and_saves_nothing(
    tab: Page, widget: WidgetServer
) -> None:
    downloads: list[Download] = []
    tab.on("download", lambda download: downloads.append(download))
    tab.add_init_script(PICKER)
    open_widget(tab, widget, "&max_blob=1MB&format=jsonl")
    assert click_download(tab) == "error"
    assert "too large to convert in this browser" in tab.get_by_role("status").inner_text()
    assert downloads == [] and tab.evaluate("window.__picked") == []
