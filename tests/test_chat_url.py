import json
from datetime import UTC, datetime, timedelta

import pytest

from chatdump.core import errors
from chatdump.core.chat_url import check_download_url, is_loopback_host, parse_chat_url_answer

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def answer(**fields: object) -> bytes:
    base = {
        "url": "https://s3.example.com/a.csv?sig=1",
        "expires_at": "2026-11-24T11:00:00Z",
        "filename": "a.csv",
    }
    return json.dumps({**base, **fields}).encode()


def test_a_good_answer_is_read() -> None:
    chat = parse_chat_url_answer(200, answer(), received_at=NOW)
    assert chat.url == "https://s3.example.com/a.csv?sig=1"
    assert chat.expires_at == NOW + timedelta(hours=1)
    assert chat.filename == "a.csv"
    assert not chat.is_stale(NOW)
    assert chat.is_stale(NOW + timedelta(minutes=59, seconds=45))


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "http://evil.example.com/a.csv",
        "file:///etc/passwd",
        "data:text/csv,a",
        "https://",
    ],
)
def test_hostile_download_urls_are_refused(url: str) -> None:
    with pytest.raises(errors.UpstreamError):
        parse_chat_url_answer(200, answer(url=url), received_at=NOW)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9000/b/k.csv", "http://localhost:1/x", "https://x.test/y"]
)
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    assert check_download_url(url) == url


def test_a_hostile_filename_is_made_safe() -> None:
    chat = parse_chat_url_answer(200, answer(filename="../../.bashrc"), received_at=NOW)
    assert chat.filename == "chat.csv"


def test_error_answers_keep_their_code_and_message() -> None:
    body = json.dumps(
        {"error": {"code": "grant_expired", "message": "This grant has expired."}}
    ).encode()
    with pytest.raises(errors.EndpointError) as caught:
        parse_chat_url_answer(403, body, received_at=NOW)
    assert (caught.value.status, caught.value.code) == (403, "grant_expired")
    assert caught.value.message == "This grant has expired."


@pytest.mark.parametrize("body", [b"", b"<html>502 Bad Gateway</html>", b"[1,2]", b"\xff\xfe"])
def test_non_json_errors_still_say_the_status(body: bytes) -> None:
    with pytest.raises(errors.EndpointError, match="HTTP 502"):
        parse_chat_url_answer(502, body, received_at=NOW)


def test_a_200_without_the_fields_is_an_error() -> None:
    with pytest.raises(errors.EndpointError, match="missing"):
        parse_chat_url_answer(200, b'{"url": 3}', received_at=NOW)


def test_long_hostile_messages_are_cut() -> None:
    body = json.dumps({"error": {"code": "x", "message": "A" * 10_000}}).encode()
    with pytest.raises(errors.EndpointError) as caught:
        parse_chat_url_answer(400, body, received_at=NOW)
    assert len(caught.value.message) <= 300


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.9.8.7", True), ("::1", True), ("[::1]", True),
     ("localhost", True), ("LOCALHOST", True), ("127.evil.example", False),
     ("127.0.0.1.nip.io", False), ("localhost.evil.example", False), ("10.0.0.1", False),
     ("128.0.0.1", False), ("", False)],
)  # fmt: skip
def test_loopback_means_a_loopback_address_or_exactly_localhost(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_plain_http_to_a_name_that_starts_like_loopback_is_refused() -> None:
    with pytest.raises(errors.UpstreamError):
        check_download_url("http://127.evil.example/x.csv")
