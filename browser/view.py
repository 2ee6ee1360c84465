"""The page's elements: every state change goes through ``View.show``, every progress report
through ``View.progress``, and each is announced as a DOM event (``chatdump:state``,
``chatdump:progress``) for embedding. The DOM contract is index.html's ids.

Words are kept as phrases (``browser.locale.Phrase``), not as text, so ``set_language`` can say
the current state again in another language. The page's fixed labels name their catalogue key in
``data-chatdump-text``; index.html carries their English for the first paint, before Python runs.
"""

from typing import Any

import js
from pyodide.ffi import to_js
from pyscript import document

from browser.locale import Locale, Phrase, say
from chatdump.core.progress import progress_fraction

BUSY_STATES = ("loading", "working")


def text_or_none(value: Any) -> str | None:
    """A JS string as ``str``; JS ``null`` (``JsNull`` in this Pyodide) and the rest as ``None``."""
    return value if isinstance(value, str) else None


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
        self.locale = Locale("en")
        self.state = "loading"
        self.phrase: Phrase = say("status.loading")
        self.summary_phrase: Phrase | None = None
        self.received: tuple[int, int | None] | None = None

    def set_language(self, lang: str) -> None:
        """Speak ``lang`` from now on: <html lang/dir>, the labels, and the current state again."""
        self.locale = locale = Locale(lang)
        self.root.lang = lang
        self.root.dir = locale.direction
        document.title = locale.text("page.title")
        for element in document.querySelectorAll("[data-chatdump-text]"):
            element.textContent = locale.text(str(element.dataset.chatdumpText))
        self._label_button()
        self.status.textContent = self.phrase(locale)
        if self.received is not None and self.state == "working":
            self.detail.textContent = locale.progress(*self.received)
        if self.summary_phrase is not None:
            self.summary.textContent = self.summary_phrase(locale)
        dispatch("chatdump:lang", {"lang": lang})

    def _label_button(self) -> None:
        key = "button.retry" if self.state == "error" else "button.download"
        self.button.textContent = self.locale.text(key)

    def show(self, state: str, phrase: Phrase, code: str = "") -> None:
        had_focus = document.activeElement
        self.state, self.phrase = state, phrase
        text = phrase(self.locale)
        self.status.textContent = text
        self.detail.textContent = ""
        self.received = None
        self.button.setAttribute("aria-disabled", "true" if state in BUSY_STATES else "false")
        self._label_button()
        self.working.hidden = state != "working"
        self.save.hidden = state != "save"
        if state == "working":
            self.bar.removeAttribute("value")
            self.summary.hidden = self.preview.hidden = True
            self.summary_phrase = None
        self.root.dataset.chatdumpState = state
        # Keep keyboard users in place: a control that just disappeared hands focus on.
        if state == "save":
            self.save.focus()
        elif had_focus in (self.cancel, self.save) and state != "working":
            self.button.focus()
        dispatch("chatdump:state", {"state": state, "message": text, "code": code})

    def progress(self, done: int, total: int | None) -> None:
        fraction = progress_fraction(done, total)
        if fraction is None:
            self.bar.removeAttribute("value")  # indeterminate
        else:
            self.bar.value = fraction
        self.received = (done, total)
        self.detail.textContent = self.locale.progress(done, total)
        dispatch("chatdump:progress", {"received": done, "total": total})

    def show_summary(self, summary: Phrase | None, preview: str) -> None:
        # textContent only: payloads are hostile and must never become markup.
        self.summary_phrase = summary
        self.summary.textContent = summary(self.locale) if summary else ""
        self.summary.hidden = summary is None
        self.preview_text.textContent = preview
        self.preview.hidden = not preview
