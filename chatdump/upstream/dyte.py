"""Dyte v2: ``GET {DYTE_API_BASE}/sessions/{id}/chat`` with HTTP Basic ``DYTE_ORG_ID:DYTE_API_KEY``."""

from __future__ import annotations

import httpx

from chatdump.server.settings import Settings, revealed
from chatdump.upstream.chat_replay import TIMEOUT, ChatReplayProvider
from chatdump.upstream.retrying import UpstreamPolicy


def build(settings: Settings, policy: UpstreamPolicy) -> ChatReplayProvider:
    client = httpx.AsyncClient(
        base_url=settings.dyte_api_base + "/",
        auth=httpx.BasicAuth(settings.dyte_org_id, revealed(settings.dyte_api_key, "DYTE_API_KEY")),
        timeout=TIMEOUT,
    )
    return ChatReplayProvider("dyte", client, policy)
