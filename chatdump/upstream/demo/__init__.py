"""The embedded demo upstream: a fake of the Chat Replay API and of its S3 storage, in-process.

``DemoUpstream`` wires three pieces: generated chat dumps (``dumps``), storage that serves them
through signed, expiring URLs (``storage``), and the Dyte v2 API answering with those URLs
(``fake_api``). The real ``ChatReplayProvider`` talks to the fake API through httpx's ASGI transport,
so ``--demo`` exercises the same code as production, minus the network.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import httpx

from chatdump.upstream.chat_replay import TIMEOUT, ChatReplayProvider
from chatdump.upstream.demo.dumps import DEMO_SESSIONS, DemoSession, render_dump
from chatdump.upstream.demo.fake_api import DEMO_API_KEY, DEMO_ORG_ID, create_fake_api
from chatdump.upstream.demo.storage import DemoStorage

DEFAULT_SESSION_ID = DEMO_SESSIONS[0].session_id
STORAGE_PATH = "/demo-storage"


class DemoUpstream:
    def __init__(
        self,
        public_base_url: str,
        *,
        url_ttl: int = 3600,
        sessions: Sequence[DemoSession] = DEMO_SESSIONS,
        storage_secret: bytes | None = None,
    ) -> None:
        # Several server workers share one storage secret, so each honours the others' URLs.
        objects = {f"{s.session_id}.csv": render_dump(s) for s in sessions}
        self.storage = DemoStorage(
            public_base_url.rstrip("/") + STORAGE_PATH,
            objects,
            secret=storage_secret or secrets.token_bytes(32),
        )
        self.api = create_fake_api(self.storage, url_ttl=url_ttl, sessions=sessions)

    def provider(self) -> ChatReplayProvider:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.api),
            base_url="http://demo-upstream.invalid/v2/",
            auth=httpx.BasicAuth(DEMO_ORG_ID, DEMO_API_KEY),
            timeout=TIMEOUT,
        )
        return ChatReplayProvider("demo", client)


__all__ = ["DEFAULT_SESSION_ID", "DEMO_SESSIONS", "STORAGE_PATH", "DemoUpstream", "render_dump"]
