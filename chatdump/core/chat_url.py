"""The token endpoint's answer, as its clients (the widget, the CLI) read it.

``parse_chat_url_answer`` turns ``(status, body)`` into a ``ChatUrl`` or a typed error, so the
browser and CPython clients differ only in how they move bytes.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from chatdump.core import errors
from chatdump.core.expiry import is_stale, usable_until
from chatdump.core.filenames import safe_filename

# Error bodies are shown to people: cut what a hostile server could stuff into them.
MAX_MESSAGE = 300


@dataclass(frozen=True)
class ChatUrl:
    url: str
    expires_at: datetime
    filename: str

    def is_stale(self, now: datetime) -> bool:
        return is_stale(self.expires_at, now)


def is_loopback_host(host: str) -> bool:
    """An IP literal in 127.0.0.0/8 or ``::1``, or exactly ``localhost``.

    Parsed as an address, never matched as a prefix: ``127.evil.example`` is a DNS name that
    can point anywhere.
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_download_url(url: str) -> str:
    """Accept https anywhere, plain http only on loopback (local fakes and tests)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise errors.UpstreamError("The download URL has no host.")
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback_host(host)):
        return url
    raise errors.UpstreamError("The download URL is not an https URL; refusing to fetch it.")


def parse_chat_url_answer(status: int, body: bytes, *, received_at: datetime) -> ChatUrl:
    """Read the endpoint's ``{"url", "expires_at", "filename"}`` answer, or raise its error."""
    document = _json_object(body)
    if status != 200:
        raise _error_from(status, document)
    url, expires_at, filename = (document.get(k) for k in ("url", "expires_at", "filename"))
    if not (isinstance(url, str) and isinstance(expires_at, str) and isinstance(filename, str)):
        raise errors.EndpointError(
            "The token endpoint's answer is missing url, expires_at or filename."
        )
    return ChatUrl(
        url=check_download_url(url),
        expires_at=usable_until(expires_at, received_at),
        filename=safe_filename(filename),
    )


def endpoint_error(status: int, body: bytes) -> errors.ChatdumpError:
    """The error a non-200 answer from any chatdump endpoint route stands for."""
    return _error_from(status, _json_object(body))


def _json_object(body: bytes) -> dict[str, object]:
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def _error_from(status: int, document: dict[str, object]) -> errors.ChatdumpError:
    detail = document.get("error")
    code, message = "endpoint_error", f"The token endpoint answered HTTP {status}."
    if isinstance(detail, dict):
        if isinstance(detail.get("code"), str):
            code = str(detail["code"])[:64]
        if isinstance(detail.get("message"), str):
            message = str(detail["message"])[:MAX_MESSAGE]
    error = errors.EndpointError(message, code=code)
    error.status = status
    return error
