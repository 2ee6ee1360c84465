"""Fixtures shared by the tests of the real providers: the fake upstream on real HTTP, and apps
built exactly as ``chatdump serve`` builds them, with a tight ``UpstreamPolicy`` so trouble is quick."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest

from chatdump.server.app import create_app
from chatdump.server.grants import mint_grant
from chatdump.server.settings import Settings
from chatdump.upstream import UpstreamPolicy, build_provider
from tests.fake_upstream import FakeChatReplay, env_for
from tests.live import serve

GRANT_SECRET = "test-grant-secret-0123456789abcdefghijklmnop"
SESSION = "79365b9b-5e35-4d3a-9d1c-2b5b1c2f7a10"
FAST = UpstreamPolicy(deadline=3.0, attempts=3, backoff=0.01, backoff_max=0.05, max_retry_after=0.5)
BASE = "http://127.0.0.1"

AppClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture(scope="session")
def fake_upstream_server() -> Iterator[tuple[FakeChatReplay, str]]:
    fake = FakeChatReplay()
    with serve(fake.app) as base:
        yield fake, base


@pytest.fixture
def upstream(fake_upstream_server: tuple[FakeChatReplay, str]) -> Iterator[FakeChatReplay]:
    fake, _ = fake_upstream_server
    fake.reset()
    yield fake
    fake.reset()


@pytest.fixture
def upstream_base(fake_upstream_server: tuple[FakeChatReplay, str]) -> str:
    return fake_upstream_server[1]


def settings_for(flavour: str, base: str, **overrides: str) -> Settings:
    return Settings.from_env({**env_for(flavour, base, GRANT_SECRET), **overrides})


@pytest.fixture
def app_client(upstream: FakeChatReplay, upstream_base: str) -> AppClient:
    """``async with app_client("dyte") as client``: chatdump in front of the fake upstream."""

    @asynccontextmanager
    async def make(
        flavour: str, policy: UpstreamPolicy = FAST, storage: httpx.AsyncClient | None = None,
        **env: str,
    ) -> AsyncIterator[httpx.AsyncClient]:  # fmt: skip
        settings = settings_for(flavour, upstream_base, **env)
        provider = build_provider(settings.upstream, policy)
        app = create_app(settings, provider, storage=storage)
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
                yield client
        finally:
            await provider.aclose()

    return make


def grant_for(session_id: str = SESSION, secret: str = GRANT_SECRET) -> dict[str, str]:
    from chatdump.secret import Secret

    return {"Authorization": f"Bearer {mint_grant(Secret(secret), session_id)}"}
