"""Token endpoint benchmark: ``chatdump serve`` as users run it, against a bare Starlette JSON
endpoint under the same uvicorn, and how many upstream calls 2000 concurrent requests cause.

chatdump is the real command, ``python -m chatdump serve --port P``, with its defaults (one
worker, httptools, no access log) and a clean environment holding only what serve needs: the Dyte
provider's variables, pointed at the fake Chat Replay API (tests/fake_upstream.py, served by this
script on another loopback port, counting every call) and a grant secret; beside it, the same with
``--access-log`` (its lines written to a file), reported but not the target. The baseline is a
one-route Starlette app run by ``uvicorn.run`` with the very options ``serve`` uses
(``chatdump.cli.serve.uvicorn_options``). All run at once, idle while another is loaded; ``wrk``
(Debian package) loads them in turn with the identical request (the grant's Authorization header
included: the bare endpoint ignores it), interleaved, and the claim is the median of the per-round
ratios (a neighbour's burst on the shared machine hits one round, not the median). Writes
bench/out/endpoint.json.

    .venv/bin/python bench/bench_endpoint.py [--rounds 7] [--seconds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
from common import save

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's chatdump and tests/, whatever is installed

from tests.fake_upstream import FakeChatReplay, Reply, env_for  # noqa: E402
from tests.live import free_port, serve, wait_until_up  # noqa: E402

CONCURRENCY = 50
BURST = 2000
UPSTREAM_DELAY = 0.5  # seconds the fake takes for the burst's chat call, so the burst overlaps it
GRANT_SECRET = "bench-endpoint-grant-secret-0123456789abcdef"  # noqa: S105
WARM, COLD = "79365b9b-5e35-4d3a-9d1c-2b5b1c2f7a10", "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
PATH = "/api/sessions/{}/chat-url"


def baseline_app() -> object:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def answer(request: Request) -> JSONResponse:
        return JSONResponse(
            {"url": "https://storage.test/a.csv", "expires_at": "x", "filename": "a"}
        )

    return Starlette(routes=[Route("/api/sessions/{session_id}/chat-url", answer)])


def serve_baseline(port: int) -> None:
    import uvicorn

    from chatdump.cli.serve import uvicorn_options

    uvicorn.run(baseline_app(), **uvicorn_options("127.0.0.1", port))  # type: ignore[arg-type]


@dataclass
class Server:
    base: str
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Load:
    rps: float
    cpu_per_request: float  # seconds of the server's CPU per answered request


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path, ready: str) -> Iterator[Server]:
    port = free_port()
    with log.open("wb") as out:
        child = subprocess.Popen(
            [sys.executable, *args, "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(child, base, ready, why=lambda: log.read_text(errors="replace"))
        yield Server(base, child.pid)
    finally:
        child.terminate()
        child.wait(timeout=15)


def requests_per_second(
    url: str, headers: dict[str, str], *, seconds: int = 10, threads: int = 2
) -> tuple[float, str]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (make bench does)")
    args = [wrk, f"-t{threads}", f"-c{CONCURRENCY}", f"-d{seconds}s", "--timeout", "10s", url]
    for name, value in headers.items():
        args[1:1] = ["-H", f"{name}: {value}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True, timeout=seconds + 60)
    if "Non-2xx" in out.stdout or "Socket errors" in out.stdout:
        raise RuntimeError(f"wrk saw errors:\n{out.stdout}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out.stdout).group(1))  # type: ignore[union-attr]
    return rps, f"wrk -t{threads} -c{CONCURRENCY} -d{seconds}s"


def load(server: Server, headers: dict[str, str], seconds: int) -> tuple[Load, str]:
    before = server.cpu_seconds()
    rps, how = requests_per_second(
        server.base + PATH.format(WARM), headers, seconds=seconds, threads=1
    )
    return Load(rps, (server.cpu_seconds() - before) / (rps * seconds)), how


async def burst(url: str, headers: dict[str, str]) -> list[int]:
    limits = httpx.Limits(max_connections=BURST, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=120) as client:
        answers = await asyncio.gather(*(client.get(url) for _ in range(BURST)))
    return [answer.status_code for answer in answers]


def main(rounds: int, seconds: int) -> None:
    from chatdump.secret import Secret
    from chatdump.server.grants import mint_grant

    def grant(session: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_grant(Secret(GRANT_SECRET), session)}"}

    fake = FakeChatReplay()
    ready = PATH.format(WARM)
    logs = Path(tempfile.mkdtemp(prefix="bench-endpoint-"))
    serve_args = ["-m", "chatdump", "serve"]
    with serve(fake.app) as upstream:  # type: ignore[arg-type]
        serve_env = env_for("dyte", upstream, GRANT_SECRET)
        bare_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        with (
            process(serve_args, serve_env, logs / "serve.log", "/healthz") as chatdump,
            process(
                [*serve_args, "--access-log"], serve_env, logs / "logged.log", "/healthz"
            ) as logged,
            process([__file__, "--baseline"], bare_env, logs / "baseline.log", ready) as baseline,
        ):
            warm = grant(WARM)
            for server in (chatdump, logged):
                url = server.base + PATH.format(WARM)
                httpx.get(url, headers=warm, timeout=30).raise_for_status()
            rows: dict[str, list[tuple[Load, Load]]] = {"defaults": [], "access log": []}
            for _ in range(rounds):
                # The same request to each: the bare endpoint ignores the grant, but its server
                # still parses the header, as it would for any caller of a token endpoint; what
                # differs is then chatdump's work alone.
                bare, how = load(baseline, warm, seconds)
                ours, _ = load(chatdump, warm, seconds)
                with_log, _ = load(logged, warm, seconds)
                rows["defaults"].append((ours, bare))
                rows["access log"].append((with_log, bare))
                print(f"bare {bare.rps:.0f} req/s; chatdump {ours.rps:.0f} ({ours.rps / bare.rps:.2f}), "
                      f"with --access-log {with_log.rps:.0f} ({with_log.rps / bare.rps:.2f}); CPU per "
                      f"request {bare.cpu_per_request * 1e6:.0f}, {ours.cpu_per_request * 1e6:.0f}, "
                      f"{with_log.cpu_per_request * 1e6:.0f} µs", flush=True)  # fmt: skip
            fake.queue(COLD, Reply(delay=UPSTREAM_DELAY))
            before = fake.count("chat")
            statuses = asyncio.run(burst(chatdump.base + PATH.format(COLD), grant(COLD)))
            calls = fake.count("chat") - before
        lines = sum(" GET /api/sessions/" in line for line in open(logs / "logged.log"))  # noqa: SIM115
    shutil.rmtree(logs)

    when = f"{datetime.now():%Y-%m-%d %H:%M}, load average {os.getloadavg()[0]:.1f}"
    results = [
        endpoint_row(
            "token endpoint, warm cache, `chatdump serve` with its defaults (access log off)",
            rows["defaults"],
            target=0.8,
            notes=f"{how}, {rounds} interleaved rounds, 1 worker, loopback, the same request to "
            f"each; {when}",
        ),
        endpoint_row(
            "token endpoint, warm cache, `chatdump serve --access-log` (informative)",
            rows["access log"],
            target=None,
            notes=f"the same rounds; {lines:,} access-log lines written to a file",
        ),
        {
            "benchmark": f"upstream calls for {BURST} concurrent requests, one session, cold cache",
            "chatdump": calls,
            "baseline": 1,
            "unit": "upstream calls",
            "ratio": calls / 1,
            "target": "<= 1",
            "ok": calls <= 1 and statuses == [200] * BURST,
            "notes": f"`chatdump serve`, the fake upstream counting; {statuses.count(200)}/{BURST} "
            f"answered 200; the upstream takes {UPSTREAM_DELAY} s",
        },
    ]
    save("endpoint", results)


def endpoint_row(
    name: str, pairs: list[tuple[Load, Load]], *, target: float | None, notes: str
) -> dict[str, object]:
    """One row: the median of the per-round ratios (req/s), and the server's CPU per request."""
    ratios = [ours.rps / bare.rps for ours, bare in pairs]
    ratio = statistics.median(ratios)
    cpu_ratio = statistics.median(
        bare.cpu_per_request / ours.cpu_per_request for ours, bare in pairs
    )
    ours_cpu = statistics.median(ours.cpu_per_request for ours, _ in pairs) * 1e6
    bare_cpu = statistics.median(bare.cpu_per_request for _, bare in pairs) * 1e6
    return {
        "benchmark": name,
        "chatdump": round(statistics.median(ours.rps for ours, _ in pairs), 1),
        "baseline": round(statistics.median(bare.rps for _, bare in pairs), 1),
        "unit": "req/s",
        "ratio": round(ratio, 3),
        "target": f">= {target} (of a bare Starlette JSON endpoint, same uvicorn options)"
        if target is not None
        else "-",
        "ok": target is None or ratio >= target,
        "notes": f"{notes}; pair ratios {', '.join(f'{r:.2f}' for r in ratios)}; server CPU per "
        f"request {ours_cpu:.0f} µs vs {bare_cpu:.0f} µs (ratio {cpu_ratio:.2f})",
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", action="store_true", help="(internal) serve the baseline")
    parser.add_argument("--port", type=int)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=int, default=3)
    arguments = parser.parse_args()
    if arguments.baseline:
        serve_baseline(arguments.port)
    else:
        main(arguments.rounds, arguments.seconds)
