from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import settings

from chatdump.export import atomic as files
from chatdump.server.app import create_app
from chatdump.server.grants import mint_grant
from chatdump.server.settings import Settings
from chatdump.upstream.demo import DEFAULT_SESSION_ID
from tests.live import start_server
from tests.s3 import S3, start_s3

SAMPLES = Path(__file__).parent / "samples"
# Loopback, because download URLs must be https or loopback http.
BASE = "http://127.0.0.1"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def demo_settings() -> Settings:
    return Settings.from_env({}, demo=True)


@pytest.fixture
async def demo_client(demo_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(demo_settings, public_url=BASE)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


@pytest.fixture
def demo_grant(demo_settings: Settings) -> str:
    return mint_grant(demo_settings.grant_secrets[-1], DEFAULT_SESSION_ID)


# Shared, noisy machines: hypothesis must judge properties, not speed.
settings.register_profile("chatdump", deadline=None)
settings.load_profile("chatdump")


pytest_plugins = ["tests.upstream_fixtures"]


@pytest.fixture(scope="session")
def s3() -> Iterator[S3]:
    """A real s3rver for the whole test session: see tests/s3.py."""
    with start_s3() as server:
        yield server


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What was flushed to disk: 'file' or 'folder' per fsync, 'data' per background fdatasync."""
    calls: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        calls.append("folder" if os.path.isdir(f"/proc/self/fd/{fd}") else "file")
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", fsync)
    monkeypatch.setattr(files, "_datasync", lambda fd: calls.append("data"))
    monkeypatch.setattr(files, "SYNC_EVERY_SECONDS", 0.01)
    return calls


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """`chatdump serve --demo` over real HTTP, for a module's tests."""
    process, base = start_server()
    yield base
    process.terminate()
    process.wait(timeout=10)
