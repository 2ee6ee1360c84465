"""Every Redis call bounded, and Redis trouble turned into ``Unavailable`` (the caller falls back).

A call that fails or takes longer than ``timeout`` raises ``Unavailable``. After a refused or
broken connection (Redis is down), calls skip Redis for ``pause`` seconds and fail at once; a
timeout alone does not pause (under a burst, the event loop's own lag can make a healthy Redis
late), it only fails that call. Failures are logged at most once a minute, without the URL's password.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeout

log = logging.getLogger("chatdump")
T = TypeVar("T")
# Generous for a loopback round trip, but it also counts the event loop's own lag, which under a
# burst of requests reaches tens of milliseconds: 50 ms made healthy Redis look down under load.
TIMEOUT = 0.25
PAUSE = 1.0
LOG_EVERY = 60.0


class Unavailable(Exception):
    """Redis could not answer in time: use the per-process state."""


class Link:
    def __init__(
        self,
        *,
        timeout: float = TIMEOUT,
        pause: float = PAUSE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout = timeout
        self.pause = pause
        self._clock = clock
        self._skip_until = 0.0
        self._logged_at: float | None = None
        self.last_ok = True

    @property
    def up(self) -> bool:
        return self.last_ok

    async def run(self, call: Callable[[], Awaitable[T]], *, probe: bool = False) -> T:
        """``call()`` within the bound, or Unavailable. ``probe`` tries even during a pause."""
        if not probe and self._clock() < self._skip_until:
            raise Unavailable
        try:
            async with asyncio.timeout(self.timeout):
                result = await call()
        except TimeoutError as exc:
            self.failed(exc, pause=False)
            raise Unavailable from None
        except (RedisError, OSError) as exc:
            self.failed(exc, pause=not isinstance(exc, RedisTimeout))
            raise Unavailable from None
        self.last_ok = True
        self._skip_until = 0.0
        return result

    def failed(self, exc: BaseException, *, pause: bool = True) -> None:
        now = self._clock()
        self.last_ok = False
        if pause:
            self._skip_until = now + self.pause
        if self._logged_at is None or now - self._logged_at >= LOG_EVERY:
            self._logged_at = now
            log.warning(
                "Redis unreachable (%s); using this process's own state (logged once a minute)",
                type(exc).__name__,
            )
