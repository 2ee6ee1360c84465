"""`chatdump serve`'s log lines: the same text as logging's own formatter, only cheaper."""

from __future__ import annotations

import logging

from chatdump.server.logs import FORMAT, Formatter


def record_at(created: float) -> logging.LogRecord:
    record = logging.LogRecord("chatdump.access", logging.INFO, "", 0, "GET %s", ("/x",), None)
    record.created, record.msecs = created, (created - int(created)) * 1000
    return record


def test_a_line_reads_exactly_as_loggings_own_formatter_writes_it() -> None:
    ours, theirs = Formatter(), logging.Formatter(FORMAT)
    # Within one second, across seconds, backwards (a clock step) and forwards again.
    for created in (1796254979.001, 1796254979.999, 1796254980.5, 1796254979.25, 1796258000.75):
        record = record_at(created)
        assert ours.format(record) == theirs.format(record)


def test_an_explicit_date_format_is_honoured() -> None:
    record = record_at(1796254979.5)
    assert Formatter().formatTime(record, "%Y") == logging.Formatter().formatTime(record, "%Y")
