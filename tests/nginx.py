"""Debian's nginx, started by a test with docs/deploy.md's very site config, on loopback.

The site block is taken from the doc (the fenced block after ``<!-- nginx-site -->``); only its
ports change. nginx runs in the foreground with its pid, logs and temp files in a temp dir.
"""

from __future__ import annotations

import os
import pwd
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.live import free_port

NGINX = "/usr/sbin/nginx"
DEPLOY_DOC = Path(__file__).resolve().parents[1] / "docs" / "deploy.md"
PREFIX = "/tools/chat/"
START_TIMEOUT = 15.0


def site_config() -> str:
    text = DEPLOY_DOC.read_text(encoding="utf-8")
    match = re.search(r"<!-- nginx-site -->\n```nginx\n(.*?)```", text, re.DOTALL)
    assert match, "docs/deploy.md lost its nginx site block"
    return match.group(1)


def config_for(app_port: int, listen_port: int, tmp: Path) -> str:
    site = site_config()
    assert "server 127.0.0.1:8000;" in site and "listen 80;" in site
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen_port};")
    assert "/var/log/nginx/chatdump.access.log" in site
    site = site.replace("/var/log/nginx/chatdump.access.log", f"{tmp}/access.log")
    # Run as root (the test machine), nginx's workers would drop to `nobody`, which cannot
    # write the temp dir where it buffers large answers: keep them as the user running the test.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    return f"""
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{site}
}}
"""


@contextmanager
def nginx_in_front_of(app_base: str, tmp: Path) -> Iterator[str]:
    """Yield ``http://127.0.0.1:PORT/tools/chat/`` while nginx proxies it to ``app_base``."""
    if not Path(NGINX).exists():
        raise RuntimeError(f"{NGINX} is missing: `make setup` installs Debian's nginx")
    app_port = int(app_base.rsplit(":", 1)[1])
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(config_for(app_port, port, tmp), encoding="utf-8")
    process = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}{PREFIX}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(base + "healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("nginx did not come up")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
