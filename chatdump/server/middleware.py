"""Pure ASGI middleware: a request id for every request, one access-log line, the common headers
(``chatdump.server.headers``).

The log line holds method, path, status and duration — never the query string or headers, which
may carry grants or signed URLs.
"""

from __future__ import annotations

import logging
import secrets
import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatdump.server.headers import COMMON_HEADERS

log = logging.getLogger("chatdump.access")


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
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                for name, value in COMMON_HEADERS.items():
                    headers.setdefault(name, value)
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
