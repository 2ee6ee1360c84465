"""Both real providers behind the token endpoint, against the fake upstream over real HTTP:
every row of "behaviour under trouble"."""

from __future__ import annotations

import base64
import logging

import pytest

from chatdump.upstream import UpstreamPolicy
from tests.fake_upstream import API_KEY, API_TOKEN, ORG_ID, FakeChatReplay, Reply
from tests.upstream_fixtures import SESSION, AppClient, grant_for

pytestmark = pytest.mark.anyio
FLAVOURS = pytest.mark.parametrize("flavour", ["dyte", "realtimekit"])
CHAT_URL = f"/api/sessions/{SESSION}/chat-url"


@FLAVOURS
async def test_a_grant_gets_the_upstream_url_expiry_and_a_filename_from_the_details(
    app_client: AppClient, upstream: FakeChatReplay, flavour: str
) -> None:
    async with app_client(flavour) as client:
        answer = await client.get(CHAT_URL, headers=grant_for())
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "url": upstream.download_url(SESSION),
        "expires_at": "2099-11-25T10:03:11Z",
        "filename": "team-standup-2026-11-24.csv",
    }
    assert [call.kind for call in upstream.calls] == ["chat", "details"]


async def test_dyte_sends_basic_auth_and_realtimekit_a_bearer_token(
    app_client: AppClient, upstream: FakeChatReplay
) -> None:
    async with app_client("dyte") as client:
        await client.get(CHAT_URL, headers=grant_for())
    async with app_client("realtimekit") as client:
        await client.get(CHAT_URL, headers=grant_for())
    basic = base64.b64encode(f"{ORG_ID}:{API_KEY}".encode()).decode()
    auths = [call.headers["authorization"] for call in upstream.calls if call.kind == "chat"]
    assert auths == [f"Basic {basic}", f"Bearer {API_TOKEN}"]


@FLAVOURS
async def test_the_filename_falls_back_to_the_session_id_without_details(
    app_client: AppClient, upstream: FakeChatReplay, flavour: str
) -> None:
    upstream.queue(SESSION, Reply(404), kind="details")
    async with app_client(flavour) as client:
        answer = await client.get(CHAT_URL, headers=grant_for())
    assert answer.json()["filename"] == f"{SESSION}.csv"


async def test_a_hostile_title_still_gives_a_safe_filename(
    app_client: AppClient, upstream: FakeChatReplay
) -> None:
    body = b'{"success": true, "data": {"session": {"meeting_display_name": "../../CON\\u0000<x>|:*?", "started_at": "2026-11-24 10:00:00Z"}}}'
    upstream.queue(SESSION, Reply(200, body), kind="details")
    async with app_client("dyte") as client:
        answer = await client.get(CHAT_URL, headers=grant_for())
    assert answer.json()["filename"] == "con-x-2026-11-24.csv"


@FLAVOURS
@pytest.mark.parametrize("status", [401, 403])
async def test_rejected_credentials_are_a_502_that_echoes_no_credential(
    app_client: AppClient, upstream: FakeChatReplay, flavour: str, status: int
) -> None:
    upstream.queue(SESSION, Reply(status))
    async with app_client(flavour) as client:
        answer = await client.get(CHAT_URL, headers=grant_for())
    assert answer.status_code == 502
    assert answer.json()["error"]["code"] == "upstream_credentials_rejected"
    assert "credentials" in answer.json()["error"]["message"]
    for secret in (API_KEY, API_TOKEN, ORG_ID):
        assert secret not in answer.text


@FLAVOURS
async def test_wrong_configured_credentials_are_rejected_upstream_as_502(
    app_client: AppClient, flavour: str
) -> None:
    wrong = (
        {"DYTE_API_KEY": "wrong-key-123456"}
        if flavour == "dyte"
        else {"RTK_API_TOKEN": "wrong-token-1234"}
    )
    async with app_client(flavour, **wrong) as client:
        answer = await client.get(CHAT_URL, headers=grant_for())
    assert (answer.status_code, answer.json()["error"]["code"]) == (
        502,
        "upstream_credentials_rejected",
    )
    assert "wrong-" not in answer.text


@FLAVOURS
async def test_404_is_no_chat_with_the_likely_reasons(
    app_client: AppClient, upstream: FakeChatReplay, flavour: str
) -> None:
    upstream.queue(SESSION, Reply(404))
    async with app_client(flavour) as client:
        answer = await client.get(CHAT_URL, headers=grant_for())
    error = answer.json()["error"]
    assert (answer.status_code, error["code"]) == (404, "no_chat")
    assert (
        "not enabled" in error["message"]
        and "live" in error["message"]
        and "7-day" in error["message"]
    )


@FLAVOURS
async def test_a_429_is_waited_out_as_retry_after_says_then_retried(
    app_client: AppClient, upstream: FakeChatReplay, flavour: str
) -> None:
    upstream.queue(SESSION, Reply(429, headers={"retry-after": "0.2"}))
    async with app_client(flavour) as client:
        answer = await client.get(CHAT_URL, headers=grant_for())
    assert answer.status_code == 200
    assert upstream.count("chat") == 2


@FLAVOURS
async def test_a_429_asking_for_longer_than_the_bound_is_a_503_with_retry_after(
    app_client: AppClient, upstream: FakeChatReplay, flavour: str
) -> None:
    upstream.queue(SESSION, Reply(429, headers={"retry-after": "30"}))
    async with app_client(flavour) as client:
        answer = await client.get(CHAT_URL, headers=grant_for())
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "30"
    assert answer.json()["error"]["code"] == "upstream_rate_limited"
    assert upstream.count("chat") == 1


async def test_a_persistent_429_is_a_503_after_the_allowed_attempts(
    app_client: AppClient, upstream: FakeChatReplay
) -> None:
    upstream.queue(SESSION, *[Reply(429, headers={"retry-after": "0.05"})] * 5)
    async with app_client("dyte") as client:
        answer = await client.get(CHAT_URL, headers=grant_for())
    assert (answer.status_code, answer.headers["retry-after"]) == (503, "1")
    assert upstream.count("chat") == 3


@FLAVOURS
async def test_5xx_answers_are_retried_with_backoff_until_one_succeeds(
    app_client: AppClient, upstream: FakeChatReplay, flavour: str
) -> None:
    upstream.queue(SESSION, Reply(503), Reply(500, b"<html>oops</html>"))
    async with app_client(flavour) as client:
        answer = await client.get(CHAT_URL, headers=grant_for())
    assert answer.status_code == 200
    assert upstream.count("chat") == 3


@FLAVOURS
async def test_persistent_5xx_is_a_502_after_a_few_attempts(
    app_client: AppClient, upstream: FakeChatReplay, flavour: str
) -> None:
    upstream.queue(SESSION, *[Reply(502)] * 5)
    async with app_client(flavour) as client:
        answer = await client.get(CHAT_URL, headers=grant_for())
    assert (answer.status_code, answer.json()["error"]["code"]) == (502, "upstream_failing")
    assert upstream.count("chat") == 3


@FLAVOURS
async def test_an_unreachable_upstream_is_a_502(app_client: AppClient, flavour: str) -> None:
    from tests.live import free_port

    closed = f"http://127.0.0.1:{free_port()}"
    base = {"dyte": {"DYTE_API_BASE": f"{closed}/v2"}, "realtimekit": {"RTK_API_BASE": closed}}
    async with app_client(flavour, **base[flavour]) as client:
        answer = await client.get(CHAT_URL, headers=grant_for())
    assert (answer.status_code, answer.json()["error"]["code"]) == (502, "upstream_unreachable")


@FLAVOURS
async def test_no_answer_within_the_deadline_is_a_504(
    app_client: AppClient, upstream: FakeChatReplay, flavour: str
) -> None:
    upstream.queue(SESSION, Reply(delay=5))
    async with app_client(flavour, UpstreamPolicy(deadline=0.3)) as client:
        answer = await client.get(CHAT_URL, headers=grant_for())
    assert (answer.status_code, answer.json()["error"]["code"]) == (504, "upstream_timeout")


def test_the_default_deadline_is_ten_seconds() -> None:
    assert UpstreamPolicy().deadline == 10.0


BAD_ANSWERS = {
    "malformed-json": b'{"success": true, "data": {',
    "success-false": b'{"success": false, "errors": [{"code": 1, "message": "nope"}]}',
    "no-data": b'{"success": true}',
    "missing-url": b'{"success": true, "data": {"chat_download_url_expiry": "2099-01-01T00:00:00Z"}}',
    "missing-expiry": b'{"success": true, "data": {"chat_download_url": "https://s.test/a.csv"}}',
    "url-not-a-string": b'{"success": true, "data": {"chat_download_url": 5, "chat_download_url_expiry": "x"}}',
    "plain-http-url": b'{"success": true, "data": {"chat_download_url": "http://storage.example.com/a.csv", "chat_download_url_expiry": "2099-01-01T00:00:00Z"}}',
    "javascript-url": b'{"success": true, "data": {"chat_download_url": "javascript:alert(1)", "chat_download_url_expiry": "2099-01-01T00:00:00Z"}}',
}


@FLAVOURS
@pytest.mark.parametrize("name", list(BAD_ANSWERS))
async def test_unusable_answers_are_a_logged_502(
    app_client: AppClient, upstream: FakeChatReplay, flavour: str, name: str,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    upstream.queue(SESSION, Reply(200, BAD_ANSWERS[name]))
    with caplog.at_level(logging.WARNING, logger="chatdump"):
        async with app_client(flavour) as client:
            answer = await client.get(CHAT_URL, headers=grant_for())
    assert answer.status_code == 502
    assert answer.json()["error"]["code"] in ("upstream_bad_answer", "upstream_bad_url")
    request_id = answer.json()["error"]["request_id"]
    assert any(
        request_id in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records
    )
    assert upstream.count("chat") == 1  # a broken answer is not retried


@pytest.mark.parametrize("host", ["127.0.0.1:9", "localhost:9", "127.3.4.5"])
async def test_plain_http_download_urls_on_loopback_are_accepted(
    app_client: AppClient, upstream: FakeChatReplay, host: str
) -> None:
    upstream.download_url = lambda sid: f"http://{host}/{sid}.csv?X-Amz-Signature=abc"
    async with app_client("dyte") as client:
        answer = await client.get(CHAT_URL, headers=grant_for())
    assert answer.status_code == 200
    assert answer.json()["url"].startswith(f"http://{host}/")


@pytest.mark.parametrize("session_id", ["bad$id", "x" * 65, "a%20b", "..", "a.b", "%00"])
async def test_implausible_ids_are_400_before_any_upstream_call(
    app_client: AppClient, upstream: FakeChatReplay, session_id: str
) -> None:
    async with app_client("dyte") as client:
        for path in ("chat-url", "chat.csv"):
            answer = await client.get(
                f"/api/sessions/{session_id}/{path}", headers=grant_for(session_id)
            )
            assert answer.status_code in (400, 404), answer.text
    assert upstream.calls == []


@pytest.mark.parametrize("session_id", ["bad$id", "x" * 65, "a%20b"])
async def test_implausible_ids_get_the_invalid_session_id_code(
    app_client: AppClient, session_id: str
) -> None:
    async with app_client("dyte") as client:
        answer = await client.get(f"/api/sessions/{session_id}/chat-url", headers=grant_for())
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "invalid_session_id")


@pytest.mark.parametrize(
    ("value", "status"), [("1", 200), ("true", 200), ("0", 200), ("maybe", 400)]
)
async def test_fresh_takes_a_plain_flag(app_client: AppClient, value: str, status: int) -> None:
    async with app_client("dyte") as client:
        answer = await client.get(CHAT_URL, params={"fresh": value}, headers=grant_for())
    assert answer.status_code == status


async def test_slow_session_details_cost_a_nice_filename_not_the_answer(
    app_client: AppClient, upstream: FakeChatReplay
) -> None:
    upstream.queue(SESSION, Reply(delay=5), kind="details")
    policy = UpstreamPolicy(deadline=3.0, details_deadline=0.3)
    async with app_client("dyte", policy) as client:
        answer = await client.get(CHAT_URL, headers=grant_for())
    assert (answer.status_code, answer.json()["filename"]) == (200, f"{SESSION}.csv")


async def test_failing_session_details_are_tried_once(
    app_client: AppClient, upstream: FakeChatReplay
) -> None:
    upstream.queue(SESSION, Reply(503), kind="details")
    async with app_client("dyte") as client:
        answer = await client.get(CHAT_URL, headers=grant_for())
    assert (answer.status_code, answer.json()["filename"]) == (200, f"{SESSION}.csv")
    assert upstream.count("details") == 1
