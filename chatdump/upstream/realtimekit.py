"""Cloudflare RealtimeKit: ``GET {RTK_API_BASE}/accounts/{RTK_ACCOUNT_ID}/realtime/kit/{RTK_APP_ID}/
sessions/{id}/chat`` with ``Authorization: Bearer {RTK_API_TOKEN}``.

Same answer shape as Dyte; Cloudflare's error envelope (``errors: [...]``) is read by ``answers``.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx

from chatdump.server.settings import Settings, revealed
from chatdump.upstream.chat_replay import TIMEOUT, ChatReplayProvider
from chatdump.upstream.retrying import UpstreamPolicy


def build(settings: Settings, policy: UpstreamPolicy) -> ChatReplayProvider:
    account, app = (quote(v, safe="") for v in (settings.rtk_account_id, settings.rtk_app_id))
    token = revealed(settings.rtk_api_token, "RTK_API_TOKEN")
    client = httpx.AsyncClient(
        base_url=f"{settings.rtk_api_base}/accounts/{account}/realtime/kit/{app}/",
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )
    return ChatReplayProvider("realtimekit", client, policy)
