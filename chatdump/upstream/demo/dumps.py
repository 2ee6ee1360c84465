"""Realistic generated chat dumps, the same bytes every time for a given session.

They hold what real chats hold and what breaks naive tools: accents, CJK, emoji, payloads with
commas, quotes and newlines, image and file messages, pinned and edited messages, and payloads
that Excel would run as formulas.
"""

from __future__ import annotations

import csv
import io
import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

COLUMNS = (
    "id", "participantId", "sessionId", "meetingId", "displayName",
    "pinned", "isEdited", "payloadType", "payload", "createdAt",
)  # fmt: skip


@dataclass(frozen=True)
class DemoSession:
    session_id: str
    meeting_id: str
    title: str
    started_at: datetime
    messages: int


DEMO_SESSIONS = (
    DemoSession(
        "79365b9b-5e35-4d3a-9d1c-2b5b1c2f7a10",
        "d9fc4d6a-2f1e-4c4b-8d8e-0c5b7e1a2b3c",
        "Team Standup",
        datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
        240,
    ),
    DemoSession(
        "4c1d7e2a-8b3f-4a5e-9c6d-1e2f3a4b5c6d",
        "0b8e6f5a-3c2d-4e1f-8a9b-7c6d5e4f3a2b",
        "Café Rétro — Q4 planning 🚀",
        datetime(2026, 11, 25, 15, 30, tzinfo=UTC),
        120,
    ),
    DemoSession(
        "a1b2c3d4-e5f6-4711-8899-aabbccddeeff",
        "0b8e6f5a-3c2d-4e1f-8a9b-7c6d5e4f3a2b",
        "設計レビュー",
        datetime(2026, 11, 26, 2, 0, tzinfo=UTC),
        60,
    ),
)

PEOPLE = ("Ana Émilie", "Jürgen Groß", "李小龍", "Zoë O'Brien", "Søren 🎧", "Priya Natarajan")
TEXTS = (
    "Good morning, everyone!",
    "Can you all see my screen?",
    'She said "ship it", so we shipped it.',
    "Numbers: 1,234.56 and 7,890",
    "Line one\nLine two\nLine three",
    "Café au lait ☕ — très bien",
    "了解しました。資料を共有します。",
    "🎉🎉 congrats on the launch!",
    "=SUM(A1:A3)",
    "+1 from me",
    "-5 degrees outside, stay warm",
    "@Ana can you take this one?",
    "Trailing spaces and a tab\there   ",
    'Quote "inside", comma, and\r\nCRLF',
)


def find_session(session_id: str) -> DemoSession | None:
    return next((s for s in DEMO_SESSIONS if s.session_id == session_id), None)


@lru_cache(maxsize=8)
def render_dump(session: DemoSession) -> bytes:
    """The CSV chat dump of ``session``: header row, then one row per message."""
    rng = random.Random(session.session_id)  # noqa: S311 - demo data, not crypto
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    people = [(name, str(uuid.UUID(int=rng.getrandbits(128), version=4))) for name in PEOPLE]
    moment = session.started_at
    for _ in range(session.messages):
        moment += timedelta(seconds=rng.randint(2, 40), milliseconds=rng.randint(0, 999))
        name, participant = rng.choice(people)
        kind, payload = _payload(rng)
        writer.writerow((
            str(uuid.UUID(int=rng.getrandbits(128), version=4)), participant, session.session_id,
            session.meeting_id, name, _flag(rng, 0.05), _flag(rng, 0.1), kind, payload,
            moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
        ))  # fmt: skip
    return out.getvalue().encode("utf-8")


def _payload(rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.08:
        return "IMAGE_MESSAGE", f"https://files.example.com/chat/{rng.getrandbits(48):012x}.png"
    if roll < 0.14:
        name = rng.choice(("Q4 plan, final.pdf", 'notes "draft".docx', "図面.zip"))
        link = f"https://files.example.com/chat/{rng.getrandbits(48):012x}"
        size = rng.randint(1_000, 9_000_000)
        return "FILE_MESSAGE", json.dumps(
            {"name": name, "size": size, "link": link}, ensure_ascii=False
        )
    return "TEXT_MESSAGE", rng.choice(TEXTS)


def _flag(rng: random.Random, probability: float) -> str:
    return "true" if rng.random() < probability else "false"
