"""chatdump's app handing out s3rver's presigned URLs, some of which really expire early."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx

from chatdump.upstream.base import SessionInfo, UpstreamChatUrl
from tests.s3 import S3


class S3Provider:
    """Hands out s3rver's presigned URLs; ``short_next`` of them die after a second though they
    claim an hour (as a URL revoked early would), and ``bucket`` picks the CORS rule."""

    name = "demo"

    def __init__(self, s3: S3) -> None:
        self.s3 = s3
        self.bucket = s3.bucket
        self.short_next = 0
        self.short_urls: list[str] = []

    async def chat_url(self, session_id: str) -> UpstreamChatUrl:
        lifetime = 1 if self.short_next > 0 else 600
        self.short_next = max(0, self.short_next - 1)
        url = self.s3.presign(f"{session_id}.csv", lifetime, bucket=self.bucket)
        if lifetime == 1:
            self.short_urls.append(url)
        return UpstreamChatUrl(url, datetime.now(UTC) + timedelta(hours=1))

    async def session_info(self, session_id: str) -> SessionInfo:
        return SessionInfo(session_id)

    async def aclose(self) -> None:
        pass


def next_short_url(provider: S3Provider, seen: int) -> str:
    """The short-lived URL signed after the first ``seen``: the widget asks for its URL as it
    starts, so wait for it (bounded)."""
    deadline = time.monotonic() + 20
    while len(provider.short_urls) <= seen:
        assert time.monotonic() < deadline, "the widget never asked for its URL"
        time.sleep(0.05)
    return provider.short_urls[seen]


def until_refused(url: str) -> None:
    """Wait (bounded) until s3rver itself refuses ``url`` as expired."""
    deadline = time.monotonic() + 10
    while httpx.get(url).status_code != 403:
        assert time.monotonic() < deadline, "s3rver never expired the URL"
        time.sleep(0.2)
