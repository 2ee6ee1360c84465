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

# FileSaver.js's lesson: revoking the object URL at once cancels the save in some browsers.
REVOKE_AFTER_MS = 40_000
# Storage gets no cookies and no referrer: the signed URL is the only credential it needs.
FETCH_OPTIONS = {"credentials": "omit", "cache": "no-store", "referrerPolicy": "no-referrer"}

pyodide_http.patch_all()
root = document.documentElement
button = document.getElementById("chatdump-download")
status = document.getElementById("chatdump-status")


def show(state: str, text: str) -> None:
    status.textContent = text
    button.setAttribute("aria-disabled", "false" if state in ("ready", "done", "error") else "true")
    root.dataset.chatdumpState = state


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
        show("error", exc.message)
    except Exception:  # fetch's TypeError for network and CORS failures, stream errors
        show("error", "The download failed (network error or interrupted); nothing was saved.")
    finally:
        download.busy = False


def start() -> None:
    try:
        params = read_page_params(window.location.search, window.location.hash)
    except ChatdumpError as exc:
        show("error", exc.message)
        return
    download = Download(EndpointClient(window.location.origin, params.grant), params.session_id)
    button.addEventListener(
        "click", create_proxy(lambda _event: asyncio.ensure_future(on_click(download)))
    )
    try:
        download.prepare()
    except ChatdumpError as exc:
        show("error", exc.message)  # a click tries again
        return
    show("ready", "Ready.")


start()
