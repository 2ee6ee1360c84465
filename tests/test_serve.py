"""`chatdump serve` as deployed: several workers, SIGTERM, /readyz, trusted proxy headers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from chatdump.core import errors
from chatdump.server.app import create_app
from chatdump.server.settings import Settings
from chatdump.upstream.base import SessionInfo, UpstreamChatUrl
from chatdump.upstream.demo import DEFAULT_SESSION_ID
from tests.browser.conftest import demo_grant
from tests.live import free_port, serve, wait_until_up


@contextmanager
def serving(*options: str, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "chatdump", "serve", "--demo", "--port", str(port), *options],
            env={**os.environ, "CHATDUMP_GRANT_SECRET": ""},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, base, "/readyz", why=log.read_text)
        yield process, base
    finally:
        # SIGTERM, as a service manager stops it: the last log lines get written.
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def test_several_workers_serve_and_honour_each_others_storage_urls(tmp_path: Path) -> None:
    grant = demo_grant(DEFAULT_SESSION_ID)
    with serving("--workers", "2", "--access-log", log=tmp_path / "log") as (process, base):
        for _ in range(12):  # new connections: the kernel spreads them over both workers
            with httpx.Client(timeout=10) as client:
                answer = client.get(
                    f"{base}/api/sessions/{DEFAULT_SESSION_ID}/chat-url?fresh=0",
                    headers={"Authorization": f"Bearer {grant}"},
                )
                assert answer.status_code == 200, answer.text
            with httpx.Client(timeout=10) as client:
                assert client.get(answer.json()["url"]).status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    log = (tmp_path / "log").read_text()
    assert "Started parent process" in log
    # Every worker writes the access log (they are spawned: the parent's set-up is not theirs).
    asked = f"chatdump.access: 127.0.0.1 GET /api/sessions/{DEFAULT_SESSION_ID}/chat-url 200"
    assert log.count(asked) == 12, log
    assert grant not in log


def test_by_default_no_request_lines_are_logged_and_the_rest_is(tmp_path: Path) -> None:
    grant = demo_grant(DEFAULT_SESSION_ID)
    for options in ((), ("--workers", "2"), ("--no-access-log",)):
        log = tmp_path / ("-".join(options) or "default")
        with serving(*options, log=log) as (process, base):
            answer = httpx.get(
                f"{base}/api/sessions/{DEFAULT_SESSION_ID}/chat-url",
                headers={"Authorization": f"Bearer {grant}"},
                timeout=10,
            )
            assert answer.status_code == 200
            assert answer.headers["x-request-id"]  # the request id stays
            process.send_signal(signal.SIGTERM)
            # One process re-raises the signal once shut down (uvicorn); workers' parent exits 0.
            assert process.wait(timeout=30) in (0, -signal.SIGTERM)
        text = log.read_text()
        assert "chatdump.access" not in text
        assert "Application startup complete" in text


def test_the_access_log_shows_the_client_a_trusted_proxy_names(tmp_path: Path) -> None:
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    with serving("--access-log", log=tmp_path / "trusted") as (_, base):  # loopback is trusted
        httpx.get(f"{base}/healthz", headers=forwarded, timeout=10)
    untrusted_proxy = ("--access-log", "--forwarded-allow-ips", "10.1.1.1")
    with serving(*untrusted_proxy, log=tmp_path / "untrusted") as (_, base):
        httpx.get(f"{base}/healthz", headers=forwarded, timeout=10)
    trusted = (tmp_path / "trusted").read_text()
    untrusted = (tmp_path / "untrusted").read_text()
    assert "chatdump.access: 203.0.113.9 GET /healthz 200" in trusted
    assert "chatdump.access: 127.0.0.1 GET /healthz 200" in untrusted
    assert "203.0.113.9" not in untrusted


class _Provider:
    name = "stub"

    def __init__(self, failure: errors.ChatdumpError | None) -> None:
        self.failure = failure
        self.calls = 0

    async def chat_url(self, session_id: str) -> UpstreamChatUrl:
        raise AssertionError("readyz must not ask for a URL")

    async def session_info(self, session_id: str) -> SessionInfo:
        self.calls += 1
        if self.failure is not None:
            raise self.failure
        return SessionInfo(session_id)

    async def aclose(self) -> None:
        pass


@contextmanager
def _client(provider: _Provider | None) -> Iterator[httpx.Client]:
    """The app on real HTTP (``provider`` None: the demo's own)."""
    env = {"CHATDUMP_GRANT_SECRET": "s" * 40} if provider else {}
    app = create_app(Settings.from_env(env, demo=True), provider)
    with serve(app) as base, httpx.Client(base_url=base, timeout=10) as client:
        yield client


def test_readyz_checks_the_upstream_only_when_asked() -> None:
    provider = _Provider(None)
    with _client(provider) as client:
        assert client.get("/readyz").json() == {"status": "ready", "provider": "stub"}
        assert provider.calls == 0
        assert client.get("/readyz?upstream=1").status_code == 200
        assert provider.calls == 1


def test_readyz_accepts_an_upstream_that_knows_no_such_session() -> None:
    with _client(_Provider(errors.NotFound("no such session", code="no_chat"))) as client:
        assert client.get("/readyz?upstream=1").status_code == 200


def test_readyz_answers_503_in_the_error_shape_when_the_upstream_fails() -> None:
    failure = errors.UpstreamError("bad credentials", code="upstream_credentials_rejected")
    with _client(_Provider(failure)) as client:
        answer = client.get("/readyz?upstream=1")
    assert answer.status_code == 503
    body = answer.json()["error"]
    assert body["code"] == "upstream_not_ready"
    assert set(body) == {"code", "message", "request_id"}


def test_the_demo_readyz_with_the_upstream_is_ready() -> None:
    with _client(None) as client:
        assert client.get("/readyz?upstream=1").status_code == 200
