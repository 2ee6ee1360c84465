"""Logs never hold credentials, grants or signed URLs, and every request's id is in the log."""

from __future__ import annotations

import base64
import logging

import pytest

from chatdump.server.redact import redact
from tests.fake_upstream import API_KEY, API_TOKEN, ORG_ID, FakeChatReplay, Reply
from tests.upstream_fixtures import GRANT_SECRET, SESSION, AppClient, grant_for

SIGNED = "https://b.s3.amazonaws.com/k.csv?X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=0f1e2d"
GRANT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzIn0.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"GET {SIGNED} 200", "GET https://b.s3.amazonaws.com/k.csv?[redacted] 200"),
        ("Authorization: Bearer abc.def-ghi", "Authorization: Bearer [redacted]"),
        ("authorization: basic b3JnOmtleQ==", "authorization: basic [redacted]"),
        (f"grant={GRANT}", "grant=[grant]"),
        ("X-Amz-Signature=0f1e2d&x", "X-Amz-Signature=[redacted]&x"),
        (
            "nothing secret here: /api/sessions/s/chat-url 200",
            "nothing secret here: /api/sessions/s/chat-url 200",
        ),
    ],
)
def test_redact_removes_what_looks_like_a_credential(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_removes_known_secret_values() -> None:
    assert redact("key is hunter2-hunter2 ok", ["hunter2-hunter2"]) == "key is [redacted] ok"


pytestmark = pytest.mark.anyio


async def test_no_log_line_holds_a_credential_grant_or_signed_url(
    app_client: AppClient, upstream: FakeChatReplay, caplog: pytest.LogCaptureFixture
) -> None:
    grant = grant_for()
    upstream.queue(SESSION, Reply(500), Reply(401))
    with caplog.at_level(logging.DEBUG):
        async with app_client("dyte") as client:
            await client.get(f"/api/sessions/{SESSION}/chat-url", headers=grant)  # 500, 401: 502
            await client.get(f"/api/sessions/{SESSION}/chat-url", headers=grant)  # success
            await client.get(f"/api/sessions/{SESSION}/chat-url?fresh=1", headers=grant)
            await client.get(f"/api/sessions/{SESSION}/chat-url", headers=grant_for("other"))
        async with app_client("realtimekit") as client:
            await client.get(f"/api/sessions/{SESSION}/chat-url", headers=grant)
        # A third-party logger quoting a request, the way httpx and tracebacks do:
        logging.getLogger("httpx").info(
            "HTTP Request: GET %s %s", upstream.download_url(SESSION), grant
        )
        logging.getLogger("chatdump").error("boom", exc_info=ValueError(f"key {API_KEY}"))
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "/chat-url" in text  # the log was captured at all
    basic = base64.b64encode(f"{ORG_ID}:{API_KEY}".encode()).decode()
    token = grant["Authorization"].removeprefix("Bearer ")
    for secret in (API_KEY, API_TOKEN, basic, token, GRANT_SECRET, "X-Amz-Signature=deadbeef"):
        assert secret not in text, secret


async def test_every_request_has_an_id_in_the_access_log_and_in_error_bodies(
    app_client: AppClient, upstream: FakeChatReplay, caplog: pytest.LogCaptureFixture
) -> None:
    upstream.queue(SESSION, Reply(404))
    with caplog.at_level(logging.INFO, logger="chatdump.access"):
        async with app_client("dyte") as client:
            answer = await client.get(f"/api/sessions/{SESSION}/chat-url", headers=grant_for())
    request_id = answer.headers["x-request-id"]
    assert answer.json()["error"]["request_id"] == request_id
    assert any(f"id={request_id}" in r.getMessage() for r in caplog.records)
