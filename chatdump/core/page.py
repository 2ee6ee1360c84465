"""The widget's decisions that need no browser: reading its link, judging what storage sent.

``main.py`` does the I/O (DOM, ``fetch``, saving) and asks this module what it means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from chatdump.core import errors
from chatdump.core.session_ids import check_session_id

_GRANT = re.compile(r"[A-Za-z0-9._~-]{1,2048}")
# The export formats the widget offers, in the select's order (chatdump.core.convert converts).
FORMATS = ("csv", "excel", "jsonl", "txt")
DEFAULT_FORMAT = "csv"
# Chromium counts a click as the user's gesture for about 5 s; stay safely inside that.
ACTIVATION_WINDOW_MS = 4000.0


@dataclass(frozen=True)
class PageParams:
    session_id: str
    grant: str
    format: str = DEFAULT_FORMAT


def read_page_params(query: str, fragment: str) -> PageParams:
    """``session`` and ``grant`` from the page's link; the fragment wins over the query.

    The fragment is preferred by hosts because it never reaches a server log.
    """
    values = {**_first_values(query), **_first_values(fragment)}
    session, grant = values.get("session", ""), values.get("grant", "")
    if not session:
        raise errors.BadRequest(
            "This link has no session: it needs ?session=…&grant=… (or the same after #).",
            code="missing_session",
        )
    try:
        check_session_id(session)
    except errors.InvalidSessionId as exc:
        raise errors.InvalidSessionId(
            f"This link's session id is not valid. {exc.message}"
        ) from exc
    if not grant:
        raise errors.NotAuthenticated(
            "This link has no grant: ask the page that sent you here for a download link.",
            code="missing_grant",
        )
    if not _GRANT.fullmatch(grant):
        raise errors.NotAuthenticated("This link's grant is malformed.", code="invalid_grant")
    return PageParams(session, grant, read_format(values.get("format", "")))


def read_format(value: str) -> str:
    """The ``format`` page param: one of ``FORMATS`` (case-insensitive), ``csv`` when absent."""
    if not value:
        return DEFAULT_FORMAT
    if value.lower() in FORMATS:
        return value.lower()
    raise errors.BadRequest(
        f"This link asks for the format {value[:20]!r}; use one of {', '.join(FORMATS)}.",
        code="unknown_format",
    )


def storage_error(status: int) -> errors.ChatdumpError:
    """What a failed answer from storage means to the person clicking."""
    if status == 403:
        return errors.UpstreamError(
            "The download link was refused by storage (it may have expired).",
            code="storage_forbidden",
        )
    if status == 404:
        return errors.NotFound("Storage no longer has this chat.", code="storage_not_found")
    return errors.UpstreamError(f"Storage answered HTTP {status}.", code="storage_error")


def check_complete(content_length: str | None, received: int) -> None:
    """Raise unless the body is whole: a short file must never be saved as if it were complete."""
    if content_length is None or not content_length.strip().isdigit():
        return  # unknown length (chunked): the browser's own stream errors are the only signal
    expected = int(content_length)
    if received != expected:
        raise errors.UpstreamError(
            f"The download was cut short ({received:,} of {expected:,} bytes); nothing was saved.",
            code="truncated",
        )


def progress_text(received: int, total: int | None) -> tuple[str, float | None]:
    """The progress line and the bar's fraction; ``None`` when the size is unknown (indeterminate).

    ``total`` comes from the network and may be 0 or smaller than what arrived: then it is unknown.
    """
    if total is None or total <= 0 or received > total:
        return f"{human_size(received)} received", None
    fraction = received / total
    return f"{human_size(received)} of {human_size(total)} ({int(fraction * 100)}%)", fraction


def needs_save_click(user_active: bool | None, elapsed_ms: float) -> bool:
    """Whether the save must wait for a fresh click, the original gesture having lapsed.

    ``user_active`` is ``navigator.userActivation.isActive`` where the browser has it (the real
    answer); elsewhere, a click older than ``ACTIVATION_WINDOW_MS`` is taken as lapsed.
    """
    if user_active is not None:
        return not user_active
    return not 0 <= elapsed_ms <= ACTIVATION_WINDOW_MS


def human_size(size: int) -> str:
    value, unit = float(size), "bytes"
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            break
        value /= 1000
    return f"{size:,} bytes" if unit == "bytes" else f"{value:.1f} {unit}"


def _first_values(text: str) -> dict[str, str]:
    parsed = parse_qs(text.lstrip("?#"), keep_blank_values=True, max_num_fields=20)
    return {key: items[0].strip() for key, items in parsed.items() if items}
