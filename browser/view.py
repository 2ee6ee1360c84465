"""The page's elements: every state change goes through ``View.show``, every progress report
through ``View.progress``, and each is announced as a DOM event (``chatdump:state``,
``chatdump:progress``) for embedding. The DOM contract is index.html's ids.
"""

from typing import Any

import js
from pyodide.ffi import to_js
from pyscript import document

from chatdump.core.progress import progress_text

BUSY_STATES = ("loading", "working")


def dispatch(name: str, detail: dict[str, Any]) -> None:
    init = to_js({"detail": detail}, dict_converter=js.Object.fromEntries)
    document.dispatchEvent(js.CustomEvent.new(name, init))


class View:
    """The page's elements. Every state change goes through ``show``, progress through ``progress``."""

    def __init__(self) -> None:
        get = document.getElementById
        self.root = document.documentElement
        self.button = get("chatdump-download")
        self.format = get("chatdump-format")
        self.working = get("chatdump-working")
        self.bar = get("chatdump-bar")
        self.cancel = get("chatdump-cancel")
        self.status = get("chatdump-status")
        self.detail = get("chatdump-detail")
        self.save = get("chatdump-save")
        self.summary = get("chatdump-summary")
        self.preview = get("chatdump-preview")
        self.preview_text = get("chatdump-preview-text")

    def show(self, state: str, text: str, code: str = "") -> None:
        had_focus = document.activeElement
        self.status.textContent = text
        self.detail.textContent = ""
        self.button.setAttribute("aria-disabled", "true" if state in BUSY_STATES else "false")
        self.button.textContent = "Retry" if state == "error" else "Download chat"
        self.working.hidden = state != "working"
        self.save.hidden = state != "save"
        if state == "working":
            self.bar.removeAttribute("value")
            self.summary.hidden = self.preview.hidden = True
        self.root.dataset.chatdumpState = state
        # Keep keyboard users in place: a control that just disappeared hands focus on.
        if state == "save":
            self.save.focus()
        elif had_focus in (self.cancel, self.save) and state != "working":
            self.button.focus()
        dispatch("chatdump:state", {"state": state, "message": text, "code": code})

    def progress(self, done: int, total: int | None) -> None:
        text, fraction = progress_text(done, total)
        if fraction is None:
            self.bar.removeAttribute("value")  # indeterminate
        else:
            self.bar.value = fraction
        self.detail.textContent = text
        dispatch("chatdump:progress", {"received": done, "total": total})

    def show_summary(self, summary: str, preview: str) -> None:
        # textContent only: payloads are hostile and must never become markup.
        self.summary.textContent = summary
        self.summary.hidden = not summary
        self.preview_text.textContent = preview
        self.preview.hidden = not preview
