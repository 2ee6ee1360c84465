"""The Chat Replay API over HTTP: the one class behind Dyte v2 and Cloudflare RealtimeKit.

Both expose ``sessions/{id}/chat`` and ``sessions/{id}`` under a base URL; they differ only in that
base URL and in how they authenticate, which live in the ``httpx.AsyncClient`` their module builds.
Each attempt reads at most ``MAX_ANSWER`` bytes and hands them to the pure readers in ``answers``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import quote, urlencode

import httpx

from chatdump.core import errors
from chatdump.core.expiry import to_iso
from chatdump.upstream.answers import (
    Transient,
    read_chat_answer,
    read_session_answer,
    read_sessions_answer,
    upstream_message,
)
from chatdump.upstream.base import SessionInfo, UpstreamChatUrl
from chatdump.upstream.retrying import UpstreamPolicy, call_upstream

log = logging.getLogger("chatdump")
T = TypeVar("T")
TIMEOUT = httpx.Timeout(10.0)
# The answers are small JSON documents; a huge body is hostile or broken.
MAX_ANSWER = 1_000_000

Reader = Callable[[int, httpx.Headers, bytes, datetime], T]


class ChatReplayProvider:
    def __init__(
        self, name: str, client: httpx.AsyncClient, policy: UpstreamPolicy | None = None
    ) -> None:
        self.name = name
        self._client = client
        self._policy = policy or UpstreamPolicy()

    async def chat_url(self, session_id: str) -> UpstreamChatUrl:
        def read(
            status: int, headers: httpx.Headers, body: bytes, now: datetime
        ) -> UpstreamChatUrl:
            return read_chat_answer(status, headers, body, now=now)

        return await self._call(f"sessions/{quote(session_id, safe='')}/chat", read)

    async def session_info(self, session_id: str) -> SessionInfo:
        def read(status: int, headers: httpx.Headers, body: bytes, now: datetime) -> SessionInfo:
            return read_session_answer(status, headers, body, session_id, now=now)

        policy = replace(
            self._policy,
            deadline=min(self._policy.deadline, self._policy.details_deadline),
            attempts=1,
        )
        return await self._call(f"sessions/{quote(session_id, safe='')}", read, policy)

    async def sessions_page(
        self,
        page_no: int,
        per_page: int,
        *,
        meeting_id: str | None = None,
        since: datetime | None = None,
    ) -> list[SessionInfo]:
        """One page of ``GET /sessions`` (1-based ``page_no``), newest first where supported."""
        query: dict[str, str | int] = {"page_no": page_no, "per_page": per_page}
        if meeting_id:
            query["associated_id"] = meeting_id
        if since is not None:
            query["start_time"] = to_iso(since)

        def read(
            status: int, headers: httpx.Headers, body: bytes, now: datetime
        ) -> list[SessionInfo]:
            return read_sessions_answer(status, headers, body, now=now)

        return await self._call("sessions?" + urlencode(query), read)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _call(self, path: str, read: Reader[T], policy: UpstreamPolicy | None = None) -> T:
        async def attempt() -> T:
            status, headers, body = await self._get(path)
            if status != 200:
                log.warning(
                    "%s upstream answered HTTP %s: %s", self.name, status, upstream_message(body)
                )
            try:
                return read(status, headers, body, datetime.now(UTC))
            except errors.UpstreamError as exc:
                if status == 200:
                    log.warning("%s upstream's answer is unusable: %s", self.name, exc.message)
                raise

        return await call_upstream(attempt, policy or self._policy)

    async def _get(self, path: str) -> tuple[int, httpx.Headers, bytes]:
        try:
            async with self._client.stream("GET", path) as response:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_ANSWER:
                        raise errors.UpstreamError(
                            "The chat upstream's answer is implausibly large.",
                            code="upstream_bad_answer",
                        )
                return response.status_code, response.headers, bytes(body)
        except httpx.TimeoutException as exc:
            raise errors.UpstreamTimeout(
                "The chat upstream did not answer in time.", code="upstream_timeout"
            ) from exc
        except httpx.HTTPError as exc:
            log.warning("%s upstream unreachable: %s", self.name, type(exc).__name__)
            raise Transient(
                "Could not reach the chat upstream.", code="upstream_unreachable"
            ) from exc
