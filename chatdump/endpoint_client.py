"""Client for a chatdump token endpoint, over ``urllib``.

The same code runs in CPython and in the browser: there, ``pyodide_http.patch_all()`` makes
``urllib.request.urlopen`` a (synchronous) XMLHttpRequest. Pyodide's patched ``urlopen`` returns 4xx
answers instead of raising ``HTTPError``, so both shapes are handled. Stdlib only.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from chatdump.core import errors
from chatdump.core.chat_url import ChatUrl, parse_chat_url_answer
from chatdump.core.session_ids import check_session_id

TIMEOUT_SECONDS = 10.0


class EndpointClient:
    """Asks ``{base_url}/api/sessions/{id}/chat-url`` for a signed URL, holding one grant."""

    def __init__(self, base_url: str, grant: str, *, timeout: float = TIMEOUT_SECONDS) -> None:
        if urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError(f"the endpoint must be an http(s) URL, not {base_url[:60]!r}")
        self.base_url = base_url.rstrip("/")
        self._grant = grant
        self.timeout = timeout

    def __repr__(self) -> str:  # the grant is a credential: keep it out of logs and tracebacks
        return f"EndpointClient({self.base_url!r}, grant=***)"

    def chat_url(self, session_id: str, *, fresh: bool = False) -> ChatUrl:
        path = f"/api/sessions/{quote(check_session_id(session_id), safe='')}/chat-url"
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.base_url + path + ("?fresh=1" if fresh else ""),
            headers={"Authorization": f"Bearer {self._grant}", "Accept": "application/json"},
        )
        status, body = self._send(request)
        return parse_chat_url_answer(status, body, received_at=datetime.now(UTC))

    def _send(self, request: urllib.request.Request) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return int(response.status), response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read()
        except Exception as exc:  # URLError, OSError, or a JsException from the browser's XHR
            raise errors.EndpointError(
                f"Could not reach the chatdump server at {self.base_url}.", code="network_error"
            ) from exc
