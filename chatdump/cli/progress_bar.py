"""A progress bar on stderr (bytes, rate, ETA) when it is a terminal; nothing otherwise.

rich draws it (already pinned: a well-kept library that handles terminal width, redraw rate and
non-terminal output). It is imported only when a bar is shown, so scripts pay nothing for it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from chatdump.export.download import NoProgress, Progress


class RichProgress:
    def __init__(self, bar: Any, label: str) -> None:
        self._bar = bar
        self._task = bar.add_task(label, total=None)

    def start(self, total: int | None, done: int) -> None:
        self._bar.update(self._task, total=total, completed=done)

    def advance(self, size: int) -> None:
        self._bar.advance(self._task, size)


@contextmanager
def progress_bar(label: str, *, enabled: bool | None = None) -> Iterator[Progress]:
    show = sys.stderr.isatty() if enabled is None else enabled
    if not show:
        yield NoProgress()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    from rich.progress import Progress as Bar

    columns = (
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
        TransferSpeedColumn(), TimeRemainingColumn(),
    )  # fmt: skip
    with Bar(*columns, console=Console(stderr=True), transient=True) as bar:
        yield RichProgress(bar, label[:40])
