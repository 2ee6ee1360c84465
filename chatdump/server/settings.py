"""``chatdump serve``'s configuration, read from the environment in this one place.

The upstream's own variables are read by its module (``chatdump.upstream``); this adds what only
the server uses: the grant secrets and the sites allowed to frame the widget. Credentials are
wrapped in ``Secret`` so that printing settings, an exception or a log line cannot leak them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from chatdump.core.errors import ConfigError
from chatdump.core.origins import Ancestors, parse_ancestors
from chatdump.secret import Secret
from chatdump.server.grants import MAX_TTL
from chatdump.upstream import DemoConfig, UpstreamConfig, upstream_from_env

# Shared by `chatdump serve --demo` and `chatdump grant` when CHATDUMP_GRANT_SECRET is unset, so the
# demo works with no set-up. Public by design: never valid outside demo mode.
DEMO_GRANT_SECRET = "chatdump-demo-only-grant-secret-do-not-use-in-production"  # noqa: S105
MIN_SECRET_LENGTH = 32
MAX_GRANT_MAX_TTL = 30 * 24 * 3600  # a month: longer is a password, not a grant


@dataclass(frozen=True)
class Settings:
    upstream: UpstreamConfig | DemoConfig
    grant_secrets: tuple[Secret, ...]
    demo_secret_in_use: bool = False
    # Sites allowed to frame the widget and command it (CSP frame-ancestors; postMessage).
    frame_ancestors: Ancestors = field(default_factory=Ancestors)
    # The longest a grant may live (exp - iat), in seconds: CHATDUMP_GRANT_MAX_TTL.
    grant_max_ttl: int = MAX_TTL
    # Shared state for several instances (CHATDUMP_REDIS_URL); None: all state per process.
    redis_url: Secret | None = None
    redis_prefix: str = "chatdump:"

    @property
    def provider(self) -> str:
        return self.upstream.name

    def secrets(self) -> tuple[Secret, ...]:
        """Every credential this server holds: what the log redaction must know."""
        redis = (self.redis_url,) if self.redis_url else ()
        return (*self.grant_secrets, *self.upstream.secrets(), *redis)

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, demo: bool = False) -> Settings:
        """Read and check everything; raise ConfigError naming the variable that is wrong."""
        upstream = upstream_from_env(env, demo=demo)
        secrets, demo_secret = _grant_secrets(env, demo=isinstance(upstream, DemoConfig))
        return cls(
            upstream=upstream,
            grant_secrets=secrets,
            demo_secret_in_use=demo_secret,
            frame_ancestors=parse_ancestors(env.get("CHATDUMP_FRAME_ANCESTORS", "")),
            grant_max_ttl=_grant_max_ttl(env.get("CHATDUMP_GRANT_MAX_TTL", "")),
            redis_url=Secret(url) if (url := env.get("CHATDUMP_REDIS_URL", "").strip()) else None,
            redis_prefix=env.get("CHATDUMP_REDIS_PREFIX", "").strip() or "chatdump:",
        )


def _grant_max_ttl(raw: str) -> int:
    if not raw.strip():
        return MAX_TTL
    try:
        seconds = int(raw.strip())
    except ValueError:
        seconds = 0
    if not 1 <= seconds <= MAX_GRANT_MAX_TTL:
        raise ConfigError(
            f"CHATDUMP_GRANT_MAX_TTL must be a whole number of seconds from 1 to "
            f"{MAX_GRANT_MAX_TTL} (default {MAX_TTL}, a day); got {raw.strip()[:40]!r}."
        )
    return seconds


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
