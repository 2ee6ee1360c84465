"""Filenames that are safe on every OS, built from hostile upstream text.

Meeting titles come from whoever created the meeting: they may hold path separators, control
characters, Windows device names or thousands of characters. The result is always a plain name with
one extension, at most ``MAX_STEM`` characters before it and at most ``MAX_NAME_BYTES`` UTF-8 bytes
in all: file systems limit a name to 255 *bytes*, and a CJK character takes 3, an emoji 4. Titles
are cut on a character boundary; the date and the session id are never cut.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from chatdump.core.session_ids import check_session_id

MAX_STEM = 80
# The whole name, extension included: safely under the 255-byte limit of ext4, APFS, NTFS (and
# leaves room for the ".partial" suffixes of atomic writes).
MAX_NAME_BYTES = 200
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
    ext = _extension(extension)
    date = f"-{started_at.strftime('%Y-%m-%d')}" if started_at is not None else ""
    stem = fit_bytes(slug(title or "")[: MAX_STEM - len(date)], _budget(date, ext))
    if stem:
        return f"{_not_reserved(stem + date)}.{ext}"
    return f"{_not_reserved(slug(session_id) or 'chat')}.{ext}"


def archive_filename(
    session_id: str, *, title: str | None = None, started_at: datetime | None = None
) -> str:
    """``team-standup-2026-11-24--79365b9b-….csv``: readable, and unique by session id.

    The id keeps its case: two ids differing only in case are two sessions, so two files.
    """
    check_session_id(session_id)
    date = f"-{started_at.strftime('%Y-%m-%d')}" if started_at is not None else ""
    tail = f"{date}--{session_id}"
    stem = fit_bytes(slug(title or "")[:MAX_STEM], _budget(tail, "csv"))
    if stem:
        return f"{stem}{tail}.csv"
    return f"{_not_reserved(session_id)}.csv"


def fit_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, on a character boundary, no dash at the end."""
    cut = text.encode("utf-8")[: max(limit, 0)].decode("utf-8", errors="ignore")
    return cut.strip("-")


def _budget(kept: str, ext: str) -> int:
    """Bytes left for the title once the parts never cut (date, id, extension) are counted."""
    return MAX_NAME_BYTES - len(kept.encode("utf-8")) - len(ext) - 1


def safe_filename(untrusted: str, *, fallback: str = "chat.csv") -> str:
    """Re-check a filename that came over the wire (the endpoint is trusted less than ourselves)."""
    stem, dot, ext = untrusted.rpartition(".")
    if not dot:
        stem, ext = untrusted, ""
    ext = ext.lower()
    clean = fit_bytes(slug(stem), _budget("", ext))
    if not clean or not _EXTENSION.fullmatch(ext):
        return fallback
    return f"{_not_reserved(clean)}.{ext}"


def with_extension(filename: str, extension: str, *, suffix: str = "") -> str:
    """``team-standup.csv`` -> ``team-standup-excel.csv``: another format of the same chat.

    ``filename`` is re-checked first, so this is safe on names that came over the wire.
    """
    ext = _extension(extension)
    stem = safe_filename(filename).rpartition(".")[0]
    tail = f"-{slug(suffix)}" if slug(suffix) else ""
    stem = fit_bytes(stem[: MAX_STEM - len(tail)], _budget(tail, ext)) or "chat"
    return f"{_not_reserved(stem + tail)}.{ext}"


def _not_reserved(stem: str) -> str:
    return f"{stem}-chat" if stem.lower() in _WINDOWS_RESERVED else stem


def _extension(extension: str) -> str:
    ext = extension.lower().lstrip(".")
    if not _EXTENSION.fullmatch(ext):
        raise ValueError(f"not a plain file extension: {extension!r}")
    return ext
