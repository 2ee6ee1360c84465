"""A token bucket per key (here: per grant), as a pure object: callers pass ``now``.

Used to let a client ask for a fresh signed URL (bypassing the cache) a few times, but not often
enough to hammer the upstream. Keys are digests, never the grants themselves.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict

MAX_KEYS = 10_000


def key_of(grant: str) -> str:
    return hashlib.sha256(grant.encode()).hexdigest()


class TokenBuckets:
    def __init__(self, *, burst: int, per_seconds: float, max_keys: int = MAX_KEYS) -> None:
        self.burst = burst
        self.per_seconds = per_seconds  # one token comes back every this many seconds
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str, now: float) -> int | None:
        """None when allowed (a token is spent), else whole seconds until the next token."""
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) / self.per_seconds)
        if tokens < 1:
            self._put(key, tokens, now)
            return max(1, math.ceil((1 - tokens) * self.per_seconds))
        self._put(key, tokens - 1, now)
        return None

    def _put(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
