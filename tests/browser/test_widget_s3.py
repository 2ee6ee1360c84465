"""The widget against a real S3-compatible server (s3rver): CORS rules and presigned-URL expiry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from chatdump.server.app import create_app
from chatdump.server.settings import Settings
from chatdump.upstream.demo import DEMO_SESSIONS, render_dump
from chatdump.upstream.demo.dumps import DemoSession
from tests.browser.conftest import demo_grant, wait_for_state, widget_url
from tests.browser.faults import RequestLog, serve
from tests.browser.s3site import S3Provider, next_short_url, until_refused
from tests.live import free_port
from tests.s3 import S3

# One session per test: the server caches signed URLs per session.
DIRECT, RENEWED, FALLBACK = DEMO_SESSIONS


@pytest.fixture(scope="module")
def provider(s3: S3) -> S3Provider:
    for session in DEMO_SESSIONS:
        s3.put(f"{session.session_id}.csv", render_dump(session))
        s3.put(f"{session.session_id}.csv", render_dump(session), bucket=s3.closed_bucket)
    return S3Provider(s3)


@pytest.fixture(scope="module")
def site(provider: S3Provider) -> Iterator[tuple[str, RequestLog]]:
    log = RequestLog(create_app(Settings.from_env({}, demo=True), provider))
    with serve(log, free_port()) as base:
        yield base, log


@pytest.fixture
def tab(
    context: BrowserContext, provider: S3Provider, site: tuple[str, RequestLog]
) -> Iterator[Page]:
    provider.bucket, provider.short_next = provider.s3.bucket, 0
    site[1].seen.clear()
    page = context.new_page()
    yield page
    page.close()


def open_widget(page: Page, base: str, session: DemoSession) -> None:
    page.goto(widget_url(base, session.session_id, demo_grant(session.session_id)))
    assert wait_for_state(page, "ready", "error") == "ready"


def download(page: Page, base: str, session: DemoSession, tmp_path: Path) -> bytes:
    if "#session=" not in page.url:
        open_widget(page, base, session)
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="Download chat").click()
    path = tmp_path / "saved.csv"
    info.value.save_as(path)
    return path.read_bytes()


def test_a_bucket_with_a_cors_rule_is_fetched_directly(
    tab: Page, site: tuple[str, RequestLog], tmp_path: Path
) -> None:
    assert download(tab, site[0], DIRECT, tmp_path) == render_dump(DIRECT)
    assert [path for path, _ in site[1].seen if path.endswith("chat.csv")] == []


def test_a_presigned_url_that_really_expired_is_renewed_once(
    tab: Page, provider: S3Provider, site: tuple[str, RequestLog], tmp_path: Path
) -> None:
    seen = len(provider.short_urls)
    provider.short_next = 1  # the URL asked for as the widget starts dies a second after signing
    open_widget(tab, site[0], RENEWED)
    until_refused(next_short_url(provider, seen))
    assert download(tab, site[0], RENEWED, tmp_path) == render_dump(RENEWED)
    assert "fresh=1" in [query for path, query in site[1].seen if path.endswith("chat-url")]


def test_a_bucket_without_cors_falls_back_to_the_servers_route(
    tab: Page, provider: S3Provider, site: tuple[str, RequestLog], tmp_path: Path
) -> None:
    provider.bucket = provider.s3.closed_bucket
    assert download(tab, site[0], FALLBACK, tmp_path) == render_dump(FALLBACK)
    assert (f"/api/sessions/{FALLBACK.session_id}/chat.csv", "") in site[1].seen
