"""Real misbehaving parts for the widget's recovery tests, over real loopback HTTP.

``FaultyStorage`` is an HTTP server in front of the demo storage that, on request, answers 403,
cuts a body short under a full Content-Length, drops CORS headers or the connection. Like S3 it
answers a single byte range (206 + Content-Range), each fault applying to that part. ``WidgetServer``
runs chatdump's app (demo upstream) in a thread with its storage URLs pointing at that proxy, a
provider that can hand out already-expired URLs, and a log of the endpoint requests.
"""

from __future__ import annotations

import hashlib
import http.client
import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from urllib.parse import urlsplit

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from chatdump.server.app import create_app
from chatdump.server.settings import Settings
from chatdump.upstream.base import SessionInfo, UpstreamChatUrl
from chatdump.upstream.chat_replay import ChatReplayProvider
from chatdump.upstream.demo import STORAGE_PATH, DemoUpstream
from chatdump.upstream.demo.storage import byte_range
from tests.live import free_port, serving

Fault = Literal[
    "pass", "forbidden", "truncate", "no-cors", "drop", "stall", "stall-unsized", "stall-then-cut"
]
STALL_LIMIT_SECONDS = 30
S3_FORBIDDEN = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
)


class FaultyStorage:
    """Forwards GETs to ``upstream``, misbehaving as told by ``faults`` (one per request)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.faults: list[Fault] = []
        self.requests: list[str] = []
        self.body: bytes | None = None  # served instead of the stored dump when set
        self.release = threading.Event()  # ends a stall: the rest of the body is sent
        self.client_hung_up = threading.Event()  # a stalled client closed its connection
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def next_fault(self, path: str) -> Fault:
        with self.lock:
            self.requests.append(path)
            return self.faults.pop(0) if self.faults else "pass"

    def fetch(self, path: str, wanted: str | None) -> tuple[int, list[tuple[str, str]], bytes]:
        """The demo storage's answer (or ``body`` instead of its dump), cut to ``wanted``."""
        parts = urlsplit(self.upstream)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        try:
            connection.request("GET", path)
            answer = connection.getresponse()
            status, headers, body = answer.status, answer.getheaders(), answer.read()
        finally:
            connection.close()
        if status != 200:
            return status, headers, body
        if self.body is not None:
            body = self.body
            tag = hashlib.md5(body, usedforsecurity=False).hexdigest()
            headers = [(k, f'"{tag}"' if k.lower() == "etag" else v) for k, v in headers]
        span = None if wanted is None else byte_range(wanted, len(body))
        if span is None:
            return status, headers, body
        headers = [*headers, ("Content-Range", f"bytes {span[0]}-{span[1]}/{len(body)}")]
        return 206, headers, body[span[0] : span[1] + 1]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        storage = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                fault = storage.next_fault(self.path)
                if fault == "drop":
                    self.close_connection = True
                    return
                # Storage that does not say the size does not answer ranges either.
                wanted = None if fault == "stall-unsized" else self.headers.get("Range")
                status, headers, body = storage.fetch(self.path, wanted)
                if fault == "forbidden":
                    status, body = 403, S3_FORBIDDEN
                    headers = [(k, v) for k, v in headers if k.lower().startswith("access-")]
                    headers.append(("Content-Type", "application/xml"))
                self.send_response(status)
                for name, value in headers:
                    lower = name.lower()
                    if lower in ("content-length", "connection", "date", "server"):
                        continue
                    if fault == "no-cors" and lower.startswith("access-control-"):
                        continue
                    self.send_header(name, value)
                if fault == "stall-unsized":
                    self.send_header("Connection", "close")  # the body ends when the socket does
                else:
                    self.send_header("Content-Length", str(len(body)))
                if fault in ("stall", "stall-unsized", "stall-then-cut"):
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 3])
                    self.wfile.flush()
                    self.close_connection = True
                    if self._stall() and fault != "stall-then-cut":
                        self.wfile.write(body[len(body) // 3 :])
                    return
                if fault == "truncate":
                    # Promise the whole body, send a third, then hang up.
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 3])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.end_headers()
                self.wfile.write(body)

            def _stall(self) -> bool:
                """Wait for the test's release (True), or notice the client hang up (False)."""
                deadline = time.monotonic() + STALL_LIMIT_SECONDS
                while time.monotonic() < deadline and not storage.release.is_set():
                    ready, _, _ = select.select([self.connection], [], [], 0.05)
                    if ready and not self.connection.recv(1, socket.MSG_PEEK):
                        storage.client_hung_up.set()
                        return False
                return True

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    @contextmanager
    def running(self) -> Iterator[FaultyStorage]:
        with serving(self.server):
            yield self


class ExpiringProvider:
    """The demo provider, except that it can hand out URLs that expired an hour ago."""

    name = "demo"

    def __init__(self, demo: DemoUpstream, inner: ChatReplayProvider) -> None:
        self.demo, self.inner = demo, inner
        self.expired_next = 0

    async def chat_url(self, session_id: str) -> UpstreamChatUrl:
        if self.expired_next > 0:
            self.expired_next -= 1
            past = datetime.now(UTC) - timedelta(hours=1)
            url = self.demo.storage.presign(f"{session_id}.csv", expires_in=60, now=past)
            return UpstreamChatUrl(url, past + timedelta(seconds=60))
        return await self.inner.chat_url(session_id)

    async def session_info(self, session_id: str) -> SessionInfo:
        return await self.inner.session_info(session_id)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class RequestLog:
    """The endpoint requests the widget made: ``(path, query)``."""

    app: ASGIApp
    seen: list[tuple[str, str]] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            self.seen.append((scope["path"], scope["query_string"].decode()))
        await self.app(scope, receive, send)


@dataclass
class WidgetServer:
    base: str
    storage: FaultyStorage
    provider: ExpiringProvider
    log: RequestLog

    def reset(self) -> None:
        self.storage.faults.clear()
        self.storage.body = None
        self.storage.release.clear()
        self.storage.client_hung_up.clear()
        self.storage.requests.clear()
        self.provider.expired_next = 0
        self.log.seen.clear()

    def chat_url_requests(self) -> list[str]:
        return [query for path, query in self.log.seen if path.endswith("/chat-url")]


@contextmanager
def serve(app: ASGIApp, port: int) -> Iterator[str]:
    """``app`` under uvicorn in a thread on ``port``; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the widget server did not start within 30 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def widget_server() -> Iterator[WidgetServer]:
    """chatdump's app in a thread, on a free port, its storage behind a ``FaultyStorage``."""
    port = free_port()
    storage = FaultyStorage(f"http://127.0.0.1:{port}")
    demo = DemoUpstream(storage.base)
    provider = ExpiringProvider(demo, demo.provider())
    app = create_app(
        Settings.from_env({}, demo=True), provider, mounts={STORAGE_PATH: demo.storage.app}
    )
    log = RequestLog(app)
    with storage.running(), serve(log, port) as base:
        yield WidgetServer(base, storage, provider, log)
