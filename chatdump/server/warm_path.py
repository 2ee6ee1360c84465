"""Pure ASGI middleware: a warm ``GET /api/sessions/{id}/chat-url`` answered without the framework.

Most requests the endpoint sees ask again for a URL it has cached, with a grant it has verified
before. FastAPI's routing, exception layers and request handler were measured at about a third of
such a request, so this layer (inside the request log, so the id, headers and log line are the
same) asks ``Api.warm_answer`` first: the same checks as the route, the same response, but only
when nothing needs awaiting. Everything else (a cold cache, ``?fresh=1``, any refusal) goes on to
the app unchanged, where the route checks again and the one error edge answers.
"""

from __future__ import annotations

import re

from starlette._utils import get_route_path
from starlette.types import ASGIApp, Receive, Scope, Send

from chatdump.server.api import Api

# The route's own pattern: Starlette matches {session_id} as one path segment.
CHAT_URL = re.compile(r"/api/sessions/(?P<session_id>[^/]+)/chat-url")


class WarmPath:
    def __init__(self, app: ASGIApp, api: Api) -> None:
        self.app = app
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            match = CHAT_URL.fullmatch(get_route_path(scope))
            if match is not None:
                response = self.api.warm_answer(match.group(1), scope)
                if response is not None:
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)
