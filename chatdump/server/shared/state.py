"""``SharedState``: the Redis client and the shared pieces built on it, for one app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from redis.asyncio import BlockingConnectionPool, Redis

from chatdump.core.chat_url import ChatUrl
from chatdump.server.shared.allowance import SharedAllowance
from chatdump.server.shared.keys import Keys
from chatdump.server.shared.link import TIMEOUT, Link, Unavailable
from chatdump.server.shared.url_cache import SharedUrlCache

MAX_CONNECTIONS = 64


class SharedState:
    def __init__(self, url: str, prefix: str, *, timeout: float = TIMEOUT) -> None:
        pool = BlockingConnectionPool.from_url(
            url, max_connections=MAX_CONNECTIONS, timeout=timeout,
            socket_timeout=timeout, socket_connect_timeout=timeout,
        )  # fmt: skip
        self._pool = pool
        self.redis = Redis(connection_pool=pool)
        self.link = Link(timeout=timeout)
        self.keys = Keys(prefix)

    def url_cache(self, load: Callable[[str], Awaitable[ChatUrl]]) -> SharedUrlCache:
        return SharedUrlCache(load, self.redis, self.link, self.keys)

    def allowance(self, *, burst: int, per_seconds: float) -> SharedAllowance:
        return SharedAllowance(
            self.redis, self.link, self.keys, burst=burst, per_seconds=per_seconds
        )

    async def ready(self) -> bool:
        """One bounded PING (tried even while calls pause after a failure)."""
        try:
            await self.link.run(self.redis.ping, probe=True)
        except Unavailable:
            return False
        return True

    async def aclose(self) -> None:
        await self.redis.aclose()
        await self._pool.disconnect()  # a pool handed to Redis() is not closed by it
