"""Writing a file whole or not at all: a temporary file in the target folder, renamed over the
target only once complete. A crash, an error or Ctrl-C leaves no file that looks complete.

``durable=True`` also makes the file survive a power cut once written: it is flushed to disk
before the rename (and the folder after it). That costs what the disk's write speed costs, so it
is asked for where a lost file would go unnoticed (the archive and its manifest) and offered as
``--fsync`` elsewhere, as ``curl -o`` or ``rsync`` do.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

# While a durable file is written, a thread flushes it to disk this often, so the disk works
# while the data still arrives and the final fsync has little left (bench/bench_cli.py measures it).
SYNC_EVERY_SECONDS = 0.1
SYNC_JOIN_SECONDS = 60.0


@contextlib.contextmanager
def atomic_write(target: Path, *, durable: bool) -> Iterator[BinaryIO]:
    target = Path(target)
    part = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        with part.open("xb") as out:
            with background_sync(out.fileno()) if durable else contextlib.nullcontext():
                yield out
            if durable:
                out.flush()
                os.fsync(out.fileno())
        part.replace(target)
        if durable:
            fsync_dir(target.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()


@contextlib.contextmanager
def background_sync(fd: int) -> Iterator[None]:
    """fdatasync ``fd`` from a thread every ``SYNC_EVERY_SECONDS`` until the block ends."""
    stop = threading.Event()

    def run() -> None:
        with contextlib.suppress(OSError):  # a file system without it: the final fsync does all
            while not stop.wait(SYNC_EVERY_SECONDS):
                _datasync(fd)

    thread = threading.Thread(target=run, name="chatdump-sync", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(SYNC_JOIN_SECONDS)


# The data without the metadata; macOS has no fdatasync.
_datasync = getattr(os, "fdatasync", os.fsync)


def fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); not possible on every platform, hence best effort."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
