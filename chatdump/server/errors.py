"""The one edge where errors become HTTP answers: ``{"error": {"code", "message", "request_id"}}``.

Everything below raises ``chatdump.core.errors`` types (status hint, stable code, plain message);
FastAPI's and Starlette's own errors and anything unforeseen are answered in the same shape.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from chatdump.core import errors
from chatdump.server.middleware import request_id_of

log = logging.getLogger("chatdump")


def error_response(
    scope: Scope, status: int, code: str, message: str, retry_after: int | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "request_id": request_id_of(scope)}}
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse(body, status_code=status, headers=headers)


def add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.ChatdumpError)
    async def chatdump_error(request: Request, exc: errors.ChatdumpError) -> JSONResponse:
        if exc.status >= 500:
            log.warning(
                "upstream trouble: %s (%s) id=%s",
                exc.code,
                exc.message,
                request_id_of(request.scope),
            )
        return error_response(request.scope, exc.status, exc.code, exc.message, exc.retry_after)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        message = f"Invalid request: {where}: {first.get('msg', 'not valid')}"
        return error_response(request.scope, 422, "invalid_request", message[:300])

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(request.scope, exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error (request %s)", request_id_of(request.scope), exc_info=exc)
        return error_response(
            request.scope, 500, "internal_error", "Something went wrong on the server."
        )
