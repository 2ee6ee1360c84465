"""The token endpoint and the widget server, through httpx's ASGI transport and the demo upstream."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from chatdump.secret import Secret
from chatdump.server.grants import mint_grant
from chatdump.server.settings import Settings
from chatdump.upstream.demo import DEFAULT_SESSION_ID, DEMO_SESSIONS, render_dump

pytestmark = pytest.mark.anyio
CHAT_URL = f"/api/sessions/{DEFAULT_SESSION_ID}/chat-url"


def bearer(grant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {grant}"}


async def test_a_grant_gets_a_signed_url_expiry_and_filename(
    demo_client: httpx.AsyncClient, demo_grant: str
) -> None:
    answer = await demo_client.get(CHAT_URL, headers=bearer(demo_grant))
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"url", "expires_at", "filename"}
    assert body["filename"] == "team-standup-2026-11-24.csv"
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=50) < expires - datetime.now(UTC) <= timedelta(hours=1)


async def test_the_signed_url_serves_the_dump_byte_for_byte(
    demo_client: httpx.AsyncClient, demo_grant: str
) -> None:
    url = (await demo_client.get(CHAT_URL, headers=bearer(demo_grant))).json()["url"]
    dump = await demo_client.get(url)
    assert dump.status_code == 200
    assert dump.content == render_dump(DEMO_SESSIONS[0])
    assert dump.headers["content-length"] == str(len(dump.content))


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_grant"),
        ({"Authorization": "Basic abc"}, "missing_grant"),
        ({"Authorization": "Bearer "}, "missing_grant"),
        ({"Authorization": "Bearer not-a-grant"}, "invalid_grant"),
    ],
)
async def test_no_or_invalid_grant_is_401(
    demo_client: httpx.AsyncClient, headers: dict[str, str], code: str
) -> None:
    answer = await demo_client.get(CHAT_URL, headers=headers)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == code
    assert answer.json()["error"]["request_id"] == answer.headers["x-request-id"]


async def test_a_grant_for_another_session_is_403(
    demo_client: httpx.AsyncClient, demo_settings: Settings
) -> None:
    other = mint_grant(demo_settings.grant_secrets[-1], DEMO_SESSIONS[1].session_id)
    answer = await demo_client.get(CHAT_URL, headers=bearer(other))
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "grant_wrong_session"


async def test_an_expired_grant_is_403(
    demo_client: httpx.AsyncClient, demo_settings: Settings
) -> None:
    past = datetime.now(UTC) - timedelta(hours=2)
    old = mint_grant(demo_settings.grant_secrets[-1], DEFAULT_SESSION_ID, ttl=60, now=past)
    answer = await demo_client.get(CHAT_URL, headers=bearer(old))
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "grant_expired")


async def test_a_grant_from_another_secret_is_401(demo_client: httpx.AsyncClient) -> None:
    forged = mint_grant(Secret("f" * 40), DEFAULT_SESSION_ID)
    answer = await demo_client.get(CHAT_URL, headers=bearer(forged))
    assert answer.status_code == 401


@pytest.mark.parametrize("session_id", ["bad$id", "x" * 65, "a%20b"])
async def test_implausible_session_ids_are_400(
    demo_client: httpx.AsyncClient, demo_grant: str, session_id: str
) -> None:
    answer = await demo_client.get(
        f"/api/sessions/{session_id}/chat-url", headers=bearer(demo_grant)
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_session_id"


async def test_unknown_session_is_404_no_chat(
    demo_client: httpx.AsyncClient, demo_settings: Settings
) -> None:
    grant = mint_grant(demo_settings.grant_secrets[-1], "unknown-session")
    answer = await demo_client.get("/api/sessions/unknown-session/chat-url", headers=bearer(grant))
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "no_chat")


async def test_healthz(demo_client: httpx.AsyncClient) -> None:
    answer = await demo_client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"


async def test_the_page_and_its_modules_are_served(demo_client: httpx.AsyncClient) -> None:
    page = await demo_client.get("/")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    # The modules come in one zip (vendor/widget/widget.zip, built by make setup), not one by one.
    for path in ("/main.py", "/pyscript.toml", "/vendor/widget/widget.zip"):
        assert (await demo_client.get(path)).status_code == 200, path


@pytest.mark.parametrize(
    "path",
    [
        "/pyproject.toml",
        "/chatdump/app.py",
        "/chatdump/settings.py",
        "/.git/config",
        "/.env",
        "/Makefile",
        "/vendor/../pyproject.toml",
        "/vendor/%2e%2e/pyproject.toml",
        "/chatdump/core/../settings.py",
    ],
)
async def test_nothing_else_of_the_repo_is_served(
    demo_client: httpx.AsyncClient, path: str
) -> None:
    answer = await demo_client.get(path)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


async def test_errors_never_echo_the_grant(
    demo_client: httpx.AsyncClient, demo_settings: Settings
) -> None:
    other = mint_grant(demo_settings.grant_secrets[-1], "someone-else")
    answer = await demo_client.get(CHAT_URL, headers=bearer(other))
    assert other not in answer.text


async def test_an_unforeseen_failure_is_a_500_in_the_error_shape_with_its_request_id_logged(
    demo_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    from fastapi import APIRouter

    from chatdump.server.app import create_app

    router = APIRouter()

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    app = create_app(demo_settings, routers=[router])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    with caplog.at_level("INFO", logger="chatdump.access"):
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answer = await client.get("/boom")
    assert answer.status_code == 500
    request_id = answer.headers["x-request-id"]
    assert answer.json()["error"] == {
        "code": "internal_error",
        "message": "Something went wrong on the server.",
        "request_id": request_id,
    }
    assert answer.headers["x-content-type-options"] == "nosniff"
    access = [r.getMessage() for r in caplog.records if r.name == "chatdump.access"]
    assert any(" GET /boom 500 " in line and request_id in line for line in access), access
