"""The widget's side of embedding: commands from the host page in, events out. Browser I/O only.

Every decision is in the core: who may command the widget (``chatdump.core.origins``: the sites of
``CHATDUMP_FRAME_ANCESTORS``, read from ``embed.json``), what a command means, what an event holds,
what a sandbox allows (``chatdump.core.embed``). This module listens for ``message`` events, posts
events to the parent page (never with ``"*"``), follows the widget through its ``chatdump:state`` /
``chatdump:progress`` / ``chatdump:saved`` DOM events, reports its height, and tells the person
when the frame blocks downloads.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import js
from pyodide.ffi import create_proxy, to_js
from pyscript import document, window

from chatdump.core import embed, messages, origins
from chatdump.core.errors import ChatdumpError
from chatdump.core.link import read_page_params

if TYPE_CHECKING:
    from browser.locale import Phrase
    from browser.view import View

CONFIG_TIMEOUT_MS = 5_000
# A framed widget with no grant in its link waits this long for a set-grant command.
GRANT_WAIT_MS = 30_000


def _js(value: dict[str, object]) -> Any:
    return to_js(value, dict_converter=js.Object.fromEntries)


def is_framed() -> bool:
    return not bool(js.Object.is_(window.self, window.top))


def is_sandboxed() -> bool:
    """Browsers list no sandbox flags, but any sandboxed document refuses a ``document.domain`` write."""
    try:
        document.domain = document.domain
    except Exception:
        return True
    return False


def parent_origin() -> str | None:
    """The parent's origin where the browser tells it (Chromium, Safari: ``ancestorOrigins``)."""
    origins = getattr(window.location, "ancestorOrigins", None)
    if origins is None or origins.length == 0:
        return None
    return str(origins.item(0))


async def load_ancestors() -> origins.Ancestors:
    """The allow-list from ``embed.json``; without one, only the widget's own site (fail closed)."""
    try:
        options = _js({"cache": "no-store", "signal": js.AbortSignal.timeout(CONFIG_TIMEOUT_MS)})
        response = await js.fetch("./embed.json", options)
        if not response.ok:
            return origins.Ancestors()
        return origins.ancestors_from_json(str(await response.text()))
    except Exception as exc:  # network, timeout, or a ConfigError from a bad file
        js.console.warn(
            f"chatdump: embed.json unusable ({exc}); only the widget's own site may embed it"
        )
        return origins.Ancestors()


class Embedding:
    """Talks to the host page. ``use_grant`` and ``download`` are the widget's own entry points."""

    def __init__(
        self,
        ancestors: origins.Ancestors,
        *,
        use_grant: Callable[[str, str], None],
        download: Callable[[], None],
        view: "View",
    ) -> None:
        self.ancestors = ancestors
        self.view = view
        self.use_grant = use_grant
        self.download = download
        self.own_origin = str(window.location.origin)
        self.framed = is_framed()
        self.sandboxed = self.framed and is_sandboxed()
        self.parent = parent_origin() if self.framed else None
        params = embed.read_embed_params(str(window.location.search), str(window.location.hash))
        self.declared = params.sandbox
        self.session_id = ""
        self.grant = ""
        self.grant_timer: Any = None
        self.notice = self._element("p", "chatdump-notice")
        self.notice_text: Callable[[], str] | None = None
        self.newtab = self._element("button", "chatdump-newtab", "embed.open_new_tab")
        self._proxies = [
            self._listen(window, "message", self.on_message),
            self._listen(document, "chatdump:state", self.on_state),
            self._listen(document, "chatdump:progress", self.on_progress),
            self._listen(document, "chatdump:saved", self.on_saved),
            self._listen(document, "chatdump:lang", lambda _event: self.retell()),
            self._listen(self.newtab, "click", lambda _event: self.open_new_tab()),
        ]
        if self.framed:
            self._proxies.append(self._watch_height())

    # Out: events to the parent page.

    def post(self, message: dict[str, object]) -> None:
        if not self.framed:
            return
        for target in embed.event_targets(self.parent, self.ancestors, self.own_origin):
            window.parent.postMessage(_js(message), target)

    def ready(self, *, has_grant: bool) -> None:
        self.post(embed.ready_event(has_grant=has_grant))
        self.advise()

    def on_state(self, event: Any) -> None:
        detail = event.detail
        state, message = str(detail.state), str(detail.message)
        if state == "done":
            if embed.after_save_hint(self.sandboxed, self.declared):  # else keep advise()'s
                self._show_notice(
                    lambda: embed.after_save_hint(self.sandboxed, self.declared, self.lang),
                    fallback=True,
                )
        elif state == "error":
            code = getattr(detail, "code", None) or "error"
            self.post(embed.error_event(str(code), message))

    def on_saved(self, event: Any) -> None:
        self.post(embed.done_event(int(event.detail.bytes), str(event.detail.filename)))

    def on_progress(self, event: Any) -> None:
        total = event.detail.total
        self.post(
            embed.progress_event(int(event.detail.received), None if total is None else int(total))
        )

    def _watch_height(self) -> Any:
        def report(_entries: Any, _observer: Any) -> None:
            self.post(embed.resize_event(float(document.body.getBoundingClientRect().height)))

        proxy = create_proxy(report)
        js.ResizeObserver.new(proxy).observe(document.body)
        return proxy

    # In: commands from the parent page.

    def on_message(self, event: Any) -> None:
        # The parent only (not a sibling frame), and only from an allowed site: else not a word.
        if not self.framed or not js.Object.is_(event.source, window.parent):
            return
        origin = str(event.origin)
        if not self.ancestors.allows(origin, self.own_origin):
            return
        try:
            text = str(js.JSON.stringify(event.data))
        except Exception:
            return  # not data (e.g. a cyclic object): not one of ours
        try:
            command = embed.read_command(text)
        except ChatdumpError as exc:
            self.parent = origin
            self.post(embed.error_event(exc.code, exc.message))
            return
        if command is None:
            return
        self.parent = origin  # known for sure now: events go there only
        self.run(command)

    def run(self, command: embed.Command) -> None:
        if command.kind == "set-grant":
            self.stop_waiting()
            self.session_id, self.grant = command.session_id, command.grant
            self.use_grant(command.session_id, command.grant)
        elif command.kind == "set-format":
            select = document.getElementById("chatdump-format")
            if select is not None:
                select.value = command.value
        elif command.kind == "set-theme":
            if command.value == "auto":
                document.documentElement.removeAttribute("data-theme")
            else:
                document.documentElement.dataset.theme = command.value
        elif command.kind == "set-lang":
            self.view.set_language(command.value)
        elif command.kind == "set-sandbox":
            self.declared = command.flags
            self.advise()
        elif command.kind == "download":
            self.download()

    # Grants passed by message rather than in the link.

    def wait_for_grant(self, show: Callable[[str, "Phrase", str], None]) -> bool:
        """A framed widget with no grant in its link waits (bounded) for the host to send one."""
        if not self.framed:
            return False
        show("loading", lambda locale: locale.text("status.waiting_for_grant"), "")

        def give_up() -> None:
            show("error", lambda locale: locale.text("error.no_grant_passed"), "no_grant_passed")

        self.grant_timer = window.setTimeout(create_proxy(give_up), GRANT_WAIT_MS)
        return True

    def stop_waiting(self) -> None:
        if self.grant_timer is not None:
            window.clearTimeout(self.grant_timer)
            self.grant_timer = None

    # Sandboxes that block downloads.

    def advise(self) -> None:
        advice = embed.download_advice(self.sandboxed, self.declared, self.lang)
        if advice is None:
            self._show_notice(None, fallback=False)
            return
        code, message, fallback = advice
        self._show_notice(
            lambda: embed.sandbox_message(
                embed.missing_flags(self.declared or frozenset()), fallback=fallback, lang=self.lang
            ),
            fallback=fallback,
        )
        document.documentElement.dataset.chatdumpBlocked = code
        self.post(embed.error_event(code, message))

    def open_new_tab(self) -> None:
        """The widget itself, top-level in a new tab: no frame, no sandbox; the grant stays in the fragment."""
        session, grant = self.session_id, self.grant
        if not session:
            try:
                link = read_page_params(str(window.location.search), str(window.location.hash))
            except ChatdumpError:
                return
            session, grant = link.session_id, link.grant
        # The grant goes into the new tab's fragment, which never reaches a server or its logs.
        page = f"{window.location.origin}{window.location.pathname}"
        opened = window.open(f"{page}#session={quote(session)}&grant={quote(grant)}", "_blank")
        if opened is None:
            flags = " ".join(embed.POPUP_FLAGS)
            self._show_notice(
                lambda: messages.text(self.lang, "embed.popup_blocked", flags=flags),
                fallback=False,
            )
            return
        opened.opener = None

    @property
    def lang(self) -> str:
        return self.view.locale.lang

    def _show_notice(self, text: Callable[[], str] | None, *, fallback: bool) -> None:
        """``text`` is asked again when the language changes (``retell``)."""
        self.notice_text = text
        self.notice.textContent = text() if text else ""
        self.notice.hidden = text is None
        self.newtab.hidden = not fallback

    def retell(self) -> None:
        if self.notice_text is not None:
            self.notice.textContent = self.notice_text()

    def _element(self, tag: str, element_id: str, key: str = "") -> Any:
        element = document.createElement(tag)
        element.id = element_id
        element.className = element_id
        if key:  # View.set_language relabels it
            element.dataset.chatdumpText = key
            element.textContent = messages.text(self.lang, key)
        element.hidden = True
        if tag == "button":
            element.type = "button"
        else:
            element.setAttribute("role", "alert")
        container = document.querySelector("main") or document.body
        container.appendChild(element)
        return element

    def _listen(self, target: Any, name: str, handler: Callable[[Any], None]) -> Any:
        proxy = create_proxy(handler)
        target.addEventListener(name, proxy)
        return proxy
