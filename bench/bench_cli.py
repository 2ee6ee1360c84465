"""CLI benchmarks: `chatdump download` throughput vs curl, and `chatdump convert` vs a bare copy.

Both use files generated in a temporary folder at run time (nothing committed) and run every
measured program as a child process, whose peak memory is its own max RSS (``os.wait4``).

- download: a 300 MB dump served over loopback by a small zero-copy (``sendfile``) HTTP server in
  its own process; ``curl -o`` and chatdump's ``download()`` (what `chatdump download` runs:
  streamed, size-checked, renamed) fetch the same URL, alternately, best of ``ROUNDS``. Target:
  chatdump at least 0.8x curl's throughput, under 100 MB peak memory. Also `--fsync` (flushed to
  disk before exiting) against its like: ``curl -o`` then ``sync FILE``.
- convert: a 1,000,000-row dump; `chatdump convert --format excel|jsonl` vs a bare
  ``csv.reader -> csv.writer`` copy of the same file in Python. Target: at most 1.5x its time,
  constant memory (peak RSS reported; the target is < 100 MB whatever the file size).

    .venv/bin/python bench/bench_cli.py
"""

from __future__ import annotations

import csv
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from common import save

DOWNLOAD_BYTES = 300_000_000
CONVERT_ROWS = 1_000_000
ROUNDS = 3
CHILD_TIMEOUT = 600
MEMORY_TARGET_MB = 100

SERVER = r"""
import http.server, os, sys
PATH = sys.argv[1]
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        size = os.path.getsize(PATH)
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        with open(PATH, "rb") as f:
            self.wfile.flush()
            self.connection.sendfile(f)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler)
print("ready", flush=True)
server.serve_forever()
"""

CHATDUMP_DOWNLOAD = r"""
import sys
from pathlib import Path
from chatdump.export.download import download
from chatdump.export.storage_http import StorageClient
with StorageClient() as client:
    saved = download(lambda fresh: sys.argv[1], Path(sys.argv[2]), client=client, sha256=False,
                     durable=sys.argv[3] == "durable")
assert saved.size > 0
"""

BARE_COPY = r"""
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f, \
        open(sys.argv[2], "w", newline="", encoding="utf-8") as g:
    csv.writer(g).writerows(csv.reader(f))
"""

TEXTS = [
    "Good morning, everyone!", "Can you all see my screen?", 'She said "ship it", so we did.',
    "Numbers: 1,234.56 and 7,890", "Line one\nLine two", "Café au lait ☕ — très bien",
    "了解しました。資料を共有します。", "=SUM(A1:A3)", "+1 from me", "-5 degrees outside",
    "@Ana can you take this one?", "Sounds good to me, let's move on to the next item.",
]  # fmt: skip
COLUMNS = ["id", "participantId", "sessionId", "meetingId", "displayName", "pinned", "isEdited",
           "payloadType", "payload", "createdAt"]  # fmt: skip


def make_dump(path: Path, *, rows: int | None = None, size: int | None = None) -> None:
    """A realistic dump of ``rows`` rows or at least ``size`` bytes."""
    rng = random.Random(7)
    people = [(n, str(uuid.UUID(int=rng.getrandbits(128), version=4))) for n in
              ("Ana Émilie", "Jürgen Groß", "李小龍", "Zoë O'Brien", "Priya Natarajan")]  # fmt: skip
    session, meeting = str(uuid.uuid4()), str(uuid.uuid4())
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(1000)]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        count = 0
        while (rows is not None and count < rows) or (size is not None and out.tell() < size):
            batch = []
            for i in range(count, count + 10_000):
                name, participant = people[i % 5]
                batch.append((ids[i % 1000], participant, session, meeting, name,
                              "true" if i % 50 == 0 else "false", "false", "TEXT_MESSAGE",
                              TEXTS[(i * 7) % len(TEXTS)],
                              f"2026-11-24T{10 + i // 3_600_000 % 10:02d}:{i // 60_000 % 60:02d}:"
                              f"{i // 1000 % 60:02d}.{i % 1000:03d}Z"))  # fmt: skip
            if rows is not None:
                batch = batch[: rows - count]
            writer.writerows(batch)
            count += len(batch)


def run_child(args: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one child process; raises if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        error = process.stderr.read().decode(errors="replace") if process.stderr else ""
        raise RuntimeError(f"{args[:3]} failed ({process.returncode}): {error[-500:]}")
    return elapsed, usage.ru_maxrss / 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_download(tmp: Path) -> list[dict[str, object]]:
    source = tmp / "served.csv"
    make_dump(source, size=DOWNLOAD_BYTES)
    size = source.stat().st_size
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(source), str(port)],
                              stdout=subprocess.PIPE)  # fmt: skip
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == b"ready"
        url = f"http://127.0.0.1:{port}/chat.csv"
        runs: dict[str, list[float]] = {
            name: [] for name in ("curl", "chatdump", "curl+sync", "durable")
        }
        memory = []
        for round_no in range(ROUNDS):
            for name, times in runs.items():
                target = tmp / f"{name}-{round_no}.csv"
                if name.startswith("curl"):
                    seconds, _ = run_child(["curl", "-s", "-f", "-o", str(target), url])
                    if name == "curl+sync":
                        seconds += run_child(["sync", str(target)])[0]
                else:
                    mode = "durable" if name == "durable" else "plain"
                    seconds, peak = run_child(
                        [sys.executable, "-c", CHATDUMP_DOWNLOAD, url, str(target), mode]
                    )
                    memory.append(peak)
                times.append(seconds)
                assert target.stat().st_size == size
                target.unlink()
    finally:
        server.terminate()
        server.wait(timeout=10)
    mb = size / 1e6
    rate = {name: mb / min(times) for name, times in runs.items()}
    ratio, durable_ratio = rate["chatdump"] / rate["curl"], rate["durable"] / rate["curl+sync"]
    return [
        {"benchmark": f"download {mb:.0f} MB over loopback (throughput)",
         "chatdump": round(rate["chatdump"], 1), "baseline": round(rate["curl"], 1),
         "unit": "MB/s", "ratio": round(ratio, 3), "target": ">= 0.8", "ok": ratio >= 0.8,
         "notes": f"best of {ROUNDS}; baseline: curl -o on the same URL; chatdump runs download() "
                  "as `chatdump download` does (temp file, size check, rename; no sha256, "
                  "which only `archive` computes)"},
        {"benchmark": f"download {mb:.0f} MB with --fsync (throughput; informative)",
         "chatdump": round(rate["durable"], 1), "baseline": round(rate["curl+sync"], 1),
         "unit": "MB/s", "ratio": round(durable_ratio, 3), "target": "-", "ok": True,
         "notes": "on disk before exiting, as `archive` always is; baseline: curl -o, then "
                  "sync FILE (its time added)"},
        {"benchmark": f"download {mb:.0f} MB: peak memory (max RSS of the child)",
         "chatdump": round(max(memory), 1), "baseline": MEMORY_TARGET_MB, "unit": "MB",
         "ratio": round(max(memory) / MEMORY_TARGET_MB, 3), "target": "< 100 MB",
         "ok": max(memory) < MEMORY_TARGET_MB, "notes": "baseline column is the target"},
    ]  # fmt: skip


def bench_convert(tmp: Path) -> list[dict[str, object]]:
    source = tmp / "million.csv"
    make_dump(source, rows=CONVERT_ROWS)
    results: list[dict[str, object]] = []
    bare = []
    for round_no in range(ROUNDS):
        seconds, bare_peak = run_child([sys.executable, "-c", BARE_COPY, str(source),
                                        str(tmp / f"copy-{round_no}.csv")])  # fmt: skip
        bare.append(seconds)
        (tmp / f"copy-{round_no}.csv").unlink()
    for fmt in ("excel", "jsonl"):
        ours, peaks = [], []
        for round_no in range(ROUNDS):
            target = tmp / f"out-{fmt}-{round_no}"
            seconds, peak = run_child([sys.executable, "-m", "chatdump", "convert", str(source),
                                       "--format", fmt, "-o", str(target)])  # fmt: skip
            ours.append(seconds)
            peaks.append(peak)
            target.unlink()
        ratio = min(ours) / min(bare)
        results.append(
            {"benchmark": f"convert {CONVERT_ROWS:,} rows ({source.stat().st_size / 1e6:.0f} MB) "
                          f"to {fmt}",
             "chatdump": round(min(ours), 2), "baseline": round(min(bare), 2), "unit": "s",
             "ratio": round(ratio, 3), "target": "<= 1.5", "ok": ratio <= 1.5,
             "notes": f"best of {ROUNDS}; `chatdump convert` (CLI start-up included) vs bare "
                      f"csv.reader -> csv.writer copy; peak RSS {max(peaks):.0f} MB "
                      f"(bare copy {bare_peak:.0f} MB)"})  # fmt: skip
        results.append(
            {"benchmark": f"convert to {fmt}: peak memory (max RSS of the child)",
             "chatdump": round(max(peaks), 1), "baseline": MEMORY_TARGET_MB, "unit": "MB",
             "ratio": round(max(peaks) / MEMORY_TARGET_MB, 3), "target": "< 100 MB",
             "ok": max(peaks) < MEMORY_TARGET_MB,
             "notes": "constant memory: independent of the file size; baseline column is the target"})  # fmt: skip
    return results


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="chatdump-bench-") as folder:
        tmp = Path(folder)
        results = bench_download(tmp)
        for f in tmp.iterdir():
            f.unlink()
        results += bench_convert(tmp)
    save("cli", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
