"""A progress bar on stderr (bytes, rate, ETA) when it is a terminal; nothing otherwise.

rich draws it (already pinned: a well-kept library that handles terminal width, redraw rate and
non-terminal output). It is imported only when a bar is shown, so scripts pay nothing for it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from chatdump.export.download import NoProgress, Progress


class RichProgress:
    def __init__(self, bar: Any, label: str) -> None:
        self._bar = bar
        self.task = bar.add_task(label, total=None)

    def start(self, total: int | None, done: int) -> None:
        self._bar.update(self.task, total=total, completed=done)

    def advance(self, size: int) -> None:
        self._bar.advance(self.task, size)


@contextmanager
def progress_bar(label: str, *, enabled: bool | None = None) -> Iterator[Progress]:
    with progress_bars(enabled=enabled) as bars, bars(label) as bar:
        yield bar


@contextmanager
def progress_bars(
    *, enabled: bool | None = None
) -> Iterator[Callable[[str], AbstractContextManager[Progress]]]:
    """One display for several bars at once (``archive --jobs``): ``bars(label)`` adds one for
    as long as its block runs. rich allows one live display at a time, hence one for all."""
    show = sys.stderr.isatty() if enabled is None else enabled
    if not show:
        yield lambda label: nullcontext(NoProgress())
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    from rich.progress import Progress as Display

    columns = (
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
        TransferSpeedColumn(), TimeRemainingColumn(),
    )  # fmt: skip
    with Display(*columns, console=Console(stderr=True), transient=True) as display:

        @contextmanager
        def bar(label: str) -> Iterator[Progress]:
            shown = RichProgress(display, label[:40])
            try:
                yield shown
            finally:
                display.remove_task(shown.task)

        yield bar
