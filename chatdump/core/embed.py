"""Embedding: which sites may frame the widget and talk to it, and the messages they exchange.

One list, ``CHATDUMP_FRAME_ANCESTORS``, decides both: the server puts it into the page's CSP
``frame-ancestors`` (the browser then refuses other framers), and the widget reads the same list
(``embed.json``) to decide whose ``postMessage`` commands it obeys and where it posts its events.
The list is parsed here, the same way on the server and in the browser, as hostile input: only
``'self'``, ``'none'`` and plain origins (``https://app.example.com``, ``https://*.example.com``,
``http://localhost:*``) are accepted, so nothing can smuggle another CSP directive or a ``*``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import unquote_plus

from chatdump.core import errors
from chatdump.core.session_ids import check_session_id

SELF, NONE = "'self'", "'none'"
MAX_SOURCES = 32
MAX_CONFIG_LENGTH = 4000
# Commands are small JSON objects; anything larger is not one of ours.
MAX_COMMAND_LENGTH = 8192
DEFAULT_PORTS = {"http": 80, "https": 443}
FORMATS = ("csv", "excel", "jsonl", "txt")
THEMES = ("auto", "light", "dark")
SANDBOX_FLAGS = ("allow-scripts", "allow-same-origin", "allow-downloads")
POPUP_FLAGS = ("allow-popups", "allow-popups-to-escape-sandbox")
# Same shape as the page link's grant (chatdump.core.page): URL-safe characters, bounded.
_GRANT = re.compile(r"[A-Za-z0-9._~-]{1,2048}")
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


def event_targets(
    parent_origin: str | None, ancestors: Ancestors, own_origin: str
) -> tuple[str, ...]:
    """Where to ``postMessage`` an event: never ``"*"``.

    The parent's origin when it is known (``location.ancestorOrigins``, or the origin of a command
    it sent) and allowed; otherwise every exact allowed origin — the browser delivers a message
    only when its target origin is the parent's, so the others are dropped unseen.
    """
    if parent_origin is not None:
        return (parent_origin,) if ancestors.allows(parent_origin, own_origin) else ()
    return ancestors.exact_origins(own_origin)


# Events (widget -> host page). Plain dicts, ready for ``to_js``.


def event(kind: str, **fields: object) -> dict[str, object]:
    return {"source": "chatdump", "type": kind, **fields}


def ready_event(*, has_grant: bool) -> dict[str, object]:
    return event("ready", has_grant=has_grant)


def progress_event(received: int, total: int | None) -> dict[str, object]:
    return event("progress", received=received, total=total)


def done_event(size: int, filename: str) -> dict[str, object]:
    return event("done", bytes=size, filename=filename)


def error_event(code: str, message: str) -> dict[str, object]:
    return event("error", code=code, message=message)


def resize_event(height: float) -> dict[str, object]:
    return event("resize", height=max(0, min(round(height), 100_000)))


# Commands (host page -> widget).


@dataclass(frozen=True)
class Command:
    kind: str  # set-grant | set-format | set-theme | set-sandbox | download
    session_id: str = ""
    grant: str = ""
    value: str = ""
    flags: frozenset[str] = field(default_factory=frozenset)

    def __repr__(self) -> str:  # the grant is a credential: keep it out of logs
        return f"Command({self.kind!r}, session_id={self.session_id!r}, value={self.value!r})"


def read_command(text: str) -> Command | None:
    """A message from the host page, as JSON text. None: not addressed to chatdump (ignore it).

    A message addressed to chatdump (``"target": "chatdump"``) that is malformed raises BadRequest,
    so the host gets an ``error`` event telling it what is wrong.
    """
    if len(text) > MAX_COMMAND_LENGTH:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("target") != "chatdump":
        return None
    kind = data.get("type")
    if kind == "set-grant":
        return _grant_command(data)
    if kind == "set-format":
        return Command(kind, value=_choice(data, "format", FORMATS))
    if kind == "set-theme":
        return Command(kind, value=_choice(data, "theme", THEMES))
    if kind == "set-sandbox":
        return Command(kind, flags=sandbox_flags(_text(data, "sandbox", 500)))
    if kind == "download":
        return Command(kind)
    raise _bad(
        f"Unknown command type {str(kind)[:40]!r}: use set-grant, set-format, set-theme, "
        "set-sandbox or download."
    )


def _grant_command(data: dict[str, object]) -> Command:
    session = _text(data, "session", 200)
    grant = _text(data, "grant", 4096)
    try:
        check_session_id(session)
    except errors.InvalidSessionId as exc:
        raise _bad(f"set-grant: {exc.message}") from exc
    if not _GRANT.fullmatch(grant):
        raise _bad("set-grant: the grant is missing or malformed.")
    return Command("set-grant", session_id=session, grant=grant)


def _text(data: dict[str, object], key: str, limit: int) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or len(value) > limit:
        raise _bad(f"{data.get('type')}: {key!r} must be a string of at most {limit} characters.")
    return value.strip()


def _choice(data: dict[str, object], key: str, allowed: tuple[str, ...]) -> str:
    value = data.get(key)
    if value not in allowed:
        raise _bad(f"{data.get('type')}: {key!r} must be one of {', '.join(allowed)}.")
    return str(value)


def _bad(message: str) -> errors.BadRequest:
    return errors.BadRequest(message, code="bad_command")


# What the widget can do in its frame.


def sandbox_flags(text: str) -> frozenset[str]:
    return frozenset(token.lower() for token in text.split() if token.startswith("allow-"))


def missing_flags(flags: frozenset[str]) -> tuple[str, ...]:
    """The recommended sandbox flags a sandboxed frame lacks (the host page declared ``flags``)."""
    return tuple(flag for flag in SANDBOX_FLAGS if flag not in flags)


def can_open_fallback(flags: frozenset[str]) -> bool:
    """A new tab escapes the frame's download block only when the sandbox lets popups escape it."""
    return all(flag in flags for flag in POPUP_FLAGS)


def sandbox_message(missing: tuple[str, ...], *, fallback: bool) -> str:
    """What to tell the person (and the host page's developer) when the frame blocks downloads."""
    needed = " ".join(SANDBOX_FLAGS)
    text = (
        f"This page's frame blocks downloads: the page embedding chatdump must add "
        f'{" ".join(missing)} to the iframe\'s sandbox attribute (sandbox="{needed}").'
    )
    return text + (" Meanwhile, open the download in a new tab." if fallback else "")


@dataclass(frozen=True)
class EmbedParams:
    """What the iframe's link says about embedding (the fragment wins over the query)."""

    layout: str = "page"  # "embed": compact, transparent background
    sandbox: frozenset[str] | None = None  # the iframe's sandbox flags, when the host declares them


def read_embed_params(query: str, fragment: str) -> EmbedParams:
    values: dict[str, str] = {}
    for text in (query, fragment):
        for part in text.lstrip("?#").split("&")[:40]:
            key, _, value = part.partition("=")
            values[key] = unquote_plus(value)[:500]
    layout = "embed" if values.get("layout") == "embed" else "page"
    sandbox = values.get("sandbox")
    return EmbedParams(layout, None if sandbox is None else sandbox_flags(sandbox))


def download_advice(
    sandboxed: bool, declared: frozenset[str] | None
) -> tuple[str, str, bool] | None:
    """``(code, message, fallback)`` when the frame will block the download, else None.

    Browsers expose no list of a frame's sandbox flags: ``sandboxed`` is observed (setting
    ``document.domain`` throws in any sandboxed document), the flags themselves only the host knows.
    Sandboxed with undeclared flags: the download is tried, and ``after_save_hint`` tells the
    person what to do if nothing arrived.
    """
    if not sandboxed or declared is None:
        return None
    missing = missing_flags(declared)
    if "allow-downloads" not in missing:
        return None
    fallback = can_open_fallback(declared)
    return "sandbox_blocks_downloads", sandbox_message(missing, fallback=fallback), fallback


def after_save_hint(sandboxed: bool, declared: frozenset[str] | None) -> str:
    if not sandboxed or declared is not None:
        return ""
    return (
        "No file? This frame is sandboxed: the page embedding chatdump must allow downloads "
        '(sandbox="allow-scripts allow-same-origin allow-downloads").'
    )
