"""The warm ``…/chat-url`` path (chatdump.server.warm_path): the same answer as the route, and the
same refusals, once the URL is cached."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from chatdump.server.api import Api
from chatdump.server.grants import mint_grant
from chatdump.server.settings import Settings
from chatdump.upstream.demo import DEFAULT_SESSION_ID, DEMO_SESSIONS

pytestmark = pytest.mark.anyio
URL = f"/api/sessions/{DEFAULT_SESSION_ID}/chat-url"


def bearer(grant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {grant}"}


def without_request_id(answer: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in answer.headers.items() if k != "x-request-id"}


async def test_a_warm_answer_is_the_routes_answer_byte_for_byte(
    demo_client: httpx.AsyncClient, demo_grant: str
) -> None:
    cold = await demo_client.get(URL, headers=bearer(demo_grant))  # the route fills the cache
    warm = await demo_client.get(URL, headers=bearer(demo_grant))
    assert cold.status_code == warm.status_code == 200
    assert warm.content == cold.content
    assert without_request_id(warm) == without_request_id(cold)
    assert warm.headers["cache-control"] == "no-store"
    assert warm.headers["x-request-id"] != cold.headers["x-request-id"]


async def test_a_cached_url_is_still_refused_to_a_grant_for_another_session(
    demo_client: httpx.AsyncClient, demo_settings: Settings, demo_grant: str
) -> None:
    assert (await demo_client.get(URL, headers=bearer(demo_grant))).status_code == 200
    other = mint_grant(demo_settings.grant_secrets[-1], DEMO_SESSIONS[1].session_id)
    answer = await demo_client.get(URL, headers=bearer(other))
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "grant_wrong_session"
    assert answer.json()["error"]["request_id"] == answer.headers["x-request-id"]


async def test_a_cached_url_is_refused_once_a_verified_grant_expires(
    demo_client: httpx.AsyncClient, demo_settings: Settings
) -> None:
    issued = datetime.now(UTC) - timedelta(seconds=58)
    grant = mint_grant(demo_settings.grant_secrets[-1], DEFAULT_SESSION_ID, ttl=60, now=issued)
    assert (await demo_client.get(URL, headers=bearer(grant))).status_code == 200
    assert (await demo_client.get(URL, headers=bearer(grant))).status_code == 200
    # The grant checker remembers the verified grant; its exp still counts on every request.
    api_expiry = issued + timedelta(seconds=60)
    while datetime.now(UTC) < api_expiry:
        await _sleep(0.2)
    answer = await demo_client.get(URL, headers=bearer(grant))
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "grant_expired"


async def test_a_missing_grant_on_a_warm_session_is_the_usual_401(
    demo_client: httpx.AsyncClient, demo_grant: str
) -> None:
    assert (await demo_client.get(URL, headers=bearer(demo_grant))).status_code == 200
    answer = await demo_client.get(URL)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "missing_grant"


async def test_a_query_goes_the_full_way(demo_client: httpx.AsyncClient, demo_grant: str) -> None:
    assert (await demo_client.get(URL, headers=bearer(demo_grant))).status_code == 200
    answer = await demo_client.get(URL + "?fresh=maybe", headers=bearer(demo_grant))
    assert answer.status_code == 400  # the route's flag parser, not a cached answer


async def test_only_a_cached_url_gets_a_warm_answer(
    demo_settings: Settings, demo_grant: str
) -> None:
    from tests.fake_upstream import FixedUrlProvider

    provider = FixedUrlProvider("https://s.test/a.csv")
    async with httpx.AsyncClient() as storage:
        api = Api(demo_settings.grant_secrets, provider, storage)
        scope = {"type": "http", "method": "GET", "path": URL, "query_string": b"",
                 "headers": [(b"authorization", f"Bearer {demo_grant}".encode())]}  # fmt: skip
        assert api.warm_answer(DEFAULT_SESSION_ID, scope) is None
        await api.cache.get(DEFAULT_SESSION_ID)
        warm = api.warm_answer(DEFAULT_SESSION_ID, scope)
        assert warm is not None
        assert json.loads(warm.body)["url"] == "https://s.test/a.csv"


async def _sleep(seconds: float) -> None:
    import anyio

    await anyio.sleep(seconds)
