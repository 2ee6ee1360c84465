"""Downloads over real loopback HTTP: whole and identical, resumed, or no file at all."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import httpx
import pytest

from chatdump.core import errors
from chatdump.export.download import Limits, Write, download, judge
from chatdump.export.storage_http import StorageClient
from tests.flaky_server import flaky_server
from tests.s3 import S3

BODY = ("id,payload\r\n" + "".join(f"{i},héllo {i}\r\n" for i in range(40_000))).encode()
FAST = Limits(attempts=3, fresh_urls=2, backoff=0.01, backoff_max=0.01)


def test_a_dropped_connection_resumes_with_range_and_the_bytes_are_identical(
    tmp_path: Path,
) -> None:
    with flaky_server(BODY, ["cut", "cut", "ok"]) as server, StorageClient() as client:
        saved = download(
            lambda fresh: server.url, tmp_path / "chat.csv", client=client, limits=FAST
        )
    assert (tmp_path / "chat.csv").read_bytes() == BODY
    assert saved.sha256 == hashlib.sha256(BODY).hexdigest()
    ranges = [wanted for _, wanted in server.requests]
    assert ranges[0] is None and ranges[1].startswith("bytes=") and ranges[2].startswith("bytes=")
    assert int(ranges[2][6:-1]) > int(ranges[1][6:-1])  # each resume starts further on


def test_storage_that_ignores_range_restarts_from_the_first_byte(tmp_path: Path) -> None:
    with flaky_server(BODY, ["cut", "full"]) as server, StorageClient() as client:
        saved = download(
            lambda fresh: server.url, tmp_path / "chat.csv", client=client, limits=FAST
        )
    assert (tmp_path / "chat.csv").read_bytes() == BODY
    assert saved.size == len(BODY)


def test_a_download_that_keeps_failing_leaves_no_file_at_all(tmp_path: Path) -> None:
    # Each try starts over and is cut at the same point: no progress, so it gives up.
    with (
        flaky_server(BODY, ["cutfull"]) as server,
        StorageClient() as client,
        pytest.raises(errors.UpstreamUnavailable) as caught,
    ):
        download(lambda fresh: server.url, tmp_path / "chat.csv", client=client,
                 limits=Limits(attempts=2, backoff=0.01, backoff_max=0.01))  # fmt: skip
    assert caught.value.code == "download_failed"
    assert list(tmp_path.iterdir()) == []


def test_a_refused_url_is_replaced_by_a_fresh_one(tmp_path: Path) -> None:
    asked: list[bool] = []

    def get_url(fresh: bool) -> str:
        asked.append(fresh)
        return server.url + ("?fresh" if fresh else "")

    with flaky_server(BODY, ["403", "ok"]) as server, StorageClient() as client:
        download(get_url, tmp_path / "chat.csv", client=client, limits=FAST)
    assert asked == [False, True]
    assert (tmp_path / "chat.csv").read_bytes() == BODY


def test_storage_refusing_even_fresh_urls_fails_cleanly(tmp_path: Path) -> None:
    with (
        flaky_server(BODY, ["403"]) as server,
        StorageClient() as client,
        pytest.raises(errors.UpstreamError) as caught,
    ):
        download(lambda fresh: server.url, tmp_path / "chat.csv", client=client, limits=FAST)
    assert caught.value.code == "storage_forbidden"
    assert list(tmp_path.iterdir()) == []


def test_a_non_loopback_http_url_is_refused_before_any_request(tmp_path: Path) -> None:
    with StorageClient() as client, pytest.raises(errors.UpstreamError):
        download(lambda fresh: "http://example.com/x.csv", tmp_path / "c.csv", client=client)
    assert list(tmp_path.iterdir()) == []


def test_judge_refuses_a_resume_at_the_wrong_offset() -> None:
    headers = httpx.Headers({"content-range": "bytes 10-99/100"})
    assert judge(206, headers, 10, 100) == Write(10, 100)
    with pytest.raises(errors.UpstreamError, match="wrong range"):
        judge(206, headers, 20, 100)
    with pytest.raises(errors.UpstreamError, match="changed"):
        judge(200, httpx.Headers({"content-length": "99"}), 10, 100)
    with pytest.raises(errors.NotFound):
        judge(404, httpx.Headers(), 0, None)


def test_s3rver_serves_identical_bytes_and_honours_range(s3: S3, tmp_path: Path) -> None:
    s3.put("big.csv", BODY)
    url = s3.presign("big.csv", expires_in=300)
    with StorageClient() as client:
        saved = download(lambda fresh: url, tmp_path / "big.csv", client=client)
    tail = httpx.get(url, headers={"Range": "bytes=100-"})
    assert (tmp_path / "big.csv").read_bytes() == BODY
    assert saved.sha256 == hashlib.sha256(BODY).hexdigest()
    assert judge(tail.status_code, tail.headers, 100, len(BODY)) == Write(100, len(BODY))
    assert tail.content == BODY[100:]


def test_an_expired_s3rver_url_is_replaced_by_a_fresh_one(s3: S3, tmp_path: Path) -> None:
    s3.put("expiring.csv", BODY)
    expired = s3.presign("expiring.csv", expires_in=1)
    time.sleep(2.2)  # let s3rver see the URL as expired (X-Amz-Date + X-Amz-Expires)
    urls = {False: expired, True: s3.presign("expiring.csv", expires_in=300)}
    with StorageClient() as client:
        download(lambda fresh: urls[fresh], tmp_path / "c.csv", client=client, limits=FAST)
    assert (tmp_path / "c.csv").read_bytes() == BODY
