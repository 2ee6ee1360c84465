"""The one exception hierarchy of chatdump.

Each error carries a stable machine ``code`` and an HTTP ``status`` hint. They are raised anywhere and
turned into an HTTP answer (server), a CLI message (click) or a page status (widget) at one edge each.
"""

from __future__ import annotations


class ChatdumpError(Exception):
    """Base class. ``message`` is plain words for a person; never put secrets in it."""

    status: int = 500
    code: str = "internal_error"

    # Seconds a client should wait before asking again (sent as ``Retry-After``), when known.
    retry_after: int | None = None

    def __init__(
        self, message: str, *, code: str | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if retry_after is not None:
            self.retry_after = retry_after


class BadRequest(ChatdumpError):
    status = 400
    code = "bad_request"


class InvalidSessionId(BadRequest):
    code = "invalid_session_id"


class NotAuthenticated(ChatdumpError):
    """No grant, or one that is not ours (bad signature, garbage)."""

    status = 401
    code = "invalid_grant"


class Forbidden(ChatdumpError):
    """A genuine grant that does not allow this: expired, or for another session."""

    status = 403
    code = "forbidden"


class NotFound(ChatdumpError):
    status = 404
    code = "not_found"


class TooManyRequests(ChatdumpError):
    """This client asked too often (e.g. for fresh URLs); ``retry_after`` says when to ask again."""

    status = 429
    code = "too_many_requests"


class UpstreamError(ChatdumpError):
    """The chat platform (or its storage) answered something we cannot use."""

    status = 502
    code = "upstream_error"


class UpstreamUnavailable(UpstreamError):
    status = 503
    code = "upstream_unavailable"


class UpstreamTimeout(UpstreamError):
    status = 504
    code = "upstream_timeout"


class EndpointError(ChatdumpError):
    """The chatdump token endpoint answered with an error (seen from its clients)."""


class ConfigError(ChatdumpError):
    """The server or CLI is configured wrongly; raised at start-up, never per request."""

    code = "config_error"


class InvalidChatDump(ChatdumpError):
    """A file that is not a readable chat dump (bad encoding, missing columns, broken CSV)."""

    status = 422
    code = "invalid_chat_dump"
