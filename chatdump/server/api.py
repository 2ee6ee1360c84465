"""The token endpoint's routes: ``GET /api/sessions/{id}/chat-url`` and ``…/chat.csv``.

``Api.authorize`` is the one place a request's grant is checked (and its fresh-URL allowance
spent); the routes then answer from the signed-URL cache.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.types import Scope

from chatdump.core import errors
from chatdump.core.chat_url import ChatUrl
from chatdump.core.expiry import to_iso
from chatdump.core.filenames import chat_filename
from chatdump.core.session_ids import check_session_id
from chatdump.secret import Secret
from chatdump.server.grants import MAX_TTL, GrantChecker
from chatdump.server.headers import NO_STORE
from chatdump.server.middleware import RawHeaders
from chatdump.server.proxy import DumpResponse, StorageRefused, open_dump
from chatdump.server.rate_limit import key_of
from chatdump.server.schema import (
    API_PARAMETERS,
    ERROR_RESPONSES,
    FRESH_PARAMETER,
    TICKET_PARAMETER,
    ChatUrlAnswer,
    TicketAnswer,
    parse_flag,
)
from chatdump.server.shared.fresh import Allowance, LocalAllowance
from chatdump.server.tickets import check_ticket, mint_ticket, ticket_expiry
from chatdump.server.url_cache import MAX_ENTRIES, UrlCache
from chatdump.upstream.base import Provider, SessionInfo

if TYPE_CHECKING:
    from chatdump.server.shared.state import SharedState
    from chatdump.server.shared.url_cache import SharedUrlCache

log = logging.getLogger("chatdump")
# ?fresh=1 (and the proxy's one retry after storage refused a URL): per grant, a burst of 3, then
# one more every 20 s. Enough for a person whose URL expired; far too few to hammer the upstream.
FRESH_BURST = 3
FRESH_EVERY_SECONDS = 20.0


class Api:
    """The routes' shared state: the grant checker, the fresh-URL allowance, the URL cache."""

    def __init__(
        self,
        grant_secrets: tuple[Secret, ...],
        provider: Provider,
        storage: httpx.AsyncClient,
        shared: SharedState | None = None,
        *,
        grant_max_ttl: int = MAX_TTL,
        present: Callable[[str, Request], str] | None = None,
    ) -> None:
        # ``present`` turns a cached URL into the one this request's browser should fetch (the
        # demo's storage lives on this server: its URLs follow the address the browser reached).
        self.present = present or (lambda url, _request: url)
        self.provider = provider
        self.storage = storage
        self.grant_secrets = grant_secrets
        self.grants = GrantChecker(grant_secrets, max_ttl=grant_max_ttl)
        # Per process, or in Redis for every instance (chatdump.server.shared).
        self.fresh_limits: Allowance = LocalAllowance(
            burst=FRESH_BURST, per_seconds=FRESH_EVERY_SECONDS
        )
        self.cache: UrlCache[ChatUrl] | SharedUrlCache = UrlCache(self.load)
        if shared is not None:
            self.fresh_limits = shared.allowance(burst=FRESH_BURST, per_seconds=FRESH_EVERY_SECONDS)
            self.cache = shared.url_cache(self.load)

    async def load(self, session_id: str) -> ChatUrl:
        upstream = await self.provider.chat_url(session_id)
        info = await self.session_info(session_id)
        name = chat_filename(session_id, title=info.title, started_at=info.started_at)
        return ChatUrl(upstream.url, upstream.expires_at, name)

    async def session_info(self, session_id: str) -> SessionInfo:
        """Details only make the filename nicer: without them, the session id names the file."""
        try:
            return await self.provider.session_info(session_id)
        except errors.ChatdumpError as exc:
            log.warning("no session details for the filename (%s); using the session id", exc.code)
            return SessionInfo(session_id)

    def check(self, session_id: str, authorization: str | None) -> str:
        """The request's grant, once it allows ``session_id`` (pure: nothing spent)."""
        check_session_id(session_id)
        grant = bearer(authorization)
        self.grants.check(grant, session_id)
        return grant

    def authorize_download(self, request: Request) -> str:
        """The key of what allows this ``chat.csv`` request: its grant, or its download ticket
        (checked here; the browser's own download cannot send ``Authorization``)."""
        session_id = request.path_params["session_id"]
        authorization = request.headers.get("authorization")
        ticket = request.query_params.get("ticket")
        if ticket is None or authorization is not None:
            return self.check(session_id, authorization)
        check_session_id(session_id)
        check_ticket(self.grant_secrets, ticket, session_id, now=time.time())
        return ticket

    async def authorize(self, session_id: str, authorization: str | None, *, fresh: bool) -> str:
        """The request's grant, once it allows ``session_id`` (and a fresh URL, if asked)."""
        grant = self.check(session_id, authorization)
        if fresh:
            await self.spend_fresh(grant)
        return grant

    def warm_answer(self, session_id: str, scope: Scope) -> Response | None:
        """The answer to a plain ``GET …/chat-url`` (no query) whose grant checks out and whose
        URL is cached, without awaiting anything; None for anything else (a cold cache, ``fresh``,
        any error), which the route then answers the full way (``chatdump.server.warm_path``)."""
        if scope["query_string"]:
            return None
        try:
            self.check(session_id, header(scope, b"authorization"))
        except errors.ChatdumpError:
            return None  # the route raises it again, and the one error edge answers
        cached = self.cache.cached(session_id)
        return None if cached is None else self.chat_url_response(cached, Request(scope))

    def chat_url_response(self, answer: ChatUrl, request: Request) -> Response:
        url = self.present(answer.url, request)
        return _ChatUrlResponse(*_chat_url_answer(url, answer.expires_at, answer.filename))

    async def spend_fresh(self, grant: str) -> None:
        wait = await self.fresh_limits.take(key_of(grant))
        if wait is not None:
            raise errors.TooManyRequests(
                f"Too many requests for a fresh URL with this grant; try again in {wait} s.",
                code="fresh_rate_limited",
                retry_after=wait,
            )

    def router(self) -> APIRouter:
        router = APIRouter()

        # The two routes read their parameters from the request themselves, documented through
        # `openapi_extra`: FastAPI's parameter solving was measured at ~45% of a warm request.
        @router.get(
            "/api/sessions/{session_id}/chat-url",
            response_model=ChatUrlAnswer,
            responses=ERROR_RESPONSES,
            openapi_extra={"parameters": [*API_PARAMETERS, FRESH_PARAMETER]},
        )
        async def chat_url(request: Request) -> Response:
            """A short-lived signed URL for the session's CSV chat dump. Needs a grant for that session.

            Answers are cached until shortly before the URL expires. `?fresh=1` asks the upstream for a
            new URL (after storage refused the old one), at most 3 times, then once per 20 s, per grant.
            """
            session_id = request.path_params["session_id"]
            fresh = parse_flag("fresh", request.query_params.get("fresh"))
            await self.authorize(session_id, request.headers.get("authorization"), fresh=fresh)
            answer = await self.cache.get(session_id, fresh=fresh)
            return self.chat_url_response(answer, request)

        @router.get(
            "/api/sessions/{session_id}/chat.csv",
            response_class=Response,
            responses={200: {"content": {"text/csv": {}}}, **ERROR_RESPONSES},
            openapi_extra={"parameters": [*API_PARAMETERS, TICKET_PARAMETER]},
        )
        async def chat_csv(request: Request) -> Response:
            """The session's CSV chat dump, streamed through this server (for storage without CORS,
            and for the browser's own download of a dump too big for the page).

            Needs a grant for the session, or a download ticket in `?ticket=`.
            """
            session_id = request.path_params["session_id"]
            grant = self.authorize_download(request)
            answer = await self.cache.get(session_id)
            try:
                dump = await open_dump(self.storage, answer.url)
            except StorageRefused:
                # The cached URL may have been revoked early: one fresh one, within the limit.
                self.cache.forget(session_id, answer)
                if await self.fresh_limits.take(key_of(grant)) is not None:
                    raise  # no fresh URL left for this grant: storage's refusal stands
                answer = await self.cache.get(session_id, fresh=True)
                dump = await open_dump(self.storage, answer.url)
            return DumpResponse(dump, answer.filename, fallback=f"{session_id}.csv")

        @router.post(
            "/api/sessions/{session_id}/chat.csv/ticket",
            response_model=TicketAnswer,
            responses=ERROR_RESPONSES,
            openapi_extra={"parameters": API_PARAMETERS},
        )
        async def chat_csv_ticket(request: Request) -> Response:
            """A download ticket: `chat.csv?ticket=…` for the next 60 s, without `Authorization`.

            For the widget's hand-off of a dump too big for the browser's memory to the browser's
            own download. Needs a grant for the session; the ticket never outlives it.
            """
            session_id = request.path_params["session_id"]
            check_session_id(session_id)
            now = time.time()
            grant_expires = self.grants.check(
                bearer(request.headers.get("authorization")), session_id, now
            )
            expires = ticket_expiry(now, grant_expires)
            ticket = mint_ticket(self.grant_secrets[-1], session_id, now=now, expires=expires)
            when = to_iso(datetime.fromtimestamp(expires, UTC))
            body = json.dumps({"ticket": ticket, "expires_at": when}).encode()
            # A credential, however short-lived: no cache may keep it.
            return Response(
                body, media_type="application/json", headers={"Cache-Control": NO_STORE}
            )

        return router


@functools.lru_cache(maxsize=MAX_ENTRIES)
def _chat_url_answer(url: str, expires_at: datetime, filename: str) -> tuple[bytes, RawHeaders]:
    """The answer's JSON (as Starlette's JSONResponse writes it) and headers; remembered, as a
    warm cache answers the same few over and over."""
    body = {"url": url, "expires_at": to_iso(expires_at), "filename": filename}
    text = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    # The answer holds a signed URL: no cache (browser, proxy) may keep it.
    headers = [
        (b"cache-control", NO_STORE.encode()),
        (b"content-length", str(len(text)).encode()),
        (b"content-type", b"application/json"),
    ]
    return text, headers


class _ChatUrlResponse(Response):
    """A Response whose body and raw headers were made once (``_chat_url_answer``): Starlette's
    own constructor would encode the same headers again on every request. Never mutated."""

    def __init__(self, body: bytes, raw_headers: RawHeaders) -> None:
        self.status_code, self.body, self.raw_headers = 200, body, raw_headers
        self.background = None


def header(scope: Scope, name: bytes) -> str | None:
    """A request header's value (``name`` in lower case, as ASGI servers pass names)."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.NotAuthenticated(
            "No grant: send `Authorization: Bearer <grant>` (the page that embeds chatdump mints it).",
            code="missing_grant",
        )
    return token.strip()
