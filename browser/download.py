"""One session's downloads (``Download``): the signed URL, the body, the save. Browser I/O only;
every decision lives in ``chatdump.core``. Imported after the page says "ready", while it is idle
(``browser/widget.py``), or at once by a click that comes first.

How a click becomes a file:
- ``chatdump.core.flow`` decides each step (renew a stale URL, recover from a 403 or a CORS
  failure, fall back to the server's streaming route, hand a body too big for the page to the
  browser's own download); ``Download.perform`` carries them out;
- bodies arrive through XMLHttpRequest, and in Chromium the rest of a big one in byte ranges, each a
  Blob the browser fills (``browser/body.py``, ``browser/transfer.py``): Python never holds the CSV
  and does no work per chunk. Beyond this browser's Blob limit (``chatdump.core.save_plan``) the
  parts go into a file the person chose (``FileSink``), or the server's route is downloaded with a
  ticket;
- other formats are converted from the Blob chunk by chunk (``chatdump.core.formats``, the code the
  CLI uses), yielding to the page in between; the output is a new Blob built from the pieces;
- the Blob is saved through a hidden ``<a download>`` (``browser/save.py``), or through a "Save
  file" button when the click no longer counts as the user's gesture.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import js
from pyodide.ffi import JsException, to_js
from pyscript import window

from browser.body import Body
from browser.locale import Phrase, error_phrase, say
from browser.save import BlobParts, FileSink, Sink, can_pick_file, save_blob, save_url, user_active
from browser.view import View, dispatch
from chatdump.core.chat_url import ChatUrl
from chatdump.core.dump import ChatReader, Message, message_maker
from chatdump.core.errors import ChatdumpError, EndpointError
from chatdump.core.flow import (
    AskForUrl,
    Cancelled,
    Fetch,
    HandOff,
    Reply,
    Step,
    UrlReply,
    download_flow,
    drive_flow,
)
from chatdump.core.formats import Converter, output_filename
from chatdump.core.formats.transcript import transcript_line
from chatdump.core.handoff import parse_ticket_answer, ticket_path, ticket_url
from chatdump.core.link import PageParams, read_max_blob
from chatdump.core.save_gesture import needs_save_click
from chatdump.core.save_plan import (
    BrowserAbilities,
    SaveTo,
    blob_limit,
    fetch_in_parts,
    plan_save,
)
from chatdump.endpoint_client import EndpointClient

# A save, once the file is ready: now, or when the person presses "Save file".
SaveAction = Callable[[], Awaitable[None] | None]
# Conversions read the Blob this much at a time, then let the page breathe (progress, Cancel):
# parsing 64 KB in Pyodide takes tens of milliseconds, well under a "long task".
READ_CHUNK = 64 * 1024
# The preview parses only the file's start: enough for the first messages, a step per task.
PREVIEW_BYTES = 16 * 1024
PREVIEW_STEP = 2 * 1024
# The summary of a file saved as is means parsing it all in Python: skip it beyond this size.
SUMMARY_LIMIT = 32 * 1000 * 1000
PREVIEW_MESSAGES = 8


def now() -> datetime:
    return datetime.now(UTC)


def saved_phrase(key: str, filename: str, size: int) -> Phrase:
    return lambda locale: locale.text(key, filename=filename, size=locale.size(size))


class Download:
    """One session's downloads: holds the signed URL (asked for while the page is idle) and the last
    body."""

    def __init__(
        self, view: View, params: PageParams, client: EndpointClient, chat: ChatUrl | None
    ) -> None:
        self.view = view
        self.params = params
        self.client = client  # browser/endpoint.py's: urllib, as a synchronous XMLHttpRequest
        self.chat = chat  # asked for before "ready" (Widget.prefetch_url)
        self.body: Any = None
        self.controller: Any = None
        self.sink: Sink | None = None
        self.pending: tuple[SaveAction, str, int, str] | None = None
        self.saving: asyncio.Future[None] | None = None  # held so it is not collected mid-run
        self.clicked_at = 0.0
        self.format = params.format
        self.max_blob = read_max_blob(str(window.location.search), str(window.location.hash))

    def prepare(self) -> None:
        # A synchronous XHR (browser/endpoint.py): here only inside a click that found no URL.
        self.chat = self.client.chat_url(self.params.session_id)

    async def perform(self, step: Step) -> Reply:
        if isinstance(step, AskForUrl):
            self.chat = self.client.chat_url(self.params.session_id, fresh=step.fresh)
            return UrlReply(self.chat, now())
        return await self.fetch(step)

    async def fetch(self, step: Fetch) -> Reply:
        headers = {}
        if step.source == "endpoint":
            headers["Authorization"] = f"Bearer {self.params.grant}"
        name = self.chat.filename if self.chat else ""
        body = Body(
            self.view, self.controller.signal, self.plan, output_filename(name, self.format)
        )
        ranged = step.source == "storage" and fetch_in_parts(str(js.navigator.userAgent))
        try:
            return await body.run(step.url, headers, ranged=ranged)
        finally:
            self.sink = body.sink

    def plan(self, size: int | None, in_parts: bool) -> SaveTo:
        """Where a body of ``size`` bytes can go in this browser (``chatdump.core.save_plan``)."""
        abilities = BrowserAbilities(
            blob_limit(str(js.navigator.userAgent), self.max_blob), can_pick_file()
        )
        return plan_save(size, convert=self.format != "csv", in_parts=in_parts, browser=abilities)

    async def run(self) -> None:
        self.controller = js.AbortController.new()
        self.sink = None
        self.view.show("working", say("status.downloading"))
        try:
            outcome = await drive_flow(
                download_flow(self.params.session_id, self.chat, now()), self.perform
            )
        except BaseException:
            await self.drop()
            raise
        # Each step below is its own task: run back to back, the end of a download (the flow,
        # the save, the preview) made the page's longest task (bench/bench_bigdump.py).
        await asyncio.sleep(0)
        if isinstance(outcome, Cancelled):
            await self.drop()
            self.view.show("ready", say("status.cancelled"))
        elif isinstance(outcome, HandOff):
            name, size = outcome.filename, outcome.size
            self.offer(lambda: self.hand_off(name, size), name, size, "status.handed_off")
        elif isinstance(self.sink, FileSink):
            await self.finish_file(self.sink, outcome.filename)
        else:
            await self.finish_blob(outcome.filename)

    async def drop(self) -> None:
        """Nothing of a failed or cancelled download stays: parts freed, a chosen file removed."""
        if self.sink is not None:
            await self.sink.abort()
            self.sink = None

    async def finish_file(self, sink: FileSink, filename: str) -> None:
        saved = await sink.close()  # the flow found it whole: only now does the file appear
        dispatch("chatdump:saved", {"bytes": sink.size, "filename": str(saved.name)})
        self.view.show("done", saved_phrase("status.saved", str(saved.name), sink.size))
        await asyncio.sleep(0)
        await self.summarise(saved, None)

    async def finish_blob(self, filename: str) -> None:
        assert isinstance(self.sink, BlobParts)
        self.body = self.sink.blob("text/csv")
        blob, reader = self.body, None
        if self.format != "csv":
            name = f"format_name.{self.format}"
            self.view.show(
                "working", lambda loc: loc.text("status.converting", format=loc.text(name))
            )
            converter = Converter(self.format)
            blob = await self.convert(blob, converter)
            if blob is None:
                self.view.show("ready", say("status.cancelled"))
                return
            reader = converter.reader
        name = output_filename(filename, self.format)
        self.offer(lambda: self.save(blob, name), name, int(blob.size), "status.saved")
        await asyncio.sleep(0)
        await self.summarise(self.body, reader)

    async def convert(self, source: Any, converter: Converter) -> Any:
        """The converted Blob, or None when cancelled. Python holds one chunk at a time."""
        parts, total = js.Array.new(), int(source.size)
        for start in range(0, total, READ_CHUNK):
            if self.controller.signal.aborted:
                return None
            buffer = await source.slice(start, start + READ_CHUNK).arrayBuffer()
            piece = converter.feed(buffer.to_bytes())
            if piece:
                parts.push(piece)
            self.view.progress(min(start + READ_CHUNK, total), total)
            await asyncio.sleep(0)  # a macrotask: the page paints and Cancel can be clicked
        parts.push(converter.close())
        options = to_js({"type": converter.format.media_type}, dict_converter=js.Object.fromEntries)
        return js.Blob.new(parts, options)

    async def summarise(self, source: Any, reader: ChatReader | None) -> None:
        """The one-line summary and the first messages, from the converter's reader or a new read."""
        try:
            messages = await self.first_messages(source)
        except ChatdumpError:
            messages = []  # not a readable dump, or a first record longer than the preview reads
        text = "".join(transcript_line(message) for message in messages)
        size = int(source.size)
        if reader is None and size > SUMMARY_LIMIT:
            self.view.show_summary(
                lambda loc: loc.text("summary.too_big", size=loc.size(size)), text
            )
            return
        if reader is None:
            self.view.show_summary(say("summary.summarising"), text)
            try:
                reader = await self.read_all(source)
            except ChatdumpError:
                self.view.show_summary(say("summary.unreadable"), "")
                return
        summary = reader.summary
        self.view.show_summary(lambda loc: loc.summary(summary), text)

    async def first_messages(self, source: Any) -> list[Message]:
        """The first messages (``chatdump.core.dump.preview``, a few KB per task): parsed in one go,
        the preview was the page's longest task after a save (50-110 ms on a busy machine,
        bench/bench_bigdump.py)."""
        reader, rows, size = ChatReader(), [], int(source.size)
        end = min(size, PREVIEW_BYTES)
        for start in range(0, end, PREVIEW_STEP):
            buffer = await source.slice(start, min(start + PREVIEW_STEP, end)).arrayBuffer()
            rows += reader.feed(buffer.to_bytes())
            if len(rows) >= PREVIEW_MESSAGES:
                break
            await asyncio.sleep(0)  # a macrotask: the page paints in between
        else:
            if end == size:
                rows += reader.close()
        message = message_maker(reader.index)
        return [message(row) for row in rows[:PREVIEW_MESSAGES]]

    async def read_all(self, source: Any) -> ChatReader:
        reader, total = ChatReader(), int(source.size)
        for start in range(0, total, READ_CHUNK):
            buffer = await source.slice(start, start + READ_CHUNK).arrayBuffer()
            reader.feed(buffer.to_bytes())
            await asyncio.sleep(0)
        reader.close()
        return reader

    def offer(self, save: SaveAction, filename: str, size: int, done_key: str) -> None:
        """Save now, or through "Save file" when the click no longer counts as a gesture."""
        elapsed = js.performance.now() - self.clicked_at
        if needs_save_click(user_active(), elapsed):
            self.pending = (save, filename, size, done_key)
            self.view.show("save", saved_phrase("status.save_ready", filename, size))
            return
        self.start_save(save, filename, size, done_key)

    def start_save(self, save: SaveAction, filename: str, size: int, done_key: str) -> None:
        self.view.show("done", saved_phrase(done_key, filename, size))
        result = save()
        if asyncio.iscoroutine(result):
            self.saving = asyncio.ensure_future(self.report(result))

    async def report(self, saving: Any) -> None:
        try:
            await saving
        except ChatdumpError as exc:
            self.view.show("error", error_phrase(exc.code, exc.message), exc.code)

    def save(self, blob: Any, filename: str) -> None:
        save_blob(blob, filename)

    async def hand_off(self, filename: str, size: int) -> None:
        """The browser's own download of the server's route, with a ticket asked for now (it
        lives a minute: never ahead of the save)."""
        session = self.params.session_id
        init = {"method": "POST", "headers": {"Authorization": f"Bearer {self.params.grant}"}}
        try:
            answer = await js.fetch(
                ticket_path(session), to_js(init, dict_converter=js.Object.fromEntries)
            )
            status, text = int(answer.status), str(await answer.text())
        except JsException as exc:
            raise EndpointError(
                "The chatdump server could not be reached; nothing was saved.", code="network_error"
            ) from exc
        ticket = parse_ticket_answer(status, text.encode("utf-8", "replace"))
        save_url(ticket_url(session, ticket), filename, size)

    def save_pending(self) -> None:
        if self.pending is None:
            return
        (save, filename, size, done_key), self.pending = self.pending, None
        self.start_save(save, filename, size, done_key)

    def cancel(self) -> None:
        if self.controller is not None:
            self.controller.abort()
