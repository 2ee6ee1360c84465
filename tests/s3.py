"""A real S3-compatible server for tests: ``s3rver`` (npm), which enforces presigned-URL expiry.

``start_s3()`` runs ``node_modules/.bin/s3rver`` on a free loopback port with a temporary data
directory and two buckets: ``S3.bucket`` has a CORS rule admitting every origin (a browser may
fetch its objects), ``S3.closed_bucket`` has none (the browser is shut out; the server's
``chat.csv`` proxy is the way). Objects go in with boto3; ``presign`` gives real SigV4 GET URLs.
Measured with s3rver 3.7.1: it enforces ``X-Amz-Date`` + ``X-Amz-Expires`` (403 AccessDenied
"Request has expired"), but does NOT verify SigV4 signatures ("unimplemented" in its source), so a
tampered URL is served: do not use it to test signature checks.

Use it through the ``s3`` fixture (tests/conftest.py, one server per test session)::

    def test_x(s3: S3) -> None:
        s3.put("dump.csv", b"id,payload\\r\\n")
        url = s3.presign("dump.csv", expires_in=60)                 # CORS: any origin
        closed = s3.presign("dump.csv", 60, bucket=s3.closed_bucket)  # no CORS rule (put there first)
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from tests.live import free_port

REPO = Path(__file__).resolve().parent.parent
S3RVER = REPO / "node_modules" / ".bin" / "s3rver"
STARTUP_TIMEOUT = 30.0
# s3rver's fixed credentials (any other key fails its signature check).
ACCESS_KEY = SECRET_KEY = "S3RVER"
CORS_RULE = """<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>Content-Length</ExposeHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>300</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>
"""


@dataclass
class S3:
    endpoint: str  # http://127.0.0.1:PORT
    bucket: str  # with a CORS rule for every origin
    closed_bucket: str  # no CORS rule
    client: Any  # boto3 S3 client (path-style, SigV4)
    data: Path | None = None  # s3rver's data directory (what it really holds, uploads included)

    def put(self, key: str, data: bytes, *, bucket: str | None = None) -> None:
        self.client.put_object(
            Bucket=bucket or self.bucket, Key=key, Body=data, ContentType="text/csv"
        )

    def presign(self, key: str, expires_in: int, *, bucket: str | None = None) -> str:
        url: str = self.client.generate_presigned_url(
            "get_object", Params={"Bucket": bucket or self.bucket, "Key": key}, ExpiresIn=expires_in
        )
        return url


@contextmanager
def start_s3(bucket: str = "chat-dumps", closed_bucket: str = "chat-dumps-no-cors") -> Iterator[S3]:
    if not S3RVER.exists():
        raise RuntimeError(f"{S3RVER} is missing: run `make setup` (npm ci installs s3rver)")
    with tempfile.TemporaryDirectory(prefix="chatdump-s3rver-") as tmp:
        cors = Path(tmp) / "cors.xml"
        cors.write_text(CORS_RULE)
        port = free_port()
        with (Path(tmp) / "s3rver.log").open("wb") as log:
            process = subprocess.Popen(
                [str(S3RVER), "-d", str(Path(tmp) / "data"), "-a", "127.0.0.1", "-p", str(port),
                 "--configure-bucket", bucket, str(cors), "--configure-bucket", closed_bucket],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                _wait_for_port(port, process)
                endpoint = f"http://127.0.0.1:{port}"
                yield S3(endpoint, bucket, closed_bucket, _client(endpoint), Path(tmp) / "data")
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


def _client(endpoint: str) -> Any:
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path"},
        # s3rver 3.7 predates S3's default CRC checksums on upload.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"max_attempts": 1},
    )
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", config=config,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
    )  # fmt: skip


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"s3rver exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"s3rver did not listen on port {port} within {STARTUP_TIMEOUT:g} s")
