"""The widget's link: the session, the grant and the format it asks for, read as hostile input.

The grant's shape is defined here once; the host page's ``set-grant`` command checks the same one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from chatdump.core import errors
from chatdump.core.formats import FORMATS
from chatdump.core.session_ids import check_session_id

# A grant as links and commands carry it: URL-safe characters, bounded.
GRANT_SHAPE = re.compile(r"[A-Za-z0-9._~-]{1,2048}")
# ``max_blob``: a number of bytes, or of kB / MB / GB (decimal, as disks count).
SIZE_SHAPE = re.compile(r"(\d{1,15})\s*(kb|mb|gb)?", re.IGNORECASE)
SIZE_UNITS = {"": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3}
DEFAULT_FORMAT = "csv"


def is_grant_shaped(text: str) -> bool:
    return GRANT_SHAPE.fullmatch(text) is not None


@dataclass(frozen=True)
class PageParams:
    session_id: str
    grant: str
    format: str = DEFAULT_FORMAT
    lang: str = ""  # as the link asks; chatdump.core.messages.negotiate decides what it gets


def read_lang(query: str, fragment: str) -> str:
    """The ``lang`` page param as given (``""`` when absent). Read apart from the rest, since a
    link missing its session still gets its error in the language it asks for."""
    return {**_first_values(query), **_first_values(fragment)}.get("lang", "")[:35]


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
    if not is_grant_shaped(grant):
        raise errors.NotAuthenticated("This link's grant is malformed.", code="invalid_grant")
    return PageParams(
        session, grant, read_format(values.get("format", "")), values.get("lang", "")[:35]
    )


def read_max_blob(query: str, fragment: str) -> int | None:
    """The ``max_blob`` page param: the largest file the host lets the widget build in the
    page's memory. It can only lower the browser's own limit (``chatdump.core.save_plan``); None
    when absent. Read apart from the rest, like ``lang``: a grant may come later, by message."""
    return read_size({**_first_values(query), **_first_values(fragment)}.get("max_blob", ""))


def read_size(value: str) -> int | None:
    """A size such as ``500MB`` or ``2000000``; None when absent or not a size (it is only ever
    a wish to stream sooner, so a typo costs nothing but that)."""
    found = SIZE_SHAPE.fullmatch(value.strip())
    if found is None:
        return None
    return int(found.group(1)) * SIZE_UNITS[(found.group(2) or "").lower()]


def read_format(value: str) -> str:
    """The ``format`` page param: a registered format (case-insensitive), ``csv`` when absent."""
    if not value:
        return DEFAULT_FORMAT
    if value.lower() in FORMATS:
        return value.lower()
    raise errors.BadRequest(
        f"This link asks for the format {value[:20]!r}; use one of {', '.join(FORMATS)}.",
        code="unknown_format",
    )


def _first_values(text: str) -> dict[str, str]:
    parsed = parse_qs(text.lstrip("?#"), keep_blank_values=True, max_num_fields=20)
    return {key: items[0].strip() for key, items in parsed.items() if items}
