"""Grants that are signed right but lie about time: huge or string exp, too long a life, clock skew.
And the chat-url answer's own guards: no-store, and exactly the documented fresh values."""

from __future__ import annotations

import time

import jwt
import pytest

from chatdump.core.errors import ConfigError, Forbidden, NotAuthenticated
from chatdump.secret import Secret
from chatdump.server.grants import LEEWAY, MAX_TTL, GrantChecker
from chatdump.server.settings import Settings
from tests.fake_upstream import FakeChatReplay
from tests.upstream_fixtures import GRANT_SECRET, SESSION, AppClient, grant_for

pytestmark = pytest.mark.anyio
KEY = Secret("k" * 40)


def signed(secret: str = "k" * 40, **claims: object) -> str:
    return jwt.encode({"sub": SESSION, "aud": "chatdump", **claims}, secret, algorithm="HS256")


@pytest.mark.parametrize(
    "claims",
    [{"exp": 10**400}, {"exp": "9999999999"}, {"exp": 1e308}, {"exp": True},
     {"exp": time.time() + 100 * 365 * 86400}, {"iat": time.time(), "exp": time.time() + MAX_TTL + 60},
     {"iat": "now", "exp": time.time() + 60}],
)  # fmt: skip
def test_a_grant_that_lies_about_time_is_refused(claims: dict[str, object]) -> None:
    with pytest.raises((NotAuthenticated, Forbidden)):  # exp=True reads as 1: long expired
        GrantChecker([KEY]).check(signed(**claims), SESSION)


def test_the_maximum_lifetime_is_configurable() -> None:
    now = time.time()
    week = signed(iat=now, exp=now + 7 * 86400)
    with pytest.raises(NotAuthenticated) as caught:
        GrantChecker([KEY]).check(week, SESSION)
    assert caught.value.code == "grant_too_long"
    GrantChecker([KEY], max_ttl=8 * 86400).check(week, SESSION)


def test_iat_and_nbf_a_little_in_the_future_are_clock_skew() -> None:
    now = time.time()
    GrantChecker([KEY]).check(signed(iat=now + 5, nbf=now + 5, exp=now + 600), SESSION)
    with pytest.raises(NotAuthenticated):
        GrantChecker([KEY]).check(signed(iat=now + LEEWAY + 60, exp=now + 600), SESSION)


@pytest.mark.parametrize(("raw", "expected"), [("", MAX_TTL), ("3600", 3600)])
def test_chatdump_grant_max_ttl_is_read(raw: str, expected: int) -> None:
    settings = Settings.from_env({"CHATDUMP_GRANT_MAX_TTL": raw}, demo=True)
    assert settings.grant_max_ttl == expected


@pytest.mark.parametrize("raw", ["0", "-5", "a day", "1e9", str(10**12)])
def test_a_bad_chatdump_grant_max_ttl_is_a_config_error(raw: str) -> None:
    with pytest.raises(ConfigError, match="CHATDUMP_GRANT_MAX_TTL"):
        Settings.from_env({"CHATDUMP_GRANT_MAX_TTL": raw}, demo=True)


@pytest.mark.parametrize("exp", [10**400, "9999999999", 1e400])
async def test_over_http_a_lying_exp_is_a_401_in_the_error_shape(
    app_client: AppClient, upstream: FakeChatReplay, exp: object
) -> None:
    token = jwt.encode(
        {"sub": SESSION, "aud": "chatdump", "exp": exp}, GRANT_SECRET, algorithm="HS256"
    ) if not isinstance(exp, float) else _with_raw_exp("1e400")  # fmt: skip
    async with app_client("dyte") as client:
        answer = await client.get(
            f"/api/sessions/{SESSION}/chat-url", headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"]["code"] in ("invalid_grant", "grant_too_long")


def _with_raw_exp(raw: str) -> str:
    """A token whose payload holds a literal JSON number no encoder would write."""
    import base64
    import hashlib
    import hmac

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = part(b'{"alg":"HS256","typ":"JWT"}')
    body = part(f'{{"sub":"{SESSION}","aud":"chatdump","exp":{raw}}}'.encode())
    mac = hmac.new(GRANT_SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{part(mac)}"


async def test_a_grant_longer_than_chatdump_grant_max_ttl_is_refused_by_the_server(
    app_client: AppClient, upstream: FakeChatReplay
) -> None:
    async with app_client("dyte", CHATDUMP_GRANT_MAX_TTL="600") as client:
        answer = await client.get(f"/api/sessions/{SESSION}/chat-url", headers=grant_for())
    assert answer.status_code == 401  # grant_for mints an hour
    assert answer.json()["error"]["code"] == "grant_too_long"


async def test_the_chat_url_answer_is_never_stored_by_a_cache(
    app_client: AppClient, upstream: FakeChatReplay
) -> None:
    async with app_client("dyte") as client:
        answer = await client.get(f"/api/sessions/{SESSION}/chat-url", headers=grant_for())
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("value", "status"), [
    ("1", 200), ("0", 200), ("true", 200), ("false", 200),
    ("yes", 400), ("on", 400), ("no", 400), ("", 400), ("TRUE ", 400), ("2", 400),
])  # fmt: skip
async def test_fresh_takes_exactly_the_documented_values(
    app_client: AppClient, upstream: FakeChatReplay, value: str, status: int
) -> None:
    async with app_client("dyte") as client:
        answer = await client.get(
            f"/api/sessions/{SESSION}/chat-url", params={"fresh": value}, headers=grant_for()
        )
    assert answer.status_code == status, answer.text
    if status == 400:
        assert answer.json()["error"]["code"] == "invalid_request"
