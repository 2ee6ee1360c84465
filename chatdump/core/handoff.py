"""Handing a dump too big for the page to the browser's own download (``chatdump.core.save_plan``).

The widget asks the endpoint for a download ticket (``POST …/chat.csv/ticket`` with the grant),
then lets the browser download ``chat.csv?ticket=…``: a navigation, which streams to disk without
a Blob and cannot carry ``Authorization``. The ticket lives a minute (``chatdump.server.tickets``),
so it is asked for only when the download starts, never ahead.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from chatdump.core import errors
from chatdump.core.chat_url import endpoint_error
from chatdump.core.flow import stream_path
from chatdump.core.link import is_grant_shaped


def ticket_path(session_id: str) -> str:
    """Where to ask for a ticket, relative to the page (like ``stream_path``)."""
    return stream_path(session_id) + "/ticket"


def ticket_url(session_id: str, ticket: str) -> str:
    """The streaming route's URL carrying ``ticket``, relative to the page."""
    return f"{stream_path(session_id)}?ticket={quote(ticket, safe='')}"


def parse_ticket_answer(status: int, body: bytes) -> str:
    """The ticket from the endpoint's ``{"ticket", "expires_at"}`` answer, or its error."""
    if status != 200:
        raise endpoint_error(status, body)
    try:
        ticket = json.loads(body.decode("utf-8")).get("ticket")
    except (UnicodeDecodeError, ValueError, AttributeError):
        ticket = None
    # A JWT is grant-shaped: URL-safe characters, bounded. Anything else is not ours.
    if not isinstance(ticket, str) or not is_grant_shaped(ticket):
        raise errors.EndpointError("The chatdump server's download ticket is malformed.")
    return ticket
