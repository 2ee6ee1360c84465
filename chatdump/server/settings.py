"""Configuration, read from the environment in this one place.

Credentials are wrapped in ``Secret`` so that printing settings, an exception or a log line cannot
leak them by accident.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from chatdump.core.embed import Ancestors, parse_ancestors
from chatdump.core.errors import ConfigError

PROVIDERS = ("dyte", "realtimekit", "demo")
DEFAULT_DYTE_API_BASE = "https://api.dyte.io/v2"
DEFAULT_RTK_API_BASE = "https://api.cloudflare.com/client/v4"
# Shared by `chatdump serve --demo` and `chatdump grant` when CHATDUMP_GRANT_SECRET is unset, so the
# demo works with no set-up. Public by design: never valid outside demo mode.
DEMO_GRANT_SECRET = "chatdump-demo-only-grant-secret-do-not-use-in-production"  # noqa: S105
MIN_SECRET_LENGTH = 32


class Secret:
    """A credential that prints as ``**********``; ``reveal()`` is the only way to the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    provider: str
    grant_secrets: tuple[Secret, ...]
    demo_secret_in_use: bool = False
    dyte_org_id: str = ""
    dyte_api_key: Secret | None = None
    dyte_api_base: str = DEFAULT_DYTE_API_BASE
    rtk_account_id: str = ""
    rtk_app_id: str = ""
    rtk_api_token: Secret | None = None
    rtk_api_base: str = DEFAULT_RTK_API_BASE
    # How long the demo upstream's signed storage URLs live (the real ones: 24 h).
    demo_url_ttl: int = 3600
    # Sites allowed to frame the widget and command it (CSP frame-ancestors; postMessage).
    frame_ancestors: Ancestors = field(default_factory=Ancestors)

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, demo: bool = False) -> Settings:
        """Read and check everything; raise ConfigError naming the variable that is wrong."""
        provider = "demo" if demo else env.get("CHATDUMP_PROVIDER", "").strip().lower()
        if not provider:
            raise ConfigError(
                "CHATDUMP_PROVIDER is not set: use dyte, realtimekit, or demo "
                "(or pass --demo for the built-in demo upstream)."
            )
        if provider not in PROVIDERS:
            raise ConfigError(
                f"CHATDUMP_PROVIDER={provider[:40]!r} is not a provider chatdump knows: "
                f"use one of {', '.join(PROVIDERS)}."
            )
        secrets, demo_secret = _grant_secrets(env, demo=provider == "demo")
        common = cls(
            provider=provider,
            grant_secrets=secrets,
            demo_secret_in_use=demo_secret,
            frame_ancestors=parse_ancestors(env.get("CHATDUMP_FRAME_ANCESTORS", "")),
        )
        if provider == "dyte":
            return replace(
                common,
                dyte_org_id=_required(env, "DYTE_ORG_ID"),
                dyte_api_key=Secret(_required(env, "DYTE_API_KEY")),
                dyte_api_base=_base_url(env, "DYTE_API_BASE", DEFAULT_DYTE_API_BASE),
            )
        if provider == "realtimekit":
            return replace(
                common,
                rtk_account_id=_required(env, "RTK_ACCOUNT_ID"),
                rtk_app_id=_required(env, "RTK_APP_ID"),
                rtk_api_token=Secret(_required(env, "RTK_API_TOKEN")),
                rtk_api_base=_base_url(env, "RTK_API_BASE", DEFAULT_RTK_API_BASE),
            )
        return replace(common, demo_url_ttl=_positive_int(env, "CHATDUMP_DEMO_URL_TTL", 3600))


def revealed(secret: Secret | None, name: str) -> str:
    """The value of a required credential, for the one place that sends it upstream."""
    if secret is None:
        raise ConfigError(f"{name} is not set.")
    return secret.reveal()


def grant_secrets_from_env(env: Mapping[str, str], *, demo: bool) -> tuple[Secret, ...]:
    """The secrets `chatdump grant` signs with (the last listed is the current one)."""
    return _grant_secrets(env, demo=demo)[0]


def _grant_secrets(env: Mapping[str, str], *, demo: bool) -> tuple[tuple[Secret, ...], bool]:
    raw = env.get("CHATDUMP_GRANT_SECRET", "")
    values = [part.strip() for part in raw.split(",") if part.strip()]
    if not values:
        if demo:
            return (Secret(DEMO_GRANT_SECRET),), True
        raise ConfigError(
            "CHATDUMP_GRANT_SECRET is not set: it signs the grants that let a page download one "
            "session's chat. Set it to a random string of at least 32 characters, e.g. "
            '`python -c "import secrets; print(secrets.token_urlsafe(32))"`.'
        )
    short = [i for i, v in enumerate(values, 1) if len(v) < MIN_SECRET_LENGTH]
    if short:
        raise ConfigError(
            f"CHATDUMP_GRANT_SECRET: secret number {short[0]} is shorter than "
            f"{MIN_SECRET_LENGTH} characters; use a long random string."
        )
    return tuple(Secret(v) for v in values), False


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(
            f"{name} is not set (needed by CHATDUMP_PROVIDER={env.get('CHATDUMP_PROVIDER', '')})."
        )
    return value


def _base_url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    if not value.startswith(("https://", "http://")):
        raise ConfigError(f"{name} must be an http(s) URL, got {value[:60]!r}.")
    return value.rstrip("/")


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name} must be a whole number of seconds, got {raw[:20]!r}.")
    return int(raw)
