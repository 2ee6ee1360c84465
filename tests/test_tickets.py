"""Download tickets: ``POST …/chat.csv/ticket`` and ``GET …/chat.csv?ticket=…``, for the browser's
own download of a dump too big for the page (which cannot send ``Authorization``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chatdump.core.errors import Forbidden, NotAuthenticated
from chatdump.secret import Secret
from chatdump.server.grants import mint_grant
from chatdump.server.tickets import TICKET_TTL, check_ticket, mint_ticket, ticket_expiry
from tests.fake_upstream import FakeChatReplay
from tests.live import serve
from tests.upstream_fixtures import GRANT_SECRET, SESSION, AppClient, grant_for

pytestmark = pytest.mark.anyio
OTHER = "a1b2c3d4-e5f6-4711-8899-aabbccddeeff"
CSV = f"/api/sessions/{SESSION}/chat.csv"
DUMP = b"id,payload\r\n1,hello\r\n" * 100
SECRET = Secret(GRANT_SECRET)


@pytest.fixture(scope="module")
def storage() -> Iterator[str]:
    async def dump(_request: Request) -> Response:
        return Response(DUMP, media_type="text/csv")

    with serve(Starlette(routes=[Route("/{key:path}", dump)])) as base:
        yield base


@pytest.fixture
def dumps(upstream: FakeChatReplay, storage: str) -> None:
    upstream.download_url = lambda sid: f"{storage}/{sid}.csv"


async def ticket_for(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> str:
    answer = await client.post(f"{CSV}/ticket", headers=grant_for() if headers is None else headers)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["ticket"])


async def test_a_grant_holder_gets_a_ticket_that_downloads_without_authorization(
    app_client: AppClient, dumps: None
) -> None:
    async with app_client("dyte") as client:
        answer = await client.post(f"{CSV}/ticket", headers=grant_for())
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "no-store"
        ticket = answer.json()["ticket"]
        expires = datetime.fromisoformat(answer.json()["expires_at"].replace("Z", "+00:00"))
        assert 0 < (expires - datetime.now(UTC)).total_seconds() <= TICKET_TTL
        download = await client.get(f"{CSV}?ticket={quote(ticket)}")
    assert download.status_code == 200
    assert download.content == DUMP
    assert download.headers["content-disposition"].startswith("attachment;")


async def test_no_ticket_without_a_grant_for_that_session(
    app_client: AppClient, dumps: None
) -> None:
    async with app_client("dyte") as client:
        assert (await client.post(f"{CSV}/ticket")).status_code == 401
        other = await client.post(f"/api/sessions/{OTHER}/chat.csv/ticket", headers=grant_for())
        assert other.status_code == 403
        assert other.json()["error"]["code"] == "grant_wrong_session"


async def test_a_ticket_opens_its_session_only_and_only_the_download(
    app_client: AppClient, dumps: None
) -> None:
    async with app_client("dyte") as client:
        ticket = await ticket_for(client)
        elsewhere = await client.get(f"/api/sessions/{OTHER}/chat.csv?ticket={ticket}")
        assert elsewhere.status_code == 403
        # Not a grant: the URL route and ticket minting refuse it as one.
        as_grant = {"Authorization": f"Bearer {ticket}"}
        assert (
            await client.get(f"/api/sessions/{SESSION}/chat-url", headers=as_grant)
        ).status_code == 401
        assert (await client.post(f"{CSV}/ticket", headers=as_grant)).status_code == 401


async def test_a_grant_in_the_ticket_parameter_is_not_a_ticket(
    app_client: AppClient, dumps: None
) -> None:
    grant = grant_for()["Authorization"].removeprefix("Bearer ")
    async with app_client("dyte") as client:
        answer = await client.get(f"{CSV}?ticket={grant}")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_ticket"


async def test_a_tampered_ticket_is_refused(app_client: AppClient, dumps: None) -> None:
    async with app_client("dyte") as client:
        ticket = await ticket_for(client)
        head, payload, signature = ticket.split(".")
        forged = f"{head}.{payload}.{signature[:-2]}AA"
        assert (await client.get(f"{CSV}?ticket={forged}")).status_code == 401


async def test_the_ticket_never_reaches_the_access_log(
    app_client: AppClient, dumps: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        async with app_client("dyte") as client:
            ticket = await ticket_for(client)
            assert (await client.get(f"{CSV}?ticket={ticket}")).status_code == 200
    assert "chat.csv" in caplog.text  # the requests were logged...
    assert ticket not in caplog.text  # ...without the ticket
    assert ticket.split(".")[2] not in caplog.text


def test_a_ticket_lives_a_minute_and_never_past_its_grant() -> None:
    now = 1_800_000_000.0
    assert ticket_expiry(now, grant_expires=now + 3600) == int(now) + TICKET_TTL
    assert ticket_expiry(now, grant_expires=now + 10) == int(now) + 10
    ticket = mint_ticket(SECRET, SESSION, now=now, expires=ticket_expiry(now, now + 3600))
    check_ticket([SECRET], ticket, SESSION, now=now + TICKET_TTL - 1)
    with pytest.raises(Forbidden) as raised:
        check_ticket([SECRET], ticket, SESSION, now=now + TICKET_TTL)
    assert raised.value.code == "ticket_expired"


def test_tickets_from_a_rotated_out_secret_still_check_while_it_is_listed() -> None:
    now, old, new = time.time(), Secret("old-secret-0123456789abcdefghijklmnop"), SECRET
    ticket = mint_ticket(old, SESSION, now=now, expires=int(now) + 30)
    check_ticket([old, new], ticket, SESSION, now=now)
    with pytest.raises(NotAuthenticated):
        check_ticket([new], ticket, SESSION, now=now)


def test_a_grant_signed_with_the_same_secret_is_not_a_ticket() -> None:
    grant = mint_grant(SECRET, SESSION, ttl=600)
    with pytest.raises(NotAuthenticated):
        check_ticket([SECRET], grant, SESSION, now=time.time())
