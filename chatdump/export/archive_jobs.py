"""Saving the listed sessions into an archive a few at once (``chatdump archive --jobs``).

Each chat is saved whole or not at all by its destination; this module only decides which
sessions to save, runs up to ``jobs`` saves in threads, and reports one ``Outcome`` per session
as it ends. Why threads: a save waits on storage and on the destination most of the time, and
while one chat uploads the next one downloads; a bucket's part buffers bound the memory
(``destinations.part_buffers``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chatdump.core import errors
from chatdump.export.download import NoProgress, Progress

if TYPE_CHECKING:
    from chatdump.export.destinations import Destination, Entry
    from chatdump.export.storage_http import StorageClient
    from chatdump.upstream.base import SessionInfo

# Chats saved at once by default. Into a bucket each holds one 8 MiB part buffer: three cost the
# memory that one large chat's three parts (one filling, two uploading) cost on their own.
JOBS = 3
MAX_JOBS = 32
STATUSES = ("archived", "already there", "live", "no chat", "failed")
UrlSource = Callable[[str], Callable[[bool], str]]  # session id -> get_url(fresh)
Bars = Callable[[str], AbstractContextManager[Progress]]  # a progress display per chat


@dataclass(frozen=True)
class Outcome:
    """What became of one session; ``status`` is one of ``STATUSES``."""

    session: SessionInfo
    status: str
    entry: Entry | None = None
    error: errors.ChatdumpError | OSError | None = None


class Stopped(Exception):
    """The run was interrupted while this chat downloaded."""


class _Stoppable:
    """A chat's progress, and where it stops when the run is interrupted: the download reports
    here after every chunk, so an interrupted save ends there and leaves nothing behind."""

    def __init__(self, progress: Progress, stop: threading.Event) -> None:
        self._progress, self._stop = progress, stop

    def start(self, total: int | None, done: int) -> None:
        self._progress.start(total, done)

    def advance(self, size: int) -> None:
        if self._stop.is_set():
            raise Stopped
        self._progress.advance(size)


def no_bars(label: str) -> AbstractContextManager[Progress]:
    return nullcontext(NoProgress())


def archive_sessions(
    archive: Destination,
    sessions: Iterable[SessionInfo],
    url_source: UrlSource,
    *,
    client: StorageClient,
    jobs: int = JOBS,
    bars: Bars = no_bars,
    stop: threading.Event | None = None,
) -> Generator[Outcome, None, None]:
    """Save every session not archived yet, ``jobs`` at once; one ``Outcome`` per session as it
    ends. One session's failure (a refused URL, a full disk, a bad name) does not cost the others
    their chat: the retention clock runs for all of them.

    Closing the generator (Ctrl-C) or setting ``stop`` ends the run: no chat starts any more,
    the ones downloading stop at their next chunk and leave nothing behind (no outcome: the next
    run saves them), and the manifest is brought up to date with what was saved, as it is at the
    end of every run.
    """
    known = archive.entries()
    stop = stop or threading.Event()
    running: dict[Future[Outcome | None], SessionInfo] = {}
    try:
        with ThreadPoolExecutor(jobs, thread_name_prefix="chatdump-archive") as pool:
            try:
                for session in sessions:
                    if archive.has(session.session_id, known):
                        yield Outcome(session, "already there")
                    elif session.live:
                        yield Outcome(session, "live")
                    else:
                        while len(running) >= jobs:
                            yield from _ended(running)
                        if stop.is_set():
                            break
                        save = _saver(archive, session, url_source, client, bars, stop)
                        running[pool.submit(save)] = session
                while running:
                    yield from _ended(running)
            finally:
                stop.set()  # seen only by the chats still running after an interruption
    finally:
        archive.flush()


def _ended(running: dict[Future[Outcome | None], SessionInfo]) -> Iterator[Outcome]:
    done, _ = wait(running, return_when=FIRST_COMPLETED)
    for future in done:
        del running[future]
        if (outcome := future.result()) is not None:
            yield outcome


def _saver(
    archive: Destination,
    session: SessionInfo,
    url_source: UrlSource,
    client: StorageClient,
    bars: Bars,
    stop: threading.Event,
) -> Callable[[], Outcome | None]:
    def save() -> Outcome | None:
        try:
            with bars(session.session_id[:8]) as bar:
                entry = archive.save(
                    session, url_source(session.session_id), client=client,
                    progress=_Stoppable(bar, stop),
                )  # fmt: skip
        except Stopped:
            return None
        except errors.NotFound:
            return Outcome(session, "no chat")
        except (errors.ChatdumpError, OSError) as exc:
            return Outcome(session, "failed", error=exc)
        return Outcome(session, "archived", entry)

    return save
