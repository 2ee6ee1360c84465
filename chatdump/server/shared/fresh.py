"""The ``?fresh=1`` allowance's interface, and its per-process form (no Redis imported here)."""

from __future__ import annotations

import time
from typing import Protocol

from chatdump.server.rate_limit import TokenBuckets


class Allowance(Protocol):
    async def take(self, grant_digest: str) -> int | None:
        """None when allowed (a token is spent), else whole seconds until the next token."""
        ...


class LocalAllowance:
    def __init__(self, *, burst: int, per_seconds: float) -> None:
        self.buckets = TokenBuckets(burst=burst, per_seconds=per_seconds)

    async def take(self, grant_digest: str) -> int | None:
        return self.buckets.take(grant_digest, time.monotonic())
