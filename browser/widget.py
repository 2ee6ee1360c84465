"""The widget: the page's events (``Widget``); one session's downloads live in
``browser/download.py``. Browser I/O only; every decision lives in ``chatdump.core``.

The page says "ready" without the download code: the flow, urllib (the endpoint client), the
conversion code and ``browser.download`` are imported afterwards, one module per idle moment
(``DOWNLOAD_CODE``), and the signed URL is asked for then (a short synchronous XHR through
pyodide-http), so the click goes straight to storage. A click that comes first imports what is
missing at once.

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

# The download code, imported after "ready" one module per idle moment, the heaviest alone
# (urllib's ~20 modules: ~0.1 s precompiled): what the signed URL needs first, the rest last.
DOWNLOAD_CODE = (
    "chatdump.core.flow",
    "chatdump.endpoint_client",
    "chatdump.core.dump",
    "browser.body",
    "browser.download",
)


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
        steps = [*(partial(import_module, name) for name in DOWNLOAD_CODE), self.prepare_url]

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
            from browser.download import Download  # at once, when a click comes before idle time

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
