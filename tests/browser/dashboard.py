"""A dashboard for the embedding tests: host pages served on one loopback port, each framing the
widget and recording every message it receives with the origin the browser vouches for."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.live import free_port, serving

RECOMMENDED = "allow-scripts allow-same-origin allow-downloads"
RECORDER = """<script>
  window.events = [];
  addEventListener("message", (e) => events.push({origin: e.origin, data: e.data}));
  function command(message) {
    document.getElementById("chatdump").contentWindow.postMessage(
      Object.assign({target: "chatdump"}, message), new URL(document.getElementById("chatdump").src).origin);
  }
</script>"""


@dataclass
class Dashboard:
    """Host pages served on one loopback port, reachable as dashboard.test and other.test."""

    port: int
    pages: dict[str, str] = field(default_factory=dict)

    def url(self, path: str, site: str = "dashboard") -> str:
        return f"http://{site}.test:{self.port}{path}"

    def add(self, path: str, iframe_src: str, sandbox: str | None = None, extra: str = "") -> None:
        attr = "" if sandbox is None else f' sandbox="{sandbox}"'
        self.pages[path] = (
            f"<!doctype html><title>dashboard</title>{RECORDER}"
            f'<iframe id="chatdump" src="{iframe_src}"{attr} width="420" height="240"></iframe>{extra}'
        )


@contextmanager
def dashboard_server() -> Iterator[Dashboard]:
    board = Dashboard(free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = board.pages.get(self.path.split("?")[0], "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(ThreadingHTTPServer(("127.0.0.1", board.port), Handler)):
        yield board
