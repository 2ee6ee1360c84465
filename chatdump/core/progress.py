"""How sizes and progress read to a person: ``2.5 MB of 10.0 MB (25%)``."""

from __future__ import annotations


def progress_text(received: int, total: int | None) -> tuple[str, float | None]:
    """The progress line and the bar's fraction; ``None`` when the size is unknown (indeterminate).

    ``total`` comes from the network and may be 0 or smaller than what arrived: then it is unknown.
    """
    if total is None or total <= 0 or received > total:
        return f"{human_size(received)} received", None
    fraction = received / total
    return f"{human_size(received)} of {human_size(total)} ({int(fraction * 100)}%)", fraction


def human_size(size: int) -> str:
    value, unit = float(size), "bytes"
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            break
        value /= 1000
    return f"{size:,} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
