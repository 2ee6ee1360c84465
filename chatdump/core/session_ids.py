"""What counts as a plausible session id, checked before anything is sent upstream."""

from __future__ import annotations

import re

from chatdump.core.errors import InvalidSessionId

MAX_LENGTH = 64
_PLAUSIBLE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def check_session_id(value: str) -> str:
    """Return ``value`` if it can be a Dyte / RealtimeKit session id, else raise InvalidSessionId."""
    if not value:
        raise InvalidSessionId("The session id is empty.")
    if len(value) > MAX_LENGTH:
        raise InvalidSessionId(f"The session id is longer than {MAX_LENGTH} characters.")
    if not _PLAUSIBLE.fullmatch(value):
        raise InvalidSessionId(
            "The session id may only hold letters, digits, '-' and '_' (a UUID, usually)."
        )
    return value
