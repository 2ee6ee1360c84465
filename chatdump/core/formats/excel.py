"""CSV for Excel: the source text itself, with only the records that hold a formula cell written
anew (so everything else stays byte for byte), and a BOM so Excel reads UTF-8.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from itertools import compress, count
from operator import ne

from chatdump.core.dump import Batch

# Excel (and LibreOffice, Google Sheets) run a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Cells are joined with NUL (refused in the input) to find formula starts with C-level searches.
_SEPARATOR = "\x00"


class ExcelRenderer:
    def __init__(self) -> None:
        self._started = False

    def render(self, batch: Batch, index: dict[str, int]) -> str:
        # The BOM makes Excel read UTF-8; the header passes through the same neutraliser.
        head = "" if self._started or not batch.lines else "\ufeff"
        self._started = self._started or bool(batch.lines)
        return head + _excel_text(batch)


def neutralise(cell: str) -> str:
    """Make a cell that a spreadsheet would run as a formula show as text instead."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _excel_text(batch: Batch) -> str:
    """The batch's source text with only the records that hold a formula cell rewritten, so
    everything else (quoting, line breaks, blank lines) stays byte for byte as it was."""
    records = batch.records
    if all(records):
        numbers: Sequence[int] = range(len(records))
        rows = records
    else:  # blank lines have no cells to neutralise
        numbers = [i for i, record in enumerate(records) if record]
        rows = [records[i] for i in numbers]
    rewritten = _neutralised_rows(rows)
    if not rewritten:
        return "".join(batch.lines)
    # csv quotes a cell holding a line break only if the break is in its lineterminator: so CRLF,
    # cut off each line below to put back the record's own line break.
    sink: list[str] = []
    csv.writer(_Sink(sink.append), lineterminator="\r\n").writerows(rewritten.values())
    pieces: list[str] = []
    line = 0
    for row, text in zip(rewritten, sink, strict=True):
        i = numbers[row]
        start, end = batch.ends[i - 1] if i else 0, batch.ends[i]
        pieces += batch.lines[line:start]
        pieces.append(text[:-2] + _line_break(batch.lines[end - 1]))
        line = end
    pieces += batch.lines[line:]
    return "".join(pieces)


def _neutralised_rows(rows: list[list[str]]) -> dict[int, tuple[str, ...]]:
    """The rows with a cell that starts like a formula, by index (in order), neutralised.

    Column by column, so the common case runs in C: a column is joined with NUL (refused in the
    input), searched once per formula start, and only a column with a hit is rewritten.
    """
    columns = list(zip(*rows, strict=True))
    safe = [_neutralise_column(cells) for cells in columns]
    hits: set[int] = set()
    for old, new in zip(columns, safe, strict=True):
        if old is not new:
            hits.update(compress(count(), map(ne, old, new)))
    if not hits:
        return {}
    rows_out = list(zip(*safe, strict=True))
    return {i: rows_out[i] for i in sorted(hits)}


def _neutralise_column(cells: tuple[str, ...]) -> tuple[str, ...]:
    # Plain substring searches and replaces: far faster than a regex scan over the column.
    joined = _SEPARATOR + _SEPARATOR.join(cells)
    starts = [_SEPARATOR + start for start in FORMULA_STARTS if _SEPARATOR + start in joined]
    if not starts:
        return cells
    for start in starts:
        joined = joined.replace(start, _SEPARATOR + "'" + start[1:])
    return tuple(joined[1:].split(_SEPARATOR))


class _Sink:
    """A file for ``csv.writer`` that hands each line it writes to ``write``."""

    def __init__(self, write: Callable[[str], object]) -> None:
        self.write = write


def _line_break(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    return line[-1] if line.endswith(("\n", "\r")) else ""
