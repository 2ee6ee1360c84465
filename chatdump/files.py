"""Writing a file whole or not at all: a temporary file in the target folder, fsynced, then
renamed over the target. A crash, an error or Ctrl-C leaves no file that looks complete."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_write(target: Path) -> Iterator[BinaryIO]:
    target = Path(target)
    part = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        with part.open("xb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        part.replace(target)
        fsync_dir(target.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()


def fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); not possible on every platform, hence best effort."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
