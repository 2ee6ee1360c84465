"""``GET /api/sessions/{id}/chat.csv``: the dump streamed through the server, over real HTTP."""

from __future__ import annotations

import socketserver
import threading
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from chatdump.server.app import create_app
from chatdump.server.proxy import content_disposition
from chatdump.upstream import build_provider
from tests.fake_upstream import FakeChatReplay
from tests.live import serve, serving
from tests.s3 import S3
from tests.upstream_fixtures import FAST, SESSION, AppClient, grant_for, settings_for

pytestmark = pytest.mark.anyio
CSV_PATH = f"/api/sessions/{SESSION}/chat.csv"
DUMP = 'id,payload\r\n1,"a, ""quoted""\r\nline"\r\n2,café ☕\r\n'.encode() * 500
EXPIRED_XML = b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>'


ENDLESS_CAP = 1024 * 1024 * 1024


class RecordingStorage:
    """Loopback storage: ``/ok/...`` serves DUMP, ``/expired/...`` S3's 403, ``/endless/...`` a
    body of up to 1 GiB (noting when its stream stops and how much went out), others 404."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.endless_sent = 0
        self.endless_stopped = threading.Event()
        self.app = Starlette(routes=[Route("/{kind}/{key:path}", self.serve)])

    async def endless(self) -> AsyncIterator[bytes]:
        piece = b"y" * 65536
        try:
            while self.endless_sent < ENDLESS_CAP:
                self.endless_sent += len(piece)
                yield piece
                await anyio.sleep(0)
        finally:
            self.endless_stopped.set()

    async def serve(self, request: Request) -> Response:
        self.requests.append((str(request.url), dict(request.headers)))
        kind = request.path_params["kind"]
        if kind == "endless":
            return StreamingResponse(self.endless(), media_type="text/csv")
        if kind == "ok":
            return Response(DUMP, media_type="text/csv")
        if kind == "expired":
            return Response(EXPIRED_XML, 403, media_type="application/xml")
        return Response(b"<Error><Code>NoSuchKey</Code></Error>", 404)


@pytest.fixture(scope="module")
def storage() -> Iterator[tuple[RecordingStorage, str]]:
    recording = RecordingStorage()
    with serve(recording.app) as base:
        yield recording, base


async def test_the_dump_is_streamed_byte_for_byte_with_its_filename(
    app_client: AppClient, upstream: FakeChatReplay, storage: tuple[RecordingStorage, str]
) -> None:
    upstream.download_url = lambda sid: f"{storage[1]}/ok/{sid}.csv?X-Amz-Signature=abc"
    async with app_client("dyte") as client:
        answer = await client.get(CSV_PATH, headers=grant_for())
    assert answer.status_code == 200
    assert answer.content == DUMP
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-length"] == str(len(DUMP))
    assert "filename*=UTF-8''team-standup-2026-11-24.csv" in answer.headers["content-disposition"]
    assert answer.headers["cache-control"] == "no-store"


async def test_no_credential_of_the_request_goes_to_storage(
    app_client: AppClient, upstream: FakeChatReplay, storage: tuple[RecordingStorage, str]
) -> None:
    recording, base = storage
    recording.requests.clear()
    upstream.download_url = lambda sid: f"{base}/ok/{sid}.csv?X-Amz-Signature=abc"
    headers = {**grant_for(), "Cookie": "session=secret-cookie"}
    async with app_client("realtimekit") as client:
        assert (await client.get(CSV_PATH, headers=headers)).status_code == 200
    [(url, sent)] = recording.requests
    assert "authorization" not in sent and "cookie" not in sent
    assert headers["Authorization"].removeprefix("Bearer ") not in url + str(sent)


async def test_ambient_credentials_do_not_go_to_storage_either(
    app_client: AppClient, upstream: FakeChatReplay, storage: tuple[RecordingStorage, str],
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    recording, base = storage
    recording.requests.clear()
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password hunter2hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    upstream.download_url = lambda sid: f"{base}/ok/{sid}.csv"
    async with app_client("dyte") as client:
        assert (await client.get(CSV_PATH, headers=grant_for())).status_code == 200
    [(_, sent)] = recording.requests
    assert "authorization" not in sent


def test_a_client_that_leaves_stops_the_storage_fetch(
    upstream: FakeChatReplay, upstream_base: str, storage: tuple[RecordingStorage, str]
) -> None:
    recording, storage_base = storage
    upstream.download_url = lambda sid: f"{storage_base}/endless/{sid}.csv"
    settings = settings_for("dyte", upstream_base)
    app = create_app(settings, build_provider(settings.upstream, FAST))
    with serve(app) as base, httpx.Client(base_url=base) as client:
        with client.stream("GET", CSV_PATH, headers=grant_for()) as answer:
            for _ in zip(range(10), answer.iter_raw(), strict=False):
                pass  # read a little, then hang up
        assert recording.endless_stopped.wait(timeout=30)
    assert recording.endless_sent < ENDLESS_CAP


async def test_storage_refusing_the_url_gets_one_fresh_url(
    app_client: AppClient, upstream: FakeChatReplay, storage: tuple[RecordingStorage, str]
) -> None:
    urls = iter([f"{storage[1]}/expired/a.csv", f"{storage[1]}/ok/a.csv"])
    upstream.download_url = lambda sid: next(urls)
    async with app_client("dyte") as client:
        answer = await client.get(CSV_PATH, headers=grant_for())
    assert (answer.status_code, answer.content) == (200, DUMP)
    assert upstream.count("chat") == 2


async def test_storage_refusing_every_url_is_a_502(
    app_client: AppClient, upstream: FakeChatReplay, storage: tuple[RecordingStorage, str]
) -> None:
    upstream.download_url = lambda sid: f"{storage[1]}/expired/a.csv"
    async with app_client("dyte") as client:
        answer = await client.get(CSV_PATH, headers=grant_for())
    assert (answer.status_code, answer.json()["error"]["code"]) == (502, "storage_refused")
    assert upstream.count("chat") == 2  # one fresh URL, no more


async def test_a_dump_missing_from_storage_is_a_404(
    app_client: AppClient, upstream: FakeChatReplay, storage: tuple[RecordingStorage, str]
) -> None:
    upstream.download_url = lambda sid: f"{storage[1]}/gone/a.csv"
    async with app_client("dyte") as client:
        answer = await client.get(CSV_PATH, headers=grant_for())
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "no_chat_in_storage")


async def test_chat_csv_needs_a_grant_for_the_session(app_client: AppClient) -> None:
    async with app_client("dyte") as client:
        missing = await client.get(CSV_PATH)
        other = await client.get(CSV_PATH, headers=grant_for("another-session"))
    assert (missing.status_code, other.status_code) == (401, 403)


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name() -> None:
    value = content_disposition("café-2026-11-24.csv", "s.csv")
    assert value == "attachment; filename=\"s.csv\"; filename*=UTF-8''caf%C3%A9-2026-11-24.csv"


class _Truncating(socketserver.BaseRequestHandler):
    """Promises a body it does not deliver: half of it, then the connection closes."""

    chunked = False

    def handle(self) -> None:
        self.request.recv(65536)
        half = DUMP[: len(DUMP) // 2]
        if self.chunked:
            head = (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/csv\r\n\r\n"
            )
            body = f"{len(DUMP):x}\r\n".encode() + half
        else:
            head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(DUMP)}\r\nContent-Type: text/csv\r\n\r\n".encode()
            body = half
        self.request.sendall(head + body)


class _TruncatingChunked(_Truncating):
    chunked = True


@contextmanager
def truncating_storage(handler: type[_Truncating]) -> Iterator[str]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    with serving(server):
        yield f"http://127.0.0.1:{server.server_address[1]}"


@pytest.mark.parametrize("handler", [_Truncating, _TruncatingChunked], ids=["length", "chunked"])
def test_a_truncated_storage_body_ends_the_response_as_an_error(
    upstream: FakeChatReplay, upstream_base: str, handler: type[_Truncating]
) -> None:
    settings = settings_for("dyte", upstream_base)
    with truncating_storage(handler) as storage_base:
        upstream.download_url = lambda sid: f"{storage_base}/dump.csv?X-Amz-Signature=abc"
        app = create_app(settings, build_provider(settings.upstream, FAST))
        with serve(app) as base, httpx.Client(base_url=base) as client:
            received = bytearray()
            # An incomplete body, not a short file:
            with (
                pytest.raises(httpx.RemoteProtocolError),
                client.stream("GET", CSV_PATH, headers=grant_for()) as answer,
            ):
                assert answer.status_code == 200
                for chunk in answer.iter_raw():
                    received += chunk
    assert len(received) < len(DUMP)


async def test_memory_stays_constant_whatever_the_size(
    upstream: FakeChatReplay, upstream_base: str
) -> None:
    size, piece = 64 * 1024 * 1024, b"x" * 65536

    async def body() -> AsyncIterator[bytes]:
        for _ in range(size // len(piece)):
            yield piece

    def storage_handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": str(size)}, content=body())

    settings = settings_for("dyte", upstream_base)
    storage = httpx.AsyncClient(transport=httpx.MockTransport(storage_handler))
    app = create_app(settings, build_provider(settings.upstream, FAST), storage=storage)
    received = 0

    async def receive() -> dict[str, object]:
        if received == 0:
            return {"type": "http.request", "body": b"", "more_body": False}
        await anyio.sleep_forever()
        raise AssertionError

    async def send(message: dict[str, object]) -> None:
        nonlocal received
        if message["type"] == "http.response.body":
            received += len(message["body"])  # type: ignore[arg-type]

    grant = grant_for()["Authorization"].encode()
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": CSV_PATH, "raw_path": CSV_PATH.encode(), "query_string": b"",
        "root_path": "", "headers": [(b"host", b"127.0.0.1"), (b"authorization", grant)],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
    }  # fmt: skip
    tracemalloc.start()
    try:
        await app(scope, receive, send)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert received == size
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes for a {size}-byte dump"


async def test_a_server_level_flow_through_s3rver(
    app_client: AppClient, upstream: FakeChatReplay, s3: S3
) -> None:
    s3.put(f"{SESSION}.csv", DUMP, bucket=s3.closed_bucket)
    upstream.download_url = lambda sid: s3.presign(f"{sid}.csv", 3600, bucket=s3.closed_bucket)
    async with app_client("dyte") as client:
        url = (await client.get(f"/api/sessions/{SESSION}/chat-url", headers=grant_for())).json()[
            "url"
        ]
        proxied = await client.get(CSV_PATH, headers=grant_for())
    async with httpx.AsyncClient() as browser_like:  # what a browser fetches, were CORS to allow it
        direct = await browser_like.get(url)
    assert url.startswith(s3.endpoint)
    assert direct.content == proxied.content == DUMP
