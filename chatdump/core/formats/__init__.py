"""The export formats: THE registry, file names, and the ``Converter`` that renders a dump.

A format is one line in ``FORMATS`` (what it is: its names, file and words) and, if it converts,
one module here with its renderer. The page param, the host page's ``set-format``, the CLI's
``--format``, the message catalogue and the output file names read this registry, and a test holds
index.html's format select to it (add the ``<option>`` there too).

The registry is light on purpose: the widget reads it before it says "ready" (the format param,
the words), while the conversion code (the renderers, ``chatdump.core.dump``, ``csv``) is imported
only when a conversion starts, so the page need not load it before it is ready.

``Converter`` turns the dump into output text the way ``ChatReader`` reads it (push a chunk, get
text), so the caller decides when to yield: the widget awaits between chunks to keep the page
responsive, the CLI writes each piece to a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from chatdump.core.filenames import with_extension
from chatdump.core.formats.base import Format, Renderer

if TYPE_CHECKING:
    from chatdump.core.dump import Summary


# Each renderer's module is imported by its first conversion (see the module's docstring).
def _excel() -> Renderer:
    from chatdump.core.formats.excel import ExcelRenderer

    return ExcelRenderer()


def _jsonl() -> Renderer:
    from chatdump.core.formats.jsonl import JsonLinesRenderer

    return JsonLinesRenderer()


def _transcript() -> Renderer:
    from chatdump.core.formats.transcript import TranscriptRenderer

    return TranscriptRenderer()


# In the order the page's select and the CLI offer them.
FORMATS = {
    f.name: f
    for f in (
        Format("csv", "csv", "", "text/csv", "CSV (original)", "CSV (as stored)",
               "the original bytes"),
        Format("excel", "csv", "excel", "text/csv", "CSV for Excel", "CSV for Excel",
               "CSV safe to open in a spreadsheet", _excel),
        Format("jsonl", "jsonl", "", "application/jsonl", "JSON Lines", "JSON Lines",
               "JSON Lines", _jsonl),
        Format("txt", "txt", "", "text/plain", "Transcript", "Transcript (.txt)",
               "a readable transcript", _transcript),
    )
}  # fmt: skip
CONVERTED_FORMATS = tuple(name for name, f in FORMATS.items() if f.renderer is not None)


def output_filename(csv_filename: str, fmt: str) -> str:
    """The name to save format ``fmt`` under, from the chat's CSV filename."""
    spec = _format(fmt)
    return with_extension(csv_filename, spec.extension, suffix=spec.suffix)


class Converter:
    """Push chunks of the dump, get converted text back. ``close()`` returns the last piece.

    >>> c = Converter("jsonl"); out = c.feed(data) + c.close(); c.summary.messages
    """

    def __init__(self, fmt: str) -> None:
        self.format = _format(fmt)
        if self.format.renderer is None:
            raise ValueError(f"{fmt!r} is not a conversion: use one of {CONVERTED_FORMATS}")
        from chatdump.core.dump import ChatReader  # the conversion code: see the module's docstring

        self.reader = ChatReader()
        self._renderer = self.format.renderer()

    @property
    def summary(self) -> Summary:
        return self.reader.summary

    def feed(self, chunk: bytes | str) -> str:
        return self._renderer.render(self.reader.push(chunk), self.reader.index)

    def close(self) -> str:
        return self._renderer.render(self.reader.finish(), self.reader.index)


def convert(chunks: Iterable[bytes | str], fmt: str) -> Iterator[str]:
    """Pull-style driver: converted text pieces, one per input chunk that completes rows."""
    converter = Converter(fmt)
    for chunk in chunks:
        piece = converter.feed(chunk)
        if piece:
            yield piece
    last = converter.close()
    if last:
        yield last


def _format(fmt: str) -> Format:
    try:
        return FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}") from None
