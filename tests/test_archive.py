"""Listing sessions page by page, and the archive's manifest rules."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chatdump.export.archive import Archive, archive_filename, list_sessions
from chatdump.upstream.base import SessionInfo
from chatdump.upstream.demo import DEMO_SESSIONS, DemoUpstream

pytestmark = pytest.mark.anyio
MANY = [
    replace(DEMO_SESSIONS[0], session_id=str(uuid.UUID(int=i + 1, version=4)),
            started_at=DEMO_SESSIONS[0].started_at + timedelta(days=i))
    for i in range(7)
]  # fmt: skip


@pytest.mark.parametrize("per_page", [1, 2, 3, 7, 50])
async def test_every_session_is_listed_whatever_the_page_size(per_page: int) -> None:
    provider = DemoUpstream("http://127.0.0.1", sessions=MANY).provider()
    found = await list_sessions(provider, per_page=per_page)
    await provider.aclose()
    assert [s.session_id for s in found] == [s.session_id for s in MANY]


async def test_since_keeps_sessions_started_on_or_after_it() -> None:
    provider = DemoUpstream("http://127.0.0.1", sessions=MANY).provider()
    since = MANY[4].started_at
    found = await list_sessions(provider, since=since, per_page=2)
    await provider.aclose()
    assert [s.session_id for s in found] == [s.session_id for s in MANY[4:]]


def test_archive_names_are_readable_and_unique_per_session() -> None:
    day = datetime(2026, 11, 24, tzinfo=UTC)
    one = SessionInfo("79365b9b-5e35-4d3a-9d1c-2b5b1c2f7a10", title="Standup", started_at=day)
    two = replace(one, session_id="4c1d7e2a-8b3f-4a5e-9c6d-1e2f3a4b5c6d")
    assert archive_filename(one) == "standup-2026-11-24--79365b9b-5e35-4d3a-9d1c-2b5b1c2f7a10.csv"
    assert archive_filename(one) != archive_filename(two)
    assert archive_filename(SessionInfo(one.session_id)) == f"{one.session_id}.csv"


def test_a_manifest_line_whose_file_is_gone_or_short_does_not_count(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    (tmp_path / "manifest.jsonl").write_text(
        '{"session": "s1", "meeting": null, "title": null, "start": null, "file": "a.csv",'
        ' "bytes": 3, "sha256": "x", "archived_at": "2026-11-27T00:00:00Z"}\n'
        "not json, a torn line\n"
    )
    assert not archive.has("s1")
    (tmp_path / "a.csv").write_bytes(b"ab")
    assert not archive.has("s1")
    (tmp_path / "a.csv").write_bytes(b"abc")
    assert archive.has("s1")
