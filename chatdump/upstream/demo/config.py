"""The demo upstream's one setting. Light on purpose: reading it must not load the fake itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chatdump.secret import Secret
from chatdump.upstream.env import positive_int

NAME = "demo"


@dataclass(frozen=True)
class DemoConfig:
    # How long the demo's signed storage URLs live (the real ones: 24 h).
    url_ttl: int = 3600
    name: str = NAME

    def secrets(self) -> tuple[Secret, ...]:
        return ()


def from_env(env: Mapping[str, str]) -> DemoConfig:
    return DemoConfig(url_ttl=positive_int(env, "CHATDUMP_DEMO_URL_TTL", 3600))
