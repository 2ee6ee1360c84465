"""Load on the token endpoint over real HTTP: 10,000 requests at concurrency 100, bounded in time.

Pins: no request fails, and the server's memory after the load is back at its warmed-up level
(a leak of even 1 KB per request would show as 10 MB here).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest

from chatdump.upstream.demo import DEFAULT_SESSION_ID
from tests.browser.conftest import demo_grant
from tests.live import start_server

pytestmark = pytest.mark.anyio
REQUESTS = 10_000
CONCURRENCY = 100
WARM_UP = 2_000
TIME_LIMIT_S = 480  # ~40 s on an idle 2-core machine; generous for a loaded one
LEAK_LIMIT_KB = 10 * 1024


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[int, str]]:
    process, base = start_server()
    yield process.pid, base
    process.terminate()
    process.wait(timeout=10)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def hammer(base: str, count: int) -> Counter[int]:
    url = f"{base}/api/sessions/{DEFAULT_SESSION_ID}/chat-url"
    headers = {"Authorization": f"Bearer {demo_grant(DEFAULT_SESSION_ID)}"}
    statuses: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker(share: int) -> None:
            for _ in range(share):
                try:
                    statuses[(await client.get(url, headers=headers)).status_code] += 1
                except httpx.TransportError:
                    statuses[0] += 1

        with anyio.fail_after(TIME_LIMIT_S):
            async with anyio.create_task_group() as group:
                for i in range(CONCURRENCY):
                    group.start_soon(worker, count // CONCURRENCY + (i < count % CONCURRENCY))
    return statuses


async def test_ten_thousand_requests_all_succeed_and_memory_settles(
    served: tuple[int, str],
) -> None:
    pid, base = served
    assert (await hammer(base, WARM_UP)) == Counter({200: WARM_UP})
    before = rss_kb(pid)
    started = time.monotonic()
    statuses = await hammer(base, REQUESTS)
    elapsed = time.monotonic() - started
    after = rss_kb(pid)
    assert statuses == Counter({200: REQUESTS}), statuses
    assert after - before < LEAK_LIMIT_KB, f"RSS grew {before} -> {after} KB under load"
    print(
        f"{REQUESTS} requests in {elapsed:.1f}s ({REQUESTS / elapsed:.0f}/s), RSS {before} -> {after} KB"
    )
