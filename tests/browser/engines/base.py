"""What a browser engine must do for the cross-engine suite, and the parts engines share.

Every interaction a person would make (a click, a choice in a select) is made by the driver, never
by page script: Firefox does not count a script's ``click()`` as a user gesture.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

POLL_SECONDS = 0.1
# Names browsers give a download still being written.
IN_PROGRESS = (".part", ".crdownload", ".download", ".wkdownload")


@dataclass(frozen=True)
class SavedFile:
    name: str
    data: bytes


class Engine(Protocol):
    name: str

    def open(self, url: str) -> None:
        """Load ``url`` in a fresh document, top level."""

    def click(self, css: str) -> None:
        """A real click by the driver on the element ``css`` names, in the current frame."""

    def select(self, css: str, value: str) -> None:
        """Choose ``value`` in the ``<select>`` ``css`` names, as a person would."""

    def evaluate(self, expression: str) -> Any:
        """The value of a synchronous JS expression in the current frame."""

    def enter_frame(self, css: str) -> None:
        """Make the iframe ``css`` names the current frame."""

    def leave_frame(self) -> None:
        """Back to the top-level document."""

    def downloads(self) -> list[str]:
        """Every download started since the last ``reset``, finished or not."""

    def saved(self, timeout: float) -> SavedFile:
        """The one download since the last ``reset``, once complete; fails after ``timeout``."""

    def reset(self) -> None:
        """A fresh page for the next test: blank document, top frame, no downloads."""

    def close(self) -> None: ...


def poll(what: str, check: Callable[[], Any], timeout: float) -> Any:
    """``check()``'s first truthy value; AssertionError naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(POLL_SECONDS)


def wait_for(engine: Engine, predicate: str, timeout: float) -> Any:
    """The truthy value of the JS ``predicate`` once it holds, within ``timeout`` s."""
    return poll(predicate, lambda: engine.evaluate(predicate), timeout)


class DownloadFolder:
    """A folder a browser saves into by itself (Firefox, WebKitGTK): done when no file there is
    still being written and the file's size held still across two looks."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    def names(self) -> list[str]:
        return sorted(p.name for p in self.path.iterdir())

    def clear(self) -> None:
        shutil.rmtree(self.path)
        self.path.mkdir()

    def saved(self, timeout: float) -> SavedFile:
        sizes: dict[str, int] = {}

        def complete() -> Path | None:
            files = list(self.path.iterdir())
            if not files or any(f.name.endswith(IN_PROGRESS) for f in files):
                return None
            assert len(files) == 1, f"more than one download: {sorted(f.name for f in files)}"
            done = files[0]
            size, before = done.stat().st_size, sizes.get(done.name)
            sizes[done.name] = size
            return done if size == before and size > 0 else None

        done: Path = poll(f"a complete download in {self.path}", complete, timeout)
        return SavedFile(done.name, done.read_bytes())
