"""Chat upstreams. A new one is a module with ``build(settings, policy) -> Provider``, plus a line
in ``BUILDERS`` (and its settings in ``chatdump.server.settings``)."""

from __future__ import annotations

from collections.abc import Callable

from chatdump.core.errors import ConfigError
from chatdump.server.settings import Settings
from chatdump.upstream import dyte, realtimekit
from chatdump.upstream.base import Provider, SessionInfo, UpstreamChatUrl
from chatdump.upstream.retrying import UpstreamPolicy

BUILDERS: dict[str, Callable[[Settings, UpstreamPolicy], Provider]] = {
    "dyte": dyte.build,
    "realtimekit": realtimekit.build,
}


def build_provider(settings: Settings, policy: UpstreamPolicy | None = None) -> Provider:
    """The provider for a real upstream (the demo one is built by ``chatdump.upstream.demo``)."""
    builder = BUILDERS.get(settings.provider)
    if builder is None:
        raise ConfigError(f"no upstream provider called {settings.provider!r}")
    return builder(settings, policy or UpstreamPolicy())


__all__ = [
    "BUILDERS",
    "Provider",
    "SessionInfo",
    "UpstreamChatUrl",
    "UpstreamPolicy",
    "build_provider",
]
