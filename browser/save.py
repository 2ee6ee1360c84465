"""Saving a Blob as a file through a hidden ``<a download>``, and whether the click still counts."""

from typing import Any

import js
from pyodide.ffi import create_once_callable
from pyscript import document, window

from browser.view import dispatch

# FileSaver.js's lesson: revoking the object URL at once cancels the save in some browsers.
REVOKE_AFTER_MS = 40_000


def save_blob(blob: Any, filename: str) -> None:
    url = js.URL.createObjectURL(blob)
    link = document.createElement("a")
    link.href, link.download, link.rel, link.hidden = url, filename, "noopener", True
    document.body.appendChild(link)
    link.click()
    link.remove()
    window.setTimeout(create_once_callable(lambda: js.URL.revokeObjectURL(url)), REVOKE_AFTER_MS)
    dispatch("chatdump:saved", {"bytes": int(blob.size), "filename": filename})


def user_active() -> bool | None:
    activation = getattr(js.navigator, "userActivation", None)
    return None if activation is None else bool(activation.isActive)
