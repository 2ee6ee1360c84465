"""Reading the upstream's expiry strings, and deciding whether a signed URL is still worth using.

Dyte does not document the expiry format. Seen: ``2026-11-25T10:03:11.000Z`` and, in a webhook,
``2022-12-13 07:08:39.051621Z``. We parse leniently; what we cannot parse counts as *short-lived*.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# A URL we cannot read the expiry of is trusted for this long after we received it.
UNKNOWN_EXPIRY_LIFETIME = timedelta(seconds=60)
# Ask for a fresh URL when the current one has less than this left: a large download must not
# race the expiry.
DEFAULT_MARGIN = timedelta(seconds=30)


def parse_expiry(text: str) -> datetime | None:
    """Parse an ISO-8601-ish timestamp to an aware UTC datetime; None when it is not one."""
    value = text.strip()
    if not value or len(value) > 64:
        return None
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def usable_until(expiry_text: str, received_at: datetime) -> datetime:
    """When a URL stops being usable: its stated expiry, or soon after receipt if unreadable."""
    parsed = parse_expiry(expiry_text)
    return parsed if parsed is not None else received_at + UNKNOWN_EXPIRY_LIFETIME


def is_stale(expires_at: datetime, now: datetime, margin: timedelta = DEFAULT_MARGIN) -> bool:
    """True when a URL expiring at ``expires_at`` should not be used at ``now``."""
    return now + margin >= expires_at


def to_iso(moment: datetime) -> str:
    """The one ISO-8601 form chatdump emits: UTC, seconds, ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
