# ruff: noqa: S603, S607 - fixed commands (dpkg-query, apt-get), no outside input
"""Screenshots of each widget state for the README, in headless Chromium: docs/screenshots/*.png.

Run: .venv/bin/python docs/take_screenshots.py  (loopback only; uses the browser tests' servers)

Real glyphs need real fonts: Debian's Noto CJK (Japanese names in the chats) and Noto Color Emoji
are installed through apt-get when missing (as root; otherwise the script says what to install).
Arabic comes with fonts-noto-core/fonts-dejavu, which Chromium's package pulls in.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatdump.upstream.demo import DEFAULT_SESSION_ID  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, demo_grant, widget_url  # noqa: E402
from tests.browser.faults import WidgetServer, widget_server  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
FONT_PACKAGES = ("fonts-noto-cjk", "fonts-noto-color-emoji")
TIMEOUT_MS = 90_000
CLICK_WITHOUT_GESTURE = """
new Promise((resolve) => {
  const popup = window.open("about:blank");
  if (popup) popup.close();
  const root = document.documentElement;
  new MutationObserver(() => root.dataset.chatdumpState === "save" && resolve("save"))
    .observe(root, { attributes: true });
  setTimeout(() => resolve(root.dataset.chatdumpState), 20000);
  document.getElementById("chatdump-download").click();
})
"""


def installed(package: str) -> bool:
    found = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
    )
    return found.stdout.strip() == "install ok installed"


def ensure_fonts() -> None:
    missing = [package for package in FONT_PACKAGES if not installed(package)]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"screenshots need fonts: sudo apt-get install -y {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if subprocess.run(install, env=env, check=False).returncode != 0:  # stale package lists
        subprocess.run(["apt-get", "update"], env=env, check=True, timeout=600)
        subprocess.run(install, env=env, check=True, timeout=900)


def wait(page: Page, state: str) -> None:
    page.wait_for_selector(
        f"html[data-chatdump-state={state}]", state="attached", timeout=TIMEOUT_MS
    )


def load(page: Page, link: str) -> None:
    page.goto("about:blank")  # the same link again would only be a fragment change, no reload
    page.goto(link)
    wait(page, "ready")


def shot(page: Page, name: str) -> None:
    path = OUT / f"{name}.png"
    page.locator("main").screenshot(path=str(path))
    print(path.relative_to(ROOT))


def main() -> None:
    ensure_fonts()
    OUT.mkdir(parents=True, exist_ok=True)
    with widget_server() as widget, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 480, "height": 420}, device_scale_factor=2
        )
        link = widget_url(widget.base, DEFAULT_SESSION_ID, demo_grant(DEFAULT_SESSION_ID))
        page = context.new_page()
        languages(page, widget)

        # Python held back (main.py never arrives), to catch the page before it is up: a click
        # is remembered and the status says so.
        page.route("**/main.py", lambda route: route.abort())
        page.goto(link, wait_until="domcontentloaded")
        page.click("#chatdump-download")
        shot(page, "widget-starting")
        page.unroute("**/main.py")

        load(page, link)
        shot(page, "widget-ready")

        states(page, widget, link)
        page.set_viewport_size({"width": 320, "height": 560})
        load(page, link + "&theme=dark")
        with page.expect_download():
            page.click("#chatdump-download")
        wait(page, "done")
        page.click("#chatdump-preview summary")
        shot(page, "widget-dark-320px")
        browser.close()


def languages(page: Page, widget: WidgetServer) -> None:
    """German and Arabic (right to left), each done with the preview open."""
    grant = quote(demo_grant(DEFAULT_SESSION_ID))
    for lang in ("de", "ar"):
        load(
            page,
            f"{widget.base}/?lang={lang}&format=txt#session={DEFAULT_SESSION_ID}&grant={grant}",
        )
        with page.expect_download():
            page.click("#chatdump-download")
        wait(page, "done")
        page.wait_for_selector("#chatdump-summary:not([hidden])", timeout=TIMEOUT_MS)
        page.click("#chatdump-preview summary")
        shot(page, f"widget-{lang}")


def states(page: Page, widget: WidgetServer, link: str) -> None:
    widget.storage.faults = ["stall"]
    page.click("#chatdump-download")
    page.wait_for_selector("#chatdump-detail:has-text('%')", timeout=TIMEOUT_MS)
    shot(page, "widget-working")
    page.click("#chatdump-cancel")
    wait(page, "ready")
    widget.storage.release.set()

    widget.reset()
    widget.storage.faults = ["stall-then-cut"]
    page.click("#chatdump-download")
    page.wait_for_selector("#chatdump-detail:has-text('%')", timeout=TIMEOUT_MS)
    widget.storage.release.set()
    wait(page, "error")
    shot(page, "widget-error")
    widget.reset()

    for _ in range(3):  # Playwright's own calls may leave a user activation behind: try again
        # A fresh context and page, which no Playwright click ever activated.
        page = page.context.browser.new_context(accept_downloads=True).new_page()  # type: ignore[union-attr]
        page.goto(link)
        wait(page, "ready")
        cdp = page.context.new_cdp_session(page)
        answer = cdp.send(
            "Runtime.evaluate",
            {"expression": CLICK_WITHOUT_GESTURE, "userGesture": False, "awaitPromise": True},
        )
        if answer["result"].get("value") == "save":
            break
    shot(page, "widget-save-file")
    with page.expect_download():
        page.click("#chatdump-save")
    wait(page, "done")
    page.wait_for_selector("#chatdump-summary:not([hidden])", timeout=TIMEOUT_MS)
    shot(page, "widget-done")
    page.click("#chatdump-preview summary")
    shot(page, "widget-done-preview")


if __name__ == "__main__":
    main()
