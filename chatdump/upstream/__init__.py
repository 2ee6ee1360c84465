"""Chat upstreams, used by the server and the CLI alike.

Adding one is a module (its variables read by ``from_env``, its secrets listed by ``secrets()``
so the logs redact them, its client made by ``build``) plus one line in ``REGISTRY``. The demo
upstream (``chatdump.upstream.demo``) is not in it: it runs in-process and is built by whoever
serves its storage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from chatdump.core.errors import ConfigError
from chatdump.upstream import dyte, realtimekit
from chatdump.upstream.base import Provider, SessionInfo, UpstreamChatUrl, UpstreamConfig
from chatdump.upstream.demo import config as demo_config
from chatdump.upstream.demo.config import DemoConfig
from chatdump.upstream.retrying import UpstreamPolicy

REGISTRY: dict[str, Callable[[Mapping[str, str]], UpstreamConfig]] = {
    dyte.NAME: dyte.from_env,
    realtimekit.NAME: realtimekit.from_env,
}
NAMES = (*REGISTRY, demo_config.NAME)


def upstream_from_env(env: Mapping[str, str], *, demo: bool = False) -> UpstreamConfig | DemoConfig:
    """The upstream ``CHATDUMP_PROVIDER`` names (``demo=True``: the demo), with its variables."""
    name = "demo" if demo else env.get("CHATDUMP_PROVIDER", "").strip().lower()
    if not name:
        raise ConfigError(
            "CHATDUMP_PROVIDER is not set: use dyte, realtimekit, or demo "
            "(or pass --demo for the built-in demo upstream)."
        )
    if name == "demo":
        return demo_config.from_env(env)
    from_env = REGISTRY.get(name)
    if from_env is None:
        raise ConfigError(
            f"CHATDUMP_PROVIDER={name[:40]!r} is not a provider chatdump knows: "
            f"use one of {', '.join(NAMES)}."
        )
    return from_env(env)


def build_provider(config: UpstreamConfig, policy: UpstreamPolicy | None = None) -> Provider:
    """The provider for a real upstream (the demo one is built by ``chatdump.upstream.demo``)."""
    return config.build(policy or UpstreamPolicy())


__all__ = [
    "NAMES",
    "REGISTRY",
    "DemoConfig",
    "Provider",
    "SessionInfo",
    "UpstreamChatUrl",
    "UpstreamConfig",
    "UpstreamPolicy",
    "build_provider",
    "upstream_from_env",
]
