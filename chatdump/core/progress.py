"""How sizes and progress read to a person: ``2.5 MB of 10.0 MB (25%)``.

This is the English of the CLI and the widget; other languages take ``size_unit`` and
``progress_fraction`` and say them with the browser's ``Intl`` (``browser/locale.py``).
"""

from __future__ import annotations

SIZE_UNITS = ("bytes", "KB", "MB", "GB")


def progress_text(received: int, total: int | None) -> tuple[str, float | None]:
    """The progress line and the bar's fraction; ``None`` when the size is unknown (indeterminate).

    ``total`` comes from the network and may be 0 or smaller than what arrived: then it is unknown.
    """
    fraction = progress_fraction(received, total)
    if total is None or fraction is None:
        return f"{human_size(received)} received", None
    return f"{human_size(received)} of {human_size(total)} ({int(fraction * 100)}%)", fraction


def progress_fraction(received: int, total: int | None) -> float | None:
    if total is None or total <= 0 or received > total:
        return None
    return received / total


def size_unit(size: int) -> tuple[float, str]:
    """``size`` in the unit a person reads it in: ``(2.5, "MB")``. Decimal units, as disks use."""
    value, unit = float(size), "bytes"
    for unit in SIZE_UNITS:
        if value < 1000 or unit == SIZE_UNITS[-1]:
            break
        value /= 1000
    return value, unit


def human_size(size: int) -> str:
    value, unit = size_unit(size)
    return f"{size:,} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
