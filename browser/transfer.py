"""One XMLHttpRequest into a Blob: the browser fills it and reports progress, so Python never
holds the body. Abortable, and every wait is bounded by a stall watchdog. ``on_headers`` sees the
answer's status and headers before its body, and may stop it there (``stop``).
"""

import asyncio
from collections.abc import Callable
from typing import Any

import js
from pyodide.ffi import create_proxy
from pyscript import window

from browser.view import View

# A body that makes no progress for this long is given up (every wait is bounded).
STALL_MS = 60_000
WATCHDOG_MS = 5_000


class Transfer:
    """One XMLHttpRequest into a Blob, reporting progress, abortable, with a stall watchdog."""

    def __init__(
        self, view: View, signal: Any, on_headers: Callable[[Any], None] | None = None
    ) -> None:
        self.view, self.signal = view, signal
        self.on_headers = on_headers
        self.xhr = js.XMLHttpRequest.new()
        self.headers_seen = self.stalled = self.stopped = False
        self.total: int | None = None  # progress against this, not the answer's own length
        self.last_progress = js.performance.now()

    async def run(self, url: str, headers: dict[str, str]) -> tuple[str, Any]:
        ended: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        xhr = self.xhr
        xhr.open("GET", url)
        xhr.responseType = "blob"
        for name, value in headers.items():
            xhr.setRequestHeader(name, value)

        def on_end(event: Any) -> None:
            if not ended.done():
                ended.set_result(str(event.type))

        handlers = {
            "readystatechange": self._on_state,
            "progress": self._on_progress,
            **{name: on_end for name in ("load", "error", "abort", "timeout")},
        }
        proxies = {name: create_proxy(handler) for name, handler in handlers.items()}
        for name, proxy in proxies.items():
            xhr.addEventListener(name, proxy)
        abort = create_proxy(lambda _event: xhr.abort())
        self.signal.addEventListener("abort", abort)
        watchdog = create_proxy(self._watch)
        timer = window.setInterval(watchdog, WATCHDOG_MS)
        try:
            xhr.send()
            return await ended, xhr
        finally:
            window.clearInterval(timer)
            self.signal.removeEventListener("abort", abort)
            for proxy in (*proxies.values(), abort, watchdog):
                proxy.destroy()

    def _on_state(self, _event: Any) -> None:
        # HEADERS_RECEIVED or LOADING: an answer came, so not a CORS failure. (A network error
        # jumps straight to DONE.)
        if self.xhr.readyState == 2 and self.on_headers is not None:
            self.on_headers(self.xhr)
        if self.xhr.readyState in (2, 3):
            self.headers_seen = True

    def stop(self) -> None:
        """Read no more of this answer (``on_headers`` judged it enough)."""
        self.stopped = True
        self.xhr.abort()

    def _on_progress(self, event: Any) -> None:
        self.last_progress = js.performance.now()
        total = int(event.total) if event.lengthComputable else None
        self.view.progress(int(event.loaded), self.total or total)

    def _watch(self) -> None:
        if js.performance.now() - self.last_progress > STALL_MS:
            self.stalled = True
            self.xhr.abort()
