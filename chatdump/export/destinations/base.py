"""What every archive destination is: the manifest entry it records, and the three things the
archive loop (``chatdump archive``, the webhook) asks of it.

A destination keeps two promises whatever it stores into: a chat appears only once its bytes are
verified (size, sha256 recorded), and an archived chat is never overwritten (a re-download whose
name is taken goes beside it; identical bytes are then dropped).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Protocol

from chatdump.core import filenames
from chatdump.core.expiry import to_iso
from chatdump.export.download import Progress, Saved
from chatdump.export.storage_http import StorageClient
from chatdump.upstream.base import SessionInfo

MANIFEST = "manifest.jsonl"


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


def utc_now() -> datetime:
    return datetime.now(UTC)


class Destination(Protocol):
    """Where archived chats go: a folder (``local``), a bucket (``bucket``), ..."""

    def entries(self) -> dict[str, Entry]:
        """The manifest's entries by session (the last one wins)."""
        ...

    def has(self, session_id: str, entries: dict[str, Entry] | None = None) -> bool:
        """True when the session's entry is recorded and its stored chat has the recorded size."""
        ...

    def save(
        self,
        session: SessionInfo,
        get_url: Callable[[bool], str],
        *,
        client: StorageClient,
        now: Callable[[], datetime] = utc_now,
        progress: Progress | None = None,
    ) -> Entry:
        """Fetch one session's chat into the destination and record it."""
        ...

    def flush(self) -> None:
        """Make the manifest list every chat saved so far (a bucket batches its rewrites)."""
        ...


def archive_filename(session: SessionInfo) -> str:
    """The session's file in the archive (the one rule lives in ``core.filenames``)."""
    return filenames.archive_filename(
        session.session_id, title=session.title, started_at=session.started_at
    )


def side_name(name: str, moment: datetime) -> str:
    """``x--id.csv`` -> ``x--id.20261124T100000123456Z.csv``: beside, never over, an archived file."""
    return f"{name.removesuffix('.csv')}.{moment.strftime('%Y%m%dT%H%M%S%fZ')}.csv"


def make_entry(session: SessionInfo, name: str, saved: Saved, moment: datetime) -> Entry:
    return Entry(
        session=session.session_id,
        meeting=session.meeting_id,
        title=session.title,
        start=to_iso(session.started_at) if session.started_at else None,
        file=name,
        bytes=saved.size,
        sha256=saved.sha256,
        archived_at=to_iso(moment),
    )


def parse_entry(line: str) -> Entry | None:
    """One manifest line, or None for a torn or foreign one."""
    try:
        document = json.loads(line)
        return Entry(**document) if isinstance(document, dict) else None
    except (ValueError, TypeError):
        return None


def entry_line(entry: Entry) -> str:
    return json.dumps(asdict(entry), ensure_ascii=False) + "\n"
