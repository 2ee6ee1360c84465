"""A real, misbehaving HTTP server on loopback: it cuts connections mid-body on purpose.

``FlakyServer(body, script)`` serves ``body`` at any path. ``script`` lists, per request in order,
how to answer: ``"cut"`` (full 200 headers, then half the remaining bytes, then close), ``"ok"``
(honours ``Range`` with a 206), ``"full"`` (ignores ``Range``: a whole 200), ``"cutfull"``
(ignores ``Range`` and cuts halfway: no try ever gets further), ``"403"``. Past the
script's end, every request gets the last entry. ``requests`` records (path, Range header).
"""

from __future__ import annotations

import re
import socket
import socketserver
from collections.abc import Iterator
from contextlib import contextmanager

from tests.live import serving

_RANGE = re.compile(r"bytes=(\d+)-")


class FlakyServer:
    def __init__(self, body: bytes, script: list[str]) -> None:
        self.body = body
        self.script = script
        self.requests: list[tuple[str, str | None]] = []
        self.url = ""

    def _answer(self, path: str, headers: dict[str, str]) -> bytes | tuple[bytes, bytes]:
        wanted = headers.get("range")
        self.requests.append((path, wanted))
        step = self.script[min(len(self.requests), len(self.script)) - 1]
        if step == "403":
            error = (
                b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
            )
            return _head(403, len(error), "application/xml") + error
        start = 0
        found = _RANGE.fullmatch(wanted or "")
        if found and step not in ("full", "cutfull"):
            start = int(found.group(1))
        part = self.body[start:]
        if start:
            extra = f"Content-Range: bytes {start}-{len(self.body) - 1}/{len(self.body)}\r\n"
            head = _head(206, len(part), "text/csv", extra)
        else:
            head = _head(200, len(part), "text/csv")
        if step in ("cut", "cutfull"):
            return head, part[: max(1, len(part) // 2)]  # then the connection drops
        return head + part


def _head(status: int, length: int, media: str, extra: str = "") -> bytes:
    reason = {200: "OK", 206: "Partial Content", 403: "Forbidden"}[status]
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {media}\r\nContent-Length: {length}\r\n"
        f"Accept-Ranges: bytes\r\nConnection: close\r\n{extra}\r\n"
    ).encode()


@contextmanager
def flaky_server(body: bytes, script: list[str]) -> Iterator[FlakyServer]:
    server = FlakyServer(body, script)

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            request_line = self.rfile.readline(65536).decode("latin-1")
            headers: dict[str, str] = {}
            for _ in range(100):  # bounded: a request has few headers
                line = self.rfile.readline(65536).decode("latin-1").strip()
                if not line:
                    break
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            path = request_line.split(" ")[1] if " " in request_line else "/"
            answer = server._answer(path, headers)
            if isinstance(answer, tuple):
                self.wfile.write(answer[0] + answer[1])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
            else:
                self.wfile.write(answer)

    tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    tcp.daemon_threads = True
    server.url = f"http://127.0.0.1:{tcp.server_address[1]}/chat.csv"
    with serving(tcp):
        yield server
