"""The signed-URL cache in Redis, with one upstream call per session across every instance.

``get`` reads ``url:<session>``; on a miss, the in-process single flight (a ``UrlCache`` that
keeps nothing) sends one request per instance on to Redis, where ``SET lock NX PX`` picks the one
that calls the upstream. The others poll the entry for at most ``wait`` seconds, then make their
own call rather than fail. Any Redis trouble: the per-process ``UrlCache`` answers instead (it
also remembers what Redis served, so a Redis outage does not start with a cold cache).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from redis.asyncio import Redis

from chatdump.core.chat_url import ChatUrl
from chatdump.server.shared import keys as k
from chatdump.server.shared.link import Link, Unavailable
from chatdump.server.url_cache import MAX_ENTRIES, UrlCache, refresh_at

# The lock outlives the longest upstream call (the provider's 10 s deadline, details included).
LOCK_MS = 15_000
WAIT = 12.0  # a waiter's bound: past it, it calls the upstream itself
POLL = 0.02
# What this instance read from Redis it serves again for this long without asking (the measured
# warm-cache cost of one Redis GET per request was ~45% of the endpoint's throughput). A URL
# replaced on another instance (?fresh=1) reaches this one at most this late.
RECENT_FOR = 1.0
MAX_MISSES = 3  # Redis calls in a row that may fail before the flight falls back to this process
# Delete the lock only if it is still ours.
_COMPARE_AND_DELETE = (
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SharedUrlCache:
    def __init__(
        self,
        load: Callable[[str], Awaitable[ChatUrl]],
        redis: Redis,
        link: Link,
        keys: k.Keys,
        *,
        wait: float = WAIT,
        recent_for: float = RECENT_FOR,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._load = load
        self._redis = redis
        self._link = link
        self._keys = keys
        self._wait = wait
        self._clock = clock
        self.local: UrlCache[ChatUrl] = UrlCache(load, clock=clock)
        self._flight: UrlCache[ChatUrl] = UrlCache(self._shared, max_entries=0)
        self._fresh_flight: UrlCache[ChatUrl] = UrlCache(self._shared_fresh, max_entries=0)
        self._flying: set[str] = set()
        self._recent_for = recent_for
        self._recent: OrderedDict[str, tuple[ChatUrl, float]] = OrderedDict()
        self._cad = redis.register_script(_COMPARE_AND_DELETE)

    async def get(self, key: str, *, fresh: bool = False) -> ChatUrl:
        if fresh:
            return await self._fresh_flight.get(key)
        recent = self.cached(key)
        if recent is not None:
            return recent
        if key in self._flying:  # this instance already asks Redis / the upstream: join it
            return await self._flight.get(key)
        try:
            raw = await self._link.run(lambda: self._redis.get(self._keys.url(key)))
        except Unavailable:
            # The one flight per instance decides whether Redis or this process answers.
            cached = self.local.cached(key)
            return cached if cached is not None else await self._flight.get(key)
        entry = k.decode(raw) if raw is not None else None
        if entry is not None:
            self._remember(key, entry[0])
            return entry[0]
        return await self._flight.get(key)

    def cached(self, key: str) -> ChatUrl | None:
        """What this instance read from Redis less than ``recent_for`` ago, without asking again."""
        recent = self._recent.get(key)
        if recent is not None and time.monotonic() - recent[1] < self._recent_for:
            return recent[0]
        return None

    def _remember(self, key: str, value: ChatUrl) -> None:
        self._recent[key] = (value, time.monotonic())
        self._recent.move_to_end(key)
        while len(self._recent) > MAX_ENTRIES:
            self._recent.popitem(last=False)

    def forget(self, key: str, value: ChatUrl) -> None:
        """Drop ``value`` here; the fresh call that follows replaces it in Redis for everyone."""
        self.local.forget(key, value)
        if key in self._recent and self._recent[key][0] is value:
            del self._recent[key]

    async def _raw(self, key: str) -> bytes | str | None:
        try:
            raw: bytes | str | None = await self._link.run(
                lambda: self._redis.get(self._keys.url(key))
            )
            return raw
        except Unavailable:
            return None

    async def _shared(self, key: str) -> ChatUrl:
        self._flying.add(key)
        try:
            return await self._through_lock(key, before=None)
        finally:
            self._flying.discard(key)

    async def _shared_fresh(self, key: str) -> ChatUrl:
        return await self._through_lock(key, before=await self._raw(key), fresh=True)

    async def _through_lock(
        self, key: str, *, before: bytes | str | None, fresh: bool = False
    ) -> ChatUrl:
        token = secrets.token_hex(16)
        lock = self._keys.lock(key)
        deadline = time.monotonic() + self._wait
        misses = 0
        while time.monotonic() < deadline:
            try:
                if await self._link.run(lambda: self._redis.set(lock, token, nx=True, px=LOCK_MS)):
                    return await self._lead(key, token, before=before)
                raw = await self._link.run(lambda: self._redis.get(self._keys.url(key)))
                misses = 0
            except Unavailable:
                misses += 1
                if misses >= MAX_MISSES:  # Redis is down or too slow: this process answers
                    return await self.local.get(key, fresh=fresh)
                continue
            entry = k.decode(raw) if raw is not None and raw != before else None
            if entry is not None:
                self.local.put(key, *entry)
                return entry[0]
            await asyncio.sleep(POLL)
        return await self._load_and_store(key)  # the wait ran out: call the upstream ourselves

    async def _lead(self, key: str, token: str, *, before: bytes | str | None) -> ChatUrl:
        try:
            # The entry may have been stored between our miss and our lock: then it is the answer.
            raw = await self._link.run(lambda: self._redis.get(self._keys.url(key)))
            entry = k.decode(raw) if raw is not None and raw != before else None
            if entry is not None:
                self.local.put(key, *entry)
                return entry[0]
            return await self._load_and_store(key)
        finally:
            with contextlib.suppress(Unavailable):  # else the lock expires by itself
                await self._link.run(lambda: self._cad(keys=[self._keys.lock(key)], args=[token]))

    async def _load_and_store(self, key: str) -> ChatUrl:
        received_at = self._clock()
        value = await self._load(key)
        until = refresh_at(received_at, value.expires_at)
        self.local.put(key, value, until)
        self._remember(key, value)
        ttl = k.ttl_ms(self._clock(), until)
        if ttl > 0:
            raw = k.encode(value, until)
            with contextlib.suppress(Unavailable):
                await self._link.run(lambda: self._redis.set(self._keys.url(key), raw, px=ttl))
        return value
