"""The demo upstream on a loopback port, for commands that run without ``chatdump serve``.

``chatdump download --demo`` and ``chatdump archive --demo`` need storage URLs that a real HTTP
client can fetch: this serves the demo storage with uvicorn in a background thread, on a port
the OS picks, for as long as the ``with`` block lasts.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from chatdump.upstream.demo import STORAGE_PATH, DemoUpstream

STARTUP_TIMEOUT = 10.0


@contextmanager
def local_demo(url_ttl: int = 3600) -> Iterator[DemoUpstream]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    upstream = DemoUpstream(base, url_ttl=url_ttl)
    from starlette.applications import Starlette
    from starlette.routing import Mount

    app = Starlette(routes=[Mount(STORAGE_PATH, app=upstream.storage.app)])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        if not server.started:
            raise RuntimeError("the demo storage did not start")
        yield upstream
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT)
        sock.close()
