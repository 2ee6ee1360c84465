"""The upstream's answers, read from the recorded samples in tests/samples."""

from datetime import UTC, datetime

import pytest

from chatdump.core import errors
from chatdump.upstream.answers import (
    RateLimited,
    Transient,
    read_chat_answer,
    read_session_answer,
    retry_after_seconds,
    upstream_message,
)
from tests.conftest import SAMPLES

NOW = datetime(2026, 11, 24, 10, 3, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    "sample", ["dyte-get-session-chat-200.json", "rtk-get-session-chat-200.json"]
)
def test_success_answers_of_both_upstreams_are_read(sample: str) -> None:
    chat = read_chat_answer(200, {}, (SAMPLES / sample).read_bytes(), now=NOW)
    assert chat.url.startswith("https://")
    assert chat.expires_at == datetime(2026, 11, 25, 10, 3, 11, tzinfo=UTC)


def test_rejected_credentials_are_a_502_that_names_no_secret() -> None:
    error = _error_of(401, (SAMPLES / "dyte-error-401.json").read_bytes())
    assert (error.status, error.code) == (502, "upstream_credentials_rejected")


def test_404_means_no_chat_with_the_likely_reasons() -> None:
    error = _error_of(404, (SAMPLES / "dyte-error-404.json").read_bytes())
    assert (error.status, error.code) == (404, "no_chat")
    assert "not enabled" in error.message and "7-day" in error.message and "live" in error.message


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"success": false, "error": {"code": 500, "message": "x"}}',
        b'{"success": true}',
        b'{"success": true, "data": {"chat_download_url": "https://x.test/a"}}',
        b'{"success": true, "data": {"chat_download_url": "http://evil.test/a", "chat_download_url_expiry": "2026-11-25T10:03:11Z"}}',
        b"[]",
    ],
)
def test_unusable_success_answers_are_502(body: bytes) -> None:
    assert _error_of(200, body).status == 502


def test_session_details_give_title_meeting_and_start() -> None:
    body = b'{"success": true, "data": {"session": {"id": "s", "associated_id": "m", "meeting_display_name": "Standup", "started_at": "2026-11-24T10:00:00.000Z"}}}'
    info = read_session_answer(200, {}, body, "s", now=NOW)
    assert (info.title, info.meeting_id) == ("Standup", "m")
    assert info.started_at == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def test_realtimekit_details_may_hold_the_session_in_data_itself() -> None:
    body = b'{"success": true, "data": {"id": "s", "meeting_display_name": "Retro", "started_at": "2026-11-24 10:00:00Z"}}'
    info = read_session_answer(200, {}, body, "s", now=NOW)
    assert info.title == "Retro"
    assert info.started_at == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ((SAMPLES / "dyte-error-401.json").read_bytes(), "401: Unauthorized"),
        (
            b'{"success": false, "errors": [{"code": 10000, "message": "Authentication error"}], "messages": [], "result": null}',
            "10000: Authentication error",
        ),
        (b"<html>bad gateway</html>", "(no JSON error body)"),
    ],
)
def test_both_error_envelopes_are_read_for_the_log(body: bytes, expected: str) -> None:
    assert upstream_message(body) == expected


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_a_transient_502(status: int) -> None:
    error = _error_of(status, b"")
    assert isinstance(error, Transient)
    assert error.status == 502


def test_429_is_rate_limited_with_the_upstream_retry_after() -> None:
    with pytest.raises(RateLimited) as caught:
        read_chat_answer(429, {"retry-after": "4"}, b"", now=NOW)
    assert (caught.value.status, caught.value.wait, caught.value.retry_after) == (503, 4.0, 4)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("4", 4.0), ("0.5", 0.5), ("-3", 0.0), ("", 1.0), ("soon", 1.0),
     ("Tue, 24 Nov 2026 10:03:21 GMT", 10.0)],
)  # fmt: skip
def test_retry_after_is_seconds_or_an_http_date(value: str, seconds: float) -> None:
    assert retry_after_seconds({"retry-after": value}, NOW) == seconds


@pytest.mark.parametrize("status", [400, 405, 422])
def test_other_4xx_is_a_502_refusal(status: int) -> None:
    assert (_error_of(status, b"").status, _error_of(status, b"").code) == (502, "upstream_refused")


def test_a_huge_download_url_is_refused() -> None:
    body = (
        b'{"success": true, "data": {"chat_download_url": "https://x.test/'
        + b"a" * 9000
        + b'", "chat_download_url_expiry": "2026-11-25T10:03:11Z"}}'
    )
    assert _error_of(200, body).code == "upstream_bad_answer"


def _error_of(status: int, body: bytes) -> errors.ChatdumpError:
    with pytest.raises(errors.ChatdumpError) as caught:
        read_chat_answer(status, {}, body, now=NOW)
    return caught.value
