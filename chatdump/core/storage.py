"""What storage's answer means: a failed status, or a body shorter than its Content-Length."""

from __future__ import annotations

from chatdump.core import errors


def storage_error(status: int) -> errors.ChatdumpError:
    """What a failed answer from storage means to the person clicking."""
    if status == 403:
        return errors.UpstreamError(
            "The download link was refused by storage (it may have expired).",
            code="storage_forbidden",
        )
    if status == 404:
        return errors.NotFound("Storage no longer has this chat.", code="storage_not_found")
    return errors.UpstreamError(f"Storage answered HTTP {status}.", code="storage_error")


def check_complete(content_length: str | None, received: int) -> None:
    """Raise unless the body is whole: a short file must never be saved as if it were complete."""
    if content_length is None or not content_length.strip().isdigit():
        return  # unknown length (chunked): the browser's own stream errors are the only signal
    expected = int(content_length)
    if received != expected:
        raise errors.UpstreamError(
            f"The download was cut short ({received:,} of {expected:,} bytes); nothing was saved.",
            code="truncated",
        )
