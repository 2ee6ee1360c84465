"""Chat upstreams. A new one is a module that builds a ``Provider``, plus a line in ``build_provider``."""

from __future__ import annotations

from chatdump.core.errors import ConfigError
from chatdump.providers.base import Provider, SessionInfo, UpstreamChatUrl
from chatdump.providers.chat_replay import ChatReplayProvider, dyte_client, realtimekit_client
from chatdump.settings import Secret, Settings


def build_provider(settings: Settings) -> Provider:
    """The provider for a real upstream (the demo one is built by ``chatdump.demo``)."""
    if settings.provider == "dyte":
        key = _revealed(settings.dyte_api_key)
        return ChatReplayProvider(
            "dyte", dyte_client(settings.dyte_api_base, settings.dyte_org_id, key)
        )
    if settings.provider == "realtimekit":
        client = realtimekit_client(
            settings.rtk_api_base,
            settings.rtk_account_id,
            settings.rtk_app_id,
            _revealed(settings.rtk_api_token),
        )
        return ChatReplayProvider("realtimekit", client)
    raise ConfigError(f"no upstream provider called {settings.provider!r}")


def _revealed(secret: Secret | None) -> str:
    if secret is None:
        raise ConfigError("the provider's credential is not set")
    return secret.reveal()


__all__ = ["Provider", "SessionInfo", "UpstreamChatUrl", "build_provider"]
