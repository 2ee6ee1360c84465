"""Reading a provider's variables from the environment: what every provider module shares.

Each provider module owns its variables (names, defaults, which are secret); these helpers only
make the messages alike: a ConfigError that names the variable and the provider that needs it.
"""

from __future__ import annotations

from collections.abc import Mapping

from chatdump.core.errors import ConfigError


def required(env: Mapping[str, str], name: str, provider: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set (needed by CHATDUMP_PROVIDER={provider}).")
    return value


def base_url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    if not value.startswith(("https://", "http://")):
        raise ConfigError(f"{name} must be an http(s) URL, got {value[:60]!r}.")
    return value.rstrip("/")


def positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name} must be a whole number of seconds, got {raw[:20]!r}.")
    return int(raw)
