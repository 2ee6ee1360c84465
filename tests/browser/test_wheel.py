"""The wheel alone carries the widget: built from this tree, installed outside the checkout, it
serves a page a browser downloads through, and the CLI works.

How the wheel is isolated: ``pip install --no-deps --no-index --target DIR`` installs it (and
nothing else) into a temp dir; its code runs with ``PYTHONPATH=DIR`` and the cwd in another temp
dir, so the checkout is not on ``sys.path``. The third-party dependencies (FastAPI, uvicorn, …)
come from the dev venv's site-packages, which hold no widget files; each run asserts that
``chatdump`` and the files it serves come from DIR.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from chatdump.server.widget_files import REPO_ROOT
from chatdump.upstream.demo import DEFAULT_SESSION_ID
from tests.browser.conftest import demo_grant, wait_for_state, widget_url
from tests.live import free_port, wait_until_up

STEP_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """(a cwd outside the checkout, the environment that runs the installed wheel)."""
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        # As `make dist`: the sdist, then the wheel built from it (so the sdist is complete too,
        # and no stale build/ of the checkout leaks into the wheel).
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), "."],
        cwd=REPO_ROOT, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    (wheel,) = dist.glob("chatdump-*-py3-none-any.whl")
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(target), "CHATDUMP_GRANT_SECRET": ""}
    env.pop("CHATDUMP_PROVIDER", None)
    cwd = tmp_path_factory.mktemp("elsewhere")
    where = subprocess.run(
        [sys.executable, "-c",
         "import chatdump; from chatdump.server.widget_files import WidgetFiles; "
         "print(chatdump.__file__); print(WidgetFiles.load().root)"],
        cwd=cwd, env=env, check=True, capture_output=True, text=True, timeout=60,
    ).stdout.split()  # fmt: skip
    assert all(Path(p).is_relative_to(target) for p in where), where
    return cwd, env


@pytest.fixture(scope="module")
def wheel_server(installed: tuple[Path, dict[str, str]]) -> Iterator[str]:
    cwd, env = installed
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "chatdump", "serve", "--demo", "--port", str(port)],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, base, why=lambda: "the installed chatdump serve exited")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_the_installed_wheel_serves_a_widget_that_saves_the_chat(
    page: Page, wheel_server: str, tmp_path: Path
) -> None:
    grant = demo_grant(DEFAULT_SESSION_ID)
    answer = httpx.get(
        f"{wheel_server}/api/sessions/{DEFAULT_SESSION_ID}/chat-url",
        headers={"Authorization": f"Bearer {grant}"},
        timeout=10,
    ).json()
    served = httpx.get(answer["url"], timeout=10).content
    page.goto(widget_url(wheel_server, DEFAULT_SESSION_ID, grant))
    assert wait_for_state(page, "ready", "error") == "ready"
    with page.expect_download(timeout=STEP_TIMEOUT_MS) as info:
        page.get_by_role("button", name="Download chat").click()
    saved = tmp_path / "saved.csv"
    info.value.save_as(saved)
    assert saved.read_bytes() == served
    assert wait_for_state(page, "done", "error", timeout=STEP_TIMEOUT_MS) == "done"


def test_the_installed_cli_downloads_a_demo_chat(
    installed: tuple[Path, dict[str, str]],
) -> None:
    cwd, env = installed
    result = subprocess.run(
        [sys.executable, "-m", "chatdump", "download", "--demo", DEFAULT_SESSION_ID,
         "-o", "chat.csv"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (cwd / "chat.csv").read_bytes().startswith(b"id,")
