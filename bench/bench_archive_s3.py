"""Archiving into an S3-compatible bucket: chatdump's archive loop against boto3's own
``upload_file`` of the same files into the same s3rver, in the same run.

Files are generated in a temporary folder at run time (nothing committed). Storage is a small
zero-copy (``sendfile``) HTTP server over loopback serving those files, so what is compared is
the way into the bucket: chatdump runs what ``chatdump archive s3://…`` runs, minus the
upstream's listing (``archive_sessions``: the archive's listing, then per session the download,
size check, sha256, conditional PutObject or multipart upload, entry record; the manifest at the
end), where the baseline uploads each local file with ``boto3.client.upload_file`` (its managed
transfer, default TransferConfig). Every side is a child process (peak memory: its own VmHWM);
each round runs every side once, in a rotating order. A ratio is the median over rounds of the
ratio within each round (sides measured a few seconds apart): on this shared machine one quiet
round can double one side's best time, so a best-of ratio says more about luck than about code.

Sides: chatdump with its default ``--jobs`` (3 sessions at once) and with ``--jobs 1`` (one after
another); the baseline one file after another, as a plain boto3 script does, and 3 files at once
(three threads calling ``upload_file``), the like-for-like comparison of the default.

- 100 sessions x 5 MB (one PutObject each, on every side: under the 8 MiB multipart threshold).
  Target: chatdump's default >= 0.8x the baseline one after another; peak memory < 100 MB.
- 4 sessions x 40 MB (multipart, 8 MiB parts, on every side; informative).

Writes bench/out/archive_s3.json.

    .venv/bin/python bench/bench_archive_s3.py [--quick]   # --quick: 20 x 5 MB, 3 rounds
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bench_cli import free_port, make_dump
from common import Result, save

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.s3 import ACCESS_KEY, S3, SECRET_KEY, start_s3  # noqa: E402

ROUNDS = 5
CHILD_TIMEOUT = 600
MEMORY_TARGET_MB = 100
JOBS = 3  # chatdump's default (chatdump.export.archive_jobs.JOBS; checked in main)

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

# What `chatdump archive s3://…` runs, minus the upstream's listing.
CHATDUMP = r"""
import sys
from chatdump.export.archive_jobs import archive_sessions
from chatdump.export.destinations import open_destination
from chatdump.export.storage_http import StorageClient
from chatdump.upstream.base import SessionInfo
target, jobs, base, *names = sys.argv[1:]
archive = open_destination(target, int(jobs))
sessions = [SessionInfo(name.removesuffix(".csv")) for name in names]
with StorageClient() as client:
    outcomes = list(archive_sessions(archive, sessions, lambda sid: lambda fresh: f"{base}/{sid}.csv",
                                     client=client, jobs=int(jobs)))
assert [o.status for o in outcomes] == ["archived"] * len(names), outcomes
print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])
"""

# boto3's own managed upload of each file, `jobs` files at once (1: one after another).
BASELINE = r"""
import sys, boto3
from concurrent.futures import ThreadPoolExecutor
bucket, prefix, folder, jobs, *names = sys.argv[1:]
client = boto3.session.Session().client("s3")
def upload(name):
    client.upload_file(f"{folder}/{name}", bucket, f"{prefix}/{name}")
if jobs == "1":
    for name in names:
        upload(name)
else:
    with ThreadPoolExecutor(int(jobs)) as pool:
        list(pool.map(upload, names))
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


@dataclass
class Side:
    name: str
    script: str
    jobs: int
    seconds: list[float] = field(default_factory=list)  # one per round
    peak_mb: float = 0.0  # the largest VmHWM of any round

    def rate(self, mb: float) -> float:
        """The median throughput over the rounds, MB/s."""
        return statistics.median(mb / seconds for seconds in self.seconds)

    def ratio(self, baseline: Side) -> float:
        """The median over the rounds of this side's throughput over the baseline's."""
        pairs = zip(baseline.seconds, self.seconds, strict=True)
        return statistics.median(theirs / ours for theirs, ours in pairs)

    def args(self, s3: S3, prefix: str, folder: Path, base: str, names: list[str]) -> list[str]:
        if self.script == CHATDUMP:
            return [f"s3://{s3.closed_bucket}/{prefix}", str(self.jobs), base, *names]
        return [s3.closed_bucket, prefix, str(folder), str(self.jobs), *names]


def sides() -> list[Side]:
    return [Side("chatdump", CHATDUMP, JOBS), Side("chatdump-jobs1", CHATDUMP, 1),
            Side("boto3", BASELINE, 1), Side(f"boto3-{JOBS}-at-once", BASELINE, JOBS)]  # fmt: skip


def measure(s3: S3, tmp: Path, count: int, size: int, rounds: int) -> dict[str, Side]:
    """Every side's times and peak memory, rounds interleaved (each side once a round)."""
    folder = tmp / f"{count}x{size}"
    folder.mkdir()
    names = make_files(folder, count, size)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(folder), str(port)],
                              stdout=subprocess.PIPE)  # fmt: skip
    env = aws_env(s3)
    measured = sides()
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == b"ready"
        base = f"http://127.0.0.1:{port}"
        for round_no in range(rounds):
            for side in measured[round_no:] + measured[:round_no]:  # no side always goes first
                prefix = f"{folder.name}-{round_no}-{side.name}"
                args = side.args(s3, prefix, folder, base, names)
                seconds, rss = run_child([sys.executable, "-c", side.script, *args], env)
                side.seconds.append(seconds)
                side.peak_mb = max(side.peak_mb, rss)
                check(s3, prefix, names, size)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {side.name: side for side in measured}


def check(s3: S3, prefix: str, names: list[str], size: int) -> None:
    """Every side stored every file, whole (a benchmark of a broken upload proves nothing)."""
    for name in names:
        head = s3.client.head_object(Bucket=s3.closed_bucket, Key=f"{prefix}/{name}")
        assert head["ContentLength"] == size, (prefix, name)


def row(title: str, ours: Side, theirs: Side, mb: float, target: str, notes: str) -> Result:
    ratio = ours.ratio(theirs)
    ok = ratio >= 0.8 if target != "-" else True
    return Result(title, round(ours.rate(mb), 1), round(theirs.rate(mb), 1), "MB/s",
                  round(ratio, 3), target, ok, notes)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="20 x 5 MB, one round")
    quick = parser.parse_args().quick
    count, rounds = (20, 3) if quick else (100, ROUNDS)
    from chatdump.export.archive_jobs import JOBS as DEFAULT_JOBS

    assert DEFAULT_JOBS == JOBS, "bench: JOBS is no longer chatdump's default"
    with tempfile.TemporaryDirectory(prefix="chatdump-bench-s3-") as tmp, start_s3() as s3:
        small = measure(s3, Path(tmp), count, 5_000_000, rounds)
        big = measure(s3, Path(tmp), 4, 40_000_000, rounds)
    mb, big_mb = count * 5.0, 4 * 40.0
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    best = f"medians of {rounds} interleaved rounds; load average at the end {load}"
    every = [side for runs in (small, big) for side in runs.values()]
    peak = max(side.peak_mb for side in every if side.script == CHATDUMP)
    boto3_peak = max(side.peak_mb for side in every if side.script == BASELINE)
    save("archive_s3", [
        row(f"archive {count} sessions x 5 MB into s3rver: chatdump default (--jobs {JOBS}) vs "
            "boto3 upload_file one after another", small["chatdump"], small["boto3"], mb,
            ">= 0.8", f"{best}. NOT like for like: chatdump saves {JOBS} sessions at once, the "
            "baseline uploads one file after another (a plain boto3 loop); see the next rows"),
        row(f"archive {count} sessions x 5 MB: chatdump --jobs 1 vs boto3 upload_file, both one "
            "after another", small["chatdump-jobs1"], small["boto3"], mb, "-",
            f"{best}; informative: chatdump also downloads each chat from storage first"),
        row(f"archive {count} sessions x 5 MB: chatdump default vs boto3 upload_file {JOBS} "
            "files at once", small["chatdump"], small[f"boto3-{JOBS}-at-once"], mb, "-",
            f"{best}; informative, like for like: {JOBS} threads calling upload_file"),
        row("archive 4 sessions x 40 MB, multipart: chatdump default vs boto3 one after "
            "another", big["chatdump"], big["boto3"], big_mb, "-",
            f"{best}; 8 MiB parts on every side; chatdump adds a server-side copy from its "
            f"staging key. --jobs 1: {big['chatdump-jobs1'].ratio(big['boto3']):.3f}; boto3 "
            f"{JOBS} at once: {big[f'boto3-{JOBS}-at-once'].ratio(big['boto3']):.3f}"),
        Result("archive into s3rver: peak memory (max VmHWM of chatdump's children, every "
               "--jobs)", round(peak, 1), MEMORY_TARGET_MB, "MB", round(peak / MEMORY_TARGET_MB, 3),
               "< 100 MB", peak < MEMORY_TARGET_MB,
               f"baseline column is the target; boto3's own children peaked at {boto3_peak:.1f} MB"),
    ])  # fmt: skip


if __name__ == "__main__":
    main()
