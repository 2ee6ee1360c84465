"""/vendor serves only what `make setup` put there, and HEAD answers like GET without a body."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from chatdump.server.app import create_app
from chatdump.server.settings import Settings
from chatdump.server.widget_files import PAGE_FILES, REPO_ROOT, WidgetFiles, shipped_sources

pytestmark = pytest.mark.anyio
RUNTIME = [
    "pyodide-1.0/pyodide.mjs", "pyodide-1.0/pyodide.asm.wasm", "pyscript-9.9/core.js",
    "pyscript-9.9/core.css", "pyscript-9.9/core.js.map", "pyodide-1.0-pyc/python_stdlib.zip",
    "pyodide-1.0-pyc/pyodide.mjs", "widget/widget.zip",
]  # fmt: skip
STRAYS = [
    "pyodide-1.0/.env", "pyscript-9.9/.secret.js", ".htpasswd", "notes.txt",
    "pyodide-1.0/backup.tar", "pyscript-9.9/dump.sql", "wheels/other-1.0-py3-none-any.whl",
    "pyodide-1.0/pyodide-lock.json.bak", "widget/other.zip", "pyodide-1.0-pyc/notes.txt",
]  # fmt: skip


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A copy of the page's files, and a vendor folder holding the runtime plus strays."""
    for name in [*PAGE_FILES, *shipped_sources(REPO_ROOT / "pyscript.toml")]:
        if not name.startswith("vendor/"):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO_ROOT / name, tmp_path / name)
    for name in [*RUNTIME, *STRAYS]:
        (tmp_path / "vendor" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "vendor" / name).write_bytes(b"x")
    app = create_app(Settings.from_env({}, demo=True), widget=WidgetFiles.load(tmp_path))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        yield http


@pytest.mark.parametrize("name", RUNTIME)
async def test_the_runtimes_files_are_served(client: httpx.AsyncClient, name: str) -> None:
    assert (await client.get(f"/vendor/{name}")).status_code == 200


@pytest.mark.parametrize("name", STRAYS)
async def test_a_file_make_setup_did_not_put_there_is_a_404(
    client: httpx.AsyncClient, name: str
) -> None:
    answer = await client.get(f"/vendor/{name}")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/", "/browser/widget.css", "/vendor/pyscript-9.9/core.js"])
async def test_head_answers_like_get_without_a_body(client: httpx.AsyncClient, path: str) -> None:
    got, head = await client.get(path), await client.head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    for name in ("content-type", "content-length", "cache-control", "content-security-policy"):
        assert head.headers.get(name) == got.headers.get(name), name


async def test_the_versioned_runtime_is_cached_for_good(client: httpx.AsyncClient) -> None:
    for name in ("pyodide-1.0-pyc/python_stdlib.zip", "pyscript-9.9/core.js"):
        assert "immutable" in (await client.get(f"/vendor/{name}")).headers["cache-control"], name


async def test_the_widget_zip_is_revalidated_since_it_changes_under_one_name(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/vendor/widget/widget.zip")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-cache"
