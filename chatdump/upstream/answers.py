"""What the Chat Replay API's answers mean, as pure functions over ``(status, headers, body)``.

Dyte and Cloudflare RealtimeKit share the ``{"success", "data"}`` shape; their error envelopes
differ (``error: {code, message}`` vs ``errors: [{code, message}]``), and both are read. Nothing
here does I/O, so every upstream quirk is tested from recorded samples. Answers worth another try
(5xx, 429) raise the ``Transient`` / ``RateLimited`` subclasses the retry loop looks for.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from chatdump.core import errors
from chatdump.core.chat_url import check_download_url
from chatdump.core.expiry import parse_expiry, usable_until
from chatdump.core.session_ids import check_session_id
from chatdump.upstream.base import SessionInfo, UpstreamChatUrl

NO_CHAT_MESSAGE = (
    "No chat for this session. Likely reasons: Chat Replay is not enabled for the organisation "
    "(it is off by default), the session is still live, or its chat is past the 7-day retention."
)
# A signed S3 URL is a few hundred characters; anything far longer is not one.
MAX_URL_LENGTH = 8192
# How long to wait on a 429 that names no (readable) retry-after.
DEFAULT_RETRY_AFTER = 1.0


class Transient(errors.UpstreamError):
    """A failure worth retrying (5xx, connection trouble); a 502 if it persists."""


class RateLimited(errors.UpstreamUnavailable):
    """HTTP 429. ``wait`` is the upstream's retry-after in seconds (a 503 if it persists)."""

    code = "upstream_rate_limited"

    def __init__(self, wait: float) -> None:
        super().__init__(
            "The chat upstream is rate-limiting this server; try again shortly.",
            retry_after=max(1, math.ceil(wait)),
        )
        self.wait = wait


def read_chat_answer(
    status: int, headers: Mapping[str, str], body: bytes, *, now: datetime
) -> UpstreamChatUrl:
    data = _data(status, headers, body, now)
    url, expiry = data.get("chat_download_url"), data.get("chat_download_url_expiry")
    if not isinstance(url, str) or not isinstance(expiry, str):
        raise errors.UpstreamError(
            "The chat upstream's answer lacks chat_download_url or its expiry.",
            code="upstream_bad_answer",
        )
    if len(url) > MAX_URL_LENGTH:
        raise errors.UpstreamError(
            "The chat upstream's download URL is implausibly long.", code="upstream_bad_answer"
        )
    try:
        checked = check_download_url(url)
    except errors.UpstreamError as exc:
        raise errors.UpstreamError(exc.message, code="upstream_bad_url") from exc
    return UpstreamChatUrl(url=checked, expires_at=usable_until(expiry, now))


def read_session_answer(
    status: int, headers: Mapping[str, str], body: bytes, session_id: str, *, now: datetime
) -> SessionInfo:
    """Dyte nests the session under ``data.session``; RealtimeKit may put it in ``data`` itself."""
    data = _data(status, headers, body, now)
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


def upstream_message(body: bytes) -> str:
    """The upstream's own words about an error, from either envelope, for the log (never echoed)."""
    try:
        document = json.loads(body)
    except ValueError:
        return "(no JSON error body)"
    if not isinstance(document, dict):
        return "(no JSON error body)"
    error = document.get("error")
    listed = document.get("errors")
    if isinstance(listed, list) and listed:
        error = listed[0]
    if isinstance(error, dict):
        return f"{error.get('code', '?')}: {str(error.get('message', ''))[:200]}"
    return "(no error in the body)"


def retry_after_seconds(headers: Mapping[str, str], now: datetime) -> float:
    """``retry-after`` as seconds: a number or an HTTP date; a short default when unreadable."""
    raw = (headers.get("retry-after") or "").strip()
    if not raw:
        return DEFAULT_RETRY_AFTER
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def error_for_status(
    status: int, headers: Mapping[str, str], now: datetime
) -> errors.ChatdumpError:
    if status in (401, 403):
        return errors.UpstreamError(
            "The chat upstream rejected this server's credentials (check the API key or token).",
            code="upstream_credentials_rejected",
        )
    if status == 404:
        return errors.NotFound(NO_CHAT_MESSAGE, code="no_chat")
    if status == 429:
        return RateLimited(retry_after_seconds(headers, now))
    if status >= 500:
        return Transient(
            f"The chat upstream kept failing (HTTP {status}).", code="upstream_failing"
        )
    return errors.UpstreamError(
        f"The chat upstream refused the request (HTTP {status}).", code="upstream_refused"
    )


def _data(status: int, headers: Mapping[str, str], body: bytes, now: datetime) -> dict[str, object]:
    if status != 200:
        raise error_for_status(status, headers, now)
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise errors.UpstreamError(
            "The chat upstream answered with malformed JSON.", code="upstream_bad_answer"
        ) from exc
    if not isinstance(document, dict) or document.get("success") is not True:
        raise errors.UpstreamError(
            "The chat upstream's answer does not say success: true.", code="upstream_bad_answer"
        )
    data = document.get("data")
    if not isinstance(data, dict):
        raise errors.UpstreamError(
            "The chat upstream's answer has no data object.", code="upstream_bad_answer"
        )
    return data


def read_sessions_answer(
    status: int, headers: Mapping[str, str], body: bytes, *, now: datetime
) -> list[SessionInfo]:
    """``GET /sessions``: ``data.sessions`` is a list of ActiveSession; entries without an id
    (or with one that is not a plausible session id) are skipped, not guessed at."""
    sessions = _data(status, headers, body, now).get("sessions")
    if not isinstance(sessions, list):
        raise errors.UpstreamError(
            "The chat upstream's session list lacks data.sessions.", code="upstream_bad_answer"
        )
    found: list[SessionInfo] = []
    for item in sessions:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        info = _session_info(item, item["id"])
        if info is not None:
            found.append(info)
    return found


def _session_info(session: dict[str, object], session_id: str) -> SessionInfo | None:
    try:
        check_session_id(session_id)
    except errors.InvalidSessionId:
        return None
    title, meeting, started, state = (
        session.get(k) for k in ("meeting_display_name", "associated_id", "started_at", "status")
    )
    return SessionInfo(
        session_id=session_id,
        meeting_id=meeting if isinstance(meeting, str) else None,
        title=title if isinstance(title, str) else None,
        started_at=parse_expiry(started) if isinstance(started, str) else None,
        live=state == "LIVE",
    )
