"""The engines the cross-engine suite runs in: one more engine is one file and one line here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.browser.engines.base import Engine
from tests.browser.engines.chromium import Chromium
from tests.browser.engines.firefox import Firefox
from tests.browser.engines.webkit import WebKit

ENGINES: dict[str, Callable[[Path], Engine]] = {
    "chromium": Chromium,
    "firefox": Firefox,
    "webkit": WebKit,
}
