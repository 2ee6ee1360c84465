"""Shared state through a real Redis: two `chatdump serve` processes, one cache, one flight, one
fresh-URL allowance; and Redis taken away mid-run is not an outage."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import redis
import redis.asyncio as aioredis

from chatdump.core.chat_url import ChatUrl
from chatdump.server.rate_limit import key_of
from chatdump.server.settings import Settings
from chatdump.server.shared import keys as k
from chatdump.server.shared.link import Link, Unavailable
from chatdump.server.shared.url_cache import SharedUrlCache
from chatdump.server.url_cache import refresh_at
from tests.fake_upstream import FakeChatReplay, Reply, env_for
from tests.live import free_port, start_server
from tests.redis_server import RedisServer, redis_server
from tests.upstream_fixtures import GRANT_SECRET, SESSION, AppClient, grant_for

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
BURST, AT_ONCE = 2000, 200
STARTUP_TIMEOUT = 30.0


def chat_url(session_id: str) -> str:
    return f"/api/sessions/{session_id}/chat-url"


def session(n: int) -> str:
    return f"79365b9b-5e35-4d3a-9d1c-{n:012d}"


# ---- the pure parts ------------------------------------------------------------------------------


def test_keys_are_namespaced_and_name_a_grant_only_by_its_digest() -> None:
    keys = k.Keys("tenant-a:")
    grant = "eyJ.grant.sig"
    assert keys.url(SESSION) == f"tenant-a:url:{SESSION}"
    assert keys.lock(SESSION) == f"tenant-a:lock:{SESSION}"
    assert keys.fresh(key_of(grant)) == f"tenant-a:fresh:{key_of(grant)}"
    assert grant not in keys.fresh(key_of(grant))


def test_the_redis_ttl_ends_where_the_in_process_cache_stops_serving() -> None:
    until = refresh_at(T0, T0 + timedelta(hours=24))
    assert k.ttl_ms(T0, until) == (24 * 3600 - 300) * 1000
    assert k.ttl_ms(T0, T0 - timedelta(seconds=1)) == 0


def test_an_entry_round_trips_and_junk_is_a_miss() -> None:
    value = ChatUrl("https://s.test/a.csv?sig=1", T0 + timedelta(hours=1), "a.csv")
    assert k.decode(k.encode(value, T0)) == (value, T0)
    assert k.decode(b"not json") is None
    assert k.decode(b'{"url": 1}') is None


def test_the_redis_settings_are_read_and_the_url_is_redacted() -> None:
    env = env_for("dyte", "http://127.0.0.1:9", GRANT_SECRET)
    assert Settings.from_env(env).redis_url is None
    url = "redis://:hunter2-password@127.0.0.1:6379/0"
    settings = Settings.from_env({**env, "CHATDUMP_REDIS_URL": url})
    assert settings.redis_prefix == "chatdump:"
    assert url in [secret.reveal() for secret in settings.secrets()]
    assert "hunter2" not in repr(settings)
    prefixed = Settings.from_env({**env, "CHATDUMP_REDIS_URL": url, "CHATDUMP_REDIS_PREFIX": "x:"})
    assert prefixed.redis_prefix == "x:"


@pytest.mark.anyio
async def test_a_failed_call_pauses_redis_and_a_probe_still_tries() -> None:
    now = [0.0]
    link = Link(timeout=0.05, pause=1.0, clock=lambda: now[0])

    async def broken() -> int:
        raise ConnectionError("refused")

    async def fine() -> int:
        return 7

    with pytest.raises(Unavailable):
        await link.run(broken)
    with pytest.raises(Unavailable):
        await link.run(fine)  # paused: not even tried
    assert not link.up
    assert await link.run(fine, probe=True) == 7
    assert link.up


# ---- two real instances, one real Redis --------------------------------------------------------


@pytest.fixture(scope="module")
def redis_port() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


def start_instance(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    return start_server(env, demo=False)


@pytest.fixture(scope="module")
def both(
    redis_port: RedisServer, fake_upstream_server: tuple[FakeChatReplay, str]
) -> Iterator[list[str]]:
    """Two `chatdump serve` processes for the module (starting them is most of its time)."""
    env = {**env_for("dyte", fake_upstream_server[1], GRANT_SECRET), "CHATDUMP_REDIS_URL": redis_port.url,
           "CHATDUMP_REDIS_PREFIX": "test:"}  # fmt: skip
    started = [start_instance(env) for _ in range(2)]
    yield [base for _, base in started]
    for process, _ in started:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def instances(both: list[str], redis_port: RedisServer, upstream: FakeChatReplay) -> list[str]:
    client = redis.Redis.from_url(redis_port.url)
    client.flushall()
    client.close()
    return both


async def load(bases: list[str], requests: list[tuple[int, str]]) -> list[httpx.Response]:
    """Each (instance, session) request at once, at most AT_ONCE in flight."""
    limits = httpx.Limits(max_connections=AT_ONCE, max_keepalive_connections=0)
    gate = asyncio.Semaphore(AT_ONCE)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def one(instance: int, session_id: str) -> httpx.Response:
            async with gate:
                url = bases[instance % len(bases)] + chat_url(session_id)
                return await client.get(url, headers=grant_for(session_id))

        return await asyncio.gather(*(one(i, s) for i, s in requests))


def test_two_instances_make_one_upstream_call_for_a_cold_burst(
    instances: list[str], upstream: FakeChatReplay, redis_port: RedisServer
) -> None:
    upstream.queue(SESSION, Reply(delay=0.5))  # the first call is slow: the burst overlaps it
    answers = asyncio.run(load(instances, [(i, SESSION) for i in range(BURST)]))
    assert [a.status_code for a in answers] == [200] * BURST
    assert len({a.json()["url"] for a in answers}) == 1
    assert upstream.count("chat") == 1
    stored = redis.Redis.from_url(redis_port.url)
    try:
        assert stored.pttl(f"test:url:{SESSION}") > 0
        assert all(GRANT_SECRET not in key.decode() for key in stored.keys("*"))
    finally:
        stored.close()


@pytest.mark.anyio
async def test_a_waiter_whose_wait_runs_out_calls_the_upstream_itself(
    redis_port: RedisServer,
) -> None:
    """Another instance holds the lock and never stores an answer (it died mid-call, say): the
    request still gets its URL, from its own upstream call, once the bounded wait is over."""
    keys = k.Keys("waiter:")
    held = redis.Redis.from_url(redis_port.url)
    held.set(keys.lock(SESSION), "someone-else", px=60_000)
    held.close()
    calls: list[str] = []

    async def upstream(session_id: str) -> ChatUrl:
        calls.append(session_id)
        return ChatUrl("https://storage.example/dump.csv", T0 + timedelta(minutes=10), "c.csv")

    client = aioredis.Redis.from_url(redis_port.url)
    cache = SharedUrlCache(upstream, client, Link(), keys, wait=0.3, clock=lambda: T0)
    started = time.monotonic()
    try:
        got = await asyncio.wait_for(cache.get(SESSION), timeout=10)
    finally:
        await client.aclose()
    assert got.url == "https://storage.example/dump.csv"
    assert calls == [SESSION]
    assert time.monotonic() - started >= 0.3  # it did wait for the lock holder first


def test_the_fresh_url_allowance_of_a_grant_is_shared(
    instances: list[str], upstream: FakeChatReplay
) -> None:
    headers = grant_for(SESSION)
    statuses = []
    for i in range(6):  # three on each instance if they counted apart
        answer = httpx.get(instances[i % 2] + chat_url(SESSION) + "?fresh=1", headers=headers)
        statuses.append(answer.status_code)
    assert statuses == [200, 200, 200, 429, 429, 429]
    assert upstream.count("chat") == 3


def test_redis_going_away_mid_run_is_not_an_outage(
    instances: list[str], upstream: FakeChatReplay, redis_port: RedisServer
) -> None:
    async def run() -> tuple[list[int], list[str]]:
        requests = [(i, session(i % 20)) for i in range(400)]
        first = asyncio.create_task(load(instances, requests))
        await asyncio.sleep(0.2)
        redis_port.stop()
        answers = await first
        answers += await load(instances, requests[:100])
        async with httpx.AsyncClient(timeout=5) as client:
            ready = [(await client.get(base + "/readyz")).json()["status"] for base in instances]
        return [a.status_code for a in answers], ready

    statuses, ready = asyncio.run(run())
    assert [s for s in statuses if s >= 500] == []
    assert set(statuses) == {200}
    assert ready == ["degraded", "degraded"]

    redis_port.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        states = [httpx.get(base + "/readyz", timeout=5).json()["status"] for base in instances]
        if states == ["ready", "ready"]:
            break
        time.sleep(0.1)
    assert states == ["ready", "ready"]
    # Redis is the cache again: a new session's URL lands there, and the other instance serves it.
    new = session(999)
    assert httpx.get(instances[0] + chat_url(new), headers=grant_for(new)).status_code == 200
    calls = upstream.count("chat")
    assert httpx.get(instances[1] + chat_url(new), headers=grant_for(new)).status_code == 200
    assert upstream.count("chat") == calls


# ---- one app in-process: readiness, and Redis that was never there ------------------------------


@pytest.mark.anyio
async def test_without_redis_the_server_is_ready(demo_client: httpx.AsyncClient) -> None:
    answer = await demo_client.get("/readyz")
    assert (answer.status_code, answer.json()) == (200, {"status": "ready", "provider": "demo"})


@pytest.mark.anyio
async def test_a_redis_that_refuses_connections_degrades_but_serves(
    app_client: AppClient, upstream: FakeChatReplay
) -> None:
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # a free port: nothing listens there
    async with app_client("dyte", CHATDUMP_REDIS_URL=nobody) as client:
        answers = [await client.get(chat_url(SESSION), headers=grant_for()) for _ in range(5)]
        fresh = await client.get(chat_url(SESSION) + "?fresh=1", headers=grant_for())
        ready = await client.get("/readyz")
    assert [a.status_code for a in answers] == [200] * 5
    assert fresh.status_code == 200
    assert upstream.count("chat") == 2  # the per-process cache answered the repeats
    assert (ready.status_code, ready.json()["status"]) == (200, "degraded")


@pytest.mark.anyio
async def test_redis_trouble_is_logged_at_most_once_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    link = Link(timeout=0.05, pause=0.0, clock=lambda: now[0])

    async def refused() -> None:
        raise ConnectionError("refused")

    for step in (0.0, 10.0, 59.0, 61.0, 62.0):
        now[0] = step
        with pytest.raises(Unavailable):
            await link.run(refused)
    logged = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(logged) == 2  # at 0 s and at 61 s


@pytest.mark.anyio
async def test_the_redis_token_bucket_spends_a_burst_then_says_how_long_to_wait(
    redis_port: RedisServer,
) -> None:
    from chatdump.server.shared.state import SharedState

    state = SharedState(redis_port.url, "unit:", timeout=1.0)
    try:
        allowance = state.allowance(burst=2, per_seconds=60)
        digest = key_of("some.grant.value")
        takes = [await allowance.take(digest) for _ in range(3)]
        assert takes[:2] == [None, None]
        assert takes[2] is not None and 1 <= takes[2] <= 60
        keys = [key.decode() for key in await state.redis.keys("unit:*")]
        assert keys == [f"unit:fresh:{digest}"]
        assert 0 < await state.redis.pttl(keys[0]) <= 120_000
    finally:
        await state.aclose()
