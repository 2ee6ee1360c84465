"""Debian's Chromium through Playwright; downloads are Playwright's own events."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Download, Frame, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.engines.base import POLL_SECONDS, SavedFile


class Chromium:
    name = "chromium"

    def __init__(self, _workdir: Path) -> None:
        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # One context for the module: a shared HTTP cache, so pages after the first boot warm.
        self.context = self.browser.new_context(accept_downloads=True)
        self.started: list[Download] = []
        self.page = self.context.new_page()
        self.page.on("download", self._started)
        self.frame: Frame = self.page.main_frame

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.frame = self.page.main_frame

    def click(self, css: str) -> None:
        self.frame.click(css)

    def select(self, css: str, value: str) -> None:
        self.frame.select_option(css, value)

    def evaluate(self, expression: str) -> Any:
        return self.frame.evaluate(expression)

    def enter_frame(self, css: str) -> None:
        element = self.frame.wait_for_selector(css)
        frame = element.content_frame() if element else None
        assert frame is not None, f"{css} is not a frame"
        self.frame = frame

    def leave_frame(self) -> None:
        self.frame = self.page.main_frame

    def downloads(self) -> list[str]:
        self.page.wait_for_timeout(0)  # let Playwright deliver the events it holds
        return [download.suggested_filename for download in self.started]

    def saved(self, timeout: float) -> SavedFile:
        deadline = time.monotonic() + timeout
        while not self.started:
            assert time.monotonic() < deadline, f"no download within {timeout} s"
            self.page.wait_for_timeout(POLL_SECONDS * 1000)
        assert len(self.started) == 1, f"more than one download: {self.downloads()}"
        download = self.started[0]
        path = download.path()  # waits for the end
        assert download.failure() is None, download.failure()
        return SavedFile(download.suggested_filename, Path(path).read_bytes())

    def reset(self) -> None:
        self.page.close()
        self.started.clear()
        self.page = self.context.new_page()
        self.page.on("download", self._started)
        self.frame = self.page.main_frame

    def _started(self, download: Download) -> None:
        self.started.append(download)

    def close(self) -> None:
        self.context.close()
        self.browser.close()
        self.playwright.stop()
