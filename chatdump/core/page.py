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


@dataclass(frozen=True)
class PageParams:
    session_id: str
    grant: str


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
    return PageParams(session, grant)


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
