"""What a chat upstream is to chatdump: something that hands out signed URLs for chat dumps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from chatdump.secret import Secret
    from chatdump.upstream.retrying import UpstreamPolicy


@dataclass(frozen=True)
class UpstreamChatUrl:
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class SessionInfo:
    session_id: str
    meeting_id: str | None = None
    title: str | None = None
    started_at: datetime | None = None
    live: bool = False  # still running: its chat is not ready yet


class Provider(Protocol):
    """One upstream. Methods raise ``chatdump.core.errors`` types, never transport exceptions."""

    name: str

    async def chat_url(self, session_id: str) -> UpstreamChatUrl: ...

    async def session_info(self, session_id: str) -> SessionInfo: ...

    async def aclose(self) -> None: ...


class UpstreamConfig(Protocol):
    """A real upstream's settings, read from the environment by its module's ``from_env``."""

    @property
    def name(self) -> str: ...

    def secrets(self) -> tuple[Secret, ...]:
        """The values the logs must never show (API keys, tokens)."""
        ...

    def build(self, policy: UpstreamPolicy) -> Provider: ...
