"""Real parts for the browser tests: `chatdump serve --demo` over real HTTP, Debian's Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from chatdump.secret import Secret
from chatdump.server.grants import mint_grant
from chatdump.server.settings import DEMO_GRANT_SECRET

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BOOT_TIMEOUT_MS = 60_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    # *.test names resolve to loopback, so tests can put the widget and a host page on two sites.
    args = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP *.test 127.0.0.1"]
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def context(browser: Browser) -> Iterator[BrowserContext]:
    """One context for a module's tests, which accepts downloads."""
    context = browser.new_context(accept_downloads=True)
    yield context
    context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    hosts: list[str] = []
    # On the context, so frames and popups are watched too.
    context.on("request", lambda request: hosts.append(urlsplit(request.url).hostname or ""))
    yield page
    context.close()
    strays = {h for h in hosts if h not in ("127.0.0.1", "localhost") and not h.endswith(".test")}
    assert not strays, f"the page reached beyond loopback: {strays}"


def demo_grant(session_id: str, ttl: int = 600) -> str:
    return mint_grant(Secret(DEMO_GRANT_SECRET), session_id, ttl=ttl)


def widget_url(base: str, session_id: str, grant: str) -> str:
    return f"{base}/#session={session_id}&grant={quote(grant)}"


def wait_for_state(page: Page, *states: str, timeout: int = BOOT_TIMEOUT_MS) -> str:
    selector = ", ".join(f"html[data-chatdump-state={s}]" for s in states)
    page.wait_for_selector(selector, state="attached", timeout=timeout)
    return str(page.evaluate("document.documentElement.dataset.chatdumpState"))
