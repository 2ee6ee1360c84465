"""The widget behind Debian's nginx under /tools/chat/, with docs/deploy.md's very site config.

nginx strips the prefix; `chatdump serve` runs without --root-path. Everything the page asks for
must come back through nginx under the prefix: the page, the runtime, the API, the demo storage,
and the streaming fallback, which must reach the browser unbuffered.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Page, Route

from chatdump.secret import Secret
from chatdump.server.app import create_app
from chatdump.server.grants import mint_grant
from chatdump.server.settings import Settings
from chatdump.upstream.demo import DEFAULT_SESSION_ID
from tests.browser.conftest import demo_grant, wait_for_state, widget_url
from tests.fake_upstream import FixedUrlProvider
from tests.live import serve, start_server
from tests.nginx import nginx_in_front_of

STEP_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(the widget's URL through nginx, nginx's temp dir)."""
    process, app_base = start_server()
    tmp = tmp_path_factory.mktemp("nginx")
    try:
        with nginx_in_front_of(app_base, tmp) as base:
            yield base, tmp
    finally:
        process.terminate()
        process.wait(timeout=15)


def _chat_url(base: str, grant: str) -> dict[str, str]:
    answer = httpx.get(
        f"{base}api/sessions/{DEFAULT_SESSION_ID}/chat-url",
        headers={"Authorization": f"Bearer {grant}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _open_and_save(page: Page, base: str, grant: str, tmp_path: Path) -> bytes:
    page.goto(widget_url(base.rstrip("/"), DEFAULT_SESSION_ID, grant))
    assert wait_for_state(page, "ready", "error") == "ready"
    with page.expect_download(timeout=STEP_TIMEOUT_MS) as info:
        page.get_by_role("button", name="Download chat").click()
    saved = tmp_path / "saved.csv"
    info.value.save_as(saved)
    assert wait_for_state(page, "done", "error", timeout=STEP_TIMEOUT_MS) == "done"
    return saved.read_bytes()


def test_the_demo_storage_url_points_at_the_proxy_under_its_prefix(
    proxied: tuple[str, Path],
) -> None:
    base, _ = proxied
    url = _chat_url(base, demo_grant(DEFAULT_SESSION_ID))["url"]
    assert url.startswith(base + "demo-storage/")
    assert httpx.get(url, timeout=10).status_code == 200


def test_the_widget_boots_and_saves_identical_bytes_through_nginx(
    page: Page, proxied: tuple[str, Path], tmp_path: Path
) -> None:
    base, _ = proxied
    grant = demo_grant(DEFAULT_SESSION_ID)
    served = httpx.get(_chat_url(base, grant)["url"], timeout=10).content
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    assert _open_and_save(page, base, grant, tmp_path) == served
    # Every request of the page went through nginx, under the prefix.
    outside = [u for u in seen if not u.startswith(base)]
    assert not outside, outside
    assert any("/api/sessions/" in u and u.endswith("/chat-url") for u in seen)


def test_the_streaming_fallback_runs_through_nginx_under_the_prefix(
    page: Page, proxied: tuple[str, Path], tmp_path: Path
) -> None:
    base, nginx_dir = proxied
    grant = demo_grant(DEFAULT_SESSION_ID)
    served = httpx.get(_chat_url(base, grant)["url"], timeout=10).content

    def refuse(route: Route) -> None:
        route.abort("connectionrefused")  # storage unreachable, twice: the server streams it

    page.route("**/demo-storage/**", refuse)
    assert _open_and_save(page, base, grant, tmp_path) == served
    log = (nginx_dir / "access.log").read_text()
    assert f"GET {urlsplit(base).path}api/sessions/{DEFAULT_SESSION_ID}/chat.csv " in log


def test_the_proxys_log_holds_no_ticket_and_the_request_id(proxied: tuple[str, Path]) -> None:
    base, nginx_dir = proxied
    grant = demo_grant(DEFAULT_SESSION_ID)
    csv = f"{base}api/sessions/{DEFAULT_SESSION_ID}/chat.csv"
    minted = httpx.post(f"{csv}/ticket", headers={"Authorization": f"Bearer {grant}"}, timeout=10)
    assert minted.status_code == 200, minted.text
    ticket = minted.json()["ticket"]
    answer = httpx.get(csv, params={"ticket": ticket}, timeout=30)
    assert answer.status_code == 200, answer.text
    log = (nginx_dir / "access.log").read_text()
    assert f"GET {urlsplit(csv).path} " in log
    assert ticket not in log and "ticket=" not in log
    assert answer.headers["x-request-id"] in log


class _GatedStorage:
    """Storage on loopback that sends the headers and a first part, then holds the rest until
    the test has seen that first part arrive through nginx (bounded)."""

    def __init__(self, first: bytes, rest: bytes) -> None:
        self.first, self.rest = first, rest
        self.release = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/chat.csv?X-Amz-Signature=x"
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        self.sock.settimeout(30)
        with self.sock, self.sock.accept()[0] as conn:
            conn.settimeout(30)
            request = b""
            while b"\r\n\r\n" not in request:
                request += conn.recv(4096)
            size = len(self.first) + len(self.rest)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\n"
                + f"Content-Length: {size}\r\nConnection: close\r\n\r\n".encode()
                + self.first
            )
            self.release.wait(timeout=20)
            conn.sendall(self.rest)


def test_nginx_passes_the_chat_csv_stream_on_before_it_has_ended(tmp_path: Path) -> None:
    secret = "s" * 40
    first, rest = b"a,b\n" + b"x" * 996, b"y" * 200_000
    storage = _GatedStorage(first, rest)
    settings = Settings.from_env({"CHATDUMP_GRANT_SECRET": secret}, demo=True)
    app = create_app(settings, FixedUrlProvider(storage.url))
    grant = mint_grant(Secret(secret), "sess-1", ttl=600)
    with serve(app) as app_base, nginx_in_front_of(app_base, tmp_path) as base:
        got = b""
        try:
            with httpx.stream(
                "GET", f"{base}api/sessions/sess-1/chat.csv",
                headers={"Authorization": f"Bearer {grant}"}, timeout=30,
            ) as response:  # fmt: skip
                assert response.status_code == 200
                chunks = response.iter_raw()
                while len(got) < len(first):
                    got += next(chunks)
                # The first part is here while storage still holds the rest back: it streams.
                assert not storage.release.is_set()
                storage.release.set()
                for chunk in chunks:
                    got += chunk
        finally:
            storage.release.set()
    assert got == first + rest
