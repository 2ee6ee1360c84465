"""The signed-URL cache: per session, until shortly before expiry, one upstream call per flight."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import anyio
import httpx
import pytest

from chatdump.core import errors
from chatdump.server.url_cache import UrlCache, refresh_at
from chatdump.upstream import UpstreamPolicy
from tests.fake_upstream import FakeChatReplay, Reply
from tests.upstream_fixtures import SESSION, AppClient, grant_for

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CHAT_URL = f"/api/sessions/{SESSION}/chat-url"


@dataclass(frozen=True)
class Answer:
    url: str
    expires_at: datetime


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_a_day_long_url_is_served_until_five_minutes_before_it_expires() -> None:
    assert refresh_at(T0, T0 + timedelta(hours=24)) == T0 + timedelta(hours=24, minutes=-5)


def test_a_short_lived_url_is_served_for_half_its_life() -> None:
    assert refresh_at(T0, T0 + timedelta(minutes=2)) == T0 + timedelta(minutes=1)


def test_an_already_expired_url_is_not_served_from_the_cache() -> None:
    assert refresh_at(T0, T0 - timedelta(minutes=1)) == T0 - timedelta(minutes=1)


async def test_the_cache_refetches_once_the_url_nears_expiry() -> None:
    clock, calls = Clock(), []

    async def load(key: str) -> Answer:
        calls.append(key)
        return Answer(f"https://s.test/{len(calls)}", clock.now + timedelta(hours=1))

    cache: UrlCache[Answer] = UrlCache(load, clock=clock)
    first = await cache.get("s")
    clock.now += timedelta(minutes=54)
    assert await cache.get("s") is first
    clock.now += timedelta(minutes=1)
    assert (await cache.get("s")).url == "https://s.test/2"
    assert len(calls) == 2


async def test_concurrent_callers_share_one_flight_and_its_error() -> None:
    calls = 0

    async def load(key: str) -> Answer:
        nonlocal calls
        calls += 1
        await anyio.sleep(0.05)
        raise errors.NotFound("no chat", code="no_chat")

    cache: UrlCache[Answer] = UrlCache(load)
    outcomes: list[str] = []

    async def ask() -> None:
        try:
            await cache.get("s")
        except errors.NotFound as exc:
            outcomes.append(exc.code)

    async with anyio.create_task_group() as group:
        for _ in range(50):
            group.start_soon(ask)
    assert (calls, outcomes) == (1, ["no_chat"] * 50)
    with pytest.raises(errors.NotFound):  # errors are not cached: the next caller tries again
        await cache.get("s")
    assert calls == 2


async def test_a_cancelled_leader_hands_over_to_a_waiter() -> None:
    calls = 0

    async def load(key: str) -> Answer:
        nonlocal calls
        calls += 1
        await anyio.sleep(0.2 if calls == 1 else 0)
        return Answer("https://s.test/a", T0 + timedelta(days=900))

    cache: UrlCache[Answer] = UrlCache(load)
    got: list[Answer] = []
    leader_scope = anyio.CancelScope()

    async def leader() -> None:
        with leader_scope:
            await cache.get("s")

    async def follower() -> None:
        got.append(await cache.get("s"))

    async with anyio.create_task_group() as group:
        group.start_soon(leader)
        await anyio.sleep(0.01)
        group.start_soon(follower)
        await anyio.sleep(0.01)
        leader_scope.cancel()
    assert calls == 2 and got[0].url == "https://s.test/a"


async def test_the_cache_holds_a_bounded_number_of_sessions() -> None:
    async def load(key: str) -> Answer:
        return Answer(key, datetime.now(UTC) + timedelta(hours=1))

    cache: UrlCache[Answer] = UrlCache(load, max_entries=3)
    for key in "abcd":
        await cache.get(key)
    assert cache.cached("a") is None and cache.cached("d") is not None


async def test_2000_concurrent_requests_for_one_session_make_one_upstream_call(
    app_client: AppClient, upstream: FakeChatReplay
) -> None:
    upstream.queue(SESSION, Reply(delay=0.5))
    headers = grant_for()
    # 2000 requests keep a slow, shared machine's event loop busy for seconds: a roomy deadline.
    async with app_client("dyte", UpstreamPolicy(deadline=120)) as client:
        statuses: list[int] = []

        async def ask() -> None:
            statuses.append((await client.get(CHAT_URL, headers=headers)).status_code)

        async with anyio.create_task_group() as group:
            for _ in range(2000):
                group.start_soon(ask)
    assert statuses == [200] * 2000
    assert upstream.count("chat") == 1


async def test_a_second_request_is_served_from_the_cache(
    app_client: AppClient, upstream: FakeChatReplay
) -> None:
    async with app_client("realtimekit") as client:
        first = await client.get(CHAT_URL, headers=grant_for())
        second = await client.get(CHAT_URL, headers=grant_for())
    assert first.json() == second.json()
    assert upstream.count("chat") == 1


async def test_fresh_bypasses_the_cache(app_client: AppClient, upstream: FakeChatReplay) -> None:
    urls = iter(["https://s.test/one.csv", "https://s.test/two.csv"])
    upstream.download_url = lambda sid: next(urls)
    async with app_client("dyte") as client:
        first = await client.get(CHAT_URL, headers=grant_for())
        fresh = await client.get(CHAT_URL, params={"fresh": "1"}, headers=grant_for())
        after = await client.get(CHAT_URL, headers=grant_for())
    assert [a.json()["url"] for a in (first, fresh, after)] == [
        "https://s.test/one.csv", "https://s.test/two.csv", "https://s.test/two.csv",
    ]  # fmt: skip
    assert upstream.count("chat") == 2


async def test_fresh_is_rate_limited_per_grant(
    app_client: AppClient, upstream: FakeChatReplay
) -> None:
    one = grant_for()
    async with app_client("dyte") as client:

        async def fresh(headers: dict[str, str]) -> httpx.Response:
            return await client.get(CHAT_URL, params={"fresh": "true"}, headers=headers)

        allowed = [(await fresh(one)).status_code for _ in range(3)]
        limited = await fresh(one)
        plain = await client.get(CHAT_URL, headers=one)
    assert allowed == [200, 200, 200]
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "fresh_rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 20
    assert plain.status_code == 200  # the cached URL is still there for this grant
    assert upstream.count("chat") == 3
