"""The widget's files, and only those: what the server may hand to a browser.

The page (``index.html``, ``main.py``, ``pyscript.toml``) lives at the repo root; the Python modules
it loads are exactly the sources listed in ``pyscript.toml``'s ``[files]``; the runtime (PyScript,
Pyodide, pyodide-http) is under ``vendor/``, written by ``make setup``. Nothing else of the repo is
reachable: no server code, no ``pyproject.toml``, no ``.git``.
"""

from __future__ import annotations

import mimetypes
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGE_FILES = (
    "index.html", "main.py", "pyscript.toml", "browser/boot.js", "browser/early_click.js",
    "browser/embed.css", "browser/widget.css",
)  # fmt: skip
VENDOR_DIR = "vendor"
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

    @classmethod
    def load(cls, root: Path = REPO_ROOT) -> WidgetFiles:
        files = {name: root / name for name in PAGE_FILES}
        for source in shipped_sources(root / "pyscript.toml"):
            if not source.startswith(VENDOR_DIR + "/"):
                files[source] = root / source
        missing = [name for name, path in files.items() if not path.is_file()]
        if missing:
            raise FileNotFoundError(f"widget files missing under {root}: {', '.join(missing)}")
        return cls(root, files)

    @property
    def vendor(self) -> Path:
        return self.root / VENDOR_DIR


def shipped_sources(config: Path) -> list[str]:
    """The source paths of ``[files]`` in pyscript.toml, relative to the page (``./`` removed)."""
    table = tomllib.loads(config.read_text(encoding="utf-8")).get("files", {})
    return [source.removeprefix("./") for source in table]


def media_type(path: Path) -> str:
    return MEDIA_TYPES.get(path.suffix, "application/octet-stream")
