"""POST /webhooks/chat-synced: refused without the secret, archives the chat with it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from chatdump.core import errors
from chatdump.secret import Secret
from chatdump.server.app import create_app
from chatdump.server.settings import Settings
from chatdump.server.webhooks import PATH, WebhookSettings, read_chat_synced, webhook_router
from chatdump.upstream.demo import DEMO_SESSIONS, DemoUpstream, render_dump
from chatdump.upstream.demo.local import local_demo
from tests.conftest import SAMPLES

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


def test_the_documented_sample_event_reads_with_its_non_fetchable_url_dropped() -> None:
    found = read_chat_synced((SAMPLES / "dyte-webhook-chat-synced.json").read_bytes())
    assert found.session_id == SESSION.session_id
    assert found.url == "https://sample.com"
    bad = json.dumps(event("http://10.0.0.1/x.csv")).encode()
    assert read_chat_synced(bad).url is None  # plain http off loopback: never fetched


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
