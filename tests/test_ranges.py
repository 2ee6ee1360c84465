"""A ranged download's decisions (``chatdump.core.ranges``), driven with plain answers."""

from __future__ import annotations

import pytest

from chatdump.core import errors
from chatdump.core.ranges import (
    FIRST_PART,
    MAX_PART,
    MIN_PART,
    PartAnswer,
    Ranges,
    next_part,
    parse_content_range,
)

ETAG = '"abc"'


def part(first: int, last: int, total: int, etag: str | None = ETAG, **other: str) -> PartAnswer:
    return PartAnswer(
        206, f"bytes {first}-{last}/{total}", str(last - first + 1), etag,
        other.get("last_modified"),
    )  # fmt: skip


def test_the_first_part_asks_for_the_first_bytes() -> None:
    assert Ranges().header() == f"bytes=0-{FIRST_PART - 1}"


def test_parts_follow_each_other_until_the_total_and_the_last_one_is_cut_to_size() -> None:
    size = MIN_PART  # parts that take a second each stay this size
    ranges, total = Ranges(first_part=size), size * 5 // 2
    assert ranges.answer(part(0, size - 1, total)) == "part"
    ranges.arrived(size, seconds=1.0)
    assert ranges.header() == f"bytes={size}-{2 * size - 1}"
    assert ranges.answer(part(size, 2 * size - 1, total)) == "part"
    ranges.arrived(size, seconds=1.0)
    assert ranges.header() == f"bytes={2 * size}-{total - 1}"
    assert ranges.answer(part(2 * size, total - 1, total)) == "part"
    ranges.arrived(total - 2 * size, seconds=1.0)
    assert ranges.complete and ranges.received == total


def test_a_body_smaller_than_the_first_part_is_one_part() -> None:
    ranges = Ranges()
    assert ranges.answer(part(0, 59, 60)) == "part"
    ranges.arrived(60, seconds=0.1)
    assert ranges.complete and ranges.total == 60


def test_storage_that_ignores_range_gives_the_whole_body_at_once() -> None:
    assert Ranges().answer(PartAnswer(200, None, "1000")) == "whole"


def test_an_error_answer_to_the_first_part_is_the_flows_to_judge() -> None:
    for status in (403, 404, 500):
        assert Ranges().answer(PartAnswer(status)) == "failed"


def test_an_empty_object_or_unreadable_headers_mean_one_plain_request() -> None:
    assert Ranges().answer(PartAnswer(416)) == "unranged"  # S3, on a range of an empty object
    # The page may not read Content-Range (not exposed by the bucket's CORS rule)...
    assert Ranges().answer(PartAnswer(206, None, "100", ETAG)) == "unranged"
    # ...or any validator: the parts could not be checked to be one object.
    assert Ranges().answer(part(0, 99, 1000, etag=None)) == "unranged"


def test_last_modified_serves_as_the_validator_without_an_etag() -> None:
    ranges = Ranges(first_part=100)
    assert ranges.answer(part(0, 99, 200, etag=None, last_modified="Tue")) == "part"
    ranges.arrived(100, seconds=1.0)
    with pytest.raises(errors.UpstreamError) as raised:
        ranges.answer(part(100, 199, 200, etag=None, last_modified="Wed"))
    assert raised.value.code == "changed"


@pytest.mark.parametrize(
    "second",
    [
        part(100, 199, 300, etag='"other"'),  # another version of the object
        part(100, 199, 999),  # another total
        part(150, 249, 300),  # not where the last part ended
        part(100, 150, 300),  # shorter than asked, though the object goes on
        PartAnswer(206, "bytes 100-199/300", "7", ETAG),  # a length that is not the span's
        PartAnswer(206, "bytes */300", "0", ETAG),  # no span at all
    ],
)
def test_a_part_that_is_not_what_was_asked_for_stops_the_download(second: PartAnswer) -> None:
    ranges = Ranges(first_part=100)
    assert ranges.answer(part(0, 99, 300)) == "part"
    ranges.arrived(100, seconds=1.0)
    with pytest.raises(errors.UpstreamError) as raised:
        ranges.answer(second)
    assert raised.value.code == "changed"


def test_a_refusal_after_the_first_part_is_an_interruption_not_a_retry() -> None:
    ranges = Ranges(first_part=100)
    ranges.answer(part(0, 99, 300))
    ranges.arrived(100, seconds=1.0)
    with pytest.raises(errors.UpstreamError) as raised:
        ranges.answer(PartAnswer(403))  # e.g. the signed URL expired between two parts
    assert raised.value.code == "interrupted"


def test_a_part_body_shorter_than_promised_is_an_interruption() -> None:
    ranges = Ranges(first_part=100)
    ranges.answer(part(0, 99, 300))
    with pytest.raises(errors.UpstreamError) as raised:
        ranges.arrived(99, seconds=1.0)
    assert raised.value.code == "interrupted"
    assert ranges.received == 0


def test_a_part_is_sized_to_take_a_second_at_the_last_ones_rate_within_bounds() -> None:
    assert next_part(8 << 20, seconds=0.1) == 80 << 20
    assert next_part(8 << 20, seconds=1.0) == 8 << 20
    assert next_part(8 << 20, seconds=4.0) == 2 << 20
    assert next_part(64 << 20, seconds=0.01) == MAX_PART
    assert next_part(MIN_PART, seconds=60.0) == MIN_PART
    assert next_part(MIN_PART, seconds=0.0) == MAX_PART  # a clock that did not move: no crash


def test_the_next_part_follows_the_size_that_came_not_the_size_asked() -> None:
    ranges = Ranges(first_part=4 << 20)
    ranges.answer(part(0, (4 << 20) - 1, 100 << 20))
    ranges.arrived(4 << 20, seconds=0.5)
    assert ranges.header() == f"bytes={4 << 20}-{(4 << 20) + (8 << 20) - 1}"


@pytest.mark.parametrize(
    ("value", "span"),
    [
        ("bytes 0-99/1000", (0, 99, 1000)),
        (" bytes 10-10/11 ", (10, 10, 11)),
        ("bytes 5-4/10", None),
        ("bytes 0-10/10", None),
        ("bytes */10", None),
        ("items 0-1/2", None),
        (None, None),
    ],
)
def test_content_range_is_read_strictly(value: str | None, span: tuple[int, ...] | None) -> None:
    found = parse_content_range(value)
    assert (None if found is None else (found.first, found.last, found.total)) == span
