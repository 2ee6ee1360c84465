"""A scriptable fake of the Chat Replay API, as Dyte v2 and Cloudflare RealtimeKit serve it.

Follows the OpenAPI excerpt (shared/reference): ``GET .../sessions/{id}/chat`` and
``GET .../sessions/{id}``, the ``{"success", "data"}`` envelope, Dyte's ``error: {code, message}``
and Cloudflare's ``errors: [...]`` envelopes, HTTP Basic (Dyte) or Bearer (RealtimeKit) auth.
Tests queue ``Reply``s per session; unqueued requests get a success. Every request is recorded.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chatdump.upstream.base import SessionInfo, UpstreamChatUrl

ORG_ID, API_KEY = "org-3f2a", "dyte-api-key-0123456789abcdef"
ACCOUNT_ID, APP_ID, API_TOKEN = "acct-1a2b", "app-9z8y", "rtk-api-token-fedcba9876543210"
RTK_PREFIX = f"/client/v4/accounts/{ACCOUNT_ID}/realtime/kit/{APP_ID}"
TITLE, STARTED = "Team Standup", "2026-11-24T10:00:00.000Z"


@dataclass
class Reply:
    status: int = 200
    body: bytes | None = None  # None: the normal answer (success, or the error envelope)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Call:
    kind: str  # "chat" or "details"
    session_id: str
    headers: dict[str, str]


class FakeChatReplay:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.queued: dict[tuple[str, str], list[Reply]] = defaultdict(list)
        self.reset()
        self.app = Starlette(
            routes=[
                Route("/v2/sessions", self._endpoint("dyte", "list")),
                Route("/v2/sessions/{sid}/chat", self._endpoint("dyte", "chat")),
                Route("/v2/sessions/{sid}", self._endpoint("dyte", "details")),
                Route(RTK_PREFIX + "/sessions", self._endpoint("realtimekit", "list")),
                Route(RTK_PREFIX + "/sessions/{sid}/chat", self._endpoint("realtimekit", "chat")),
                Route(RTK_PREFIX + "/sessions/{sid}", self._endpoint("realtimekit", "details")),
            ]
        )

    def queue(self, session_id: str, *replies: Reply, kind: str = "chat") -> None:
        self.queued[(kind, session_id)].extend(replies)

    def count(self, kind: str = "chat") -> int:
        return sum(call.kind == kind for call in self.calls)

    def reset(self) -> None:
        """Forget calls and queued replies, and answer with the default URL and expiry again."""
        self.calls.clear()
        self.queued.clear()
        self.download_url: Callable[[str], str] = default_download_url
        self.expiry = "2099-11-25T10:03:11.000Z"
        self.listed: list[str] = []  # the sessions GET /sessions lists
        self.titles: dict[str, str] = {}  # a session's meeting title, when not TITLE

    def _endpoint(self, flavour: str, kind: str) -> Callable[[Request], object]:
        async def endpoint(request: Request) -> Response:
            sid = request.path_params.get("sid", "")
            self.calls.append(Call(kind, sid, dict(request.headers)))
            if not _authorized(flavour, request.headers.get("authorization", "")):
                return _error(flavour, 401, "Unauthorized")
            queue = self.queued.get((kind, sid))
            reply = queue.pop(0) if queue else Reply()
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if reply.body is not None:
                return Response(reply.body, reply.status, reply.headers, "application/json")
            if reply.status != 200:
                return _error(flavour, reply.status, "Error: resource not found", reply.headers)
            return _json({"success": True, "data": self._data(kind, sid)})

        return endpoint

    def _data(self, kind: str, sid: str) -> dict[str, object]:
        if kind == "chat":
            return {
                "chat_download_url": self.download_url(sid),
                "chat_download_url_expiry": self.expiry,
            }
        if kind == "list":
            return {"sessions": [self._session(listed) for listed in self.listed]}
        return {"session": self._session(sid)}

    def _session(self, sid: str) -> dict[str, object]:
        return _session(sid, self.titles.get(sid, TITLE))


def _session(sid: str, title: str) -> dict[str, object]:
    return {"id": sid, "associated_id": "meeting-1", "meeting_display_name": title,
            "type": "meeting", "status": "ENDED", "started_at": STARTED}  # fmt: skip


def default_download_url(session_id: str) -> str:
    return (
        f"https://storage.test/dumps/{session_id}.csv?X-Amz-Expires=86400&X-Amz-Signature=deadbeef"
    )


def _authorized(flavour: str, header: str) -> bool:
    if flavour == "realtimekit":
        return header == f"Bearer {API_TOKEN}"
    expected = base64.b64encode(f"{ORG_ID}:{API_KEY}".encode()).decode()
    return header == f"Basic {expected}"


def _error(
    flavour: str, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    if flavour == "realtimekit":
        body: dict[str, object] = {"success": False, "errors": [{"code": 7000 + status, "message": message}],
                                   "messages": [], "result": None}  # fmt: skip
    else:
        body = {"success": False, "error": {"code": status, "message": message}}
    return _json(body, status, headers)


def _json(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status, headers, "application/json")


def env_for(flavour: str, base: str, grant_secret: str) -> dict[str, str]:
    """The environment that points chatdump's ``flavour`` provider at the fake served on ``base``."""
    if flavour == "dyte":
        return {"CHATDUMP_PROVIDER": "dyte", "DYTE_ORG_ID": ORG_ID, "DYTE_API_KEY": API_KEY,
                "DYTE_API_BASE": f"{base}/v2", "CHATDUMP_GRANT_SECRET": grant_secret}  # fmt: skip
    return {"CHATDUMP_PROVIDER": "realtimekit", "RTK_ACCOUNT_ID": ACCOUNT_ID, "RTK_APP_ID": APP_ID,
            "RTK_API_TOKEN": API_TOKEN, "RTK_API_BASE": f"{base}/client/v4",
            "CHATDUMP_GRANT_SECRET": grant_secret}  # fmt: skip


class FixedUrlProvider:
    """A provider whose every signed URL is ``url`` (valid for an hour), with no session details."""

    name = "fixed"

    def __init__(self, url: str) -> None:
        self.url = url

    async def chat_url(self, session_id: str) -> UpstreamChatUrl:
        return UpstreamChatUrl(self.url, datetime.now(UTC) + timedelta(hours=1))

    async def session_info(self, session_id: str) -> SessionInfo:
        return SessionInfo(session_id)

    async def aclose(self) -> None:
        pass
