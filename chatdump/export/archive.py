"""Archiving chats into a folder, with a manifest, before the upstream's 7-day retention ends.

The folder holds one CSV per session (the original bytes) and ``manifest.jsonl``: one line per
archived chat (session, meeting, title, start, file, bytes, sha256, archived_at). A session is
archived when its line is in the manifest and its file has the recorded size; anything else is
fetched again, so running twice downloads nothing new and a crash mid-way is repaired by the next
run. Appends to the manifest hold an exclusive lock, so the CLI and the webhook can share a folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from chatdump.core import filenames
from chatdump.core.expiry import to_iso
from chatdump.export.download import Progress, Saved, download, iter_file
from chatdump.export.storage_http import StorageClient
from chatdump.upstream.base import SessionInfo

MANIFEST = "manifest.jsonl"
LOCK = ".chatdump.lock"
PER_PAGE = 50
MAX_PAGES = 2000  # 100,000 sessions: a bound on the listing loop, far above 7 days of meetings


@dataclass(frozen=True)
class Entry:
    session: str
    meeting: str | None
    title: str | None
    start: str | None
    file: str
    bytes: int
    sha256: str
    archived_at: str


@runtime_checkable
class SessionPages(Protocol):
    """What listing needs from a provider (``ChatReplayProvider.sessions_page``)."""

    async def sessions_page(
        self,
        page_no: int,
        per_page: int,
        *,
        meeting_id: str | None = None,
        since: datetime | None = None,
    ) -> list[SessionInfo]: ...


async def list_sessions(
    provider: SessionPages,
    *,
    meeting_id: str | None = None,
    since: datetime | None = None,
    per_page: int = PER_PAGE,
) -> list[SessionInfo]:
    """Every session, page by page, until a short page; a repeated page ends it too."""
    found: dict[str, SessionInfo] = {}
    for page_no in range(1, MAX_PAGES + 1):
        page = await provider.sessions_page(page_no, per_page, meeting_id=meeting_id, since=since)
        new = [s for s in page if s.session_id not in found]
        found.update((s.session_id, s) for s in new)
        if len(page) < per_page or not new:
            break
    return [s for s in found.values() if _wanted(s, meeting_id, since)]


def _wanted(session: SessionInfo, meeting_id: str | None, since: datetime | None) -> bool:
    # The upstream may ignore a filter it does not support: apply them here too.
    if meeting_id is not None and session.meeting_id != meeting_id:
        return False
    return since is None or session.started_at is None or session.started_at >= since


def archive_filename(session: SessionInfo) -> str:
    """The session's file in the archive (the one rule lives in ``core.filenames``)."""
    return filenames.archive_filename(
        session.session_id, title=session.title, started_at=session.started_at
    )


def _side_name(name: str, moment: datetime) -> str:
    """``x--id.csv`` -> ``x--id.20261124T100000123456Z.csv``: beside, never over, an archived file."""
    return f"{name.removesuffix('.csv')}.{moment.strftime('%Y%m%dT%H%M%S%fZ')}.csv"


def _same_bytes(path: Path, saved: Saved) -> bool:
    if path.stat().st_size != saved.size:
        return False
    digest = hashlib.sha256()
    for chunk in iter_file(path):
        digest.update(chunk)
    return digest.hexdigest() == saved.sha256


class Archive:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def entries(self) -> dict[str, Entry]:
        """The manifest's entries by session (the last line wins); unreadable lines skipped."""
        found: dict[str, Entry] = {}
        path = self.folder / MANIFEST
        if not path.exists():
            return found
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                with contextlib.suppress(ValueError, TypeError):
                    entry = Entry(**json.loads(line))
                    found[entry.session] = entry
        return found

    def has(self, session_id: str, entries: dict[str, Entry] | None = None) -> bool:
        entry = (entries if entries is not None else self.entries()).get(session_id)
        if entry is None:
            return False
        path = self.folder / entry.file
        return path.is_file() and path.stat().st_size == entry.bytes

    def save(
        self,
        session: SessionInfo,
        get_url: Callable[[bool], str],
        *,
        client: StorageClient,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        progress: Progress | None = None,
    ) -> Entry:
        """Download one session's chat and record it; the file appears only when complete.

        An archived file is never overwritten: when the session's file is already there (a
        replayed event, a manifest line lost), the chat goes to a side file; identical bytes
        are then dropped and the existing file recorded, different bytes are kept beside it
        and recorded, and the earlier manifest line stays as the record of the first file.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        name = archive_filename(session)
        existing = self.folder / name
        if existing.is_file():
            name = _side_name(name, now())
        saved = download(
            get_url, self.folder / name, client=client, progress=progress, durable=True
        )
        if name != existing.name and _same_bytes(existing, saved):
            (self.folder / name).unlink()
            name = existing.name
        entry = Entry(
            session=session.session_id,
            meeting=session.meeting_id,
            title=session.title,
            start=to_iso(session.started_at) if session.started_at else None,
            file=name,
            bytes=saved.size,
            sha256=saved.sha256,
            archived_at=to_iso(now()),
        )
        line = json.dumps(asdict(entry), ensure_ascii=False) + "\n"
        with self._locked(), (self.folder / MANIFEST).open("a", encoding="utf-8") as manifest:
            manifest.write(line)
            manifest.flush()
            os.fsync(manifest.fileno())
        return entry

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with (self.folder / LOCK).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
