"""The widget's flow in Chromium against real misbehaving storage: progress, cancel, recovery.

One app server and one browser context (shared HTTP cache, so each page boots warm) per module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Download, Page, Route, expect

from chatdump.core.dump import chunks_of, summarise
from chatdump.core.formats import convert
from chatdump.upstream.demo import DEFAULT_SESSION_ID, DEMO_SESSIONS, render_dump
from chatdump.upstream.demo.dumps import find_session
from tests.browser.conftest import demo_grant, wait_for_state, widget_url
from tests.browser.faults import WidgetServer, widget_server

SESSION = find_session(DEFAULT_SESSION_ID)
assert SESSION is not None
STORED = render_dump(SESSION)
FILENAME = "team-standup-2026-11-24.csv"
STEP_TIMEOUT_MS = 20_000
CLICK_WITHOUT_GESTURE = """
new Promise((resolve) => {
  const popup = window.open("about:blank");
  if (popup) popup.close();
  const root = document.documentElement;
  const settled = () => ["save", "done", "error"].includes(root.dataset.chatdumpState);
  new MutationObserver(() => settled() && resolve(root.dataset.chatdumpState))
    .observe(root, { attributes: true });
  setTimeout(() => resolve("timeout: " + root.dataset.chatdumpState), 20000);
  document.getElementById("chatdump-download").click();
})
"""


@pytest.fixture(scope="module")
def widget() -> Iterator[WidgetServer]:
    with widget_server() as server:
        yield server


@pytest.fixture
def tab(context: BrowserContext, widget: WidgetServer) -> Iterator[Page]:
    widget.reset()
    page = context.new_page()
    hosts: list[str] = []
    downloads: list[Download] = []
    page.on("request", lambda request: hosts.append(urlsplit(request.url).hostname or ""))
    page.on("download", lambda download: downloads.append(download))
    yield page
    page.close()
    widget.storage.release.set()  # never leave a stalled handler behind
    assert {h for h in hosts if h not in ("127.0.0.1", "localhost")} == set()


def open_widget(page: Page, widget: WidgetServer, extra: str = "") -> None:
    page.goto(widget_url(widget.base, DEFAULT_SESSION_ID, demo_grant(DEFAULT_SESSION_ID)) + extra)
    assert wait_for_state(page, "ready", "error") == "ready"


def button(page: Page, name: str = "Download chat") -> object:
    return page.get_by_role("button", name=name, exact=True)


def click_and_save(page: Page, tmp_path: Path, name: str = "Download chat") -> tuple[bytes, str]:
    with page.expect_download(timeout=STEP_TIMEOUT_MS) as info:
        page.get_by_role("button", name=name, exact=True).click()
    path = tmp_path / "saved"
    info.value.save_as(path)
    return path.read_bytes(), info.value.suggested_filename


def status(page: Page) -> str:
    return page.get_by_role("status").inner_text()


def test_a_click_before_python_is_ready_is_remembered_and_runs(
    tab: Page, widget: WidgetServer, tmp_path: Path
) -> None:
    # Hold main.py back until the click has landed, so Python cannot be up before it (a warm
    # cache or a fast machine would otherwise make this a race).
    held: list[Route] = []
    tab.route("**/main.py", lambda route: held.append(route))
    tab.goto(
        widget_url(widget.base, DEFAULT_SESSION_ID, demo_grant(DEFAULT_SESSION_ID)),
        wait_until="domcontentloaded",
    )
    with tab.expect_download(timeout=60_000) as info:
        tab.get_by_role("button", name="Download chat").click()
        assert tab.evaluate("document.documentElement.dataset.chatdumpState") == "loading"
        assert status(tab) == "Starting…"
        # Let main.py through once it has been asked for (never by unrouting, which races with a
        # request arriving meanwhile: Playwright then reports the held route as already handled).
        for _ in range(STEP_TIMEOUT_MS // 50):
            if held:
                break
            tab.wait_for_timeout(50)
        assert len(held) == 1, "the page never asked for main.py"
        held[0].continue_()
        # The gesture may have lapsed by the time Python is up: then the save takes a click.
        if wait_for_state(tab, "done", "save") == "save":
            tab.get_by_role("button", name="Save file").click()
    path = tmp_path / "saved.csv"
    info.value.save_as(path)
    assert path.read_bytes() == STORED
    assert wait_for_state(tab, "done") == "done"


def test_progress_shows_bytes_total_and_percent_and_cancel_really_aborts(
    tab: Page, widget: WidgetServer
) -> None:
    downloads: list[Download] = []
    tab.on("download", lambda download: downloads.append(download))
    widget.storage.faults = ["stall"]
    open_widget(tab, widget)
    button(tab).click()  # type: ignore[attr-defined]
    detail = tab.locator("#chatdump-detail")
    expect(detail).to_contain_text(f"of {len(STORED) / 1000:.1f} KB (33%)", timeout=STEP_TIMEOUT_MS)
    assert tab.locator("#chatdump-bar").get_attribute("value") is not None
    tab.get_by_role("button", name="Cancel").click()
    assert wait_for_state(tab, "ready", "error") == "ready"
    assert "nothing was saved" in status(tab)
    assert widget.storage.client_hung_up.wait(timeout=10), "the request was not aborted"
    assert downloads == []
    assert tab.evaluate("document.activeElement.id") == "chatdump-download"


def test_an_unknown_size_shows_an_indeterminate_bar_then_saves_what_came(
    tab: Page, widget: WidgetServer, tmp_path: Path
) -> None:
    widget.storage.faults = ["stall-unsized"]
    # The module's tabs share one HTTP cache; the dump an earlier test fetched in parts (206,
    # with an ETag) would be answered from it, never reaching the faulty storage.
    tab.context.new_cdp_session(tab).send("Network.clearBrowserCache")
    open_widget(tab, widget)
    with tab.expect_download(timeout=STEP_TIMEOUT_MS) as info:
        button(tab).click()  # type: ignore[attr-defined]
        expect(tab.locator("#chatdump-detail")).to_contain_text("received")
        assert tab.locator("#chatdump-bar").get_attribute("value") is None
        widget.storage.release.set()
    path = tmp_path / "saved.csv"
    info.value.save_as(path)
    assert path.read_bytes() == STORED


def test_an_expired_url_is_renewed_before_anything_is_fetched(
    tab: Page, widget: WidgetServer, tmp_path: Path
) -> None:
    # A session no other test asks for, so the server's URL cache is empty.
    session = DEMO_SESSIONS[2]
    widget.provider.expired_next = 1  # the URL asked for first (before ready) is already past
    tab.goto(widget_url(widget.base, session.session_id, demo_grant(session.session_id)))
    assert wait_for_state(tab, "ready", "error") == "ready"
    saved, _ = click_and_save(tab, tmp_path)
    assert saved == render_dump(session)
    assert widget.chat_url_requests() == ["", ""]
    assert len(widget.storage.requests) == 1  # only the renewed URL reached storage


@pytest.mark.parametrize("fault", ["forbidden", "no-cors"])
def test_a_refused_or_unreachable_url_is_renewed_once_bypassing_the_cache(
    tab: Page, widget: WidgetServer, tmp_path: Path, fault: str
) -> None:
    widget.storage.faults = [fault]  # type: ignore[list-item]
    open_widget(tab, widget)
    saved, name = click_and_save(tab, tmp_path)
    assert (saved, name) == (STORED, FILENAME)
    assert widget.chat_url_requests() == ["", "fresh=1"]
    assert len(widget.storage.requests) == 2
    assert wait_for_state(tab, "done") == "done"


def test_a_second_refusal_falls_back_to_the_servers_streaming_route(
    tab: Page, widget: WidgetServer, tmp_path: Path
) -> None:
    widget.storage.faults = ["forbidden", "no-cors"]
    open_widget(tab, widget)
    saved, name = click_and_save(tab, tmp_path)
    assert (saved, name) == (STORED, FILENAME)
    assert widget.chat_url_requests() == ["", "fresh=1"]
    assert (f"/api/sessions/{DEFAULT_SESSION_ID}/chat.csv", "") in widget.log.seen


def test_a_body_that_breaks_off_midway_is_never_saved_and_retry_succeeds(
    tab: Page, widget: WidgetServer, tmp_path: Path
) -> None:
    downloads: list[Download] = []
    tab.on("download", lambda download: downloads.append(download))
    widget.storage.faults = ["stall-then-cut"]
    open_widget(tab, widget)
    button(tab).click()  # type: ignore[attr-defined]
    expect(tab.locator("#chatdump-detail")).to_contain_text("(33%)", timeout=STEP_TIMEOUT_MS)
    widget.storage.release.set()  # storage hangs up, two thirds short
    assert wait_for_state(tab, "error", "done") == "error"
    assert "interrupted" in status(tab) and "nothing was saved" in status(tab)
    assert downloads == []
    assert widget.chat_url_requests() == [""]  # an error, not a silent re-download
    saved, _ = click_and_save(tab, tmp_path, "Retry")
    assert saved == STORED


def test_a_truncated_body_is_never_saved_and_retry_succeeds(
    tab: Page, widget: WidgetServer, tmp_path: Path
) -> None:
    # Chromium reports a body shorter than its Content-Length either as a broken stream (an
    # error at once) or as a network error (then the widget tries a fresh URL and the server's
    # route, which reads storage through the same proxy): truncated each time, no file either way.
    downloads: list[Download] = []
    tab.on("download", lambda download: downloads.append(download))
    widget.storage.faults = ["truncate"] * 3
    open_widget(tab, widget)
    button(tab).click()  # type: ignore[attr-defined]
    assert wait_for_state(tab, "error", "done") == "error"
    assert "nothing was saved" in status(tab)
    assert downloads == []
    widget.storage.faults.clear()
    saved, _ = click_and_save(tab, tmp_path, "Retry")
    assert saved == STORED


def test_the_keyboard_alone_downloads(tab: Page, widget: WidgetServer, tmp_path: Path) -> None:
    open_widget(tab, widget)
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.id") == "chatdump-download"
    with tab.expect_download(timeout=STEP_TIMEOUT_MS) as info:
        tab.keyboard.press("Enter")
    assert info.value.suggested_filename == FILENAME
    assert wait_for_state(tab, "done") == "done"
    with tab.expect_download(timeout=STEP_TIMEOUT_MS):
        tab.keyboard.press("Space")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.id") == "chatdump-format"
    status_element = tab.get_by_role("status")
    assert status_element.get_attribute("aria-live") == "polite"


def test_a_lapsed_gesture_offers_a_save_file_button_that_saves(
    browser: Browser, widget: WidgetServer, tmp_path: Path
) -> None:
    # A context of its own: Chromium may carry a user activation across a context's pages.
    context = browser.new_context(accept_downloads=True)
    try:
        lapsed_gesture_saves_on_a_fresh_click(context.new_page(), widget, tmp_path)
    finally:
        context.close()


def lapsed_gesture_saves_on_a_fresh_click(tab: Page, widget: WidgetServer, tmp_path: Path) -> None:
    widget.reset()
    open_widget(tab, widget)
    # Playwright's own calls count as user gestures, so go through CDP with userGesture off:
    # spend the activation Playwright left (a popup consumes it), then click from script, and wait
    # for the outcome inside the page.
    cdp = tab.context.new_cdp_session(tab)
    answer = cdp.send(
        "Runtime.evaluate",
        {"expression": CLICK_WITHOUT_GESTURE, "userGesture": False, "awaitPromise": True},
    )
    assert answer["result"]["value"] == "save"
    assert tab.evaluate("document.activeElement.id") == "chatdump-save"
    with tab.expect_download(timeout=STEP_TIMEOUT_MS) as info:
        tab.keyboard.press("Enter")
    path = tmp_path / "saved.csv"
    info.value.save_as(path)
    assert path.read_bytes() == STORED
    assert wait_for_state(tab, "done") == "done"


def test_the_theme_param_wins_over_the_colour_scheme(tab: Page, widget: WidgetServer) -> None:
    tab.emulate_media(color_scheme="light")
    open_widget(tab, widget, "&theme=dark")
    background = tab.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(13, 17, 23)"


def test_the_colour_scheme_of_the_system_is_followed_without_a_theme_param(
    tab: Page, widget: WidgetServer
) -> None:
    tab.emulate_media(color_scheme="dark")
    open_widget(tab, widget)
    background = tab.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(13, 17, 23)"


@pytest.mark.parametrize(("motion", "animation"), [("no-preference", "chatdump-sweep"),
                                                   ("reduce", "none")])  # fmt: skip
def test_the_progress_bar_moves_only_for_people_who_allow_motion(
    tab: Page, widget: WidgetServer, motion: str, animation: str
) -> None:
    tab.emulate_media(reduced_motion=motion)
    open_widget(tab, widget)
    bar = "getComputedStyle(document.getElementById('chatdump-bar')).animationName"
    assert tab.evaluate(bar) == animation


def test_the_widget_fits_a_320_pixel_screen(tab: Page, widget: WidgetServer) -> None:
    tab.set_viewport_size({"width": 320, "height": 640})
    open_widget(tab, widget)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.parametrize(
    ("fmt", "filename"),
    [
        ("excel", "team-standup-2026-11-24-excel.csv"),
        ("jsonl", "team-standup-2026-11-24.jsonl"),
        ("txt", "team-standup-2026-11-24.txt"),
    ],
)
def test_each_format_saves_the_bytes_the_cli_converter_makes(
    tab: Page, widget: WidgetServer, tmp_path: Path, fmt: str, filename: str
) -> None:
    open_widget(tab, widget)
    tab.get_by_label("Format").select_option(fmt)
    saved, name = click_and_save(tab, tmp_path)
    assert name == filename
    assert saved == "".join(convert(chunks_of(STORED), fmt)).encode("utf-8")
    assert wait_for_state(tab, "done") == "done"
    expect(tab.locator("#chatdump-summary")).to_have_text(summarise([STORED]).describe() + ".")


def test_the_format_param_preselects_the_format(
    tab: Page, widget: WidgetServer, tmp_path: Path
) -> None:
    open_widget(tab, widget, "&format=jsonl")
    assert tab.get_by_label("Format").input_value() == "jsonl"
    _, name = click_and_save(tab, tmp_path)
    assert name.endswith(".jsonl")


def test_the_csv_is_summarised_and_previewed_as_text_never_as_markup(
    tab: Page, widget: WidgetServer, tmp_path: Path
) -> None:
    hostile = (
        b"id,participantId,sessionId,meetingId,displayName,pinned,isEdited,payloadType,payload,"
        b"createdAt\r\n"
        b'1,p1,s,m,<b>Mallory</b>,false,false,TEXT_MESSAGE,"<img src=x onerror=""document.title=1"">'
        b'",2026-11-24T10:03:00.000Z\r\n'
        b"2,p2,s,m,Ana,false,false,TEXT_MESSAGE,hello,2026-11-24T10:05:00.000Z\r\n"
    )
    widget.storage.body = hostile
    open_widget(tab, widget)
    saved, _ = click_and_save(tab, tmp_path)
    assert saved == hostile
    expect(tab.locator("#chatdump-summary")).to_have_text(summarise([hostile]).describe() + ".")
    preview = tab.locator("#chatdump-preview-text")
    expect(preview).to_contain_text('<b>Mallory</b>: <img src=x onerror="document.title=1">')
    assert tab.locator("#chatdump-preview img, #chatdump-preview b").count() == 0
    tab.locator("#chatdump-preview summary").click()
    expect(preview).to_be_visible()
