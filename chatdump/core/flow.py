"""The widget's download as a sans-IO flow: what to do next, decided without doing any of it.

Shaped like httpx's ``Auth.auth_flow``: ``download_flow`` is a generator that *yields* a step
(``AskForUrl``, ``Fetch``) and is *sent* what happened (``UrlReply``, ``Answer``, ``Failed``); it
*returns* the outcome (``Save`` or ``Cancelled``) or raises a ``ChatdumpError`` whose message is
shown to the person. The browser shell (``browser/``) drives it with XMLHttpRequest; tests drive it
with plain values or httpx. The body never passes through here, only its length.

The recovery ladder, each rung at most once, so the user clicks once and the flow always ends:

1. use the URL fetched at start-up, unless it is past or close to ``expires_at`` (then ask again);
2. on 403 from storage or a network/CORS failure, ask the endpoint for a fresh URL (``?fresh=1``,
   bypassing its cache) and fetch again;
3. if that fails the same way, fetch the endpoint's streaming route ``/api/sessions/{id}/chat.csv``.

A body that breaks off after the headers (a stream error, or fewer bytes than Content-Length) is
*not* retried behind the user's back: it is an error, nothing is saved, and Retry is offered.
(Chromium sometimes reports a short body before it reports the headers, as a plain network error:
then it climbs the ladder like one. Either way no short file is ever saved.)

A body too big for a Blob in this browser (``chatdump.core.save_plan``, judged by the shell as soon
as the size is known) ends the flow at once: handed to the browser's own download of the server's
streaming route (``HandOff``), or refused with a plain message when it cannot be saved here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import quote

from chatdump.core import errors
from chatdump.core.chat_url import ChatUrl, endpoint_error
from chatdump.core.progress import human_size
from chatdump.core.session_ids import check_session_id
from chatdump.core.storage import check_complete, storage_error

Source = Literal["storage", "endpoint"]
# network: no answer at all (refused, DNS, CORS); stream: the body broke off after the headers.
FailureKind = Literal["network", "stream", "aborted"]


@dataclass(frozen=True)
class AskForUrl:
    """Ask the token endpoint for a signed URL; ``fresh`` bypasses its cache."""

    fresh: bool


@dataclass(frozen=True)
class Fetch:
    """GET ``url`` into a Blob; ``endpoint`` URLs are chatdump's own and need the grant."""

    url: str
    source: Source


@dataclass(frozen=True)
class UrlReply:
    chat: ChatUrl
    now: datetime


@dataclass(frozen=True)
class Answer:
    """An HTTP answer whose body arrived whole as far as the browser knows.

    ``body`` is only filled for error answers (small, to read the message); never for the CSV.
    """

    status: int
    content_length: str | None
    received: int
    body: bytes = b""


@dataclass(frozen=True)
class Failed:
    kind: FailureKind


@dataclass(frozen=True)
class Oversized:
    """The body is ``size`` bytes, too big for a Blob here; ``to`` says what can be done instead
    (``chatdump.core.save_plan``). Nothing more of it was read."""

    size: int
    to: Literal["browser", "nowhere"]


@dataclass(frozen=True)
class Save:
    filename: str
    size: int
    source: Source


@dataclass(frozen=True)
class HandOff:
    """Let the browser download the server's streaming route itself: a native download to disk."""

    filename: str
    size: int


@dataclass(frozen=True)
class Cancelled:
    pass


Step = AskForUrl | Fetch
Reply = UrlReply | Answer | Failed | Oversized
Outcome = Save | HandOff | Cancelled
Flow = Generator[Step, Reply, Outcome]


class _Recoverable(Exception):
    """Storage refused the URL or could not be reached: worth another rung of the ladder."""


def stream_path(session_id: str) -> str:
    """Relative to the page, so it stays under a reverse proxy's path prefix."""
    return f"./api/sessions/{quote(check_session_id(session_id), safe='')}/chat.csv"


def download_flow(session_id: str, prefetched: ChatUrl | None, now: datetime) -> Flow:
    """One click's download. ``prefetched`` is the URL asked for while the page started."""
    chat, fresh_asked = prefetched, False
    if chat is None or chat.is_stale(now):
        chat, reply_now = yield from _ask(fresh=False)
        if chat.is_stale(reply_now):
            # Still stale straight from the endpoint: its cache or our clock is off. Bypass the
            # cache once; if it still looks stale, let storage judge (the clock may be skewed).
            chat, _ = yield from _ask(fresh=True)
            fresh_asked = True
    try:
        return (yield from _fetch(chat.url, "storage", chat.filename))
    except _Recoverable:
        pass
    if not fresh_asked:
        chat, _ = yield from _ask(fresh=True)
        try:
            return (yield from _fetch(chat.url, "storage", chat.filename))
        except _Recoverable:
            pass
    return (yield from _fetch(stream_path(session_id), "endpoint", chat.filename))


def _ask(*, fresh: bool) -> Generator[Step, Reply, tuple[ChatUrl, datetime]]:
    reply = yield AskForUrl(fresh=fresh)
    if not isinstance(reply, UrlReply):
        raise TypeError(f"AskForUrl expects a UrlReply, not {type(reply).__name__}")
    return reply.chat, reply.now


def _fetch(url: str, source: Source, filename: str) -> Generator[Step, Reply, Outcome]:
    reply = yield Fetch(url, source)
    if isinstance(reply, Failed):
        return _failure(reply.kind, source)
    if isinstance(reply, Oversized):
        return _oversized(reply, filename)
    if not isinstance(reply, Answer):
        raise TypeError(f"Fetch expects an Answer, Failed or Oversized, not {type(reply).__name__}")
    if source == "endpoint" and reply.status != 200:
        raise endpoint_error(reply.status, reply.body)  # its own words: expired grant, upstream…
    if reply.status in (0, 403):
        raise _Recoverable()
    if reply.status != 200:
        raise storage_error(reply.status)
    check_complete(reply.content_length, reply.received)
    return Save(filename, reply.received, source)


def _oversized(reply: Oversized, filename: str) -> HandOff:
    if reply.to == "browser":
        return HandOff(filename, reply.size)
    raise errors.ChatdumpError(
        f"This chat is {human_size(reply.size)}, too large to convert in this browser; nothing"
        " was saved. Choose CSV (as stored), or convert it with the chatdump command line.",
        code="too_large",
    )


def _failure(kind: FailureKind, source: Source) -> Cancelled:
    if kind == "aborted":
        return Cancelled()
    if kind == "stream":
        raise errors.UpstreamError(
            "The download was interrupted before the whole file arrived; nothing was saved.",
            code="interrupted",
        )
    if source == "endpoint":
        raise errors.EndpointError(
            "Storage could not be reached, nor the chatdump server's own route; nothing was"
            " saved. Check the connection and try again.",
            code="network_error",
        )
    raise _Recoverable()


def run_flow(flow: Flow, perform: Callable[[Step], Reply]) -> Outcome:
    """Drive ``flow`` with a synchronous ``perform(step) -> reply`` (tests, CPython tools)."""
    try:
        step = next(flow)
        while True:
            step = flow.send(perform(step))
    except StopIteration as stop:
        outcome: Outcome = stop.value
        return outcome


async def drive_flow(flow: Flow, perform: Callable[[Step], Awaitable[Reply]]) -> Outcome:
    """Drive ``flow`` with an async ``perform`` (the browser's XMLHttpRequest, httpx)."""
    try:
        step = next(flow)
        while True:
            step = flow.send(await perform(step))
    except StopIteration as stop:
        outcome: Outcome = stop.value
        return outcome
