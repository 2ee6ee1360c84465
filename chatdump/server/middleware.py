"""Pure ASGI middleware: a request id for every request, one access-log line, the common headers
(``chatdump.server.headers``).

The log line holds method, path, status and duration — never the query string or headers, which
may carry grants or signed URLs.
"""

from __future__ import annotations

import logging
import secrets
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatdump.server.headers import COMMON_HEADERS

log = logging.getLogger("chatdump.access")  # on with `chatdump serve --access-log`
RawHeaders = list[tuple[bytes, bytes]]
# As ASGI carries them: lower-case names, latin-1 bytes.
_COMMON = [
    (name.lower().encode(), value.encode("latin-1")) for name, value in COMMON_HEADERS.items()
]
_REQUEST_ID = b"x-request-id"


def request_id_of(scope: Scope) -> str:
    return str(scope.get("state", {}).get("request_id", "-"))


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = with_common_headers(message.get("headers", ()), request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            millis = (time.perf_counter() - started) * 1000
            # The client as uvicorn saw it: behind a trusted proxy, from X-Forwarded-For.
            client = scope.get("client")
            log.info(
                "%s %s %s %s %.1fms id=%s",
                client[0] if client else "-",
                scope["method"],
                scope["path"],
                status,
                millis,
                request_id,
            )


def with_common_headers(headers: RawHeaders | tuple[()], request_id: str) -> RawHeaders:
    """``headers`` with this request's id, and each common header the answer did not set itself.

    Plain tuples, not Starlette's ``MutableHeaders``: this runs on every answer (measured)."""
    kept = [(name, value) for name, value in headers if name != _REQUEST_ID]
    names = {name for name, _ in kept}
    extra = [header for header in _COMMON if header[0] not in names]
    return [*kept, (_REQUEST_ID, request_id.encode()), *extra]
