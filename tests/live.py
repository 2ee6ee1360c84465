"""Real HTTP for tests: any ASGI app served by uvicorn on a free loopback port, in a thread; or
`chatdump serve --demo` itself, in a process."""

from __future__ import annotations

import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from starlette.types import ASGIApp

STARTUP_TIMEOUT = 20.0


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Yield the base URL (``http://127.0.0.1:PORT``) while uvicorn serves ``app``."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", lifespan="off",
        timeout_graceful_shutdown=1,
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serving(server: socketserver.BaseServer) -> Iterator[None]:
    """A stdlib server (``http.server``'s, say) answering in a thread while the block runs."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    env: dict[str, str] | None = None, *, demo: bool = True
) -> tuple[subprocess.Popen[bytes], str]:
    """`chatdump serve` (``--demo`` unless told otherwise) on a free loopback port, once it
    answers /healthz."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chatdump",
            "serve",
            *(["--demo"] if demo else []),
            "--port",
            str(port),
        ],
        env={**os.environ, "CHATDUMP_GRANT_SECRET": "", **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, base)
    except AssertionError:
        process.kill()
        raise
    return process, base


def wait_until_up(
    process: subprocess.Popen[bytes],
    base: str,
    path: str = "/healthz",
    why: Callable[[], str] = lambda: "chatdump serve exited",
) -> None:
    """Return once ``base + path`` answers 200; fail (saying ``why()``) if the process exits, or
    after 30 s."""
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, why()
        try:
            if httpx.get(f"{base}{path}", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "chatdump serve did not come up within 30 s"
        time.sleep(0.1)
