"""What the Chat Replay API's answers mean, as pure functions over ``(status, headers, body)``.

Dyte and Cloudflare RealtimeKit share the ``{"success", "data"}`` shape; their error envelopes
differ (``error: {code, message}`` vs ``errors: [{code, message}]``). Nothing here does I/O, so
every upstream quirk is tested from recorded samples.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from chatdump.core import errors
from chatdump.core.chat_url import check_download_url
from chatdump.core.expiry import parse_expiry, usable_until
from chatdump.providers.base import SessionInfo, UpstreamChatUrl

NO_CHAT_MESSAGE = (
    "No chat for this session. Likely reasons: Chat Replay is not enabled for the organisation "
    "(it is off by default), the session is still live, or its chat is past the 7-day retention."
)


def read_chat_answer(
    status: int, headers: Mapping[str, str], body: bytes, *, now: datetime
) -> UpstreamChatUrl:
    data = _data(status, headers, body)
    url, expiry = data.get("chat_download_url"), data.get("chat_download_url_expiry")
    if not isinstance(url, str) or not isinstance(expiry, str):
        raise errors.UpstreamError("The chat upstream's answer has no chat_download_url.")
    return UpstreamChatUrl(url=check_download_url(url), expires_at=usable_until(expiry, now))


def read_session_answer(
    status: int, headers: Mapping[str, str], body: bytes, session_id: str
) -> SessionInfo:
    data = _data(status, headers, body)
    session = data.get("session", data)
    if not isinstance(session, dict):
        return SessionInfo(session_id)
    title, meeting, started = (
        session.get(k) for k in ("meeting_display_name", "associated_id", "started_at")
    )
    return SessionInfo(
        session_id=session_id,
        meeting_id=meeting if isinstance(meeting, str) else None,
        title=title if isinstance(title, str) else None,
        started_at=parse_expiry(started) if isinstance(started, str) else None,
    )


def _data(status: int, headers: Mapping[str, str], body: bytes) -> dict[str, object]:
    if status != 200:
        raise error_for_status(status, headers)
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise errors.UpstreamError("The chat upstream answered with malformed JSON.") from exc
    if not isinstance(document, dict) or document.get("success") is not True:
        raise errors.UpstreamError("The chat upstream answered success: false.")
    data = document.get("data")
    if not isinstance(data, dict):
        raise errors.UpstreamError("The chat upstream's answer has no data object.")
    return data


def error_for_status(status: int, headers: Mapping[str, str]) -> errors.ChatdumpError:
    if status in (401, 403):
        return errors.UpstreamError(
            "The chat upstream rejected this server's credentials (check the API key or token).",
            code="upstream_credentials_rejected",
        )
    if status == 404:
        return errors.NotFound(NO_CHAT_MESSAGE, code="no_chat")
    if status == 429:
        return errors.UpstreamUnavailable(
            "The chat upstream is rate-limiting this server; try again shortly.",
            code="upstream_rate_limited",
        )
    return errors.UpstreamError(f"The chat upstream answered HTTP {status}.")
