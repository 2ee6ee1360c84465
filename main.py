"""The widget page: wires the DOM to chatdump's core. Decisions live in ``chatdump.core``.

The token request goes through ``urllib`` (pyodide-http turns it into an XMLHttpRequest). The CSV
never enters Python: ``fetch`` → Blob → a hidden ``<a download>`` click.
"""

import asyncio
from datetime import UTC, datetime

import js
import pyodide_http
from pyodide.ffi import create_proxy, to_js
from pyscript import document, window

from chatdump.client import EndpointClient
from chatdump.core.chat_url import ChatUrl
from chatdump.core.errors import ChatdumpError
from chatdump.core.page import check_complete, human_size, read_page_params, storage_error
from embedding import Embedding, load_ancestors

# FileSaver.js's lesson: revoking the object URL at once cancels the save in some browsers.
REVOKE_AFTER_MS = 40_000
# Storage gets no cookies and no referrer: the signed URL is the only credential it needs.
FETCH_OPTIONS = {"credentials": "omit", "cache": "no-store", "referrerPolicy": "no-referrer"}

pyodide_http.patch_all()
root = document.documentElement
button = document.getElementById("chatdump-download")
status = document.getElementById("chatdump-status")


def dispatch(name: str, detail: dict[str, object]) -> None:
    init = to_js({"detail": detail}, dict_converter=js.Object.fromEntries)
    document.dispatchEvent(js.CustomEvent.new(name, init))


def show(state: str, text: str, code: str = "") -> None:
    status.textContent = text
    button.setAttribute("aria-disabled", "false" if state in ("ready", "done", "error") else "true")
    root.dataset.chatdumpState = state
    dispatch("chatdump:state", {"state": state, "message": text, "code": code})


class Download:
    """One session's download: holds the signed URL, asked for at start-up and renewed when stale."""

    def __init__(self, client: EndpointClient, session_id: str) -> None:
        self.client = client
        self.session_id = session_id
        self.chat: ChatUrl | None = None
        self.busy = False

    def prepare(self) -> ChatUrl:
        # The request is a synchronous XHR: do it while the page starts, not after the click.
        if self.chat is None or self.chat.is_stale(datetime.now(UTC)):
            self.chat = self.client.chat_url(self.session_id)
        return self.chat

    async def run(self) -> None:
        chat = self.prepare()
        response = await js.fetch(
            chat.url, to_js(FETCH_OPTIONS, dict_converter=js.Object.fromEntries)
        )
        if not response.ok:
            raise storage_error(response.status)
        blob = await response.blob()
        check_complete(response.headers.get("content-length"), blob.size)
        save(blob, chat.filename)
        dispatch("chatdump:saved", {"bytes": blob.size, "filename": chat.filename})
        show("done", f"Saved {chat.filename} ({human_size(blob.size)}).")


def save(blob: object, filename: str) -> None:
    url = js.URL.createObjectURL(blob)
    link = document.createElement("a")
    link.href, link.download, link.rel, link.hidden = url, filename, "noopener", True
    document.body.appendChild(link)
    link.click()
    link.remove()
    window.setTimeout(lambda: js.URL.revokeObjectURL(url), REVOKE_AFTER_MS)


async def on_click(download: Download) -> None:
    if download.busy:
        return
    download.busy = True
    show("working", "Downloading the chat…")
    try:
        await download.run()
    except ChatdumpError as exc:
        show("error", exc.message, exc.code)
    except Exception:  # fetch's TypeError for network and CORS failures, stream errors
        message = "The download failed (network error or interrupted); nothing was saved."
        show("error", message, "network_error")
    finally:
        download.busy = False


class Widget:
    """The page's one download, which the host page may also drive (grant, start) by message."""

    def __init__(self) -> None:
        self.download: Download | None = None
        self.tasks: set[asyncio.Future[None]] = set()  # held so they are not collected mid-run
        button.addEventListener("click", create_proxy(lambda _event: self.start_download()))

    def start_download(self) -> None:
        if self.download is not None:
            task = asyncio.ensure_future(on_click(self.download))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    def use_grant(self, session_id: str, grant: str) -> None:
        self.download = Download(EndpointClient(window.location.origin, grant), session_id)
        try:
            self.download.prepare()
        except ChatdumpError as exc:
            show("error", exc.message, exc.code)  # a click tries again
            return
        show("ready", "Ready.")


async def start() -> None:
    widget = Widget()
    embedding = Embedding(
        await load_ancestors(), use_grant=widget.use_grant, download=widget.start_download
    )
    try:
        params = read_page_params(window.location.search, window.location.hash)
    except ChatdumpError as exc:
        missing = exc.code in ("missing_session", "missing_grant")
        if not (missing and embedding.wait_for_grant(show)):
            show("error", exc.message, exc.code)
        embedding.ready(has_grant=False)
        return
    widget.use_grant(params.session_id, params.grant)
    embedding.ready(has_grant=True)


await start()  # noqa: F704 - PyScript runs the page's script with top-level await
