"""A download in byte ranges: which bytes to ask for next, and whether an answer is what was asked.

Why parts: Chromium fills a Blob from ``fetch(...).blob()`` about 1.3-1.5x faster than from an
XMLHttpRequest (bench/bench_bigdump.py, 1 GB on loopback), but ``fetch`` reports no progress. Asked
for in parts, each one a ``fetch`` into its own Blob, the body arrives at fetch's speed with
progress after every part; the parts are then joined into one Blob by reference (no copy), or
written one by one to a file, so that no Blob ever holds the whole (``chatdump.core.save_plan``).

Parts grow while they arrive quickly and shrink when they are slow, aiming at about one per
``TARGET_SECONDS``: few requests on a fast link, steady progress on a slow one.

Every part must be exactly the bytes asked for: ``206`` with a ``Content-Range`` that starts where
the last part ended, the same total, a ``Content-Length`` of the part's size, and the same object
(``ETag``, else ``Last-Modified``, as the first part had). Anything else stops the download with
an error and nothing is saved. Storage that ignores ``Range`` answers ``200`` with the whole body,
which is then taken as it is; storage that does not let the page read ``Content-Range`` or any
validator is read in one request instead (``Kind`` ``"whole"`` / ``"unranged"``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from chatdump.core import errors

MIN_PART = 1 << 20
FIRST_PART = 4 << 20
MAX_PART = 256 << 20
TARGET_SECONDS = 1.0
_CONTENT_RANGE = re.compile(r"bytes (\d{1,19})-(\d{1,19})/(\d{1,19})")

# part: the bytes asked for, keep going; whole: the whole body in this one answer (Range was
# ignored); unranged: ask again without Range; failed: an error answer to the first request,
# for the download flow to judge (403: a fresh URL, 404: gone, ...).
Kind = Literal["part", "whole", "unranged", "failed"]


@dataclass(frozen=True)
class PartAnswer:
    """What the page could read of one answer's status and headers."""

    status: int
    content_range: str | None = None
    content_length: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Span:
    first: int
    last: int  # inclusive, as HTTP counts
    total: int

    @property
    def size(self) -> int:
        return self.last - self.first + 1


def parse_content_range(value: str | None) -> Span | None:
    """``bytes 0-99/1000`` as a ``Span``; None for anything else (``*/1000``, garbage)."""
    found = _CONTENT_RANGE.fullmatch((value or "").strip())
    if found is None:
        return None
    span = Span(*(int(group) for group in found.groups()))
    return span if span.first <= span.last < span.total else None


def changed() -> errors.UpstreamError:
    return errors.UpstreamError(
        "The chat changed in storage while it was downloading; nothing was saved. Try again.",
        code="changed",
    )


def interrupted() -> errors.UpstreamError:
    return errors.UpstreamError(
        "The download was interrupted before the whole file arrived; nothing was saved.",
        code="interrupted",
    )


class Ranges:
    """One ranged download's decisions; the browser shell does the fetching."""

    def __init__(self, first_part: int = FIRST_PART) -> None:
        self.part = first_part
        self.received = 0
        self.total: int | None = None
        self.validator: str | None = None
        self.expected = 0

    @property
    def complete(self) -> bool:
        return self.total is not None and self.received >= self.total

    def header(self) -> str:
        """The ``Range`` header value for the next part."""
        last = self.received + self.part - 1
        if self.total is not None:
            last = min(last, self.total - 1)
        return f"bytes={self.received}-{last}"

    def answer(self, answer: PartAnswer) -> Kind:
        """Judge a part's status and headers, before its body is read."""
        first = self.total is None
        if first and answer.status == 200:
            return "whole"
        if first and answer.status == 416:
            return "unranged"  # S3 answers 416 to any range of an empty object
        if first and answer.status != 206:
            return "failed"
        if answer.status != 206:
            raise interrupted()  # e.g. the URL expired between two parts
        span = parse_content_range(answer.content_range)
        validator = answer.etag or answer.last_modified
        if first:
            if span is None or validator is None:
                return "unranged"  # cannot check the parts belong together: one request
            self.total, self.validator = span.total, validator
        if span is None or validator != self.validator or span.total != self.total:
            raise changed()
        wanted_last = min(self.received + self.part, span.total) - 1
        if span.first != self.received or span.last != wanted_last:
            raise changed()
        if (answer.content_length or "").strip() not in ("", str(span.size)):
            raise changed()
        self.expected = span.size
        return "part"

    def arrived(self, size: int, seconds: float) -> None:
        """A part's body came whole (``size`` bytes in ``seconds``); size the next one."""
        if size != self.expected:
            raise interrupted()
        self.received += size
        self.part = next_part(size, seconds)


def next_part(part: int, seconds: float) -> int:
    """A part sized to arrive in about ``TARGET_SECONDS`` at the rate the last one came (``part``
    bytes in ``seconds``), within bounds. Doubling instead took 5 requests for 100 MB on loopback,
    each one a round trip more than the plain page's one (bench/bench_sizes.py)."""
    rate = part / max(seconds, 1e-3)
    return max(MIN_PART, min(MAX_PART, int(rate * TARGET_SECONDS)))
