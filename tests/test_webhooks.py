"""POST /webhooks/chat-synced: refused without the secret, archives the chat with it."""

from __future__ import annotations

import functools
import json
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chatdump.core import errors
from chatdump.export.download import download
from chatdump.export.storage_http import DeadlineStorageClient
from chatdump.secret import Secret
from chatdump.server.app import create_app
from chatdump.server.settings import Settings
from chatdump.server.webhooks import PATH, WebhookSettings, read_chat_synced, webhook_router
from chatdump.upstream.demo import DEMO_SESSIONS, DemoUpstream, render_dump
from chatdump.upstream.demo.dumps import DemoSession
from chatdump.upstream.demo.local import local_demo
from tests.conftest import SAMPLES
from tests.fake_upstream import FixedUrlProvider
from tests.live import serve

pytestmark = pytest.mark.anyio
SECRET = "w" * 40
SESSION = DEMO_SESSIONS[0]


@pytest.fixture(scope="module")
def upstream() -> Iterator[DemoUpstream]:
    with local_demo() as demo:
        yield demo


@pytest.fixture
async def client(upstream: DemoUpstream, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    provider = upstream.provider()
    router = webhook_router(WebhookSettings(Secret(SECRET), tmp_path), provider)
    app = create_app(Settings.from_env({}, demo=True), provider, routers=[router])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        yield http


def event(url: str) -> dict[str, object]:
    sample = json.loads((SAMPLES / "dyte-webhook-chat-synced.json").read_text())
    return {**sample, "sessionId": SESSION.session_id, "chatDownloadUrl": url}


def fresh_url(upstream: DemoUpstream, *, age: timedelta = timedelta(0)) -> str:
    key = f"{SESSION.session_id}.csv"
    return upstream.storage.presign(key, expires_in=60, now=datetime.now(UTC) - age)


@pytest.mark.parametrize("headers", [{}, {"X-Chatdump-Webhook-Secret": "w" * 39 + "x"}])
async def test_an_event_without_the_right_secret_is_refused_and_archives_nothing(
    client: httpx.AsyncClient, upstream: DemoUpstream, tmp_path: Path, headers: dict[str, str]
) -> None:
    answer = await client.post(PATH, json=event(fresh_url(upstream)), headers=headers)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_webhook_secret"
    assert list(tmp_path.iterdir()) == []


async def test_an_event_with_the_secret_archives_the_exact_bytes(
    client: httpx.AsyncClient, upstream: DemoUpstream, tmp_path: Path
) -> None:
    answer = await client.post(
        PATH, json=event(fresh_url(upstream)), headers={"X-Chatdump-Webhook-Secret": SECRET}
    )
    assert answer.status_code == 202
    [entry] = [json.loads(line) for line in (tmp_path / "manifest.jsonl").read_text().splitlines()]
    assert entry["session"] == SESSION.session_id and entry["title"] == "Team Standup"
    assert (tmp_path / entry["file"]).read_bytes() == render_dump(SESSION)

    again = await client.post(PATH + f"?secret={SECRET}", json=event(fresh_url(upstream)))
    assert (again.status_code, again.json()["status"]) == (200, "already archived")


async def test_an_expired_url_in_the_event_is_replaced_by_a_fresh_one(
    client: httpx.AsyncClient, upstream: DemoUpstream, tmp_path: Path
) -> None:
    stale = fresh_url(upstream, age=timedelta(hours=2))
    answer = await client.post(PATH + f"?secret={SECRET}", json=event(stale))
    assert answer.status_code == 202
    [csv_file] = tmp_path.glob("*.csv")
    assert csv_file.read_bytes() == render_dump(SESSION)


async def test_a_body_that_is_not_the_event_is_a_400(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        PATH, content=b'{"event": "meeting.started"}', headers={"X-Chatdump-Webhook-Secret": SECRET}
    )
    assert answer.status_code == 400


def test_the_documented_sample_event_reads_its_session() -> None:
    found = read_chat_synced((SAMPLES / "dyte-webhook-chat-synced.json").read_bytes())
    assert found.session_id == SESSION.session_id
    assert not hasattr(found, "url")  # the event's URL is not even kept


async def test_the_events_url_is_never_fetched_the_upstreams_own_is(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    hits: list[str] = []

    async def bait(request: Request) -> Response:
        hits.append(request.url.path)
        return Response(b"id,payload\r\n1,not the chat\r\n", media_type="text/csv")

    with serve(Starlette(routes=[Route("/{path:path}", bait)])) as base:
        answer = await client.post(
            PATH, json=event(f"{base}/evil.csv"), headers={"X-Chatdump-Webhook-Secret": SECRET}
        )
    assert answer.status_code == 202
    assert hits == []
    [csv_file] = tmp_path.glob("*.csv")
    assert csv_file.read_bytes() == render_dump(SESSION)


async def test_a_replay_never_overwrites_an_archived_file_with_other_bytes(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    headers = {"X-Chatdump-Webhook-Secret": SECRET}
    await client.post(PATH, json=event("https://ignored.example/x.csv"), headers=headers)
    [first] = tmp_path.glob("*.csv")
    (tmp_path / "manifest.jsonl").unlink()  # the record lost: the event is acted on again
    await client.post(PATH, json=event("https://ignored.example/x.csv"), headers=headers)
    assert list(tmp_path.glob("*.csv")) == [first]  # the same bytes: nothing new on disk
    [entry] = _manifest(tmp_path)
    assert entry["file"] == first.name

    first.write_bytes(b"someone else's bytes")
    (tmp_path / "manifest.jsonl").unlink()
    await client.post(PATH, json=event("https://ignored.example/x.csv"), headers=headers)
    assert first.read_bytes() == b"someone else's bytes"  # kept, not overwritten
    [entry] = _manifest(tmp_path)
    assert entry["file"] != first.name
    assert (tmp_path / entry["file"]).read_bytes() == render_dump(SESSION)


def _manifest(folder: Path) -> list[dict[str, object]]:
    lines = (folder / "manifest.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


async def test_deeply_nested_json_is_a_400(client: httpx.AsyncClient) -> None:
    body = b"[" * 50_000 + b"]" * 50_000
    answer = await client.post(
        PATH, content=body[:60_000], headers={"X-Chatdump-Webhook-Secret": SECRET}
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "bad_webhook"
    nested = b'{"a":' * 20_000 + b"1" + b"}" * 20_000
    answer = await client.post(PATH, content=nested, headers={"X-Chatdump-Webhook-Secret": SECRET})
    assert answer.status_code == 400


async def test_a_70_character_cjk_title_is_archived(tmp_path: Path) -> None:
    long = replace(SESSION, title="長い会議名" * 14)
    with local_demo_of((long,)) as demo:
        provider = demo.provider()
        router = webhook_router(WebhookSettings(Secret(SECRET), tmp_path), provider)
        app = create_app(Settings.from_env({}, demo=True), provider, routers=[router])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            answer = await http.post(
                PATH,
                json=event("https://x.example/"),
                headers={"X-Chatdump-Webhook-Secret": SECRET},
            )
        await provider.aclose()
    assert answer.status_code == 202
    [csv_file] = tmp_path.glob("*.csv")
    assert csv_file.name.startswith("長い会議名") and len(csv_file.name.encode()) <= 200
    assert csv_file.read_bytes() == render_dump(long)


@contextmanager
def local_demo_of(sessions: tuple[DemoSession, ...]) -> Iterator[DemoUpstream]:
    import chatdump.upstream.demo.local as local

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(local, "DemoUpstream", functools.partial(DemoUpstream, sessions=sessions))
        with local_demo() as demo:
            yield demo


def test_a_flood_of_events_at_a_hung_storage_leaves_the_page_answering(tmp_path: Path) -> None:
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(200)  # the kernel accepts; nobody ever reads or answers
        host, port = hung.getsockname()
        config = WebhookSettings(Secret(SECRET), tmp_path, max_pending=41, deadline=60.0)
        provider = FixedUrlProvider(f"http://{host}:{port}/chat.csv")
        router = webhook_router(config, provider)
        app = create_app(Settings.from_env({}, demo=True), provider, routers=[router])
        with serve(app) as base, httpx.Client(base_url=base, timeout=10) as http:
            for n in range(45):
                sent = http.post(
                    PATH, json={**event("x"), "sessionId": f"s{n}"},
                    headers={"X-Chatdump-Webhook-Secret": SECRET},
                )  # fmt: skip
                assert sent.status_code in (202, 503), sent.text
            assert sent.status_code == 503  # the queue is bounded: beyond it, "later"
            assert sent.json()["error"]["code"] == "archive_queue_full"
            for path in ("/", "/browser/widget.css"):
                with httpx.Client(base_url=base, timeout=10) as page:
                    assert page.get(path).status_code == 200  # a timeout here fails the test


@pytest.mark.parametrize(
    "env",
    [{"CHATDUMP_WEBHOOK_SECRET": SECRET}, {"CHATDUMP_ARCHIVE_DIR": "/tmp/x"},
     {"CHATDUMP_WEBHOOK_SECRET": "short", "CHATDUMP_ARCHIVE_DIR": "/tmp/x"}],
)  # fmt: skip
def test_half_a_webhook_configuration_is_a_config_error(env: dict[str, str]) -> None:
    with pytest.raises(errors.ConfigError):
        WebhookSettings.from_env(env)


def test_no_webhook_configuration_means_no_webhook() -> None:
    assert WebhookSettings.from_env({}) is None


def test_a_download_at_a_hung_storage_ends_by_its_deadline(tmp_path: Path) -> None:
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(1)
        host, port = hung.getsockname()
        with pytest.raises(errors.UpstreamTimeout), DeadlineStorageClient(0.5) as client:
            download(lambda fresh: f"http://{host}:{port}/c.csv", tmp_path / "c.csv", client=client)
    assert list(tmp_path.iterdir()) == []


async def test_the_webhook_secret_stays_out_of_every_log(
    upstream: DemoUpstream, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    provider = upstream.provider()
    config = WebhookSettings(Secret(SECRET), tmp_path)
    app = create_app(Settings.from_env({}, demo=True), provider, webhook=config)
    transport = httpx.ASGITransport(app=app)
    with caplog.at_level(logging.DEBUG):
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            await http.post(PATH + f"?secret={SECRET}", json=event("https://x.example/"))
            await http.post(PATH + f"?secret={SECRET}x", json=event("https://x.example/"))
        logging.getLogger("uvicorn.access").info('"POST %s?secret=%s HTTP/1.1" 202', PATH, SECRET)
        logging.getLogger("chatdump").warning("quoting it: %s", SECRET)  # the redaction list
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert PATH in text  # the access log was captured
    assert SECRET not in text
