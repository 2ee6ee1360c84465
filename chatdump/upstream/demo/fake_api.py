"""A fake of Dyte's v2 REST API, following the OpenAPI excerpt in shared/reference.

Implements ``GetSessionChat``, ``GetSessionDetails`` and ``GetSessions`` with HTTP Basic auth, the
``{"success", "data"}`` envelope, and the documented error shapes.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from chatdump.upstream.demo.dumps import DEMO_SESSIONS, DemoSession
from chatdump.upstream.demo.storage import DemoStorage

Endpoint = Callable[[Request], Awaitable[JSONResponse]]

DEMO_ORG_ID = "demo-org"
DEMO_API_KEY = "demo-api-key"
DEFAULT_PER_PAGE = 20


def create_fake_api(
    storage: DemoStorage, *, url_ttl: int, sessions: Sequence[DemoSession] = DEMO_SESSIONS
) -> Starlette:
    """``sessions`` lets tests list more sessions than the demo has (to exercise paging)."""
    all_sessions = tuple(sessions)

    async def session_chat(request: Request) -> JSONResponse:
        session = find(request.path_params["session_id"])
        if session is None:
            return _error(404, "Error: resource not found")
        now = datetime.now(UTC)
        url = storage.presign(f"{session.session_id}.csv", expires_in=url_ttl, now=now)
        expiry = (now.replace(microsecond=0) + timedelta(seconds=url_ttl)).strftime(
            "%Y-%m-%dT%H:%M:%S.000Z"
        )
        return JSONResponse(
            {
                "success": True,
                "data": {"chat_download_url": url, "chat_download_url_expiry": expiry},
            }
        )

    async def session_details(request: Request) -> JSONResponse:
        session = find(request.path_params["session_id"])
        if session is None:
            return _error(404, "Error: resource not found")
        return JSONResponse({"success": True, "data": {"session": _active_session(session)}})

    async def list_sessions(request: Request) -> JSONResponse:
        meeting = request.query_params.get("associated_id")
        page = _page(request.query_params.get("page_no"), default=1)
        per_page = _page(request.query_params.get("per_page"), default=DEFAULT_PER_PAGE)
        if page is None or per_page is None:
            return _error(400, "page_no and per_page must be whole numbers")
        found = [_active_session(s) for s in all_sessions if meeting in (None, s.meeting_id)]
        start = (max(page, 1) - 1) * per_page
        return JSONResponse(
            {"success": True, "data": {"sessions": found[start : start + per_page]}}
        )

    def find(session_id: str) -> DemoSession | None:
        return next((s for s in all_sessions if s.session_id == session_id), None)

    def guarded(endpoint: Endpoint) -> Endpoint:
        async def check(request: Request) -> JSONResponse:
            if not _authorized(request.headers.get("authorization", "")):
                return _error(401, "Unauthorized")
            return await endpoint(request)

        return check

    return Starlette(
        routes=[
            Route("/v2/sessions", guarded(list_sessions)),
            Route("/v2/sessions/{session_id}", guarded(session_details)),
            Route("/v2/sessions/{session_id}/chat", guarded(session_chat)),
        ]
    )


def _page(raw: str | None, *, default: int) -> int | None:
    """``page_no`` / ``per_page``: 1-based pages like Dyte's examples; None when malformed."""
    if raw is None or raw == "":
        return default
    return min(int(raw), 1000) if raw.isdigit() else None


def _authorized(header: str) -> bool:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return False
    return hmac.compare_digest(given, f"{DEMO_ORG_ID}:{DEMO_API_KEY}".encode())


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"success": False, "error": {"code": status, "message": message}}, status)


def _active_session(session: DemoSession) -> dict[str, object]:
    started = session.started_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    ended = (session.started_at + timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "id": session.session_id,
        "associated_id": session.meeting_id,
        "meeting_display_name": session.title,
        "type": "meeting",
        "status": "ENDED",
        "live_participants": 0,
        "max_concurrent_participants": 6,
        "minutes_consumed": 45,
        "organization_id": DEMO_ORG_ID,
        "started_at": started,
        "created_at": started,
        "updated_at": ended,
        "ended_at": ended,
    }
