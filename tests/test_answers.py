"""The upstream's answers, read from the recorded samples in tests/samples."""

from datetime import UTC, datetime

import pytest

from chatdump.core import errors
from chatdump.providers.answers import read_chat_answer, read_session_answer
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
    info = read_session_answer(200, {}, body, "s")
    assert (info.title, info.meeting_id) == ("Standup", "m")
    assert info.started_at == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _error_of(status: int, body: bytes) -> errors.ChatdumpError:
    with pytest.raises(errors.ChatdumpError) as caught:
        read_chat_answer(status, {}, body, now=NOW)
    return caught.value
