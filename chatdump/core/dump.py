"""The chat dump itself: its columns, reading it chunk by chunk, its summary, its messages as
people read them. Stdlib only and pure: the widget (Pyodide) and the CLI (CPython) share it.

How it works: ``ChatReader`` is pushed chunks of the dump (bytes or text, any size, cut anywhere)
and hands back the complete rows they finish. Each push decodes with an incremental UTF-8 decoder,
keeps only whole lines, and parses them with the stdlib ``csv`` module in strict mode; a record
whose quoted field runs past the chunk makes ``csv`` report "unexpected end of data", and those
lines wait for the next push. Memory is bounded by the chunk size plus one record, whatever the
file size. What each format makes of the rows is ``chatdump.core.formats``.

Columns are found by header name, never by position; a missing one is an ``InvalidChatDump``.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from urllib.parse import urlsplit

from chatdump.core import errors
from chatdump.core.expiry import parse_expiry
from chatdump.core.progress import human_size

COLUMNS = (
    "id", "participantId", "sessionId", "meetingId", "displayName",
    "pinned", "isEdited", "payloadType", "payload", "createdAt",
)  # fmt: skip
BOOLEAN_COLUMNS = ("pinned", "isEdited")
BOOLEANS: dict[str, bool | None] = {"true": True, "false": False, "1": True, "0": False, "": None}
# A record can hold ten fields of the csv module's field size limit; anything longer is refused
# before it can grow without bound.
MAX_RECORD_CHARS = 11 * csv.field_size_limit()
# Distinct participants are counted up to here, so a hostile file cannot grow the set for ever.
MAX_TRACKED_PARTICIPANTS = 100_000
# Converting in 64 KB pieces keeps a batch's rows small enough for the CPU's caches and the
# garbage collector: 1 MB pieces made the conversion 1.3x slower (measured once, by hand: 14.5 s
# against 10.8 s converting bench_cli.py's 1M-row dump to Excel in-process).
CHUNK_SIZE = 1 << 16
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")
# str.splitlines also breaks on these; csv does not.
_OTHER_LINE_BREAKS = ("\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
# Control characters, shown as spaces (terminal escapes in hostile payloads).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Summary:
    messages: int
    participants: int
    participants_capped: bool
    first: datetime | None
    last: datetime | None

    def describe(self) -> str:
        """``240 messages from 6 participants, 2026-11-24 10:00 - 10:45 UTC``."""
        people = f"{self.participants:,}{'+' if self.participants_capped else ''}"
        text = (
            f"{self.messages:,} message{'s' if self.messages != 1 else ''} from {people} "
            f"participant{'s' if self.participants != 1 else ''}"
        )
        if self.first is None or self.last is None:
            return text
        start = self.first.strftime("%Y-%m-%d %H:%M")
        same_day = self.first.date() == self.last.date()
        end = self.last.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")
        return f"{text}, {start} - {end} UTC"


@dataclass(frozen=True)
class Message:
    """One message as people read it: for the preview and the transcript."""

    time: str  # ``2026-11-24 10:03`` (UTC), or the raw createdAt if unreadable
    name: str
    kind: str  # text, image, file, or the payloadType in lower case
    text: str  # what to show; for images and files, a label and the link
    link: str | None  # an http(s) link for images and files, else None
    pinned: bool | None
    edited: bool | None


@dataclass(frozen=True)
class Batch:
    """What one push completed: the source text of whole records, line by line, and the records."""

    lines: list[str]  # exactly as read (line breaks kept); "".join(lines) is the source text
    records: list[list[str]]  # every record in those lines: the header, messages, blank lines
    ends: list[int]  # records[i] is lines[ends[i - 1]:ends[i]]
    messages: list[list[str]]  # the data rows: no header, no blank lines


class ChatReader:
    """Push chunks of a CSV chat dump, get its data rows back (lists of strings, header order)."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
        self._bytes_in = 0
        self._rest: list[str] = []  # text after the last line break seen
        self._rest_chars = 0
        self._pending: list[str] = []  # lines of a record that is not complete yet
        self._closed = False
        self.header: list[str] | None = None
        self.index: dict[str, int] = {}
        self.messages = 0
        self._participants: set[str] = set()
        self._participants_capped = False
        self._first_created = ""
        self._last_created = ""

    def feed(self, chunk: bytes | str) -> list[list[str]]:
        return self.push(chunk).messages

    def close(self) -> list[list[str]]:
        """The rows left at the end; raises if the file ends inside a record or has no header."""
        return self.finish().messages

    def push(self, chunk: bytes | str) -> Batch:
        """Like ``feed``, with the source text of what the chunk completed."""
        if self._closed:
            raise ValueError("feed() after close()")
        text = self._decode(chunk, final=False)
        return self._batch(self._split(text, final=False), final=False)

    def finish(self) -> Batch:
        """Like ``close``, with the source text of the last records."""
        text = self._decode(b"", final=True)
        batch = self._batch(self._split(text, final=True), final=True)
        self._closed = True
        if self.header is None:
            raise errors.InvalidChatDump("The file is empty: it has no header row.", code="empty")
        return batch

    @property
    def summary(self) -> Summary:
        return Summary(
            messages=self.messages,
            participants=len(self._participants),
            participants_capped=self._participants_capped,
            first=parse_expiry(self._first_created) if self._first_created else None,
            last=parse_expiry(self._last_created) if self._last_created else None,
        )

    def _decode(self, chunk: bytes | str, *, final: bool) -> str:
        if isinstance(chunk, str):
            text = chunk
        else:
            try:
                text = self._decoder.decode(chunk, final)
            except UnicodeDecodeError as exc:
                at = self._bytes_in + max(exc.start, 0)
                raise errors.InvalidChatDump(
                    f"The file is not UTF-8 text (invalid byte at offset {at:,}).",
                    code="not_utf8",
                ) from exc
            self._bytes_in += len(chunk)
        if "\x00" in text:
            raise errors.InvalidChatDump(
                "The file contains NUL bytes: it is not a CSV chat dump.", code="nul_byte"
            )
        return text

    def _split(self, text: str, *, final: bool) -> list[str]:
        """Whole lines (with their line breaks); the text after the last break waits."""
        cut = _after_last_break(text, final=final)
        if cut < 0:
            self._rest.append(text)
            self._rest_chars += len(text)
        else:
            head = "".join([*self._rest, text[:cut]]) if self._rest else text[:cut]
            self._rest = [text[cut:]] if cut < len(text) else []
            self._rest_chars = len(text) - cut
        if self._rest_chars > MAX_RECORD_CHARS:
            raise _too_large()
        lines = _lines(head) if cut >= 0 else []
        if final and self._rest:
            lines.append("".join(self._rest))  # the last line may lack a line break
            self._rest, self._rest_chars = [], 0
        return lines

    def _batch(self, lines: list[str], *, final: bool) -> Batch:
        if self._pending:
            lines = self._pending + lines
            self._pending = []
        records, ends = self._parse(lines, final=final)
        done = ends[-1] if ends else 0
        if done < len(lines):
            self._pending = lines[done:]
            if sum(map(len, self._pending)) > MAX_RECORD_CHARS:
                raise _too_large()
            lines = lines[:done]
        return Batch(lines, records, ends, self._data_rows(records))

    def _parse(self, lines: list[str], *, final: bool) -> tuple[list[list[str]], list[int]]:
        """The whole records in ``lines``, and the number of lines read at the end of each."""
        records: list[list[str]] = []
        ends: list[int] = []
        reader = csv.reader(lines, strict=True)
        keep, mark = records.append, ends.append
        try:
            for record in reader:
                keep(record)
                mark(reader.line_num)
        except csv.Error as exc:
            # "unexpected end of data" on the last line: a quoted field that goes on in the next
            # chunk. Those lines wait; anything else is a broken file.
            if final or reader.line_num < len(lines) or "end of data" not in str(exc):
                raise _csv_error(exc, self.messages + len(records) + 1) from exc
        return records, ends

    def _data_rows(self, records: list[list[str]]) -> list[list[str]]:
        rows = records if all(records) else [row for row in records if row]  # blank lines: none
        if self.header is None and rows:
            self._read_header(rows[0])
            rows = rows[1:]
        if not rows:
            return rows
        width = len(self.index_header)
        if set(map(len, rows)) != {width}:
            bad = next(i for i, row in enumerate(rows) if len(row) != width)
            raise errors.InvalidChatDump(
                f"Message {self.messages + bad + 1:,} has {len(rows[bad])} fields; "
                f"the header has {width}.",
                code="wrong_field_count",
            )
        self._count(rows)
        return rows

    @property
    def index_header(self) -> list[str]:
        return self.header or []

    def _read_header(self, row: list[str]) -> None:
        names = [name.strip() for name in row]
        missing = [name for name in COLUMNS if name not in names]
        if missing:
            raise errors.InvalidChatDump(
                f"This is not a chat dump: no {', '.join(missing)} column"
                f"{'s' if len(missing) > 1 else ''} in the header.",
                code="missing_columns",
            )
        self.header = names
        self.index = {name: names.index(name) for name in COLUMNS}

    def _count(self, rows: list[list[str]]) -> None:
        self.messages += len(rows)
        created = self.index["createdAt"]
        if not self._first_created:
            self._first_created = rows[0][created]
        self._last_created = rows[-1][created]
        if not self._participants_capped:
            self._participants.update(map(itemgetter(self.index["participantId"]), rows))
            if len(self._participants) >= MAX_TRACKED_PARTICIPANTS:
                self._participants_capped = True


def summarise(chunks: Iterable[bytes | str]) -> Summary:
    reader = ChatReader()
    for chunk in chunks:
        reader.feed(chunk)
    reader.close()
    return reader.summary


def preview(chunks: Iterable[bytes | str], limit: int = 20) -> list[Message]:
    """The first ``limit`` messages; reads no further than it needs to."""
    reader = ChatReader()
    found: list[list[str]] = []
    for chunk in chunks:
        found += reader.feed(chunk)
        if len(found) >= limit:
            break
    else:
        found += reader.close()
    message = message_maker(reader.index)
    return [message(row) for row in found[:limit]]


def chunks_of(data: bytes | str, size: int = CHUNK_SIZE) -> Iterator[bytes | str]:
    """Cut in-memory data into chunks (the browser holds the fetched dump in memory)."""
    return (data[start : start + size] for start in range(0, len(data), size))


def _lines(text: str) -> list[str]:
    """Lines with their breaks; only CR, LF and CRLF end a line (as for the csv module)."""
    if any(other in text for other in _OTHER_LINE_BREAKS):
        return _LINE.findall(text)  # text ends with a break, so this is linear
    return text.splitlines(keepends=True)  # same result, several times faster


def _after_last_break(text: str, *, final: bool) -> int:
    """Where the text after its last line break starts, or -1 when it has none.

    Until the end, a final CR does not count: it may be the first half of a CRLF cut in two.
    """
    end = len(text) - 1 if text.endswith("\r") and not final else len(text)
    last = max(text.rfind("\n", 0, end), text.rfind("\r", 0, end))
    return last + 1 if last >= 0 else -1


def message_maker(index: dict[str, int]) -> Callable[[list[str]], Message]:
    pick = itemgetter(*(index[name] for name in COLUMNS))

    def message(row: list[str]) -> Message:
        (_, _, _, _, name, pinned, edited, kind, payload, created) = pick(row)
        text, link = _payload_text(kind.strip().upper(), payload)
        return Message(
            time=_minute(created),
            name=_inline(name) or "(no name)",
            kind=_kind(kind),
            text=text,
            link=link,
            pinned=BOOLEANS.get(pinned.strip().lower()),
            edited=BOOLEANS.get(edited.strip().lower()),
        )

    return message


def _payload_text(kind: str, payload: str) -> tuple[str, str | None]:
    """What a person should read for a message, and its link for images and files.

    The payload of an image or file is a plain URL or JSON with name/size/link (not confirmed
    which), so both are read; anything else is shown as it is, never dropped.
    """
    if kind not in ("IMAGE_MESSAGE", "FILE_MESSAGE"):
        return _multiline(payload), None
    details = _json_details(payload)
    raw_link = details.get("link") or details.get("url") or ("" if details else payload.strip())
    link = raw_link if isinstance(raw_link, str) and _is_web_link(raw_link) else None
    label = "[image]" if kind == "IMAGE_MESSAGE" else "[file]"
    name = details.get("name")
    if isinstance(name, str) and name.strip():
        label += " " + _inline(name)
    size = details.get("size")
    if isinstance(size, int) and not isinstance(size, bool) and size >= 0:
        label += f" ({human_size(size)})"
    if link is not None:
        return f"{label} {link}", link
    return f"{label} {_multiline(payload)}", None


def _json_details(payload: str) -> dict[str, object]:
    if not payload.lstrip().startswith("{"):
        return {}
    try:
        found = json.loads(payload)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _is_web_link(text: str) -> bool:
    if _CONTROL.search(text) or " " in text or len(text) > 4096:
        return False
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _minute(created: str) -> str:
    moment = parse_expiry(created)
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else _inline(created)[:40]


def _kind(payload_type: str) -> str:
    kind = _inline(payload_type).lower()
    return kind.removesuffix("_message") or "text"


def _inline(text: str) -> str:
    """One line of text: line breaks and control characters become spaces."""
    return _CONTROL.sub(
        " ", text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    ).strip()


def _multiline(text: str) -> str:
    """Line breaks normalised to \\n; other control characters (terminal escapes) become spaces."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", lines) if _CONTROL.search(lines) else lines


def _too_large() -> errors.InvalidChatDump:
    return errors.InvalidChatDump(
        f"A message is larger than {csv.field_size_limit():,} characters; refusing to read on.",
        code="field_too_large",
    )


def _csv_error(exc: csv.Error, message_number: int) -> errors.InvalidChatDump:
    if "field larger than field limit" in str(exc):
        return _too_large()
    return errors.InvalidChatDump(
        f"The file is not valid CSV near message {message_number:,}: {str(exc)[:120]}.",
        code="malformed_csv",
    )
