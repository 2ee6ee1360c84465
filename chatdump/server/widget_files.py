"""The widget's files, and only those: what the server may hand to a browser.

The page (``index.html``, ``main.py``, ``pyscript.toml``) lives at the repo root; the Python modules
it loads come in one zip under ``vendor/widget/`` (``pyscript.toml``'s ``[files]``); the runtime
(PyScript, Pyodide) is under ``vendor/`` too, all written by ``make setup``. Nothing else of the repo is
reachable: no server code, no ``pyproject.toml``, no ``.git``.

Of ``vendor/``, only what ``make setup`` puts there is served (``vendor_manifest``): the five
Pyodide files of each runtime folder (the stock one, and ``pyodide-<v>-pyc`` with its precompiled
stdlib), PyScript's ``dist`` (its .js, .css and .map files), and the archives that
``pyscript.toml`` lists (the widget's module zip). The versioned runtime folders are cached for
good; ``vendor/widget/`` changes with the sources under the same name, so it is revalidated. A file dropped in the folder later (a backup, a ``.env``, notes) and every
dotfile is a 404.
"""

from __future__ import annotations

import mimetypes
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from chatdump.core import errors
from chatdump.core.origins import Ancestors, embed_json
from chatdump.server.headers import IMMUTABLE, page_headers
from chatdump.server.inline import inline_page

REPO_ROOT = Path(__file__).resolve().parents[2]
# An installed wheel carries the same files under chatdump/_widget/ (setup.py copies them there).
PACKAGED_ROOT = Path(__file__).resolve().parents[1] / "_widget"
WIDGET_ROOT = PACKAGED_ROOT if (PACKAGED_ROOT / "pyscript.toml").is_file() else REPO_ROOT
PAGE_FILES = (
    "index.html", "main.py", "pyscript.toml", "browser/boot.js", "browser/early_click.js",
    "browser/embed.css", "browser/widget.css",
)  # fmt: skip
VENDOR_DIR = "vendor"
# What `make setup` copies from node_modules/pyodide (keep in step with the Makefile).
PYODIDE_FILES = frozenset(
    {"pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"}
)
PYSCRIPT_SUFFIXES = (".js", ".css", ".map")  # @pyscript/core's dist is flat: bundles and maps
# The widget's module zip (tools/precompile.py): rebuilt from the sources under the same name.
REVALIDATED_DIR = "widget/"
# The runtime's files must carry these types or the browser refuses them; don't trust /etc/mime.types.
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("application/wasm", ".wasm")
MEDIA_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".py": "text/x-python",
    ".toml": "application/toml",
}


@dataclass(frozen=True)
class WidgetFiles:
    root: Path
    files: dict[str, Path]  # URL path (no leading slash) -> file
    vendor_files: frozenset[str] = frozenset()  # paths under vendor/ that may be served

    @classmethod
    def load(cls, root: Path = WIDGET_ROOT) -> WidgetFiles:
        files = {name: root / name for name in PAGE_FILES}
        sources = shipped_sources(root / "pyscript.toml")
        for source in sources:
            if not source.startswith(VENDOR_DIR + "/"):
                files[source] = root / source
        missing = [name for name, path in files.items() if not path.is_file()]
        if missing:
            raise FileNotFoundError(f"widget files missing under {root}: {', '.join(missing)}")
        return cls(root, files, vendor_manifest(root / VENDOR_DIR, sources))

    @property
    def vendor(self) -> Path:
        return self.root / VENDOR_DIR


def shipped_sources(config: Path) -> list[str]:
    """The source paths of ``[files]`` in pyscript.toml, relative to the page (``./`` removed)."""
    table = tomllib.loads(config.read_text(encoding="utf-8")).get("files", {})
    return [source.removeprefix("./") for source in table]


def vendor_manifest(vendor: Path, sources: list[str]) -> frozenset[str]:
    """The runtime's files as ``make setup`` lays them out, relative to ``vendor/``."""
    wheels = {s.removeprefix(VENDOR_DIR + "/") for s in sources if s.startswith(VENDOR_DIR + "/")}
    found: set[str] = set()
    for folder in sorted(vendor.glob("py*-*")) if vendor.is_dir() else ():
        for file in folder.iterdir():
            if file.is_file() and _is_runtime_file(folder.name, file.name):
                found.add(f"{folder.name}/{file.name}")
    return frozenset(found | {w for w in wheels if (vendor / w).is_file()})


def _is_runtime_file(folder: str, name: str) -> bool:
    if name.startswith("."):
        return False
    if folder.startswith("pyodide-"):
        return name in PYODIDE_FILES
    return folder.startswith("pyscript-") and name.endswith(PYSCRIPT_SUFFIXES)


def media_type(path: Path) -> str:
    return MEDIA_TYPES.get(path.suffix, "application/octet-stream")


class _VersionedFiles(StaticFiles):
    """The runtime under vendor/ lives in versioned folders, so it may be cached for good.

    Only the manifest's files: anything else in the folder is a 404 before the disk is asked.
    """

    def __init__(self, directory: Path, manifest: frozenset[str]) -> None:
        super().__init__(directory=directory, check_dir=False)
        self.manifest = manifest

    async def get_response(self, path: str, scope: Scope) -> Response:
        relative = path.replace(os.sep, "/")
        if relative not in self.manifest:
            raise StarletteHTTPException(status_code=404, detail="Not found.")
        response = await super().get_response(path, scope)
        if relative.startswith(REVALIDATED_DIR):
            response.headers["Cache-Control"] = "no-cache"
        return response

    def file_response(
        self, full_path: str | PathLike[str], stat_result: os.stat_result, scope: Scope,
        status_code: int = 200,
    ) -> Response:  # fmt: skip
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = IMMUTABLE
        return response


def add_widget_routes(app: FastAPI, widget: WidgetFiles, ancestors: Ancestors) -> None:
    """``/`` (the page), ``/embed.json``, the page's files and ``/vendor``; last, as a catch-all."""
    app.mount("/vendor", _VersionedFiles(widget.vendor, widget.vendor_files), name="vendor")
    headers = {**page_headers(ancestors), "Cache-Control": "no-cache"}
    page = inline_page(_text(widget, "index.html"), lambda path: _text(widget, path))
    inlined_headers = {
        **page_headers(ancestors, script_hashes=page.script_hashes, style_hashes=page.style_hashes),
        "Cache-Control": "no-cache",
    }

    # HEAD like GET (the same headers; uvicorn sends no body): link checkers and uptime probes.
    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    @app.api_route("/index.html", methods=["GET", "HEAD"], include_in_schema=False)
    async def index() -> HTMLResponse:
        return HTMLResponse(page.html, headers=inlined_headers)

    @app.get("/embed.json", include_in_schema=False)
    async def embed_config() -> JSONResponse:
        """The sites allowed to frame and command the widget (a static host ships this file)."""
        return JSONResponse(embed_json(ancestors), headers=headers)

    @app.api_route("/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def widget_file(path: str) -> FileResponse:
        return _widget_file(widget, path, headers)


def _text(widget: WidgetFiles, path: str) -> str:
    """A page file's text, read once when the app is made (only files of the allow-list)."""
    return widget.files[path].read_text(encoding="utf-8")


def _widget_file(widget: WidgetFiles, path: str, headers: Mapping[str, str]) -> FileResponse:
    file = widget.files.get(path)
    if file is None:
        raise errors.NotFound("Not found.", code="not_found")
    return FileResponse(file, media_type=media_type(file), headers=dict(headers))
