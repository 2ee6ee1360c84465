"""The Python modules the widget page ships: derived from the package folders, never a hand list.

One home for that fact: ``tools/precompile.py`` packs exactly these into the widget's zip, and the
structure tests check every module the page imports is among them. A new module under
``chatdump/core/`` or ``browser/`` is picked up by the next ``make setup``. Stdlib only: it also
runs inside Pyodide (under Node) during the build.
"""

from __future__ import annotations

from pathlib import Path

# The zip tools/precompile.py writes and pyscript.toml unpacks (relative to the repo root).
WIDGET_ZIP = "vendor/widget/widget.zip"
# Globs relative to the repo root.
WIDGET_GLOBS = (
    "browser/*.py",
    "chatdump/__init__.py",
    "chatdump/endpoint_client.py",
    "chatdump/core/**/*.py",
)


def widget_modules(root: Path) -> list[str]:
    """Every shipped module's path relative to ``root``, sorted (so builds are reproducible)."""
    found = {
        path.relative_to(root).as_posix()
        for pattern in WIDGET_GLOBS
        for path in root.glob(pattern)
        if path.is_file() and "__pycache__" not in path.parts
    }
    return sorted(found)
