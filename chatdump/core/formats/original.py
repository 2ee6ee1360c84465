"""The CSV as storage holds it: saved byte for byte, never converted (so it has no renderer)."""

from __future__ import annotations

from chatdump.core.formats.base import Format

FORMAT = Format(
    "csv", "csv", "", "text/csv", "CSV (original)", "CSV (as stored)", "the original bytes"
)
