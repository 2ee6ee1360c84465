"""How ``chatdump serve`` logs: one line a record on stderr, ``TIME LEVEL LOGGER: MESSAGE``.

The access log (``chatdump.server.middleware``) writes a line for every request, so a log call's
cost is a share of every answer's. Python's logging spends most of a line formatting its time
stamp (``time.strftime`` on every record: ~11 µs of an ~18 µs line, measured), so the stamp is
formatted once a second; the rest is logging's own, with the switches its HOWTO names for
records whose format never shows caller, thread or process.
"""

from __future__ import annotations

import logging
import time

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class Formatter(logging.Formatter):
    """``logging.Formatter`` with ``FORMAT`` and the same time stamps (local time,
    ``2026-12-04 16:20:31,042``), whose seconds part is worked out once a second."""

    def __init__(self) -> None:
        super().__init__(FORMAT)
        self._second: int | None = None
        self._seconds_text = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        second = int(record.created)
        if second != self._second:  # handlers call this under their lock: one thread at a time
            converted = self.converter(record.created)
            self._seconds_text = time.strftime(self.default_time_format, converted)
            self._second = second
        return f"{self._seconds_text},{int(record.msecs):03d}"  # logging's default_msec_format


ACCESS = "chatdump.access"  # the request log's logger (chatdump.server.middleware)


def configure(*, access_log: bool = False, level: int = logging.INFO) -> None:
    """Log to stderr, as ``chatdump serve`` does in every worker; the line per request only with
    ``access_log`` (``serve --access-log``: see the README's Performance section for why it is off
    by default), everything else always."""
    handler = logging.StreamHandler()
    handler.setFormatter(Formatter())
    logging.basicConfig(level=level, handlers=[handler])
    logging.getLogger(ACCESS).setLevel(logging.NOTSET if access_log else logging.WARNING)
    # The format uses none of these, and each costs a little on every record, i.e. on every
    # request: the logging HOWTO's "Optimization".
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    logging._srcfile = None  # no caller's file and line: the HOWTO's documented switch for it
