"""Redis key names and the cached value's encoding: pure functions, no I/O.

Keys are ``<prefix>url:<session>``, ``<prefix>lock:<session>`` and ``<prefix>fresh:<digest>``:
a grant appears only as its sha256 digest; no credential is ever written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from chatdump.core.chat_url import ChatUrl
from chatdump.core.expiry import to_iso

DEFAULT_PREFIX = "chatdump:"


@dataclass(frozen=True)
class Keys:
    prefix: str = DEFAULT_PREFIX

    def url(self, session_id: str) -> str:
        return f"{self.prefix}url:{session_id}"

    def lock(self, session_id: str) -> str:
        return f"{self.prefix}lock:{session_id}"

    def fresh(self, grant_digest: str) -> str:
        return f"{self.prefix}fresh:{grant_digest}"


def ttl_ms(now: datetime, serve_until: datetime) -> int:
    """The Redis TTL of an entry served until ``serve_until`` (``refresh_at``); 0: don't store."""
    return max(0, int((serve_until - now).total_seconds() * 1000))


def encode(value: ChatUrl, serve_until: datetime) -> str:
    return json.dumps(
        {
            "url": value.url,
            "expires_at": to_iso(value.expires_at),
            "filename": value.filename,
            "serve_until": to_iso(serve_until),
        }
    )


def decode(raw: str | bytes) -> tuple[ChatUrl, datetime] | None:
    """The entry, or None for anything that is not one (then it is simply fetched again)."""
    try:
        doc = json.loads(raw)
        value = ChatUrl(doc["url"], _time(doc["expires_at"]), doc["filename"])
        return value, _time(doc["serve_until"])
    except (ValueError, KeyError, TypeError):
        return None


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
