"""Where a download of a given size can go in this browser, decided as soon as the size is known.

The widget builds the file as a Blob and saves it with ``<a download>``: the fastest way, and the
one every engine supports. But a Blob lives in the browser's blob storage, which has limits
(measured with bench/blob_limits.py; README "Browser support"). Beyond them:

- ``file``: the File System Access API's streaming writer (``showSaveFilePicker`` +
  ``createWritable``: Chromium, a top-level or same-origin frame, within the click's activation):
  the parts go straight into the file the person chose; no Blob holds the whole;
- ``browser``: a plain CSV goes through the server's streaming route as a native download,
  authorised by a short-lived ticket (``chatdump.server.tickets``): the browser streams it to disk
  itself;
- ``nowhere``: a conversion to another format needs the whole file in the page; beyond the limit
  it cannot be done here, and the widget says so before downloading anything more.

The limits are per engine, since a page cannot ask the browser for them. ``BLOB_LIMITS`` holds the
smallest limit measured for each engine (a private window's, where it is smaller), with margin.

How the body is fetched depends on the engine too (``fetch_in_parts``): in byte ranges, each a
``fetch`` into a Blob, where that is faster than one XMLHttpRequest (Chromium), and where the
File System Access writer needs parts to write; in one XMLHttpRequest elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SaveTo = Literal["blob", "file", "browser", "nowhere"]
GB = 1000 * 1000 * 1000
# Measured here (bench/blob_limits.py, XHR and fetch parts alike): Chromium 156 saved 2.1 GB and
# failed 2.5 GB in a private window, which a page cannot tell apart (an ordinary profile pages
# Blobs to disk: 8 GB, the largest tried, saved); Firefox ESR 153 keeps Blobs in temp files and
# saved 16 GB, the largest tried. Unknown engines get the smallest known limit.
BLOB_LIMITS = {"chromium": 2 * GB, "firefox": 16 * GB}
UNKNOWN_ENGINE_LIMIT = 2 * GB
# Parts beat one XMLHttpRequest in Chromium (1 GB: 1.3-1.5x faster, bench/bench_bigdump.py) and
# lose to it in Firefox (1 GB: 13.9 s against 7.5 s, 4 GB: 52 s against 24 s, bench/blob_limits.py).
PARTS_ENGINES = frozenset({"chromium"})


@dataclass(frozen=True)
class BrowserAbilities:
    """What the browser shell found out about this page's browser."""

    blob_limit: int
    file_picker: bool  # showSaveFilePicker exists here (it may still refuse: then ``browser``)


def engine_of(user_agent: str) -> str:
    """``chromium``, ``firefox`` or ``other``, from ``navigator.userAgent``."""
    if "Firefox/" in user_agent:
        return "firefox"
    if "Chrome/" in user_agent or "Chromium/" in user_agent:
        return "chromium"
    return "other"


def fetch_in_parts(user_agent: str) -> bool:
    """Whether storage's body is fetched in byte ranges in this engine (else in one request)."""
    return engine_of(user_agent) in PARTS_ENGINES


def blob_limit(user_agent: str, lowered_to: int | None = None) -> int:
    """The largest Blob the widget builds in this engine (``lowered_to``, if the page asks less)."""
    limit = BLOB_LIMITS.get(engine_of(user_agent), UNKNOWN_ENGINE_LIMIT)
    return limit if lowered_to is None else max(0, min(limit, lowered_to))


def plan_save(
    size: int | None, *, convert: bool, in_parts: bool, browser: BrowserAbilities
) -> SaveTo:
    """Where a body of ``size`` bytes (None: unknown) goes: see the module's docstring.

    ``in_parts``: storage answers byte ranges, so the body can be written to a file part by part.
    """
    if size is None or size <= browser.blob_limit:
        return "blob"  # an unknown size gets the Blob: if the browser fails it, the widget says so
    if convert:
        return "nowhere"
    return "file" if browser.file_picker and in_parts else "browser"
