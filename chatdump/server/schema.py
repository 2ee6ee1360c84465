"""The API's answers and parameters as the OpenAPI document describes them, and the one flag parser.

The routes read their parameters from the request themselves (see ``api.py``), so the parameters
are declared here for the document (and for schemathesis, which fuzzes it).
"""

from __future__ import annotations

from pydantic import BaseModel

from chatdump.core import errors


class ChatUrlAnswer(BaseModel):
    url: str
    expires_at: str
    filename: str


class TicketAnswer(BaseModel):
    ticket: str
    expires_at: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    request_id: str


class ErrorAnswer(BaseModel):
    error: ErrorDetail


API_PARAMETERS: list[dict[str, object]] = [
    {"name": "session_id", "in": "path", "required": True, "schema": {"type": "string"}},
    {"name": "authorization", "in": "header", "required": False, "schema": {"type": "string"},
     "description": "`Bearer <grant>`: a grant for this session."},
]  # fmt: skip
FRESH_PARAMETER: dict[str, object] = {
    "name": "fresh", "in": "query", "required": False,
    "schema": {"type": "string", "enum": ["1", "0", "true", "false"], "default": "0"},
    "description": "`1` or `true`: bypass the cache (rate-limited per grant).",
}  # fmt: skip
TICKET_PARAMETER: dict[str, object] = {
    "name": "ticket", "in": "query", "required": False, "schema": {"type": "string"},
    "description": "A download ticket (`POST …/chat.csv/ticket`), instead of `Authorization`: "
                   "for the browser's own download, which cannot send headers.",
}  # fmt: skip
# Exactly what the README and the OpenAPI document list; anything else is a 400, not a guess.
_FLAGS = {"1": True, "true": True, "0": False, "false": False}


def parse_flag(name: str, value: str | None) -> bool:
    if value is None:
        return False
    flag = _FLAGS.get(value)
    if flag is None:
        raise errors.BadRequest(f"{name} must be 1 or 0 (or true / false).", code="invalid_request")
    return flag


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorAnswer} for status in (400, 401, 403, 404, 422, 429, 502, 503, 504)
}
