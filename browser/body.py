"""One download's body, from storage or the server's route, into where ``chatdump.core.save_plan``
says it goes. Browser I/O only; the decisions are ``chatdump.core.ranges`` and ``save_plan``.

How:
- the first request is an XMLHttpRequest (``browser/transfer.py``): the browser fills a Blob and
  reports byte progress, so a small dump (nearly all of them) is one request with a moving bar.
  Where parts pay (``chatdump.core.save_plan.fetch_in_parts``: Chromium) it asks storage for the
  first part's byte range; elsewhere it is the whole download;
- its headers say how big the body is, and ``plan`` decides at once, within the click's
  activation: a Blob, a file through the File System Access writer (the picker opens now), or —
  too big for this page — stop here and hand the download to the browser (``Oversized``);
- storage that answers ranges gets the rest as ``fetch`` parts, each a Blob the browser fills
  (faster than XHR in Chromium, slower in Firefox: bench/bench_bigdump.py, bench/blob_limits.py),
  with progress after each;
- each part goes to a sink (``browser/save.py``): ``BlobParts`` joins them by reference,
  ``FileSink`` writes them to the chosen file and lets each go.

Python holds no body bytes and does no work per network chunk, only per part (about one a second).
"""

from collections.abc import Callable
from typing import Any

import js
from pyodide.ffi import JsException, create_proxy, to_js
from pyscript import window

from browser.save import BlobParts, FileSink, Sink, discard_pick, pick_file
from browser.transfer import STALL_MS, Transfer
from browser.view import View, text_or_none
from chatdump.core import errors
from chatdump.core.flow import Answer, Failed, Oversized, Reply
from chatdump.core.ranges import Kind, PartAnswer, Ranges
from chatdump.core.save_plan import SaveTo

# Error answers are read to show their message; never more than this.
ERROR_BODY_LIMIT = 16 * 1024
Plan = Callable[[int | None, bool], SaveTo]
HEADERS = ("Content-Range", "Content-Length", "ETag", "Last-Modified")  # PartAnswer's order


def length_of(text: str | None) -> int | None:
    return int(text) if text is not None and text.strip().isdigit() else None


def part_answer(status: int, header: Callable[[str], Any]) -> PartAnswer:
    """What the page can read of an answer (``header``: XHR's getResponseHeader, Headers.get)."""
    read = {name: text_or_none(header(name)) for name in HEADERS}
    return PartAnswer(status, *read.values())


class Body:
    """One request's body into a sink; ``run`` answers the download flow's ``Fetch``."""

    def __init__(self, view: View, signal: Any, plan: Plan, filename: str) -> None:
        self.view, self.signal, self.plan, self.filename = view, signal, plan, filename
        self.sink: Sink | None = None
        self.error_body = b""
        self.oversized: Oversized | None = None
        self.picking: Any = None  # the file picker's promise, opened inside the activation
        self.failure: errors.ChatdumpError | None = None

    async def run(self, url: str, headers: dict[str, str], *, ranged: bool) -> Reply:
        ranges = Ranges() if ranged else None
        if ranges is not None:
            headers = {**headers, "Range": ranges.header()}
        kinds: list[Kind] = []
        transfer = Transfer(self.view, self.signal)
        transfer.on_headers = lambda xhr: self.judge(xhr, ranges, kinds, transfer)
        started = js.performance.now()
        ended, xhr = await transfer.run(url, headers)
        if self.failure is not None:
            raise self.failure
        if self.oversized is not None:
            return self.oversized
        if kinds == ["unranged"]:  # stopped at its headers: ask for the whole body instead
            plain = {k: v for k, v in headers.items() if k != "Range"}
            return await self.run(url, plain, ranged=False)
        if ended != "load":
            if self.picking is not None:
                discard_pick(self.picking)  # the file it may create is no use now
            if ended == "abort":
                return Failed("stream" if transfer.stalled else "aborted")
            return Failed("stream" if transfer.headers_seen else "network")
        if ranges is None or kinds != ["part"]:
            return await self.whole(xhr)
        ranges.arrived(int(xhr.response.size), (js.performance.now() - started) / 1000)
        try:
            self.sink = await self.open_sink()
        except JsException as exc:
            # The person closed the picker: cancelled. Refused (a cross-origin frame, the
            # gesture gone): the browser's own download instead.
            if getattr(exc, "name", "") == "AbortError":
                return Failed("aborted")
            return Oversized(ranges.total or 0, "browser")
        await self.sink.add(xhr.response)
        return await self.rest(url, ranges)

    def judge(self, xhr: Any, ranges: Ranges | None, kinds: list[Kind], transfer: Transfer) -> None:
        """At the first answer's headers: what it is, and where a body that big may go."""
        answer = part_answer(int(xhr.status), xhr.getResponseHeader)
        try:
            kind = (
                ranges.answer(answer) if ranges else ("whole" if answer.status == 200 else "failed")
            )
        except errors.ChatdumpError as exc:
            self.failure = exc
            transfer.stop()
            return
        kinds.append(kind)
        if kind == "unranged":
            transfer.stop()
        elif kind in ("part", "whole"):
            size = ranges.total if ranges and kind == "part" else length_of(answer.content_length)
            transfer.total = size  # the progress of the whole, not of the first part
            self.place(size, kind == "part", transfer)

    def place(self, size: int | None, in_parts: bool, transfer: Transfer) -> None:
        """Where a body of ``size`` bytes goes: on (a Blob), a file (the picker opens now), or
        nowhere in this page (stop here: the flow hands it off or says why)."""
        to = self.plan(size, in_parts)
        if to in ("browser", "nowhere"):
            self.oversized = Oversized(size or 0, to)  # type: ignore[arg-type]
            transfer.stop()
        elif to == "file":
            # Now, while the click still counts as the person's gesture: the picker needs it.
            try:
                self.picking = pick_file(self.filename)
            except JsException:  # refused at once: the browser's own download instead
                self.oversized = Oversized(size or 0, "browser")
                transfer.stop()

    async def whole(self, xhr: Any) -> Reply:
        """The first answer was the whole body (or an error): as the download flow reads it."""
        blob, status = xhr.response, int(xhr.status)
        if status != 200:
            text = await blob.slice(0, ERROR_BODY_LIMIT).text()
            self.error_body = str(text).encode("utf-8", "replace")
        else:
            self.sink = BlobParts()
            await self.sink.add(blob)
        length = text_or_none(xhr.getResponseHeader("Content-Length"))
        return Answer(status, length, int(blob.size), self.error_body)

    async def open_sink(self) -> Sink:
        if self.picking is None:
            return BlobParts()
        return await FileSink.open(self.picking)

    async def rest(self, url: str, ranges: Ranges) -> Reply:
        """The parts after the first, each a fetch into a Blob, until the body is whole."""
        self.view.progress(ranges.received, ranges.total)
        while not ranges.complete:
            started = js.performance.now()
            part = Part(self.signal)
            try:
                blob = await part.get(url, ranges)
            except JsException:
                return Failed("aborted" if self.signal.aborted else "stream")
            ranges.arrived(int(blob.size), (js.performance.now() - started) / 1000)
            assert self.sink is not None
            await self.sink.add(blob)
            self.view.progress(ranges.received, ranges.total)
        return Answer(200, str(ranges.total), ranges.received)


class Part:
    """One ``fetch`` of a byte range into a Blob: abortable with the download, bounded in time."""

    def __init__(self, signal: Any) -> None:
        self.signal = signal
        self.controller = js.AbortController.new()

    async def get(self, url: str, ranges: Ranges) -> Any:
        abort = create_proxy(lambda *_args: self.controller.abort())
        self.signal.addEventListener("abort", abort)
        timer = window.setTimeout(abort, STALL_MS)  # a stalled part: the download is given up
        try:
            init = {
                "headers": {"Range": ranges.header()},
                "signal": self.controller.signal,
                "cache": "no-store",  # a part of a signed URL is nothing to keep
            }
            response = await js.fetch(url, to_js(init, dict_converter=js.Object.fromEntries))
            ranges.answer(part_answer(int(response.status), response.headers.get))
            return await response.blob()
        except errors.ChatdumpError:
            self.controller.abort()  # not the bytes asked for: read none of them
            raise
        finally:
            window.clearTimeout(timer)
            self.signal.removeEventListener("abort", abort)
            abort.destroy()
