"""The part buffers of a bucket's uploads: a fixed number, shared by every chat uploading at once.

Memory is at most this count times the part size, whatever the number of chats in flight or
their size. A buffer is an anonymous mapping, not a bytearray: ``bytearray(n)`` writes n zeros
at once, while a mapping's pages become memory only as a chat's bytes reach them, so a run of
small chats costs what they weigh. Buffers are reused, never freed, and never pass through
malloc (8 MiB blocks freed from other threads bloat glibc's heaps).

A writer holds at least one buffer while its chat streams in (``take``), and may borrow more to
send parts while the next one fills (``try_take``), never waiting for those: a writer that holds
a buffer can always go on with its own, so no writer waits on one that waits on it.
"""

from __future__ import annotations

import mmap
import threading


class PartBuffers:
    def __init__(self, count: int, size: int) -> None:
        if count < 1:
            raise ValueError("at least one part buffer")
        self.count, self.size = count, size
        self._free: list[mmap.mmap] = []
        self._unmade = count  # mapped on first need
        self._changed = threading.Condition()

    @property
    def made(self) -> int:
        """Buffers mapped so far: the memory is at most this many times ``size``."""
        return self.count - self._unmade

    def take(self) -> mmap.mmap:
        """A buffer, waiting for one to be given back when all are in use."""
        with self._changed:
            while not self._free and not self._unmade:
                self._changed.wait()
            return self._pop()

    def try_take(self) -> mmap.mmap | None:
        """A buffer if one is free now, else None."""
        with self._changed:
            return self._pop() if self._free or self._unmade else None

    def give(self, *buffers: mmap.mmap) -> None:
        with self._changed:
            self._free.extend(buffers)
            self._changed.notify(len(buffers))

    def _pop(self) -> mmap.mmap:
        if self._free:
            return self._free.pop()
        self._unmade -= 1
        return mmap.mmap(-1, self.size)
