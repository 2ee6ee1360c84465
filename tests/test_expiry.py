from datetime import UTC, datetime, timedelta

import pytest

from chatdump.core.expiry import (
    UNKNOWN_EXPIRY_LIFETIME,
    is_stale,
    parse_expiry,
    to_iso,
    usable_until,
)

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-25T10:03:11.000Z", datetime(2026, 11, 25, 10, 3, 11, tzinfo=UTC)),
        ("2022-12-13 07:08:39.051621Z", datetime(2022, 12, 13, 7, 8, 39, 51621, tzinfo=UTC)),
        ("2026-11-25T12:03:11+02:00", datetime(2026, 11, 25, 10, 3, 11, tzinfo=UTC)),
        ("2026-11-25T10:03:11", datetime(2026, 11, 25, 10, 3, 11, tzinfo=UTC)),
    ],
)
def test_both_documented_expiry_forms_parse_to_utc(text: str, expected: datetime) -> None:
    assert parse_expiry(text) == expected


@pytest.mark.parametrize("text", ["", "tomorrow", "86400", "2026-13-45T00:00:00Z", "9" * 100])
def test_unreadable_expiry_is_none(text: str) -> None:
    assert parse_expiry(text) is None


def test_unreadable_expiry_counts_as_short_lived() -> None:
    assert usable_until("soon", NOW) == NOW + UNKNOWN_EXPIRY_LIFETIME


def test_a_url_close_to_expiry_is_stale() -> None:
    assert is_stale(NOW + timedelta(seconds=10), NOW)
    assert is_stale(NOW - timedelta(seconds=1), NOW)
    assert not is_stale(NOW + timedelta(minutes=10), NOW)


def test_iso_output_is_utc_with_z() -> None:
    assert to_iso(datetime(2026, 11, 24, 12, 0, tzinfo=UTC)) == "2026-11-24T12:00:00Z"
