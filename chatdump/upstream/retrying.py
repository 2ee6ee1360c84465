"""How hard chatdump tries an upstream: a few jittered retries, 429s waited out, one overall deadline.

tenacity runs the loop; ``UpstreamPolicy`` holds every bound, so tests shrink them instead of
waiting. Whatever happens, one call to ``call_upstream`` ends within ``policy.deadline`` seconds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio
from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt, wait_random_exponential

from chatdump.core import errors
from chatdump.upstream.answers import RateLimited, Transient

T = TypeVar("T")


@dataclass(frozen=True)
class UpstreamPolicy:
    deadline: float = 10.0  # the whole call, retries included; past it: 504
    attempts: int = 3  # tries in all, for 5xx, connection errors and 429
    backoff: float = 0.25  # first jittered wait (seconds); doubles each time ...
    backoff_max: float = 2.0  # ... up to this
    max_retry_after: float = 5.0  # a 429 asking for a longer wait becomes a 503 at once
    # Session details only make the filename nicer: one try, briefly, then the session id will do.
    details_deadline: float = 3.0


async def call_upstream(attempt: Callable[[], Awaitable[T]], policy: UpstreamPolicy) -> T:
    jitter = wait_random_exponential(multiplier=policy.backoff, max=policy.backoff_max)

    def wait(state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        return failure.wait if isinstance(failure, RateLimited) else jitter(state)

    def worth_retrying(state: RetryCallState) -> bool:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, RateLimited):
            # Only when the wait fits in the bound and in what is left of the deadline.
            left = policy.deadline - (state.seconds_since_start or 0.0)
            return failure.wait <= min(policy.max_retry_after, left)
        return isinstance(failure, Transient)

    retrying = AsyncRetrying(
        stop=stop_after_attempt(policy.attempts),
        wait=wait,
        retry=worth_retrying,
        sleep=anyio.sleep,
        reraise=True,
    )
    try:
        with anyio.fail_after(policy.deadline):
            return await retrying(attempt)
    except TimeoutError as exc:
        raise errors.UpstreamTimeout(
            f"The chat upstream did not answer within {policy.deadline:g} seconds.",
            code="upstream_timeout",
        ) from exc
