"""Running work when the page has nothing better to do: after it has painted, between its events."""

from collections.abc import Callable

import js
from pyodide.ffi import create_once_callable, to_js
from pyscript import window

# Idle time is waited for at most this long: a page kept busy still gets the work done.
IDLE_TIMEOUT_MS = 2_000
# Where the browser has no requestIdleCallback (Safari): after this pause, the page having painted.
FALLBACK_DELAY_MS = 50


def when_idle(callback: Callable[[], None]) -> None:
    """Call ``callback`` once, in an idle period of the page (bounded by ``IDLE_TIMEOUT_MS``)."""
    proxy = create_once_callable(lambda *_deadline: callback())
    if hasattr(window, "requestIdleCallback"):
        options = to_js({"timeout": IDLE_TIMEOUT_MS}, dict_converter=js.Object.fromEntries)
        window.requestIdleCallback(proxy, options)
    else:
        window.setTimeout(proxy, FALLBACK_DELAY_MS)
