"""The exit codes of ``chatdump download``, ``convert`` and ``archive``, from the error that ended
the run. Scripts can rely on them; the README lists them.

| code | meaning |
| ---- | ------- |
| 0 | done |
| 1 | unexpected error (a bug: please report it) |
| 2 | usage error: bad option or argument, invalid session id (click's own code) |
| 3 | configuration error: missing or invalid environment variables |
| 4 | refused: bad upstream credentials, invalid or expired grant, storage refusing the link |
| 5 | not found: no such session, or no chat for it (yet, or any more) |
| 6 | upstream or storage failed: unreachable, errors, download cut short after every retry |
| 7 | the input is not a readable CSV chat dump (convert, or a download converted) |
| 8 | local file error: cannot write the output (permissions, disk full, missing folder) |
| 130 | interrupted (Ctrl-C); no partial file is left behind |
"""

from __future__ import annotations

from chatdump.core import errors

OK = 0
UNEXPECTED = 1
USAGE = 2
CONFIG = 3
REFUSED = 4
NOT_FOUND = 5
UPSTREAM = 6
INVALID_INPUT = 7
LOCAL_FILE = 8
INTERRUPTED = 130

REFUSED_CODES = {"storage_forbidden", "upstream_credentials_rejected", "upstream_refused"}


def exit_code(exc: BaseException) -> int:
    if isinstance(exc, KeyboardInterrupt):
        return INTERRUPTED
    if isinstance(exc, OSError):
        return LOCAL_FILE
    if not isinstance(exc, errors.ChatdumpError):
        return UNEXPECTED
    if isinstance(exc, errors.ConfigError):
        return CONFIG
    if isinstance(exc, errors.InvalidChatDump):
        return INVALID_INPUT
    if isinstance(exc, errors.BadRequest):
        return USAGE
    if isinstance(exc, errors.NotFound) or exc.status == 404:
        return NOT_FOUND
    if isinstance(exc, errors.NotAuthenticated | errors.Forbidden) or exc.status in (401, 403):
        return REFUSED
    if exc.code in REFUSED_CODES:
        return REFUSED
    return UPSTREAM
