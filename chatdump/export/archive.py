"""Archiving chats before the upstream's 7-day retention ends: listing the sessions, and the
destination they go to (a folder, a bucket: ``chatdump.export.destinations``).

Every destination keeps ``manifest.jsonl``: one line per archived chat (session, meeting, title,
start, file, bytes, sha256, archived_at). A session is archived when its line is there and its
stored chat has the recorded size; anything else is fetched again, so running twice downloads
nothing new and a crash mid-way is repaired by the next run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from chatdump.export.destinations import Destination, open_destination
from chatdump.export.destinations.base import MANIFEST, Entry, archive_filename
from chatdump.export.destinations.local import LocalFolder
from chatdump.upstream.base import SessionInfo

PER_PAGE = 50
MAX_PAGES = 2000  # 100,000 sessions: a bound on the listing loop, far above 7 days of meetings


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


Archive = LocalFolder  # the name this module's callers knew before destinations
__all__ = [
    "MANIFEST", "Archive", "Destination", "Entry", "SessionPages", "archive_filename",
    "list_sessions", "open_destination",
]  # fmt: skip
