"""Cloudflare RealtimeKit: ``GET {RTK_API_BASE}/accounts/{RTK_ACCOUNT_ID}/realtime/kit/{RTK_APP_ID}/
sessions/{id}/chat`` with ``Authorization: Bearer {RTK_API_TOKEN}``.

Same answer shape as Dyte; Cloudflare's error envelope (``errors: [...]``) is read by ``answers``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from chatdump.secret import Secret
from chatdump.upstream.chat_replay import TIMEOUT, ChatReplayProvider
from chatdump.upstream.env import base_url, required
from chatdump.upstream.retrying import UpstreamPolicy

NAME = "realtimekit"
DEFAULT_API_BASE = "https://api.cloudflare.com/client/v4"


@dataclass(frozen=True)
class RealtimeKitConfig:
    account_id: str
    app_id: str
    api_token: Secret
    api_base: str = DEFAULT_API_BASE
    name: str = NAME

    def secrets(self) -> tuple[Secret, ...]:
        return (self.api_token,)

    def build(self, policy: UpstreamPolicy) -> ChatReplayProvider:
        account, app = (quote(v, safe="") for v in (self.account_id, self.app_id))
        client = httpx.AsyncClient(
            base_url=f"{self.api_base}/accounts/{account}/realtime/kit/{app}/",
            headers={"Authorization": f"Bearer {self.api_token.reveal()}"},
            timeout=TIMEOUT,
        )
        return ChatReplayProvider(NAME, client, policy)


def from_env(env: Mapping[str, str]) -> RealtimeKitConfig:
    return RealtimeKitConfig(
        account_id=required(env, "RTK_ACCOUNT_ID", NAME),
        app_id=required(env, "RTK_APP_ID", NAME),
        api_token=Secret(required(env, "RTK_API_TOKEN", NAME)),
        api_base=base_url(env, "RTK_API_BASE", DEFAULT_API_BASE),
    )
