"""The widget inside a dashboard's iframe, across sites, in headless Chromium over real HTTP.

Chromium maps ``*.test`` to 127.0.0.1, so ``http://dashboard.test:D`` (a tiny host-page server) and
``http://widget.test:P`` (``chatdump serve --demo``) are different sites, like a real dashboard and
chatdump; headless Chromium blocks third-party storage there, as privacy-minded browsers do.
``http://other.test:D`` is a site that is not allowed to embed the widget.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest
from playwright.sync_api import Frame, Page, Route

from chatdump.upstream.demo import DEFAULT_SESSION_ID
from tests.browser.conftest import BOOT_TIMEOUT_MS, demo_grant
from tests.browser.dashboard import RECOMMENDED, Dashboard, dashboard_server
from tests.live import start_server

EVENT_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def dashboard() -> Iterator[Dashboard]:
    with dashboard_server() as board:
        yield board


@pytest.fixture(scope="module")
def widget(dashboard: Dashboard) -> Iterator[str]:
    """The widget's base URL as the dashboard sees it: a different site."""
    process, base = start_server({"CHATDUMP_FRAME_ANCESTORS": dashboard.url("").rstrip("/")})
    yield f"http://widget.test:{urlsplit(base).port}"
    process.terminate()
    process.wait(timeout=10)


def link(widget: str, *, grant: bool = True, extra: str = "") -> str:
    fragment = f"session={DEFAULT_SESSION_ID}"
    if grant:
        fragment += f"&grant={quote(demo_grant(DEFAULT_SESSION_ID))}"
    return f"{widget}/#{fragment}{extra}"


def widget_frame(page: Page, selector: str = "#chatdump") -> Frame:
    frame = page.wait_for_selector(selector).content_frame()
    assert frame is not None
    return frame


def frame_state(frame: Frame, *states: str, timeout: int = BOOT_TIMEOUT_MS) -> str:
    selector = ", ".join(f"html[data-chatdump-state={s}]" for s in states)
    frame.wait_for_selector(selector, state="attached", timeout=timeout)
    return str(frame.evaluate("document.documentElement.dataset.chatdumpState"))


def events(page: Page, kind: str | None = None) -> list[dict[str, object]]:
    recorded: list[dict[str, object]] = page.evaluate("window.events")
    return [e for e in recorded if kind is None or e["data"].get("type") == kind]  # type: ignore[union-attr]


def wait_for_event(page: Page, kind: str) -> dict[str, object]:
    page.wait_for_function(
        f"window.events.some((e) => e.data && e.data.type === {json.dumps(kind)})",
        timeout=EVENT_TIMEOUT_MS,
    )
    return events(page, kind)[0]


def save_on_click(frame: Frame) -> None:
    """A download the host started has no click inside the frame: the widget asks for one to save."""
    if frame_state(frame, "save", "done", "error", timeout=EVENT_TIMEOUT_MS) == "save":
        frame.get_by_role("button", name="Save file").click()


def served_bytes(widget: str) -> bytes:
    base = widget.replace("widget.test", "127.0.0.1")
    grant = demo_grant(DEFAULT_SESSION_ID)
    api = httpx.get(
        f"{base}/api/sessions/{DEFAULT_SESSION_ID}/chat-url",
        headers={"Authorization": f"Bearer {grant}"},
    ).json()
    return httpx.get(api["url"]).content


@pytest.mark.parametrize("sandbox", [None, RECOMMENDED], ids=["no-sandbox", "recommended-sandbox"])
def test_boots_and_downloads_in_a_cross_site_iframe_reporting_to_the_host(
    page: Page, dashboard: Dashboard, widget: str, tmp_path: Path, sandbox: str | None
) -> None:
    dashboard.add("/boot", link(widget, extra="&layout=embed"), sandbox)
    page.goto(dashboard.url("/boot"))
    frame = widget_frame(page)
    assert frame_state(frame, "ready", "error") == "ready"
    with page.expect_download() as info:
        frame.get_by_role("button", name="Download chat").click()
    saved = tmp_path / "saved.csv"
    info.value.save_as(saved)
    assert saved.read_bytes() == served_bytes(widget)
    done = wait_for_event(page, "done")
    assert done["origin"] == widget  # the browser vouches that it came from the widget
    assert done["data"] == {
        "source": "chatdump",
        "type": "done",
        "bytes": len(saved.read_bytes()),
        "filename": info.value.suggested_filename,
    }
    assert [e["data"]["has_grant"] for e in events(page, "ready")] == [True]  # type: ignore[index]
    assert {e["origin"] for e in events(page)} == {widget}
    assert events(page, "progress")


def test_the_embed_layout_is_transparent_and_reports_its_height(
    page: Page, dashboard: Dashboard, widget: str
) -> None:
    dashboard.add("/layout", link(widget, extra="&layout=embed"), RECOMMENDED)
    page.goto(dashboard.url("/layout"))
    frame = widget_frame(page)
    frame_state(frame, "ready", "error")
    background = frame.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgba(0, 0, 0, 0)"
    height = wait_for_event(page, "resize")["data"]["height"]  # type: ignore[index]
    assert isinstance(height, int) and 20 < height < 400


def test_the_host_passes_the_grant_and_starts_the_download_by_message(
    page: Page, dashboard: Dashboard, widget: str, tmp_path: Path
) -> None:
    grant = demo_grant(DEFAULT_SESSION_ID)
    script = f"""<script>
      addEventListener("message", (e) => {{
        if (e.data && e.data.type === "ready" && !e.data.has_grant)
          command({{type: "set-grant", session: {json.dumps(DEFAULT_SESSION_ID)}, grant: {json.dumps(grant)}}});
      }});
    </script>"""
    dashboard.add("/by-message", f"{widget}/#layout=embed", RECOMMENDED, script)
    page.goto(dashboard.url("/by-message"))
    frame = widget_frame(page)
    assert frame_state(frame, "ready", "error") == "ready"
    assert "grant=" not in frame.url
    with page.expect_download() as info:
        page.evaluate("command({type: 'download'})")
        save_on_click(frame)
    saved = tmp_path / "saved.csv"
    info.value.save_as(saved)
    assert saved.read_bytes() == served_bytes(widget)
    assert wait_for_event(page, "done")["data"]["bytes"] == len(saved.read_bytes())  # type: ignore[index]


def test_a_malformed_command_gets_an_error_event_not_obedience(
    page: Page, dashboard: Dashboard, widget: str
) -> None:
    dashboard.add("/bad-command", link(widget), RECOMMENDED)
    page.goto(dashboard.url("/bad-command"))
    frame = widget_frame(page)
    frame_state(frame, "ready", "error")
    wait_for_event(page, "ready")
    page.evaluate("command({type: 'set-format', format: 'pdf'})")
    error = wait_for_event(page, "error")
    assert error["data"]["code"] == "bad_command"  # type: ignore[index]
    assert "format" in error["data"]["message"]  # type: ignore[index]


def test_without_allow_downloads_the_widget_says_what_to_add_and_opens_a_new_tab(
    page: Page, dashboard: Dashboard, widget: str, tmp_path: Path
) -> None:
    flags = "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"
    dashboard.add("/no-downloads", link(widget, extra=f"&sandbox={quote(flags)}"), flags)
    page.goto(dashboard.url("/no-downloads"))
    frame = widget_frame(page)
    frame_state(frame, "ready", "error")
    notice = frame.locator("#chatdump-notice")
    notice.wait_for(state="visible", timeout=EVENT_TIMEOUT_MS)
    assert "allow-downloads" in notice.inner_text()
    error = wait_for_event(page, "error")
    assert error["data"]["code"] == "sandbox_blocks_downloads"  # type: ignore[index]
    with page.context.expect_page() as opened:
        frame.get_by_role("button", name="Open in a new tab").click()
    tab = opened.value
    assert tab.url.startswith(f"{widget}/#session=")
    tab.wait_for_selector(
        "html[data-chatdump-state=ready]", state="attached", timeout=BOOT_TIMEOUT_MS
    )
    with tab.expect_download() as info:
        tab.get_by_role("button", name="Download chat").click()
    saved = tmp_path / "saved.csv"
    info.value.save_as(saved)
    assert saved.read_bytes() == served_bytes(widget)


def test_without_allow_downloads_undeclared_the_widget_says_what_to_check(
    page: Page, dashboard: Dashboard, widget: str
) -> None:
    dashboard.add("/undeclared", link(widget), "allow-scripts allow-same-origin")
    page.goto(dashboard.url("/undeclared"))
    frame = widget_frame(page)
    assert frame_state(frame, "ready", "error") == "ready"
    frame.get_by_role("button", name="Download chat").click()
    frame_state(frame, "done", "error")
    notice = frame.locator("#chatdump-notice")
    notice.wait_for(state="visible", timeout=EVENT_TIMEOUT_MS)
    assert "allow-downloads" in notice.inner_text()


def test_without_allow_same_origin_the_widget_names_the_flags_at_once(
    page: Page, dashboard: Dashboard, widget: str
) -> None:
    dashboard.add("/opaque", link(widget), "allow-scripts allow-downloads")
    page.goto(dashboard.url("/opaque"))
    frame = widget_frame(page)
    assert frame_state(frame, "ready", "error", timeout=EVENT_TIMEOUT_MS) == "error"
    status = frame.get_by_role("status").inner_text()
    assert "allow-same-origin" in status and RECOMMENDED in status


def test_without_allow_scripts_the_frame_still_says_what_it_needs(
    page: Page, dashboard: Dashboard, widget: str
) -> None:
    dashboard.add("/no-scripts", link(widget), "allow-same-origin allow-downloads")
    page.goto(dashboard.url("/no-scripts"))
    frame = widget_frame(page)
    frame.wait_for_load_state()
    message = frame.get_by_text("must allow scripts")
    message.wait_for(state="visible", timeout=EVENT_TIMEOUT_MS)
    assert RECOMMENDED in message.inner_text()


def flush_messages(frame: Frame) -> None:
    """Messages to a window are delivered in order: once this one arrives, the earlier ones have."""
    frame.evaluate(
        """() => new Promise((resolve) => {
          addEventListener("message", (e) => e.data === "flush" && resolve(true));
          postMessage("flush", location.origin);
        })"""
    )


def test_commands_from_a_sibling_frame_of_another_site_are_ignored(
    page: Page, dashboard: Dashboard, widget: str
) -> None:
    dashboard.pages["/evil"] = """<!doctype html><script>
      addEventListener("message", (e) => {
        const target = parent.frames[0];
        target.postMessage({target: "chatdump", type: "set-theme", theme: "dark"}, "*");
        target.postMessage({target: "chatdump", type: "download"}, "*");
        parent.postMessage("evil-done", "*");
      });
    </script>"""
    evil = f"""<iframe id="evil" src="{dashboard.url("/evil", site="other")}"></iframe><script>
      addEventListener("message", (e) => {{
        if (e.data && e.data.type === "ready") document.getElementById("evil").contentWindow.postMessage("go", "*");
      }});
    </script>"""
    dashboard.add("/with-evil-sibling", link(widget), RECOMMENDED, evil)
    downloads: list[object] = []
    page.on("download", lambda download: downloads.append(download))
    page.goto(dashboard.url("/with-evil-sibling"))
    frame = widget_frame(page)
    assert frame_state(frame, "ready", "error") == "ready"
    page.wait_for_function(
        "window.events.some((e) => e.data === 'evil-done')", timeout=EVENT_TIMEOUT_MS
    )
    flush_messages(frame)
    assert frame.evaluate("document.documentElement.dataset.theme") is None
    assert frame_state(frame, "ready") == "ready"
    assert downloads == []


def test_commands_from_a_parent_outside_the_allowed_list_are_ignored(
    page: Page, dashboard: Dashboard, widget: str
) -> None:
    # CSP lets dashboard.test frame the widget, but embed.json (as a static host might ship it)
    # lists another site: the widget must then neither obey nor report to this parent.
    def only_elsewhere(route: Route) -> None:
        route.fulfill(json={"frame_ancestors": ["https://elsewhere.example"]})

    page.context.route("**/embed.json", only_elsewhere)
    dashboard.add("/not-listed", link(widget), RECOMMENDED)
    downloads: list[object] = []
    page.on("download", lambda download: downloads.append(download))
    page.goto(dashboard.url("/not-listed"))
    frame = widget_frame(page)
    assert frame_state(frame, "ready", "error") == "ready"
    page.evaluate("command({type: 'set-theme', theme: 'dark'}); command({type: 'download'})")
    flush_messages(frame)
    assert frame.evaluate("document.documentElement.dataset.theme") is None
    assert frame_state(frame, "ready") == "ready"
    assert downloads == []
    assert events(page) == []


def test_a_site_not_in_the_list_cannot_frame_the_widget(
    page: Page, dashboard: Dashboard, widget: str
) -> None:
    dashboard.add("/framer", link(widget))
    page.goto(dashboard.url("/framer", site="other"))
    frame = widget_frame(page)
    frame.wait_for_load_state()
    assert not frame.url.startswith(widget)  # Chromium shows its own error page instead
    assert frame.query_selector("#chatdump-download") is None


def test_the_example_dashboard_drives_the_widget_by_message(
    page: Page, dashboard: Dashboard, widget: str, tmp_path: Path
) -> None:
    example = Path(__file__).parents[2] / "examples" / "dashboard.html"
    dashboard.pages["/example"] = example.read_text(encoding="utf-8")
    page.goto(dashboard.url("/example"))
    page.fill("#origin", widget)
    page.fill("#grant", demo_grant(DEFAULT_SESSION_ID))
    page.click("#load")
    frame = widget_frame(page, "#slot iframe")
    assert frame_state(frame, "ready", "error") == "ready"
    assert "grant=" not in frame.url  # passed by message
    with page.expect_download() as info:
        page.get_by_role("button", name="Send “download”").click()
        save_on_click(frame)
    saved = tmp_path / "saved.csv"
    info.value.save_as(saved)
    assert saved.read_bytes() == served_bytes(widget)
    log = page.locator("#log")
    log.get_by_text('"type":"done"').wait_for(timeout=EVENT_TIMEOUT_MS)
    assert widget in log.inner_text()


def test_the_host_sets_format_and_theme_by_message(
    page: Page, dashboard: Dashboard, widget: str
) -> None:
    script = """<script>
      addEventListener("message", (e) => {
        if (e.data && e.data.type === "ready") {
          command({type: "set-format", format: "jsonl"});
          command({type: "set-theme", theme: "dark"});
        }
      });
    </script>"""
    dashboard.add("/format", link(widget), RECOMMENDED, script)
    page.goto(dashboard.url("/format"))
    frame = widget_frame(page)
    assert frame_state(frame, "ready", "error") == "ready"
    frame.wait_for_selector("html[data-theme=dark]", state="attached", timeout=EVENT_TIMEOUT_MS)
    assert frame.evaluate("document.getElementById('chatdump-format').value") == "jsonl"
    with page.expect_download() as info:
        frame.get_by_role("button", name="Download chat").click()
        save_on_click(frame)
    assert info.value.suggested_filename.endswith(".jsonl")
