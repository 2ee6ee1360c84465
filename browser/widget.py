"""The widget: one session's downloads (``Download``) and the page's events (``Widget``). Browser
I/O only; every decision lives in ``chatdump.core``.

How a click becomes a file:
- the page says "ready" without the download code: the flow, urllib (the endpoint client) and the
  conversion code are imported afterwards, one stage per idle moment (``load_download_code``), and
  the signed URL is asked for then (a short synchronous XHR through pyodide-http), so the click
  goes straight to storage. A click that comes first imports what is missing at once;
- ``chatdump.core.flow`` decides each step (renew a stale URL, recover from a 403 or a CORS
  failure, fall back to the server's streaming route); ``Download.perform`` carries them out;
- bodies arrive through XMLHttpRequest with ``responseType = "blob"`` (``browser/transfer.py``): the
  browser fills the Blob and reports progress itself, so Python never holds the CSV and does no
  work per chunk;
- other formats are converted from the Blob chunk by chunk (``chatdump.core.formats``, the code the
  CLI uses), yielding to the page in between; the output is a new Blob built from the pieces;
- the Blob is saved through a hidden ``<a download>`` (``browser/save.py``), or through a "Save
  file" button when the click no longer counts as the user's gesture.

Hooks for embedding (``embedding.py``): every state change goes through ``View.show`` and every
progress report through ``View.progress`` (``browser/view.py``); they dispatch ``chatdump:state`` /
``chatdump:progress`` DOM events, and a save dispatches ``chatdump:saved``. The host page may pass
the grant and start the download through ``Widget.use_grant`` / ``Widget.start_download``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import js
from pyodide.ffi import create_proxy, to_js
from pyscript import window

from browser.embedding import Embedding, load_ancestors
from browser.idle import when_idle
from browser.locale import Phrase, browser_languages, error_phrase, say
from browser.save import save_blob, user_active
from browser.transfer import Transfer
from browser.view import View
from chatdump.core.errors import ChatdumpError
from chatdump.core.formats import Converter, output_filename
from chatdump.core.link import PageParams, read_format, read_lang, read_page_params
from chatdump.core.messages import negotiate
from chatdump.core.save_gesture import needs_save_click

if TYPE_CHECKING:
    # The download code: bound at run time by load_download_code (below), after "ready".
    from chatdump.core.chat_url import ChatUrl
    from chatdump.core.dump import ChatReader, preview
    from chatdump.core.flow import (
        Answer,
        AskForUrl,
        Cancelled,
        Failed,
        Fetch,
        Reply,
        Step,
        UrlReply,
        download_flow,
        drive_flow,
    )
    from chatdump.core.formats.transcript import transcript_line
    from chatdump.endpoint_client import EndpointClient

# Error answers are read to show their message; never more than this.
ERROR_BODY_LIMIT = 16 * 1024
# Conversions read the Blob this much at a time, then let the page breathe (progress, Cancel):
# parsing 64 KB in Pyodide takes tens of milliseconds, well under a "long task".
READ_CHUNK = 64 * 1024
# The preview parses only the file's start: enough for the first messages, quick to parse.
PREVIEW_BYTES = 16 * 1024
# The summary of a file saved as is means parsing it all in Python: skip it beyond this size.
SUMMARY_LIMIT = 32 * 1000 * 1000
PREVIEW_MESSAGES = 8


# The download code's stages, imported into this module's namespace after "ready" (one per idle
# moment) or at once by a click that comes first. Each is cheap to run again.
def load_flow() -> None:
    global Answer, AskForUrl, Cancelled, Failed, Fetch, UrlReply, download_flow, drive_flow
    from chatdump.core.flow import (
        Answer,
        AskForUrl,
        Cancelled,
        Failed,
        Fetch,
        UrlReply,
        download_flow,
        drive_flow,
    )


def load_endpoint_client() -> None:
    global EndpointClient
    import pyodide_http

    # urllib -> XMLHttpRequest, so chatdump.endpoint_client (the CLI's client too) works here.
    pyodide_http.patch_all()
    from chatdump.endpoint_client import EndpointClient


def load_conversion() -> None:
    global ChatReader, preview, transcript_line
    from chatdump.core.dump import ChatReader, preview
    from chatdump.core.formats.transcript import transcript_line


# In the order the idle time loads them: what the signed URL needs first.
DOWNLOAD_CODE: tuple[Callable[[], None], ...] = (load_flow, load_endpoint_client, load_conversion)


def load_download_code() -> None:
    for stage in DOWNLOAD_CODE:
        stage()


def now() -> datetime:
    return datetime.now(UTC)


def text_or_none(value: Any) -> str | None:
    """A JS string as ``str``; JS ``null`` (``JsNull`` in this Pyodide) and the rest as ``None``."""
    return value if isinstance(value, str) else None


def saved_phrase(key: str, filename: str, size: int) -> Phrase:
    return lambda locale: locale.text(key, filename=filename, size=locale.size(size))


class Download:
    """One session's downloads: holds the signed URL (asked for at start-up) and the last body."""

    def __init__(self, view: View, params: PageParams) -> None:
        self.view = view
        self.params = params
        # The page's own base, not the origin: behind a proxy the API lives under the page's prefix.
        self.client = EndpointClient(str(js.URL.new("./", window.location.href).href), params.grant)
        self.chat: ChatUrl | None = None
        self.body: Any = None
        self.controller: Any = None
        self.pending: tuple[Any, str] | None = None
        self.clicked_at = 0.0
        self.format = params.format

    def prepare(self) -> None:
        # A synchronous XHR: do it while the page starts, not after the click.
        self.chat = self.client.chat_url(self.params.session_id)

    async def perform(self, step: Step) -> Reply:
        if isinstance(step, AskForUrl):
            self.chat = self.client.chat_url(self.params.session_id, fresh=step.fresh)
            return UrlReply(self.chat, now())
        return await self.fetch(step)

    async def fetch(self, step: Fetch) -> Reply:
        transfer = Transfer(self.view, self.controller.signal)
        headers = {}
        if step.source == "endpoint":
            headers["Authorization"] = f"Bearer {self.params.grant}"
        ended, xhr = await transfer.run(step.url, headers)
        if ended == "abort":
            return Failed("stream" if transfer.stalled else "aborted")
        if ended != "load":
            return Failed("stream" if transfer.headers_seen else "network")
        self.body = xhr.response
        status, size = int(xhr.status), int(self.body.size)
        body = b""
        if status != 200:
            text = await self.body.slice(0, ERROR_BODY_LIMIT).text()
            body = str(text).encode("utf-8", "replace")
        length = text_or_none(xhr.getResponseHeader("Content-Length"))
        return Answer(status, length, size, body)

    async def run(self) -> None:
        self.controller = js.AbortController.new()
        self.body = None
        self.view.show("working", say("status.downloading"))
        outcome = await drive_flow(
            download_flow(self.params.session_id, self.chat, now()), self.perform
        )
        if isinstance(outcome, Cancelled):
            self.view.show("ready", say("status.cancelled"))
            return
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
        self.offer(blob, output_filename(outcome.filename, self.format))
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
        first = await source.slice(0, PREVIEW_BYTES).arrayBuffer()
        head = first.to_bytes()
        try:
            messages = preview([head], PREVIEW_MESSAGES) if head else []
        except ChatdumpError:
            messages = []  # the first chunk may end inside a long record: no preview then
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

    async def read_all(self, source: Any) -> ChatReader:
        reader, total = ChatReader(), int(source.size)
        for start in range(0, total, READ_CHUNK):
            buffer = await source.slice(start, start + READ_CHUNK).arrayBuffer()
            reader.feed(buffer.to_bytes())
            await asyncio.sleep(0)
        reader.close()
        return reader

    def offer(self, blob: Any, filename: str) -> None:
        """Save now, or through "Save file" when the click no longer counts as a gesture."""
        size = int(blob.size)
        elapsed = js.performance.now() - self.clicked_at
        if needs_save_click(user_active(), elapsed):
            self.pending = (blob, filename)
            self.view.show("save", saved_phrase("status.save_ready", filename, size))
            return
        save_blob(blob, filename)
        self.view.show("done", saved_phrase("status.saved", filename, size))

    def save_pending(self) -> None:
        if self.pending is None:
            return
        (blob, filename), self.pending = self.pending, None
        save_blob(blob, filename)
        self.view.show("done", saved_phrase("status.saved", filename, int(blob.size)))

    def cancel(self) -> None:
        if self.controller is not None:
            self.controller.abort()


class Widget:
    """Routes the page's events; refuses a second download while one runs."""

    def __init__(self, view: View) -> None:
        self.view = view
        self.params: PageParams | None = None
        self.download: Download | None = None
        self.startup_error: ChatdumpError | None = None
        self.busy = False
        self.tasks: set[asyncio.Future[None]] = set()  # held so they are not collected mid-run
        self.listen(view.button, "click", self.on_click)
        self.listen(view.cancel, "click", self.on_cancel)
        self.listen(view.save, "click", self.on_save)

    async def start(self) -> None:
        asked = read_lang(str(window.location.search), str(window.location.hash))
        self.view.set_language(negotiate(asked, browser_languages()))
        embedding = Embedding(
            await load_ancestors(),
            use_grant=self.use_grant,
            download=self.start_download,
            view=self.view,
        )
        try:
            params = read_page_params(window.location.search, window.location.hash)
        except ChatdumpError as exc:
            missing = exc.code in ("missing_session", "missing_grant")
            if not (missing and embedding.wait_for_grant(self.view.show)):
                self.fail_to_start(exc)
            embedding.ready(has_grant=False)
            return
        self.view.format.value = params.format
        self.use_grant(params.session_id, params.grant)
        embedding.ready(has_grant=True)

    def use_grant(self, session_id: str, grant: str) -> None:
        self.params, self.download = PageParams(session_id, grant), None
        if self.take_early_click():
            self.start_download()
            return
        self.view.show("ready", say("status.ready"))
        self.prepare_when_idle()

    def prepare_when_idle(self) -> None:
        """After "ready": the download code one stage per idle moment, then the signed URL."""
        steps = [*DOWNLOAD_CODE, self.prepare_url]

        def next_step() -> None:
            if self.busy:
                return  # a click is running: it has loaded all it needs itself
            steps.pop(0)()
            if steps:
                when_idle(next_step)

        when_idle(next_step)

    def prepare_url(self) -> None:
        download = self.ready_download()
        if download.chat is not None:
            return
        try:
            download.prepare()
        except ChatdumpError as exc:  # a refused grant, an unreachable server: a click asks again
            self.view.show("error", error_phrase(exc.code, exc.message), exc.code)

    def ready_download(self) -> Download:
        """This session's ``Download``; the download code is imported first if it is not yet."""
        if self.download is None:
            assert self.params is not None, "no grant yet"
            load_download_code()
            self.download = Download(self.view, self.params)
        return self.download

    def fail_to_start(self, exc: ChatdumpError) -> None:
        self.startup_error = exc
        self.take_early_click()
        self.view.show("error", error_phrase(exc.code, exc.message), exc.code)

    def take_early_click(self) -> bool:
        """Whether the button was clicked before Python was up (early_click.js noted it)."""
        pending = text_or_none(self.view.root.getAttribute("data-chatdump-pending"))
        self.view.root.removeAttribute("data-chatdump-pending")
        return bool(pending)

    def listen(self, element: Any, event: str, handler: Any) -> None:
        element.addEventListener(event, create_proxy(lambda _event: self._call(handler)))

    def _call(self, handler: Any) -> None:
        result = handler()
        if asyncio.iscoroutine(result):
            self.spawn(result)

    def spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def start_download(self) -> None:
        self.spawn(self.on_click())

    async def on_click(self) -> None:
        if self.busy:
            return
        if self.params is None:
            if self.view.root.dataset.chatdumpState == "loading":
                return  # early_click.js noted the click; use_grant runs it
            error = self.startup_error
            if error is None:
                self.view.show("error", say("error.not_started"), "not_started")
            else:
                self.view.show("error", error_phrase(error.code, error.message), error.code)
            return
        self.busy = True
        clicked_at = js.performance.now()
        try:
            # Imports the download code now when the click came before the page was idle.
            self.download = self.ready_download()
            self.download.clicked_at = clicked_at
            self.download.format = read_format(str(self.view.format.value))
            if self.download.chat is None:
                self.download.prepare()
            await self.download.run()
        except ChatdumpError as exc:
            self.forget_url()  # ask again on Retry
            self.view.show("error", error_phrase(exc.code, exc.message), exc.code)
        except Exception as exc:  # a browser failure we did not foresee: say so, save nothing
            js.console.error(f"chatdump: {exc!r}")
            self.forget_url()
            self.view.show("error", say("error.unexpected"), "unexpected")
        finally:
            self.busy = False

    def forget_url(self) -> None:
        if self.download is not None:
            self.download.chat = None

    def on_cancel(self) -> None:
        if self.download is not None:
            self.download.cancel()

    def on_save(self) -> None:
        if self.download is not None:
            self.download.save_pending()
