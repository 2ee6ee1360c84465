"""The sites that may frame the widget: ``CHATDUMP_FRAME_ANCESTORS``, parsed as hostile input.

One list decides both: the server puts it into the page's CSP ``frame-ancestors`` (the browser then
refuses other framers), and the widget reads the same list (``embed.json``) to decide whose
``postMessage`` commands it obeys and where it posts its events. It is parsed here, the same way on
the server and in the browser: only ``'self'``, ``'none'`` and plain origins
(``https://app.example.com``, ``https://*.example.com``, ``http://localhost:*``) are accepted, so
nothing can smuggle another CSP directive or a ``*``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from chatdump.core import errors

SELF, NONE = "'self'", "'none'"
MAX_SOURCES = 32
MAX_CONFIG_LENGTH = 4000
DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PATTERN = re.compile(
    rf"(?P<scheme>https?)://(?P<wild>\*\.)?(?P<host>{_LABEL}(?:\.{_LABEL})*)"
    r"(?::(?P<port>\*|[0-9]{1,5}))?/?"
)
_ORIGIN = re.compile(
    rf"(?P<scheme>https?)://(?P<host>{_LABEL}(?:\.{_LABEL})*)(?::(?P<port>[0-9]{{1,5}}))?"
)


@dataclass(frozen=True)
class OriginPattern:
    """One allowed site: an exact origin, or any subdomain (``*.``), or any port (``:*``)."""

    scheme: str
    host: str
    port: int | None = None  # None: the scheme's default port
    any_subdomain: bool = False
    any_port: bool = False

    @property
    def source(self) -> str:
        """As a CSP source expression (and as the page reads it back)."""
        host = ("*." if self.any_subdomain else "") + self.host
        port = ":*" if self.any_port else (f":{self.port}" if self.port is not None else "")
        return f"{self.scheme}://{host}{port}"

    @property
    def exact(self) -> bool:
        return not (self.any_subdomain or self.any_port)

    def matches(self, origin: str) -> bool:
        parsed = parse_origin(origin)
        if parsed is None:
            return False
        scheme, host, port = parsed
        if scheme != self.scheme:
            return False
        if self.any_subdomain:
            if not host.endswith("." + self.host):
                return False
        elif host != self.host:
            return False
        return self.any_port or port == (self.port or DEFAULT_PORTS[scheme])


@dataclass(frozen=True)
class Ancestors:
    """The parsed ``CHATDUMP_FRAME_ANCESTORS``: may the widget's own site frame it, and which others."""

    allow_self: bool = True
    patterns: tuple[OriginPattern, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        listed = ((SELF,) if self.allow_self else ()) + tuple(p.source for p in self.patterns)
        return listed or (NONE,)

    def csp_value(self) -> str:
        return " ".join(self.sources)

    def allows(self, origin: str, own_origin: str) -> bool:
        """May a page of ``origin`` frame the widget (served from ``own_origin``) and command it?"""
        if origin == "null" or not origin:
            return False
        if self.allow_self and _same_origin(origin, own_origin):
            return True
        return any(pattern.matches(origin) for pattern in self.patterns)

    def exact_origins(self, own_origin: str) -> tuple[str, ...]:
        own = (own_origin,) if self.allow_self and parse_origin(own_origin) else ()
        return own + tuple(p.source for p in self.patterns if p.exact)


def parse_ancestors(text: str, *, name: str = "CHATDUMP_FRAME_ANCESTORS") -> Ancestors:
    """Read a space- or comma-separated list; unset or empty means ``'self'``. Raise ConfigError."""
    if len(text) > MAX_CONFIG_LENGTH:
        raise errors.ConfigError(f"{name} is longer than {MAX_CONFIG_LENGTH} characters.")
    tokens = [token for token in re.split(r"[\s,]+", text.strip()) if token]
    if not tokens:
        return Ancestors()
    if len(tokens) > MAX_SOURCES:
        raise errors.ConfigError(f"{name} lists more than {MAX_SOURCES} sites.")
    keywords = {token.strip("'").lower() for token in tokens if token.strip("'").isalpha()}
    if "none" in keywords:
        if len(tokens) > 1:
            raise errors.ConfigError(f"{name}: 'none' cannot be combined with other sites.")
        return Ancestors(allow_self=False)
    patterns: list[OriginPattern] = []
    for token in tokens:
        if token.strip("'").lower() == "self":
            continue
        pattern = parse_pattern(token, name=name)
        if pattern not in patterns:
            patterns.append(pattern)
    return Ancestors(allow_self="self" in keywords, patterns=tuple(patterns))


def parse_pattern(token: str, *, name: str = "CHATDUMP_FRAME_ANCESTORS") -> OriginPattern:
    match = _PATTERN.fullmatch(token.lower())
    if match is None:
        shown = token[:80].encode("ascii", "backslashreplace").decode()
        raise errors.ConfigError(
            f"{name}: {shown!r} is not a site. List origins like https://dashboard.example.com, "
            "https://*.example.com or http://localhost:3000, or 'self' / 'none' "
            "(no paths, no bare * or scheme-only entries)."
        )
    port_text, host = match["port"], match["host"]
    if len(host) > 253:
        raise errors.ConfigError(f"{name}: the host name {host[:60]!r}… is too long.")
    if match["wild"] is not None and _is_public_suffix(host):
        raise errors.ConfigError(
            f"{name}: {token[:80]!r} allows every site under a public suffix ({host}); "
            "name your own domain, like https://*.example.com."
        )
    port = None if port_text in (None, "*") else int(port_text)
    if port is not None and not 1 <= port <= 65535:
        raise errors.ConfigError(f"{name}: port {port} in {token[:80]!r} is out of range.")
    if port == DEFAULT_PORTS[match["scheme"]]:
        port = None  # https://x:443 and https://x are the same origin
    return OriginPattern(
        scheme=match["scheme"],
        host=host,
        port=port,
        any_subdomain=match["wild"] is not None,
        any_port=port_text == "*",
    )


# Second-level labels that registries sell under a two-letter country code (co.uk, com.au,
# ac.jp, ...): a wildcard over them is a wildcard over strangers. Not the Public Suffix List
# (core is stdlib-only): single labels and these cover the common cases, not every one.
_REGISTRY_LABELS = frozenset(
    {"ac", "co", "com", "edu", "go", "gob", "gov", "gv", "ltd", "me", "mil", "ne", "net", "nic",
     "or", "org", "plc", "sch"}
)  # fmt: skip


def _is_public_suffix(host: str) -> bool:
    """True for a wildcard base like ``com`` or ``co.uk``: one label, or registry + country code."""
    labels = host.split(".")
    if len(labels) == 1:
        return True
    return len(labels) == 2 and labels[0] in _REGISTRY_LABELS and len(labels[1]) == 2


def parse_origin(origin: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of a serialized origin such as ``MessageEvent.origin``; None if odd."""
    match = _ORIGIN.fullmatch(origin.lower()) if len(origin) <= 300 else None
    if match is None:
        return None
    port = int(match["port"]) if match["port"] else DEFAULT_PORTS[match["scheme"]]
    return match["scheme"], match["host"], port


def _same_origin(a: str, b: str) -> bool:
    parsed = parse_origin(a)
    return parsed is not None and parsed == parse_origin(b)


def ancestors_from_json(body: str) -> Ancestors:
    """Read ``embed.json`` (``{"frame_ancestors": [...]}``) as the page fetched it."""
    try:
        document = json.loads(body[: MAX_CONFIG_LENGTH + 200])
    except ValueError as exc:
        raise errors.ConfigError("embed.json is not JSON.") from exc
    sources = document.get("frame_ancestors") if isinstance(document, dict) else None
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise errors.ConfigError("embed.json needs a frame_ancestors list of strings.")
    return parse_ancestors(" ".join(sources), name="embed.json")


def embed_json(ancestors: Ancestors) -> dict[str, list[str]]:
    return {"frame_ancestors": list(ancestors.sources)}
