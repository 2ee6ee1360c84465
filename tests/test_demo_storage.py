from datetime import UTC, datetime, timedelta
from hashlib import md5

import httpx
import pytest

from chatdump.upstream.demo.storage import DemoStorage, byte_range

pytestmark = pytest.mark.anyio
BODY = b"id,payload\r\n1,hello\r\n"


@pytest.fixture
async def storage() -> DemoStorage:
    return DemoStorage("http://127.0.0.1/s", {"a.csv": BODY}, secret=b"k" * 32)


async def fetch(storage: DemoStorage, url: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=storage.app)) as client:
        return await client.get(url.replace("http://127.0.0.1/s", "http://127.0.0.1"))


async def test_a_fresh_url_serves_the_object_with_cors(storage: DemoStorage) -> None:
    answer = await fetch(storage, storage.presign("a.csv", expires_in=60, now=datetime.now(UTC)))
    assert (answer.status_code, answer.content) == (200, BODY)
    assert answer.headers["access-control-allow-origin"] == "*"


async def test_an_expired_url_gets_s3s_403_xml(storage: DemoStorage) -> None:
    url = storage.presign("a.csv", expires_in=60, now=datetime.now(UTC) - timedelta(minutes=2))
    answer = await fetch(storage, url)
    assert answer.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in answer.text


async def test_a_tampered_url_is_refused(storage: DemoStorage) -> None:
    url = storage.presign("a.csv", expires_in=60, now=datetime.now(UTC) - timedelta(minutes=2))
    answer = await fetch(storage, url.replace("X-Amz-Expires=60", "X-Amz-Expires=6000"))
    assert answer.status_code == 403
    assert "SignatureDoesNotMatch" in answer.text


async def test_a_missing_key_is_no_such_key(storage: DemoStorage) -> None:
    answer = await fetch(storage, storage.presign("b.csv", expires_in=60, now=datetime.now(UTC)))
    assert answer.status_code == 404
    assert "NoSuchKey" in answer.text


async def test_a_range_request_gets_206_with_the_tail(storage: DemoStorage) -> None:
    url = storage.presign("a.csv", expires_in=60, now=datetime.now(UTC))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=storage.app)) as client:
        local = url.replace("http://127.0.0.1/s", "http://127.0.0.1")
        tail = await client.get(local, headers={"Range": "bytes=5-"})
        past = await client.get(local, headers={"Range": f"bytes={len(BODY)}-"})
    assert (tail.status_code, tail.content) == (206, BODY[5:])
    assert tail.headers["content-range"] == f"bytes 5-{len(BODY) - 1}/{len(BODY)}"
    assert past.status_code == 416


async def test_the_etag_is_the_bodys_md5_and_follows_a_replaced_object(
    storage: DemoStorage,
) -> None:
    url = storage.presign("a.csv", expires_in=60, now=datetime.now(UTC))
    first, again = await fetch(storage, url), await fetch(storage, url)
    assert (
        first.headers["etag"]
        == again.headers["etag"]
        == f'"{md5(BODY, usedforsecurity=False).hexdigest()}"'
    )
    storage.objects["a.csv"] = BODY + b"2,again\r\n"
    changed = await fetch(storage, url)
    assert (
        changed.headers["etag"]
        == f'"{md5(changed.content, usedforsecurity=False).hexdigest()}"'
        != first.headers["etag"]
    )


@pytest.mark.parametrize(
    ("header", "span"),
    [("bytes=0-", (0, 9)), ("bytes=3-4", (3, 4)), ("bytes=3-99", (3, 9)), ("bytes=-4", (6, 9)),
     ("bytes=10-", None), ("bytes=5-2", None), ("bytes=-0", None), ("items=1-", None),
     ("bytes=1-2,4-5", None)],
)  # fmt: skip
def test_byte_ranges_are_read_like_s3(header: str, span: tuple[int, int] | None) -> None:
    assert byte_range(header, 10) == span
