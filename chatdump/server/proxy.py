"""The chat dump streamed through the server, for pages whose storage CORS rule shuts the browser out.

Chunks go from storage to the client as they come, so memory stays constant whatever the size.
Storage is fetched by a bare client: nothing of the incoming request (grant, cookies) and no
ambient credentials (``.netrc``, proxies) go with it. If storage's body ends early, the response
is cut off without its end (the server closes the connection), so the client sees an incomplete
download instead of a short "complete" file.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

import anyio
import httpx
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from chatdump.core import errors
from chatdump.server.middleware import request_id_of

log = logging.getLogger("chatdump")
STORAGE_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
_S3_CODE = re.compile(rb"<Code>([A-Za-z]{1,64})</Code>")


class StorageRefused(errors.UpstreamError):
    """Storage answered 403: the signed URL expired or was revoked. Worth one fresh URL."""

    code = "storage_refused"


def relay_client() -> httpx.AsyncClient:
    """The client the proxy fetches storage with: bare, no redirects, no ambient settings."""
    return httpx.AsyncClient(timeout=STORAGE_TIMEOUT, follow_redirects=False, trust_env=False)


async def open_dump(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """Start fetching ``url``; the open response on 200, a typed error otherwise."""
    request = client.build_request("GET", url, headers={"Accept-Encoding": "identity"})
    try:
        response = await client.send(request, stream=True)
    except httpx.TimeoutException as exc:
        raise errors.UpstreamTimeout(
            "Storage did not answer in time.", code="storage_timeout"
        ) from exc
    except httpx.HTTPError as exc:
        raise errors.UpstreamError("Could not reach storage.", code="storage_unreachable") from exc
    if response.status_code == 200:
        return response
    try:
        head = await anext(response.aiter_raw(4096), b"")
    except httpx.HTTPError:
        head = b""
    finally:
        await response.aclose()
    found = _S3_CODE.search(head)
    s3_code = found.group(1).decode() if found else "-"
    log.warning("storage answered HTTP %s (%s)", response.status_code, s3_code)
    if response.status_code == 403:
        raise StorageRefused("Storage refused the signed URL (it may have expired).")
    if response.status_code == 404:
        raise errors.NotFound(
            "Storage has no chat dump for this session.", code="no_chat_in_storage"
        )
    raise errors.UpstreamError(
        f"Storage answered HTTP {response.status_code}.", code="storage_error"
    )


def content_disposition(filename: str, fallback: str) -> str:
    """``attachment`` with an ASCII name for old clients and the UTF-8 one (RFC 6266 / 5987)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class DumpResponse(Response):
    """Relays an open storage response; aborts (no end of body) if storage's body is cut short."""

    def __init__(self, upstream: httpx.Response, filename: str, fallback: str) -> None:
        self.upstream = upstream
        self.status_code = 200
        self.background = None
        headers = {
            "Content-Disposition": content_disposition(filename, fallback),
            "Cache-Control": "no-store",
        }
        length = upstream.headers.get("content-length", "")
        if length.isdigit():
            headers["Content-Length"] = length
        encoding = upstream.headers.get("content-encoding")
        if encoding:  # passed on as is: the bytes are storage's, untouched
            headers["Content-Encoding"] = encoding
        self.media_type = "text/csv"
        self.init_headers(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            if await self._relay(receive, send, request_id_of(scope)):
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await self.upstream.aclose()

    async def _relay(self, receive: Receive, send: Send, request_id: str) -> bool:
        """True when storage's whole body went out; False on a cut (the caller sends no end)."""
        sent = 0
        async with anyio.create_task_group() as group:

            async def stop_when_client_leaves() -> None:
                while (await receive())["type"] != "http.disconnect":
                    pass
                group.cancel_scope.cancel()

            group.start_soon(stop_when_client_leaves)
            try:
                async for chunk in self.upstream.aiter_raw():
                    sent += len(chunk)
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except httpx.HTTPError as exc:
                log.warning(
                    "storage body cut short after %d bytes (%s); aborting the response id=%s",
                    sent, type(exc).__name__, request_id,
                )  # fmt: skip
                group.cancel_scope.cancel()
                return False
            group.cancel_scope.cancel()
        return True
