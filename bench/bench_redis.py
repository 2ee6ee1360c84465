"""Token endpoint with shared state in Redis: warm-cache req/s against the same endpoint without
Redis (per-process cache), in the same run.

Both are the real app over the demo upstream, each a subprocess with uvicorn as ``chatdump serve``
runs it (its ``uvicorn_options``: httptools, one worker, no access log) on a free loopback port;
with Redis, ``CHATDUMP_REDIS_URL`` points at a throwaway ``redis-server`` (Debian's; no
persistence) on another free port, so the signed URL comes from Redis (each instance keeps what it
read for 1 s). Load: ``wrk`` (as in bench_endpoint.py), else httpx. Rounds alternate and
each side keeps its best. Writes bench/out/redis.json.

    .venv/bin/python bench/bench_redis.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import httpx
from bench_endpoint import requests_per_second
from common import save

ROUNDS = 2
STARTUP_TIMEOUT = 30.0
PATH = "/api/sessions/{}/chat-url"
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(port: int, redis_url: str) -> None:
    import logging

    import uvicorn

    from chatdump.cli.serve import uvicorn_options
    from chatdump.server.app import create_app
    from chatdump.server.settings import Settings

    logging.getLogger("chatdump").setLevel(logging.ERROR)
    env = {"CHATDUMP_REDIS_URL": redis_url} if redis_url else {}
    app = create_app(Settings.from_env(env, demo=True), public_url=f"http://127.0.0.1:{port}")
    uvicorn.run(app, **{**uvicorn_options("127.0.0.1", port), "log_level": "error"})  # type: ignore[arg-type]


@contextmanager
def redis_server() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed: run `make setup`")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def server(redis_url: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--port", str(port), "--redis", redis_url],
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
        },  # this checkout's chatdump, whatever is installed
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                httpx.get(base + "/readyz", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("chatdump server did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    from chatdump.server.grants import mint_grant
    from chatdump.server.settings import Settings
    from chatdump.upstream.demo import DEMO_SESSIONS

    secret = Settings.from_env({}, demo=True).grant_secrets[-1]
    warm = DEMO_SESSIONS[0].session_id
    headers = {"Authorization": f"Bearer {mint_grant(secret, warm)}"}
    local_rounds, redis_rounds = [], []
    with redis_server() as redis_url:
        for _ in range(ROUNDS):
            for url, rounds in (("", local_rounds), (redis_url, redis_rounds)):
                with server(url) as base:
                    httpx.get(
                        base + PATH.format(warm), headers=headers, timeout=30
                    ).raise_for_status()
                    if url:
                        ready = httpx.get(base + "/readyz", timeout=5).json()
                        assert ready["status"] == "ready", ready  # not "degraded": Redis answers
                    rps, how = requests_per_second(base + PATH.format(warm), headers)
                    rounds.append(rps)
    local_rps, redis_rps = max(local_rounds), max(redis_rounds)
    ratio = redis_rps / local_rps
    save(
        "redis",
        [
            {
                "benchmark": "token endpoint, warm cache, URL read from Redis, concurrency 50",
                "chatdump": round(redis_rps, 1),
                "baseline": round(local_rps, 1),
                "unit": "req/s",
                "ratio": round(ratio, 3),
                "target": ">= 0.8 (of the same endpoint with its per-process cache)",
                "ok": ratio >= 0.8,
                "notes": f"{how}; best of {ROUNDS} alternating rounds; uvicorn as serve runs it, 1 worker; "
                f"redis-server on loopback; {datetime.now():%Y-%m-%d %H:%M}",
            }
        ],
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--port", type=int)
    parser.add_argument("--redis", default="")
    arguments = parser.parse_args()
    if arguments.serve:
        serve(arguments.port, arguments.redis)
    else:
        main()
