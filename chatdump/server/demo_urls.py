"""The demo storage's signed URLs, moved to the address the request's browser reached (the demo's
storage is mounted on this server, so its URLs must follow however the browser got here)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi import Request

from chatdump.core import errors
from chatdump.core.chat_url import check_download_url
from chatdump.upstream.demo import STORAGE_PATH


def demo_url_presenter(public_url: str) -> Callable[[str, Request], str]:
    """The demo storage's URLs, moved to the address this request's browser reached.

    The host comes from ``Host`` (a proxy passes its own), the scheme from the request (uvicorn
    takes ``X-Forwarded-Proto`` from trusted proxies only), the path prefix from
    ``X-Forwarded-Prefix`` or the root path. Taken from the request as sent: the URL goes back to
    the same caller only (never cached), so a forged header misleads nobody but its sender. A plain-http
    address that is not loopback (which the widget refuses to fetch) keeps the listening address.
    """
    internal = public_url.rstrip("/") + STORAGE_PATH

    def present(url: str, request: Request) -> str:
        if not url.startswith(internal + "/"):
            return url
        host = request.headers.get("host") or urlsplit(public_url).netloc
        prefix = request.headers.get("x-forwarded-prefix") or request.scope.get("root_path", "")
        base = f"{request.url.scheme}://{host}{str(prefix).rstrip('/')}{STORAGE_PATH}"
        moved = base + url[len(internal) :]
        try:
            # Only where the widget will fetch it: https, or plain http on loopback.
            return check_download_url(moved)
        except errors.UpstreamError:
            return url

    return present
