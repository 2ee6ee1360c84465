"""Accessibility in headless Chromium: axe-core on each of the widget's states, and the whole
download by keyboard alone. axe is the npm package (node_modules/axe-core), injected by Playwright."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, Route, expect
from playwright.sync_api import Error as PlaywrightError

from chatdump.server.widget_files import REPO_ROOT
from chatdump.upstream.demo import DEFAULT_SESSION_ID, STORAGE_PATH
from tests.browser.conftest import demo_grant, wait_for_state

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# As the widget's pages are meant to be: WCAG 2.1 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def url(server: str, query: str = "", grant: str | None = None) -> str:
    grant = demo_grant(DEFAULT_SESSION_ID) if grant is None else grant
    return f"{server}/?{query}#session={DEFAULT_SESSION_ID}&grant={quote(grant)}"


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """A fresh context per page; ``bypass_csp`` lets axe be injected under the page's strict CSP."""
    contexts = []

    def open_(**options: Any) -> Page:
        context = browser.new_context(accept_downloads=True, bypass_csp=True, **options)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def audit(page: Page, state: str) -> None:
    """axe on the whole page; no serious or critical violation. Prints what it checked."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
        ".then(r => ({passes: r.passes.length, violations: r.violations.map(v => ({"
        "id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))}))",
        AXE_TAGS,
    )
    violations = result["violations"]
    print(f"axe {state}: {result['passes']} rules passed; violations: {violations or 'none'}")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{state}: {blocking}"


def hold_storage(page: Page) -> list[Route]:
    """Storage requests wait until the test lets them go (``release``): the widget stays working."""
    held: list[Route] = []
    page.route(f"**{STORAGE_PATH}/**", lambda route: held.append(route))
    return held


def release(page: Page, held: list[Route]) -> None:
    # Wait (bounded) for the request first: one arriving after the loop and before unroute
    # would otherwise stay held for good.
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the widget never asked storage for the chat"
    for route in held:
        with contextlib.suppress(PlaywrightError):  # aborted by the page meanwhile (Cancel)
            route.continue_()
    page.unroute(f"**{STORAGE_PATH}/**")


def test_axe_finds_nothing_serious_in_any_state(
    open_page: Callable[..., Page], server: str
) -> None:
    page = open_page()
    page.goto(url(server), wait_until="domcontentloaded")
    if page.evaluate("document.documentElement.dataset.chatdumpState") == "loading":
        audit(page, "loading")
    wait_for_state(page, "ready")
    audit(page, "ready")

    held = hold_storage(page)
    page.locator("#chatdump-download").click()
    wait_for_state(page, "working")
    audit(page, "working")
    with page.expect_download():
        release(page, held)
    wait_for_state(page, "done")
    page.locator("#chatdump-preview summary").click()
    expect(page.locator("#chatdump-preview-text")).to_be_visible()
    audit(page, "done, preview open")

    page = open_page()
    page.goto(url(server, grant="not.a.grant"))
    wait_for_state(page, "error")
    audit(page, "error")


def test_axe_on_save_file_embed_dark_narrow_and_right_to_left(
    open_page: Callable[..., Page], server: str
) -> None:
    page = open_page()
    # The click's user activation has lapsed: the widget asks for "Save file".
    page.add_init_script(
        "Object.defineProperty(navigator, 'userActivation', {get: () => ({isActive: false})})"
    )
    page.goto(url(server))
    wait_for_state(page, "ready")
    page.locator("#chatdump-download").click()
    wait_for_state(page, "save")
    audit(page, "save file")

    cases = [
        ("embed layout", {}, "layout=embed"),
        ("dark theme", {"color_scheme": "dark"}, ""),
        ("320 px wide", {"viewport": {"width": 320, "height": 640}}, ""),
        ("right to left (ar)", {}, "lang=ar"),
    ]
    for name, options, query in cases:
        page = open_page(**options)
        page.goto(url(server, query))
        wait_for_state(page, "ready")
        audit(page, f"{name}, ready")
        page.goto("about:blank")  # else only the fragment changes: no reload
        page.goto(url(server, query, grant="not.a.grant"))
        wait_for_state(page, "error")
        audit(page, f"{name}, error")


def focused(page: Page) -> dict[str, Any]:
    return dict(
        page.evaluate(
            "() => { const e = document.activeElement; return {id: e.id, tag: e.tagName, "
            "visible: e === document.body || e.checkVisibility({visibilityProperty: true})}; }"
        )
    )


def tab_to(page: Page, target: str, limit: int = 12) -> list[str]:
    """Press Tab until ``target`` (an element id, or ``summary`` for the preview) has focus;
    every stop on the way must be visible."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        stops.append(now["id"] or now["tag"].lower())
        assert now["visible"], f"focus on a hidden element: {stops}"
        if target in (now["id"], now["tag"].lower()):
            return stops
    raise AssertionError(f"Tab never reached {target}: {stops}")


def test_the_whole_download_works_by_keyboard_alone(
    open_page: Callable[..., Page], server: str, tmp_path: Path
) -> None:
    page = open_page()
    page.goto(url(server))
    wait_for_state(page, "ready")
    status = page.locator("#chatdump-status")
    assert (status.get_attribute("role"), status.get_attribute("aria-live")) == ("status", "polite")

    print("tab stops:", tab_to(page, "chatdump-format"))
    page.keyboard.press("ArrowDown")  # CSV for Excel
    assert page.locator("#chatdump-format").input_value() == "excel"
    page.keyboard.press("Shift+Tab")
    assert focused(page)["id"] == "chatdump-download"

    # Enter starts it; Tab reaches Cancel; Space cancels; nothing is saved.
    held = hold_storage(page)
    page.keyboard.press("Enter")
    wait_for_state(page, "working")
    tab_to(page, "chatdump-cancel")
    page.keyboard.press("Space")
    assert wait_for_state(page, "ready") == "ready"
    expect(status).to_have_text("Cancelled; nothing was saved.")
    assert focused(page)["id"] == "chatdump-download"  # the vanished Cancel handed focus back
    release(page, held)

    # Space on the button downloads; then the preview opens with Enter.
    with page.expect_download() as info:
        page.keyboard.press("Space")
    info.value.save_as(tmp_path / "saved.csv")
    assert info.value.suggested_filename == "team-standup-2026-11-24-excel.csv"
    wait_for_state(page, "done")
    expect(status).to_contain_text("Saved team-standup-2026-11-24-excel.csv")
    tab_to(page, "summary")
    page.keyboard.press("Enter")
    expect(page.locator("#chatdump-preview-text")).to_be_visible()
