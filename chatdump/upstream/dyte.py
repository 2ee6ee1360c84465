"""Dyte v2: ``GET {DYTE_API_BASE}/sessions/{id}/chat`` with HTTP Basic ``DYTE_ORG_ID:DYTE_API_KEY``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from chatdump.secret import Secret
from chatdump.upstream.chat_replay import TIMEOUT, ChatReplayProvider
from chatdump.upstream.env import base_url, required
from chatdump.upstream.retrying import UpstreamPolicy

NAME = "dyte"
DEFAULT_API_BASE = "https://api.dyte.io/v2"


@dataclass(frozen=True)
class DyteConfig:
    org_id: str
    api_key: Secret
    api_base: str = DEFAULT_API_BASE
    name: str = NAME

    def secrets(self) -> tuple[Secret, ...]:
        return (self.api_key,)

    def build(self, policy: UpstreamPolicy) -> ChatReplayProvider:
        client = httpx.AsyncClient(
            base_url=self.api_base + "/",
            auth=httpx.BasicAuth(self.org_id, self.api_key.reveal()),
            timeout=TIMEOUT,
        )
        return ChatReplayProvider(NAME, client, policy)


def from_env(env: Mapping[str, str]) -> DyteConfig:
    return DyteConfig(
        org_id=required(env, "DYTE_ORG_ID", NAME),
        api_key=Secret(required(env, "DYTE_API_KEY", NAME)),
        api_base=base_url(env, "DYTE_API_BASE", DEFAULT_API_BASE),
    )
