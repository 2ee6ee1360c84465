"""Embedding's messages: the events the widget posts to the host page, the commands it obeys, and
what to say when the frame's sandbox blocks downloads.

Who may frame the widget and command it is ``chatdump.core.origins``; this module only says where
an event may go (``event_targets``) given that list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import unquote_plus

from chatdump.core import errors, messages
from chatdump.core.formats import FORMATS
from chatdump.core.link import is_grant_shaped
from chatdump.core.origins import Ancestors
from chatdump.core.session_ids import check_session_id

# Commands are small JSON objects; anything larger is not one of ours.
MAX_COMMAND_LENGTH = 8192
THEMES = ("auto", "light", "dark")
SANDBOX_FLAGS = ("allow-scripts", "allow-same-origin", "allow-downloads")
POPUP_FLAGS = ("allow-popups", "allow-popups-to-escape-sandbox")


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
    kind: str  # set-grant | set-format | set-theme | set-lang | set-sandbox | download
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
        return Command(kind, value=_choice(data, "format", tuple(FORMATS)))
    if kind == "set-theme":
        return Command(kind, value=_choice(data, "theme", THEMES))
    if kind == "set-lang":
        return Command(kind, value=_choice(data, "lang", tuple(messages.LANGUAGES)))
    if kind == "set-sandbox":
        return Command(kind, flags=sandbox_flags(_text(data, "sandbox", 500)))
    if kind == "download":
        return Command(kind)
    raise _bad(
        f"Unknown command type {str(kind)[:40]!r}: use set-grant, set-format, set-theme, "
        "set-lang, set-sandbox or download."
    )


def _grant_command(data: dict[str, object]) -> Command:
    session = _text(data, "session", 200)
    grant = _text(data, "grant", 4096)
    try:
        check_session_id(session)
    except errors.InvalidSessionId as exc:
        raise _bad(f"set-grant: {exc.message}") from exc
    if not is_grant_shaped(grant):
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


def sandbox_message(missing: tuple[str, ...], *, fallback: bool, lang: str = "en") -> str:
    """What to tell the person (and the host page's developer) when the frame blocks downloads."""
    needed = " ".join(SANDBOX_FLAGS)
    text = messages.text(lang, "embed.sandbox_blocks", missing=" ".join(missing), needed=needed)
    return text + (" " + messages.text(lang, "embed.sandbox_fallback") if fallback else "")


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
    sandboxed: bool, declared: frozenset[str] | None, lang: str = "en"
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
    return (
        "sandbox_blocks_downloads",
        sandbox_message(missing, fallback=fallback, lang=lang),
        fallback,
    )


def after_save_hint(sandboxed: bool, declared: frozenset[str] | None, lang: str = "en") -> str:
    if not sandboxed or declared is not None:
        return ""
    return messages.text(lang, "embed.after_save", needed=" ".join(SANDBOX_FLAGS))
