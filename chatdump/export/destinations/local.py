"""A folder on this machine: one CSV per session (the original bytes) and ``manifest.jsonl``.

A session is archived when its line is in the manifest and its file has the recorded size;
anything else is fetched again, so running twice downloads nothing new and a crash mid-way is
repaired by the next run. Appends to the manifest hold an exclusive lock, so the CLI and the
webhook can share a folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from chatdump.export.destinations.base import (
    MANIFEST,
    Entry,
    archive_filename,
    entry_line,
    make_entry,
    parse_entry,
    side_name,
    utc_now,
)
from chatdump.export.download import Progress, Saved, download, iter_file
from chatdump.export.storage_http import StorageClient
from chatdump.upstream.base import SessionInfo

LOCK = ".chatdump.lock"


def _same_bytes(path: Path, saved: Saved) -> bool:
    if path.stat().st_size != saved.size:
        return False
    digest = hashlib.sha256()
    for chunk in iter_file(path):
        digest.update(chunk)
    return digest.hexdigest() == saved.sha256


class LocalFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def __str__(self) -> str:
        return str(self.folder)

    def entries(self) -> dict[str, Entry]:
        """The manifest's entries by session (the last line wins); unreadable lines skipped."""
        found: dict[str, Entry] = {}
        path = self.folder / MANIFEST
        if not path.exists():
            return found
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if (entry := parse_entry(line)) is not None:
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
        now: Callable[[], datetime] = utc_now,
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
            name = side_name(name, now())
        saved = download(
            get_url, self.folder / name, client=client, progress=progress, durable=True
        )
        if name != existing.name and _same_bytes(existing, saved):
            (self.folder / name).unlink()
            name = existing.name
        entry = make_entry(session, name, saved, now())
        with self._locked(), (self.folder / MANIFEST).open("a", encoding="utf-8") as manifest:
            manifest.write(entry_line(entry))
            manifest.flush()
            os.fsync(manifest.fileno())
        return entry

    def flush(self) -> None:
        pass  # every save appends its line at once

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with (self.folder / LOCK).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
