"""The Chat Replay API over HTTP: one class serves Dyte v2 and Cloudflare RealtimeKit.

Both expose ``sessions/{id}/chat`` and ``sessions/{id}`` under a base URL; they differ only in that
base URL and in how they authenticate, which live in the ``httpx.AsyncClient`` handed in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from chatdump.core import errors
from chatdump.providers.answers import read_chat_answer, read_session_answer
from chatdump.providers.base import SessionInfo, UpstreamChatUrl

TIMEOUT = httpx.Timeout(10.0)


class ChatReplayProvider:
    def __init__(self, name: str, client: httpx.AsyncClient) -> None:
        self.name = name
        self._client = client

    async def chat_url(self, session_id: str) -> UpstreamChatUrl:
        response = await self._get(f"sessions/{quote(session_id, safe='')}/chat")
        return read_chat_answer(
            response.status_code, response.headers, response.content, now=datetime.now(UTC)
        )

    async def session_info(self, session_id: str) -> SessionInfo:
        response = await self._get(f"sessions/{quote(session_id, safe='')}")
        return read_session_answer(
            response.status_code, response.headers, response.content, session_id
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _get(self, path: str) -> httpx.Response:
        try:
            return await self._client.get(path)
        except httpx.TimeoutException as exc:
            raise errors.UpstreamTimeout("The chat upstream did not answer in time.") from exc
        except httpx.HTTPError as exc:
            raise errors.UpstreamError("Could not reach the chat upstream.") from exc


def dyte_client(base_url: str, org_id: str, api_key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url + "/", auth=httpx.BasicAuth(org_id, api_key), timeout=TIMEOUT
    )


def realtimekit_client(
    base_url: str, account_id: str, app_id: str, token: str
) -> httpx.AsyncClient:
    base = (
        f"{base_url}/accounts/{quote(account_id, safe='')}/realtime/kit/{quote(app_id, safe='')}/"
    )
    return httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
    )
