"""The widget: the page's events (``Widget``); one session's downloads live in
``browser/download.py``. Browser I/O only; every decision lives in ``chatdump.core``.

The page asks for the signed URL first (``browser/endpoint.py``: urllib, a short synchronous XHR
through pyodide-http, which must not run once the button can be clicked), so the click goes
straight to storage; then it says "ready" without the rest of the download code: the flow, the
conversion code and ``browser.download`` are imported afterwards, one module per idle moment
(``DOWNLOAD_CODE``). A click that comes first imports what is missing at once.

Hooks for embedding (``embedding.py``): every state change goes through ``View.show`` and every
progress report through ``View.progress`` (``browser/view.py``); they dispatch ``chatdump:state`` /
``chatdump:progress`` DOM events, and a save dispatches ``chatdump:saved``. The host page may pass
the grant and start the download through ``Widget.use_grant`` / ``Widget.start_download``.
"""

from __future__ import annotations

import asyncio
from functools import partial
from importlib import import_module
from typing import TYPE_CHECKING, Any

import js
from pyodide.ffi import create_proxy
from pyscript import window

from browser.embedding import Embedding, load_ancestors
from browser.idle import when_idle
from browser.locale import browser_languages, error_phrase, say
from browser.view import View, text_or_none
from chatdump.core.errors import ChatdumpError
from chatdump.core.link import PageParams, read_format, read_lang, read_page_params
from chatdump.core.messages import negotiate

if TYPE_CHECKING:
    from browser.download import Download
    from chatdump.core.chat_url import ChatUrl
    from chatdump.endpoint_client import EndpointClient

# The download code, imported after "ready" one module per idle moment (the endpoint client is
# there already when the page had its grant at start; a host's set-grant message may come later).
DOWNLOAD_CODE = (
    "chatdump.core.flow",
    "browser.endpoint",
    "chatdump.core.dump",
    "browser.body",
    "browser.download",
)


class Widget:
    """Routes the page's events; refuses a second download while one runs."""

    def __init__(self, view: View) -> None:
        self.view = view
        self.params: PageParams | None = None
        self.client: EndpointClient | None = None
        self.prefetched: ChatUrl | None = None
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
        self.client, self.prefetched = None, None
        if self.take_early_click():
            self.start_download()
            return
        if self.prefetch_url():
            self.view.show("ready", say("status.ready"))
        self.load_when_idle()

    def prefetch_url(self) -> bool:
        """The signed URL, asked for before "ready" (``browser/endpoint.py`` says why); False
        when refused or unreachable: that is shown, and a click asks again."""
        try:
            self.prefetched = self.endpoint_client().chat_url(self.ready_params().session_id)
        except ChatdumpError as exc:
            self.view.show("error", error_phrase(exc.code, exc.message), exc.code)
            return False
        return True

    def endpoint_client(self) -> EndpointClient:
        if self.client is None:
            from browser.endpoint import page_client  # urllib: not before a grant is there

            self.client = page_client(self.ready_params().grant)
        return self.client

    def ready_params(self) -> PageParams:
        assert self.params is not None, "no grant yet"
        return self.params

    def load_when_idle(self) -> None:
        """After "ready": the rest of the download code, one module per idle moment."""
        steps = [partial(import_module, name) for name in DOWNLOAD_CODE]

        def next_step() -> None:
            if self.busy:
                return  # a click is running: it has loaded all it needs itself
            steps.pop(0)()
            if steps:
                when_idle(next_step)

        when_idle(next_step)

    def ready_download(self) -> Download:
        """This session's ``Download``; the download code is imported first if it is not yet."""
        if self.download is None:
            from browser.download import Download  # at once, when a click comes before idle time

            client = self.endpoint_client()
            self.download = Download(self.view, self.ready_params(), client, self.prefetched)
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
