"""The ``?fresh=1`` allowance per grant: a token bucket, in-process or in Redis for every instance.

Same rule either way (a burst, then one token back every ``per_seconds``). In Redis it is one Lua
script on a hash under ``fresh:<sha256 of the grant>``, timed by Redis's own clock so instances'
clocks need not agree. Redis unreachable: the per-process buckets decide.
"""

from __future__ import annotations

import math

from redis.asyncio import Redis

from chatdump.server.shared.fresh import LocalAllowance
from chatdump.server.shared.keys import Keys
from chatdump.server.shared.link import Link, Unavailable

# Returns 0 when a token was spent, else whole seconds until the next one.
_TAKE = """
local burst, per_ms = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(b[1]) or burst, tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) / per_ms)
local wait = 0
if tokens < 1 then
  wait = math.max(1, math.ceil((1 - tokens) * per_ms / 1000))
else
  tokens = tokens - 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * per_ms))
return wait
"""


class SharedAllowance:
    def __init__(
        self, redis: Redis, link: Link, keys: Keys, *, burst: int, per_seconds: float
    ) -> None:
        self.local = LocalAllowance(burst=burst, per_seconds=per_seconds)
        self._burst, self._per_ms = burst, math.ceil(per_seconds * 1000)
        self._link, self._keys = link, keys
        self._script = redis.register_script(_TAKE)

    async def take(self, grant_digest: str) -> int | None:
        key = self._keys.fresh(grant_digest)
        try:
            wait = await self._link.run(
                lambda: self._script(keys=[key], args=[self._burst, self._per_ms])
            )
        except Unavailable:
            return await self.local.take(grant_digest)
        return int(wait) or None
