"""The part buffers a bucket's chats share: never more than their count, reused, and a writer
waiting for one gets the one given back."""

from __future__ import annotations

import threading

from chatdump.export.destinations.part_buffers import PartBuffers

SIZE = 1 << 20


def test_no_more_buffers_than_the_count_and_each_is_reused() -> None:
    buffers = PartBuffers(2, SIZE)
    first, second = buffers.take(), buffers.try_take()
    assert second is not None and second is not first
    assert buffers.try_take() is None  # all in use: no third is made
    buffers.give(first)
    assert buffers.try_take() is first
    assert len(first) == len(second) == SIZE
    assert buffers.made == 2


def test_a_take_waiting_for_a_buffer_gets_the_one_given_back() -> None:
    buffers = PartBuffers(1, SIZE)
    held = buffers.take()
    got: list[object] = []
    waiter = threading.Thread(target=lambda: got.append(buffers.take()), daemon=True)
    waiter.start()
    buffers.give(held)
    waiter.join(timeout=10)
    assert got == [held]
