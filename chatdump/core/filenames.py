"""Filenames that are safe on every OS, built from hostile upstream text.

Meeting titles come from whoever created the meeting: they may hold path separators, control
characters, Windows device names or thousands of characters. The result is always a plain name with
one extension, at most ``MAX_STEM`` characters before it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

MAX_STEM = 80
# Device names Windows refuses whatever the extension.
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{p}{n}" for p in ("com", "lpt") for n in range(10)
}
# \w is Unicode-aware: accented letters and CJK survive, everything else becomes a dash.
_NOT_WORD = re.compile(r"[^\w]+")
_EXTENSION = re.compile(r"[a-z0-9]{1,8}")


def slug(text: str) -> str:
    """Lower-case words joined by '-', or '' when nothing usable is left."""
    normal = unicodedata.normalize("NFC", text).casefold()
    words = _NOT_WORD.sub("-", normal).replace("_", "-")
    return re.sub(r"-{2,}", "-", words).strip("-")[:MAX_STEM].strip("-")


def chat_filename(
    session_id: str,
    *,
    title: str | None = None,
    started_at: datetime | None = None,
    extension: str = "csv",
) -> str:
    """``team-standup-2026-11-24.csv`` from a title and start date, falling back to the session id."""
    stem = slug(title or "")
    if stem and started_at is not None:
        stem = f"{stem[: MAX_STEM - 11]}-{started_at.strftime('%Y-%m-%d')}"
    if not stem:
        stem = slug(session_id) or "chat"
    return f"{_not_reserved(stem)}.{_extension(extension)}"


def safe_filename(untrusted: str, *, fallback: str = "chat.csv") -> str:
    """Re-check a filename that came over the wire (the endpoint is trusted less than ourselves)."""
    stem, dot, ext = untrusted.rpartition(".")
    if not dot:
        stem, ext = untrusted, ""
    clean = slug(stem)
    if not clean or not _EXTENSION.fullmatch(ext.lower()):
        return fallback
    return f"{_not_reserved(clean)}.{ext.lower()}"


def with_extension(filename: str, extension: str, *, suffix: str = "") -> str:
    """``team-standup.csv`` -> ``team-standup-excel.csv``: another format of the same chat.

    ``filename`` is re-checked first, so this is safe on names that came over the wire.
    """
    stem = safe_filename(filename).rpartition(".")[0]
    tail = slug(suffix)
    if tail:
        stem = f"{stem[: MAX_STEM - len(tail) - 1]}-{tail}"
    return f"{_not_reserved(stem)}.{_extension(extension)}"


def _not_reserved(stem: str) -> str:
    return f"{stem}-chat" if stem in _WINDOWS_RESERVED else stem


def _extension(extension: str) -> str:
    ext = extension.lower().lstrip(".")
    if not _EXTENSION.fullmatch(ext):
        raise ValueError(f"not a plain file extension: {extension!r}")
    return ext
