"""The widget in headless Chromium against `chatdump serve --demo`, over real HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from chatdump.upstream.demo import DEFAULT_SESSION_ID, DEMO_SESSIONS
from tests.browser.conftest import demo_grant, wait_for_state, widget_url


def test_the_page_boots_to_ready_with_a_download_button(page: Page, server: str) -> None:
    page.goto(widget_url(server, DEFAULT_SESSION_ID, demo_grant(DEFAULT_SESSION_ID)))
    assert wait_for_state(page, "ready", "error") == "ready"
    expect(page.get_by_role("button", name="Download chat")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Ready.")


# The page's own clock at the moment it says "ready" (the request log below uses the same clock).
READY_CLOCK = """
new MutationObserver(() => {
  const root = document.documentElement;
  if (root.dataset.chatdumpState === "ready" && window.__readyAt === undefined) {
    window.__readyAt = performance.now();
  }
}).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-chatdump-state"] });
"""
URL_REQUESTS = """
performance.getEntriesByType("resource")
  .filter((entry) => entry.name.includes("/chat-url")).map((entry) => entry.startTime)
"""


def test_the_signed_url_is_asked_for_once_before_ready_never_while_the_button_is_live(
    page: Page, server: str
) -> None:
    # urllib's request is a synchronous XHR, and Firefox drops a click made during one.
    page.add_init_script(READY_CLOCK)
    page.goto(widget_url(server, DEFAULT_SESSION_ID, demo_grant(DEFAULT_SESSION_ID)))
    assert wait_for_state(page, "ready") == "ready"
    asked_at = page.evaluate(URL_REQUESTS)
    assert len(asked_at) == 1
    assert asked_at[0] < page.evaluate("window.__readyAt")


def test_a_click_saves_exactly_what_storage_serves_under_the_apis_filename(
    page: Page, server: str, tmp_path: Path
) -> None:
    grant = demo_grant(DEFAULT_SESSION_ID)
    api = httpx.get(
        f"{server}/api/sessions/{DEFAULT_SESSION_ID}/chat-url",
        headers={"Authorization": f"Bearer {grant}"},
    ).json()
    served = httpx.get(api["url"]).content
    page.goto(widget_url(server, DEFAULT_SESSION_ID, grant))
    wait_for_state(page, "ready")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download chat").click()
    download = info.value
    saved = tmp_path / "saved.csv"
    download.save_as(saved)
    assert saved.read_bytes() == served
    assert download.suggested_filename == api["filename"] == "team-standup-2026-11-24.csv"
    assert wait_for_state(page, "done") == "done"
    expect(page.get_by_role("status")).to_contain_text("Saved team-standup-2026-11-24.csv")


def test_every_demo_session_downloads_with_its_own_name(
    page: Page, server: str, tmp_path: Path
) -> None:
    session = DEMO_SESSIONS[1]
    page.goto(widget_url(server, session.session_id, demo_grant(session.session_id)))
    wait_for_state(page, "ready")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download chat").click()
    assert info.value.suggested_filename == "café-rétro-q4-planning-2026-11-25.csv"


def test_a_bad_grant_shows_an_error_and_saves_nothing(page: Page, server: str) -> None:
    downloads: list[object] = []
    page.on("download", lambda download: downloads.append(download))
    page.goto(widget_url(server, DEFAULT_SESSION_ID, "not.a.grant"))
    # The grant is first tried once the page is ready and idle: "ready", then the error.
    assert wait_for_state(page, "error") == "error"
    expect(page.get_by_role("status")).to_contain_text("grant is not valid")
    page.get_by_role("button", name="Retry").click()
    assert wait_for_state(page, "error") == "error"
    assert downloads == []


def test_a_grant_for_another_session_is_refused(page: Page, server: str) -> None:
    page.goto(widget_url(server, DEFAULT_SESSION_ID, demo_grant(DEMO_SESSIONS[2].session_id)))
    assert wait_for_state(page, "error") == "error"
    expect(page.get_by_role("status")).to_contain_text("another session")


def test_a_link_without_a_session_says_what_is_missing(page: Page, server: str) -> None:
    page.goto(f"{server}/")
    assert wait_for_state(page, "ready", "error") == "error"
    expect(page.get_by_role("status")).to_contain_text("no session")
