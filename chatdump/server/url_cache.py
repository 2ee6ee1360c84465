"""Signed URLs cached per session until shortly before they expire, each fetched by ONE upstream call.

Single flight: the first request for a session that is not cached starts the upstream call (the
"flight"); every request for that session arriving meanwhile waits for the same flight and shares
its answer or its error. The flight's own bounds (the provider's deadline) bound the waits too.
``fresh=True`` skips the cached answer (the caller rate-limits that) but still joins a flight.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Generic, Protocol, TypeVar

import anyio

from chatdump.core import errors

# Serve a cached URL only while it has at least this long left (or half its life, if shorter),
# so that a download started with it does not race its expiry.
REFRESH_MARGIN = timedelta(minutes=5)
MAX_ENTRIES = 4096
# A flight cut short (its leader's client went away) hands over to a waiter; this many times.
MAX_HANDOVERS = 3


class Expiring(Protocol):
    @property
    def expires_at(self) -> datetime: ...


V = TypeVar("V", bound=Expiring)


def refresh_at(received_at: datetime, expires_at: datetime) -> datetime:
    """When a URL received at ``received_at`` stops being served from the cache."""
    lifetime = max(expires_at - received_at, timedelta(0))
    return expires_at - min(REFRESH_MARGIN, lifetime / 2)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Flight(Generic[V]):
    done: anyio.Event = field(default_factory=anyio.Event)
    value: V | None = None
    error: errors.ChatdumpError | None = None


class UrlCache(Generic[V]):
    def __init__(
        self,
        load: Callable[[str], Awaitable[V]],
        *,
        clock: Callable[[], datetime] = _utcnow,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self._load = load
        self._clock = clock
        self._max_entries = max_entries
        self._entries: OrderedDict[str, tuple[V, datetime]] = OrderedDict()
        self._flights: dict[str, _Flight[V]] = {}

    async def get(self, key: str, *, fresh: bool = False) -> V:
        if not fresh:
            cached = self.cached(key)
            if cached is not None:
                return cached
        for _ in range(MAX_HANDOVERS):
            flight = self._flights.get(key)
            if flight is None:
                return await self._lead(key)
            await flight.done.wait()
            if flight.error is not None:
                raise flight.error
            if flight.value is not None:
                return flight.value
            # The leader was cancelled before it had an answer: someone else leads next.
        raise errors.UpstreamUnavailable(
            "The chat upstream call was interrupted; try again.", code="upstream_interrupted"
        )

    def cached(self, key: str) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, until = entry
        if self._clock() >= until:
            del self._entries[key]
            return None
        return value

    def forget(self, key: str, value: V) -> None:
        """Drop ``value`` (e.g. storage refused it) unless a newer answer replaced it already."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] is value:
            del self._entries[key]

    async def _lead(self, key: str) -> V:
        flight: _Flight[V] = _Flight()
        self._flights[key] = flight
        received_at = self._clock()
        try:
            value = await self._load(key)
            flight.value = value
            self._store(key, value, refresh_at(received_at, value.expires_at))
            return value
        except errors.ChatdumpError as exc:
            flight.error = exc
            raise
        finally:
            del self._flights[key]
            flight.done.set()

    def put(self, key: str, value: V, until: datetime) -> None:
        """Remember ``value`` until ``until`` (an answer that came from elsewhere, e.g. Redis)."""
        self._store(key, value, until)

    def _store(self, key: str, value: V, until: datetime) -> None:
        self._entries[key] = (value, until)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
