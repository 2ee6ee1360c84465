"""Archiving into an S3-compatible bucket: chatdump's bucket destination against boto3's own
``upload_file`` of the same files into the same s3rver, in the same run.

Files are generated in a temporary folder at run time (nothing committed). Storage is a small
zero-copy (``sendfile``) HTTP server over loopback serving those files, so what is compared is
the way into the bucket: chatdump streams each chat from storage into the bucket (download, size
check, sha256, Content-MD5, conditional PutObject or multipart upload, entry record, manifest)
where the baseline uploads the local file with ``boto3.client.upload_file`` (its managed
transfer, default TransferConfig). Both are child processes (peak memory: their max RSS,
``os.wait4``), one session after another as ``chatdump archive`` goes, rounds alternating, best
of ``ROUNDS``. Writes bench/out/archive_s3.json.

- 100 sessions x 5 MB (one PutObject each, on both sides: under the 8 MiB multipart threshold).
  Target: >= 0.8x the baseline's throughput, peak memory < 100 MB.
- 4 sessions x 40 MB (multipart, 8 MiB parts, on both sides; informative).

    .venv/bin/python bench/bench_archive_s3.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench_cli import free_port, make_dump
from common import save

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.s3 import ACCESS_KEY, S3, SECRET_KEY, start_s3  # noqa: E402

ROUNDS = 2
CHILD_TIMEOUT = 600
MEMORY_TARGET_MB = 100

SERVER = r"""
import http.server, os, sys
FOLDER = sys.argv[1]
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        path = os.path.join(FOLDER, os.path.basename(self.path.split("?")[0]))
        size = os.path.getsize(path)
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        with open(path, "rb") as f:
            self.wfile.flush()
            self.connection.sendfile(f)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler)
print("ready", flush=True)
server.serve_forever()
"""

# What `chatdump archive s3://…` runs per session, minus the upstream's listing.
CHATDUMP = r"""
import sys
from chatdump.export.destinations import open_destination
from chatdump.export.storage_http import StorageClient
from chatdump.upstream.base import SessionInfo
target, base, *names = sys.argv[1:]
bucket = open_destination(target)
with StorageClient() as client:
    for name in names:
        url = f"{base}/{name}"
        entry = bucket.save(SessionInfo(name.removesuffix(".csv")), lambda fresh: url,
                            client=client)
        assert entry.bytes > 0
bucket.flush()
print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])
"""

BASELINE = r"""
import sys, boto3
bucket, prefix, folder, *names = sys.argv[1:]
client = boto3.session.Session().client("s3")
for name in names:
    client.upload_file(f"{folder}/{name}", bucket, f"{prefix}/{name}")
print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])
"""


def aws_env(s3: S3) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_ENDPOINT_URL": s3.endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        # s3rver 3.7 predates boto3's default CRC checksums; both sides alike.
        "AWS_REQUEST_CHECKSUM_CALCULATION": "when_required",
        "AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required",
        "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
    }


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one child process; raises if it fails.

    The peak is the child's own VmHWM, which it prints: ``wait4``'s max RSS would count this
    process's pages, shared with the child between fork and exec.
    """
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=CHILD_TIMEOUT)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{args[:3]} failed: {done.stderr[-800:]}")
    return elapsed, int(done.stdout.split()[-1]) / 1024


def make_files(folder: Path, count: int, size: int) -> list[str]:
    """``count`` distinct dumps of ``size`` bytes, named SESSION.csv."""
    template = folder / "template.csv"
    make_dump(template, size=size)
    names = []
    for i in range(count):
        name = f"{uuid.uuid4()}.csv"
        tail = f"{i:08d}\r\n".encode()
        shutil.copyfile(template, folder / name)
        with (folder / name).open("r+b") as out:
            out.truncate(size - len(tail))
            out.seek(0, os.SEEK_END)
            out.write(tail)
        names.append(name)
    template.unlink()
    return names


def measure(s3: S3, tmp: Path, count: int, size: int, rounds: int) -> tuple[float, float, float]:
    """(chatdump MB/s, baseline MB/s, chatdump's peak RSS in MB)."""
    folder = tmp / f"{count}x{size}"
    folder.mkdir()
    names = make_files(folder, count, size)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(folder), str(port)],
                              stdout=subprocess.PIPE)  # fmt: skip
    env = aws_env(s3)
    best = {"chatdump": float("inf"), "baseline": float("inf")}
    peak = 0.0
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == b"ready"
        base = f"http://127.0.0.1:{port}"
        for round_no in range(rounds):
            prefix = f"{folder.name}-{round_no}"
            seconds, _ = run_child([sys.executable, "-c", BASELINE, s3.closed_bucket,
                                    f"{prefix}-boto3", str(folder), *names], env)  # fmt: skip
            best["baseline"] = min(best["baseline"], seconds)
            target = f"s3://{s3.closed_bucket}/{prefix}-chatdump"
            seconds, rss = run_child([sys.executable, "-c", CHATDUMP, target, base, *names], env)
            best["chatdump"] = min(best["chatdump"], seconds)
            peak = max(peak, rss)
            check(s3, f"{prefix}-chatdump", f"{prefix}-boto3", names, size)
    finally:
        server.terminate()
        server.wait(timeout=10)
    mb = count * size / 1e6
    return mb / best["chatdump"], mb / best["baseline"], peak


def check(s3: S3, ours: str, theirs: str, names: list[str], size: int) -> None:
    """Both sides stored every file, whole (a benchmark of a broken upload proves nothing)."""
    for name in names:
        for prefix in (ours, theirs):
            head = s3.client.head_object(Bucket=s3.closed_bucket, Key=f"{prefix}/{name}")
            assert head["ContentLength"] == size, (prefix, name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="20 x 5 MB, one round")
    quick = parser.parse_args().quick
    count, rounds = (20, 1) if quick else (100, ROUNDS)
    with tempfile.TemporaryDirectory(prefix="chatdump-bench-s3-") as tmp, start_s3() as s3:
        ours, theirs, peak = measure(s3, Path(tmp), count, 5_000_000, rounds)
        big_ours, big_theirs, big_peak = measure(s3, Path(tmp), 4, 40_000_000, rounds)
    ratio, big_ratio = ours / theirs, big_ours / big_theirs
    peak = max(peak, big_peak)
    save("archive_s3", [
        {"benchmark": f"archive {count} sessions x 5 MB into s3rver (throughput)",
         "chatdump": round(ours, 1), "baseline": round(theirs, 1), "unit": "MB/s",
         "ratio": round(ratio, 3), "target": ">= 0.8", "ok": ratio >= 0.8,
         "notes": f"best of {rounds}; baseline: boto3 upload_file of the same files into the "
                  "same s3rver; chatdump streams each from loopback storage"},
        {"benchmark": "archive 4 sessions x 40 MB into s3rver, multipart (informative)",
         "chatdump": round(big_ours, 1), "baseline": round(big_theirs, 1), "unit": "MB/s",
         "ratio": round(big_ratio, 3), "target": "-", "ok": True,
         "notes": "8 MiB parts on both sides; chatdump adds a server-side copy from its "
                  "staging key"},
        {"benchmark": "archive into s3rver: peak memory (max RSS of the child)",
         "chatdump": round(peak, 1), "baseline": MEMORY_TARGET_MB, "unit": "MB",
         "ratio": round(peak / MEMORY_TARGET_MB, 3), "target": "< 100 MB",
         "ok": peak < MEMORY_TARGET_MB, "notes": "baseline column is the target"},
    ])  # fmt: skip


if __name__ == "__main__":
    main()
