"""Saving a chat dump from a signed storage URL to a file, whole or not at all.

The body is streamed (constant memory) into a temporary file in the target folder, which is
renamed over the target only once its size is verified (and, when durable, flushed to disk), so
an interrupted run never leaves a file that looks whole. A dropped connection resumes with an
HTTP ``Range`` request where storage honours it (and starts over where it does not); a refused
URL (403: expired) is replaced by a fresh one. Every loop is bounded by ``Limits``.

``judge`` is the pure part: what an answer from storage means at a given point of the download.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from chatdump.core import errors
from chatdump.core.chat_url import check_download_url
from chatdump.core.storage import storage_error
from chatdump.export.atomic import atomic_write
from chatdump.export.storage_http import TRANSPORT_ERRORS, StorageClient

CHUNK = 1 << 20
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


@dataclass(frozen=True)
class Limits:
    attempts: int = 6  # tries in a row that bring no new byte, before giving up
    fresh_urls: int = 3  # fresh URLs asked for after storage refused one
    backoff: float = 0.5  # seconds before a retry; doubles each time ...
    backoff_max: float = 8.0  # ... up to this


@dataclass(frozen=True)
class Saved:
    size: int
    sha256: str


class Progress(Protocol):
    def start(self, total: int | None, done: int) -> None: ...

    def advance(self, size: int) -> None: ...


class Output(Protocol):
    """Where ``stream_into`` writes: a file, a pipe, or an upload (``destinations.bucket``)."""

    def write(self, data: bytes | bytearray | memoryview, /) -> int: ...

    def seekable(self) -> bool: ...

    def seek(self, offset: int, whence: int = 0, /) -> int: ...

    def truncate(self, size: int | None = None, /) -> int: ...


class NoProgress:
    def start(self, total: int | None, done: int) -> None:
        pass

    def advance(self, size: int) -> None:
        pass


# What to do with storage's answer: write it (from ``offset``, expecting ``total`` bytes in all),
# or stop this attempt and ask for a fresh URL, retry, or give up.
@dataclass(frozen=True)
class Write:
    offset: int
    total: int | None


@dataclass(frozen=True)
class FreshUrl:
    pass


@dataclass(frozen=True)
class Retry:
    reason: str


Decision = Write | FreshUrl | Retry


def judge(status: int, headers: Mapping[str, str], received: int, total: int | None) -> Decision:
    """Pure: what storage's answer means when ``received`` bytes of ``total`` are already saved.

    Raises the typed error when the download cannot go on.
    """
    if status == 200:
        length = headers.get("content-length", "")
        size = int(length) if length.isdigit() else None
        if total is not None and size is not None and size != total:
            raise errors.UpstreamError(
                f"Storage now serves {size:,} bytes instead of {total:,}: the chat changed "
                "during the download; nothing was saved.",
                code="changed",
            )
        return Write(0, size)  # a full body: start over even if we asked for a range
    if status == 206:
        found = _CONTENT_RANGE.fullmatch(headers.get("content-range", "").strip())
        if found is None or int(found.group(1)) != received:
            raise errors.UpstreamError(
                "Storage answered the resume request with the wrong range.", code="bad_range"
            )
        size = None if found.group(3) == "*" else int(found.group(3))
        if total is not None and size is not None and size != total:
            raise errors.UpstreamError(
                "The chat changed during the download; nothing was saved.", code="changed"
            )
        return Write(received, size if size is not None else total)
    if status == 403:
        return FreshUrl()
    if status in (408, 429) or status >= 500:
        return Retry(f"storage answered HTTP {status}")
    raise storage_error(status)


def download(
    get_url: Callable[[bool], str],
    target: Path,
    *,
    client: StorageClient,
    progress: Progress | None = None,
    limits: Limits = Limits(),
    sha256: bool = True,
    durable: bool = False,
) -> Saved:
    """Save the dump at ``get_url(fresh)`` to ``target``; all of it, or nothing.

    ``get_url(True)`` must ask the upstream for a new URL (the old one was refused). ``durable``:
    on disk before this returns (see ``chatdump.export.atomic``).
    """
    with atomic_write(target, durable=durable) as out:
        saved = stream_into(
            get_url, out, client=client, progress=progress, limits=limits, sha256=sha256
        )
        out.flush()
        if os.fstat(out.fileno()).st_size != saved.size:
            raise errors.UpstreamError("The saved file has the wrong size.", code="truncated")
    return saved


def stream_into(
    get_url: Callable[[bool], str],
    out: Output,
    *,
    client: StorageClient,
    progress: Progress | None = None,
    limits: Limits = Limits(),
    sha256: bool = True,
) -> Saved:
    """Write the dump to ``out`` (a seekable file, or a pipe when storage never restarts)."""
    progress = progress or NoProgress()
    url = check_download_url(get_url(False))
    digest = hashlib.sha256() if sha256 else None
    received, total = 0, None
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    fresh_left, failures = limits.fresh_urls, 0
    while True:
        before = received
        try:
            with client.get(url, _headers(received)) as response:
                decision = judge(response.status, response.headers, received, total)
                if isinstance(decision, Write):
                    if decision.offset == 0 and received:
                        digest, received = _restart(out, hashed=digest is not None), 0
                    total = decision.total
                    progress.start(total, received)
                    while size := response.readinto(buffer):  # the stored bytes, as they come
                        out.write(view[:size])
                        if digest is not None:
                            digest.update(view[:size])
                        received += size
                        progress.advance(size)
                    if total is None or received == total:
                        return _finish(received, total, digest)
                    decision = Retry("storage closed the connection early")
        except TRANSPORT_ERRORS as exc:  # dropped, reset, timed out: retry from `received`
            decision = Retry(f"connection failed ({type(exc).__name__})")
        if total is not None and received > total:
            raise errors.UpstreamError("Storage sent more bytes than announced.", code="too_long")
        if isinstance(decision, FreshUrl):
            if fresh_left <= 0:
                raise errors.UpstreamError(
                    "Storage refused the download link, even a fresh one.",
                    code="storage_forbidden",
                )
            fresh_left -= 1
            url = check_download_url(get_url(True))
            continue
        failures = 0 if received > before else failures + 1
        if failures >= limits.attempts:
            raise errors.UpstreamUnavailable(
                f"The download failed: {decision.reason}, {failures} times in a row "
                f"({received:,} bytes saved of {total or 0:,}); nothing was kept.",
                code="download_failed",
            )
        time.sleep(min(limits.backoff * 2 ** (failures - 1), limits.backoff_max))


def _headers(received: int) -> dict[str, str]:
    # identity: the bytes saved are the bytes storage holds, and the size we verify is the size
    # of the object itself (the body is never decoded).
    headers = {"Accept-Encoding": "identity"}
    if received:
        headers["Range"] = f"bytes={received}-"
    return headers


def _restart(out: Output, *, hashed: bool) -> hashlib._Hash | None:
    if not out.seekable():
        raise errors.UpstreamError(
            "Storage restarted the download from the beginning and the output cannot be "
            "rewound (a pipe); run again with -o FILE.",
            code="not_resumable",
        )
    out.seek(0)
    out.truncate()
    return hashlib.sha256() if hashed else None


def _finish(received: int, total: int | None, digest: hashlib._Hash | None) -> Saved:
    if total is not None and received != total:
        raise errors.UpstreamError(
            f"The download was cut short ({received:,} of {total:,} bytes).", code="truncated"
        )
    return Saved(received, digest.hexdigest() if digest is not None else "")


def iter_file(path: Path, size: int = CHUNK) -> Iterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(size):
            yield chunk
