"""The real S3-compatible server the tests use: objects, presigned URLs, expiry, CORS."""

from __future__ import annotations

import time

import httpx

from tests.conftest import SAMPLES
from tests.s3 import S3


def test_a_presigned_url_serves_the_object_byte_for_byte(s3: S3) -> None:
    body = (SAMPLES / "s3-expired-403.xml").read_bytes() * 3 + 'é,"x"\r\n'.encode()
    s3.put("bytes.csv", body)
    answer = httpx.get(s3.presign("bytes.csv", expires_in=60))
    assert answer.status_code == 200
    assert answer.content == body


def test_an_expired_presigned_url_gets_s3s_403_xml(s3: S3) -> None:
    s3.put("expiring.csv", b"a,b\r\n")
    url = s3.presign("expiring.csv", expires_in=1)
    time.sleep(2.2)  # let the URL expire; s3rver checks X-Amz-Date + X-Amz-Expires
    answer = httpx.get(url)
    assert answer.status_code == 403
    assert "<Code>AccessDenied</Code>" in answer.text
    assert "Request has expired" in answer.text


def test_the_cors_bucket_admits_any_origin_and_the_closed_one_none(s3: S3) -> None:
    s3.put("cors.csv", b"a\r\n")
    s3.put("cors.csv", b"a\r\n", bucket=s3.closed_bucket)
    origin = {"Origin": "http://127.0.0.1:9999"}
    open_answer = httpx.get(s3.presign("cors.csv", 60), headers=origin)
    closed_answer = httpx.get(s3.presign("cors.csv", 60, bucket=s3.closed_bucket), headers=origin)
    assert open_answer.headers.get("access-control-allow-origin") in ("*", origin["Origin"])
    assert "access-control-allow-origin" not in closed_answer.headers
