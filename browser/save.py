"""Where a download's bytes end up: a Blob saved through a hidden ``<a download>``, a file written
through the File System Access API, or the browser's own download of a URL; and whether the click
still counts as the person's gesture.
"""

import asyncio
from typing import Any, Protocol

import js
from pyodide.ffi import JsException, create_once_callable, to_js
from pyscript import document, window

from browser.view import dispatch

# FileSaver.js's lesson: revoking the object URL at once cancels the save in some browsers.
REVOKE_AFTER_MS = 40_000
_discarding: set[asyncio.Future[None]] = set()  # held so they are not collected mid-run


def _object(values: dict[str, Any]) -> Any:
    return to_js(values, dict_converter=js.Object.fromEntries)


def save_blob(blob: Any, filename: str) -> None:
    url = js.URL.createObjectURL(blob)
    click_link(url, filename)
    window.setTimeout(create_once_callable(lambda: js.URL.revokeObjectURL(url)), REVOKE_AFTER_MS)
    dispatch("chatdump:saved", {"bytes": int(blob.size), "filename": filename})


def save_url(url: str, filename: str, size: int) -> None:
    """The browser downloads ``url`` itself, streaming it to disk (the server names the file)."""
    click_link(url, filename)
    dispatch("chatdump:saved", {"bytes": size, "filename": filename})


def click_link(url: str, filename: str) -> None:
    link = document.createElement("a")
    link.href, link.download, link.rel, link.hidden = url, filename, "noopener", True
    document.body.appendChild(link)
    link.click()
    link.remove()


def user_active() -> bool | None:
    activation = getattr(js.navigator, "userActivation", None)
    return None if activation is None else bool(activation.isActive)


def can_pick_file() -> bool:
    """Whether this page may ask for a file to write to (Chromium's File System Access API).

    Cross-origin frames are refused by the browser; a frame whose top cannot be read is one."""
    if getattr(window, "showSaveFilePicker", None) is None:
        return False
    try:
        return bool(window.top.location.origin == window.location.origin)
    except JsException:
        return False


def pick_file(filename: str) -> Any:
    """The save dialog's promise of a file handle; call it within the click's activation."""
    return window.showSaveFilePicker(_object({"suggestedName": filename, "id": "chatdump"}))


def discard_pick(picking: Any) -> None:
    """A picker opened for a download that failed before writing: whenever the person answers
    it, remove the file it created (nothing of a failed download stays)."""

    async def discard() -> None:
        try:
            sink = await FileSink.open(picking)
        except JsException:
            return  # closed, or refused: no file
        await sink.abort()

    task = asyncio.ensure_future(discard())
    _discarding.add(task)
    task.add_done_callback(_discarding.discard)


class Sink(Protocol):
    """Where a body's parts go, in order."""

    async def add(self, blob: Any) -> None: ...
    async def abort(self) -> None: ...


class BlobParts:
    """Parts joined into one Blob by reference: the browser copies nothing."""

    def __init__(self) -> None:
        self.parts = js.Array.new()

    async def add(self, blob: Any) -> None:
        self.parts.push(blob)

    def blob(self, media_type: str) -> Any:
        return js.Blob.new(self.parts, _object({"type": media_type}))

    async def abort(self) -> None:
        self.parts = js.Array.new()  # let the browser free them


class FileSink:
    """The File System Access API's streaming writer into the file the person chose.

    Chromium writes to a swap file and puts it in place only on ``close``; ``abort`` discards it,
    so a download that fails leaves no partial file. A file the picker created for us (empty when
    picked) is removed again; a file the person chose to replace is left as it was."""

    def __init__(self, handle: Any, writable: Any, created: bool) -> None:
        self.handle, self.writable, self.created = handle, writable, created
        self.size = 0

    @classmethod
    async def open(cls, picking: Any) -> "FileSink":
        handle = await picking
        created = int((await handle.getFile()).size) == 0
        return cls(handle, await handle.createWritable(), created)

    async def add(self, blob: Any) -> None:
        await self.writable.write(blob)
        self.size += int(blob.size)

    async def close(self) -> Any:
        """Put the file in place; the saved file, as a File (a Blob) to summarise."""
        await self.writable.close()
        return await self.handle.getFile()

    async def abort(self) -> None:
        try:
            await self.writable.abort()
            if self.created and getattr(self.handle, "remove", None) is not None:
                await self.handle.remove()
        except JsException:
            pass  # already closed or gone: nothing of ours is left to remove
