"""The same six behaviours in every engine: Chromium, Firefox ESR and WebKitGTK (Safari's engine).

Each engine starts once for the module (``ENGINES``, tests/browser/engines/) and every test gets a
fresh page from it. Clicks and choices are made by the driver, as a person makes them; saved files
are read from where the browser itself put them.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest

from chatdump.core.dump import chunks_of
from chatdump.core.formats import convert
from chatdump.server.app import create_app
from chatdump.server.settings import Settings
from chatdump.upstream.demo import DEFAULT_SESSION_ID, DEMO_SESSIONS, render_dump
from chatdump.upstream.demo.dumps import find_session
from tests.browser.conftest import demo_grant, widget_url
from tests.browser.dashboard import RECOMMENDED, Dashboard, dashboard_server
from tests.browser.engines import ENGINES
from tests.browser.engines.base import Engine, wait_for
from tests.browser.faults import RequestLog, WidgetServer, serve, widget_server
from tests.browser.s3site import S3Provider, next_short_url, until_refused
from tests.live import free_port, start_server
from tests.s3 import S3

SESSION = find_session(DEFAULT_SESSION_ID)
assert SESSION is not None
STORED = render_dump(SESSION)
FILENAME = "team-standup-2026-11-24.csv"
BOOT_SECONDS = 90  # a cold Pyodide boot on two busy cores, WebKit the slowest
STEP_SECONDS = 30
STATE = "document.documentElement.dataset.chatdumpState"
STATUS = "document.getElementById('chatdump-status').textContent"
BUTTON = "#chatdump-download"


@pytest.fixture(scope="module", params=list(ENGINES))
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    browser = ENGINES[request.param](tmp_path_factory.mktemp(request.param))
    yield browser
    browser.close()


@pytest.fixture
def browser(engine: Engine) -> Engine:
    engine.reset()
    return engine


@pytest.fixture(scope="module")
def widget() -> Iterator[WidgetServer]:
    with widget_server() as server:
        yield server


def state_in(browser: Engine, *states: str, timeout: float = STEP_SECONDS) -> str:
    wanted = " || ".join(f"{STATE} === {s!r}" for s in states)
    wait_for(browser, f"({wanted}) && {STATE}", timeout)
    return str(browser.evaluate(STATE))


def open_widget(browser: Engine, base: str, session_id: str = DEFAULT_SESSION_ID) -> None:
    browser.open(widget_url(base, session_id, demo_grant(session_id)))
    assert state_in(browser, "ready", "error", timeout=BOOT_SECONDS) == "ready", browser.evaluate(
        STATUS
    )


def test_boots_to_ready(browser: Engine, widget: WidgetServer) -> None:
    widget.reset()
    open_widget(browser, widget.base)
    assert browser.evaluate(STATUS) != "Loading…"
    assert browser.downloads() == []


def test_a_click_saves_storages_bytes_under_the_apis_filename(
    browser: Engine, widget: WidgetServer
) -> None:
    widget.reset()
    open_widget(browser, widget.base)
    browser.click(BUTTON)
    saved = browser.saved(STEP_SECONDS)
    assert (saved.name, saved.data) == (FILENAME, STORED)
    assert state_in(browser, "done", "error") == "done"
    assert FILENAME in browser.evaluate(STATUS)


def test_a_body_cut_short_is_an_error_with_no_file_and_retry_saves(
    browser: Engine, widget: WidgetServer
) -> None:
    widget.reset()
    # Direct, fresh URL, the server's route: each is cut a third of the way in.
    widget.storage.faults = ["truncate"] * 3
    open_widget(browser, widget.base)
    browser.click(BUTTON)
    assert state_in(browser, "error", "done") == "error"
    assert "nothing was saved" in browser.evaluate(STATUS)
    assert browser.downloads() == []
    widget.storage.faults.clear()
    assert browser.evaluate(f"document.querySelector({BUTTON!r}).textContent") == "Retry"
    browser.click(BUTTON)
    saved = browser.saved(STEP_SECONDS)
    assert (saved.name, saved.data) == (FILENAME, STORED)
    assert state_in(browser, "done", "error") == "done"


def test_beyond_the_blob_limit_the_browser_itself_downloads_the_streaming_route(
    browser: Engine, widget: WidgetServer
) -> None:
    if browser.name == "chromium":
        pytest.skip("Chromium streams into the chosen file: tests/browser/test_big_downloads.py")
    widget.reset()
    # max_blob lowers the widget's Blob limit below this dump: the size at which it hands off.
    browser.open(
        widget_url(widget.base, DEFAULT_SESSION_ID, demo_grant(DEFAULT_SESSION_ID))
        + "&max_blob=1kB"
    )
    assert state_in(browser, "ready", "error", timeout=BOOT_SECONDS) == "ready"
    browser.click(BUTTON)
    if state_in(browser, "done", "save", "error") == "save":  # the ticket waits for this click
        browser.click("#chatdump-save")
    saved = browser.saved(STEP_SECONDS)
    assert (saved.name, saved.data) == (FILENAME, STORED)
    assert state_in(browser, "done", "error") == "done"
    assert "Your browser is downloading" in browser.evaluate(STATUS)


@pytest.fixture(scope="module")
def s3_site(s3: S3) -> Iterator[tuple[str, S3Provider, RequestLog]]:
    provider = S3Provider(s3)
    log = RequestLog(create_app(Settings.from_env({}, demo=True), provider))
    with serve(log, free_port()) as base:
        yield base, provider, log


def test_a_url_storage_refuses_as_expired_still_saves_on_one_click(
    browser: Engine, s3: S3, s3_site: tuple[str, S3Provider, RequestLog]
) -> None:
    base, provider, log = s3_site
    # A session of this engine's own: the server caches signed URLs per session.
    stored = render_dump(DEMO_SESSIONS[1])
    session_id = f"expired-{browser.name}"
    s3.put(f"{session_id}.csv", stored)
    seen = len(provider.short_urls)
    provider.short_next = 1  # the URL the widget asks for as it starts dies a second after signing
    open_widget(browser, base, session_id)
    until_refused(next_short_url(provider, seen))
    browser.click(BUTTON)
    saved = browser.saved(STEP_SECONDS)
    assert saved.data == stored
    asked = [query for path, query in log.seen if path == f"/api/sessions/{session_id}/chat-url"]
    assert asked == ["", "fresh=1"]
    assert state_in(browser, "done", "error") == "done"


def test_a_converted_format_saves_what_the_cli_converter_makes(
    browser: Engine, widget: WidgetServer
) -> None:
    widget.reset()
    open_widget(browser, widget.base)
    browser.select("#chatdump-format", "jsonl")
    browser.click(BUTTON)
    saved = browser.saved(STEP_SECONDS)
    assert saved.name == "team-standup-2026-11-24.jsonl"
    assert saved.data == "".join(convert(chunks_of(STORED), "jsonl")).encode("utf-8")
    assert state_in(browser, "done", "error") == "done"


@pytest.fixture(scope="module")
def dashboard() -> Iterator[Dashboard]:
    with dashboard_server() as board:
        yield board


@pytest.fixture(scope="module")
def embedded(dashboard: Dashboard) -> Iterator[tuple[str, str]]:
    """(dashboard origin, widget origin): localhost and 127.0.0.1 are two sites in every engine,
    with no DNS tricks."""
    host = f"http://localhost:{dashboard.port}"
    process, base = start_server({"CHATDUMP_FRAME_ANCESTORS": host})
    yield host, base
    process.terminate()
    process.wait(timeout=10)


def test_in_a_cross_site_sandboxed_iframe_it_boots_saves_and_tells_the_host(
    browser: Engine, dashboard: Dashboard, embedded: tuple[str, str]
) -> None:
    host, widget = embedded
    grant = quote(demo_grant(DEFAULT_SESSION_ID))
    dashboard.add(
        f"/{browser.name}", f"{widget}/#session={DEFAULT_SESSION_ID}&grant={grant}&layout=embed",
        RECOMMENDED,
    )  # fmt: skip
    browser.open(f"{host}/{browser.name}")
    browser.enter_frame("#chatdump")
    assert state_in(browser, "ready", "error", timeout=BOOT_SECONDS) == "ready", browser.evaluate(
        STATUS
    )
    browser.click(BUTTON)
    saved = browser.saved(STEP_SECONDS)
    assert (saved.name, saved.data) == (FILENAME, STORED)
    assert state_in(browser, "done", "error") == "done"
    browser.leave_frame()
    wait_for(browser, "window.events.some((e) => e.data && e.data.type === 'done')", STEP_SECONDS)
    events = browser.evaluate("window.events")
    assert {e["origin"] for e in events} == {widget}
    kinds = [e["data"]["type"] for e in events]
    assert "ready" in kinds and "progress" in kinds
    done = next(e["data"] for e in events if e["data"]["type"] == "done")
    assert done == {
        "source": "chatdump",
        "type": "done",
        "bytes": len(STORED),
        "filename": FILENAME,
    }
