"""``/healthz`` (the process answers) and ``/readyz`` (it is ready; ``?upstream=1`` asks the upstream)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from fastapi import APIRouter

from chatdump.core import errors
from chatdump.upstream import Provider

if TYPE_CHECKING:
    from chatdump.server.shared.state import SharedState

READY_TIMEOUT_SECONDS = 5.0
READY_PROBE_SESSION = "chatdump-readiness-probe"


def readiness_router(provider: Provider, shared: SharedState | None) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "provider": provider.name}

    @router.get("/readyz", include_in_schema=False)
    async def readyz(upstream: bool = False) -> dict[str, str]:
        """Ready: the settings were checked when the app was built; ``?upstream=1`` also asks the
        upstream (one bounded call); a failure is the usual JSON error, with a 503. Redis
        unreachable is not an outage (the per-process state answers): 200, ``degraded``."""
        if upstream:
            await check_upstream(provider)
        if shared is not None and not await shared.ready():
            return {"status": "degraded", "redis": "unreachable", "provider": provider.name}
        return {"status": "ready", "provider": provider.name}

    return router


async def check_upstream(provider: Provider) -> None:
    """Any answer from the upstream other than a failure to reach or authenticate counts."""
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            await provider.session_info(READY_PROBE_SESSION)
    except TimeoutError as exc:
        raise errors.UpstreamUnavailable(
            "The upstream did not answer in time.", code="upstream_not_ready"
        ) from exc
    except errors.ChatdumpError as exc:
        if exc.code == "no_chat" or isinstance(exc, errors.NotFound):
            return  # the upstream answered, and knows no such session: reachable and authorised
        raise errors.UpstreamUnavailable(
            f"The upstream is not ready: {exc.message}", code="upstream_not_ready"
        ) from exc
