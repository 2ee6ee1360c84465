"""The token endpoint and widget server: ``create_app(settings, provider)``.

Errors from anywhere below are ``ChatdumpError`` subclasses; this module is the one edge that turns
them into ``{"error": {"code", "message", "request_id"}}`` answers.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from os import PathLike

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Scope

from chatdump import __version__
from chatdump.core import errors
from chatdump.core.embed import embed_json
from chatdump.core.expiry import to_iso
from chatdump.core.filenames import chat_filename
from chatdump.core.session_ids import check_session_id
from chatdump.server.grants import GrantChecker
from chatdump.server.headers import page_headers
from chatdump.server.middleware import RequestLog, request_id_of
from chatdump.server.proxy import DumpResponse, StorageRefused, open_dump, storage_client
from chatdump.server.rate_limit import TokenBuckets, key_of
from chatdump.server.redact import install as install_redaction
from chatdump.server.schema import (
    API_PARAMETERS,
    ERROR_RESPONSES,
    FRESH_PARAMETER,
    ChatUrlAnswer,
    parse_flag,
)
from chatdump.server.settings import Settings
from chatdump.server.url_cache import UrlCache
from chatdump.server.widget_files import WidgetFiles, media_type
from chatdump.upstream.base import Provider, SessionInfo

log = logging.getLogger("chatdump")
IMMUTABLE = "public, max-age=31536000, immutable"
# ?fresh=1 (and the proxy's one retry after storage refused a URL): per grant, a burst of 3, then
# one more every 20 s. Enough for a person whose URL expired; far too few to hammer the upstream.
FRESH_BURST = 3
FRESH_EVERY_SECONDS = 20.0


@dataclass(frozen=True)
class ChatAnswer:
    url: str
    expires_at: datetime
    filename: str


def create_app(
    settings: Settings,
    provider: Provider,
    *,
    widget: WidgetFiles | None = None,
    mounts: Mapping[str, ASGIApp] | None = None,
    storage: httpx.AsyncClient | None = None,
    routers: Sequence[APIRouter] = (),
) -> FastAPI:
    """``storage`` fetches signed URLs for the CSV proxy (a bare client unless a test hands one)."""
    install_redaction(_secret_values(settings))
    storage = storage or storage_client()
    fresh_limits = TokenBuckets(burst=FRESH_BURST, per_seconds=FRESH_EVERY_SECONDS)
    grants = GrantChecker(settings.grant_secrets)

    async def load(session_id: str) -> ChatAnswer:
        upstream = await provider.chat_url(session_id)
        info = await _session_info(provider, session_id)
        name = chat_filename(session_id, title=info.title, started_at=info.started_at)
        return ChatAnswer(upstream.url, upstream.expires_at, name)

    cache: UrlCache[ChatAnswer] = UrlCache(load)

    def authorize(session_id: str, authorization: str | None, *, fresh: bool) -> str:
        check_session_id(session_id)
        grant = _bearer(authorization)
        grants.check(grant, session_id)
        if fresh:
            wait = fresh_limits.take(key_of(grant), time.monotonic())
            if wait is not None:
                raise errors.TooManyRequests(
                    f"Too many requests for a fresh URL with this grant; try again in {wait} s.",
                    code="fresh_rate_limited",
                    retry_after=wait,
                )
        return grant

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await provider.aclose()
        await storage.aclose()

    app = FastAPI(
        title="chatdump", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.add_middleware(RequestLog)
    _add_error_handlers(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "provider": provider.name}

    # The two API routes read their parameters from the request themselves, documented through
    # `openapi_extra`: FastAPI's parameter solving was measured at ~45% of a warm-cache request.
    @app.get(
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
        authorize(session_id, request.headers.get("authorization"), fresh=fresh)
        answer = await cache.get(session_id, fresh=fresh)
        body = {
            "url": answer.url,
            "expires_at": to_iso(answer.expires_at),
            "filename": answer.filename,
        }
        return JSONResponse(body)

    @app.get(
        "/api/sessions/{session_id}/chat.csv",
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}}, **ERROR_RESPONSES},
        openapi_extra={"parameters": API_PARAMETERS},
    )
    async def chat_csv(request: Request) -> Response:
        """The session's CSV chat dump, streamed through this server (for storage without CORS)."""
        session_id = request.path_params["session_id"]
        grant = authorize(session_id, request.headers.get("authorization"), fresh=False)
        answer = await cache.get(session_id)
        try:
            dump = await open_dump(storage, answer.url)
        except StorageRefused:
            # The cached URL may have been revoked early: one fresh one, within the grant's limit.
            cache.forget(session_id, answer)
            if fresh_limits.take(key_of(grant), time.monotonic()) is not None:
                raise
            answer = await cache.get(session_id, fresh=True)
            dump = await open_dump(storage, answer.url)
        return DumpResponse(dump, answer.filename, fallback=f"{session_id}.csv")

    for router in routers:  # e.g. the chat-synced webhook (chatdump.server.webhooks)
        app.include_router(router)
    for prefix, mounted in (mounts or {}).items():
        app.mount(prefix, mounted)
    _add_widget_routes(app, widget or WidgetFiles.load(), settings)
    return app


async def _session_info(provider: Provider, session_id: str) -> SessionInfo:
    """Details only make the filename nicer: without them, the session id names the file."""
    try:
        return await provider.session_info(session_id)
    except errors.ChatdumpError as exc:
        log.warning("no session details for the filename (%s); using the session id", exc.code)
        return SessionInfo(session_id)


def _secret_values(settings: Settings) -> list[str]:
    secrets = [*settings.grant_secrets, settings.dyte_api_key, settings.rtk_api_token]
    return [secret.reveal() for secret in secrets if secret is not None]


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.NotAuthenticated(
            "No grant: send `Authorization: Bearer <grant>` (the page that embeds chatdump mints it).",
            code="missing_grant",
        )
    return token.strip()


class _VersionedFiles(StaticFiles):
    """The runtime under vendor/ lives in versioned folders, so it may be cached for good."""

    def file_response(
        self, full_path: str | PathLike[str], stat_result: os.stat_result, scope: Scope,
        status_code: int = 200,
    ) -> Response:  # fmt: skip
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = IMMUTABLE
        return response


def _add_widget_routes(app: FastAPI, widget: WidgetFiles, settings: Settings) -> None:
    app.mount("/vendor", _VersionedFiles(directory=widget.vendor, check_dir=False), name="vendor")
    headers = {**page_headers(settings.frame_ancestors), "Cache-Control": "no-cache"}

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return _widget_file(widget, "index.html", headers)

    @app.get("/embed.json", include_in_schema=False)
    async def embed_config() -> JSONResponse:
        """The sites allowed to frame and command the widget (a static host ships this file)."""
        return JSONResponse(embed_json(settings.frame_ancestors), headers=headers)

    @app.get("/{path:path}", include_in_schema=False)
    async def widget_file(path: str) -> FileResponse:
        return _widget_file(widget, path, headers)


def _widget_file(widget: WidgetFiles, path: str, headers: Mapping[str, str]) -> FileResponse:
    file = widget.files.get(path)
    if file is None:
        raise errors.NotFound("Not found.", code="not_found")
    return FileResponse(file, media_type=media_type(file), headers=dict(headers))


def _error_response(
    scope: Scope, status: int, code: str, message: str, retry_after: int | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "request_id": request_id_of(scope)}}
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse(body, status_code=status, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.ChatdumpError)
    async def chatdump_error(request: Request, exc: errors.ChatdumpError) -> JSONResponse:
        if exc.status >= 500:
            log.warning(
                "upstream trouble: %s (%s) id=%s",
                exc.code,
                exc.message,
                request_id_of(request.scope),
            )
        return _error_response(request.scope, exc.status, exc.code, exc.message, exc.retry_after)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        message = f"Invalid request: {where}: {first.get('msg', 'not valid')}"
        return _error_response(request.scope, 422, "invalid_request", message[:300])

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error_response(request.scope, exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error (request %s)", request_id_of(request.scope), exc_info=exc)
        return _error_response(
            request.scope, 500, "internal_error", "Something went wrong on the server."
        )
