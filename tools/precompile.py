"""Bytecode for the widget, compiled by the browser's own interpreter (Pyodide, run under Node).

Pyodide's python_stdlib.zip holds sources only and Pyodide never writes bytecode, so the browser
compiles every imported module from source on every load. This script runs inside Pyodide (see
``tools/precompile.mjs``), so the bytecode matches the browser's CPython exactly, and writes:

- ``python_stdlib.zip`` with each ``.py`` replaced by its ``.pyc`` (sources dropped: tracebacks
  through the stdlib keep file names and line numbers, but not the source line's text);
- the widget's zip: chatdump's browser modules (``tools/widget_modules.py``) and pyodide-http, each
  with its source and an unchecked-hash ``__pycache__`` pyc beside it (tracebacks stay complete).

Deterministic: unchecked-hash pycs (no timestamps), sorted entries, fixed zip dates and modes.
"""

from __future__ import annotations

import importlib.util
import io
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc  # type: ignore[attr-defined]
from pathlib import Path

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
STDLIB_PREFIX = f"/lib/python{sys.version_info.major}{sys.version_info.minor}.zip"
PAGE_HOME = "/home/pyodide"  # PyScript's working directory, where a "./*" zip is unpacked


def pyc(source: bytes, filename: str) -> bytes:
    code = compile(source, filename, "exec", dont_inherit=True)
    digest = importlib.util.source_hash(source)
    return bytes(_code_to_hash_pyc(code, digest, checked=False))


def entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def write_zip(target: Path, files: dict[str, bytes]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            archive.writestr(entry(name), files[name], compresslevel=9)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buffer.getvalue())
    target.chmod(0o644)


def compile_stdlib(source_zip: Path, target: Path) -> int:
    files: dict[str, bytes] = {}
    with zipfile.ZipFile(source_zip) as archive:
        for name in archive.namelist():
            if name.endswith("/"):
                continue
            data = archive.read(name)
            if name.endswith(".py"):
                files[name + "c"] = pyc(data, f"{STDLIB_PREFIX}/{name}")
            else:
                files[name] = data
    write_zip(target, files)
    return len(files)


def with_pyc(name: str, source: bytes) -> dict[str, bytes]:
    cached = importlib.util.cache_from_source(name)  # the browser's cache tag (cpython-3xx)
    return {name: source, cached: pyc(source, f"{PAGE_HOME}/{name}")}


def compile_widget(repo: Path, modules: list[str], wheels: list[Path], target: Path) -> int:
    files: dict[str, bytes] = {}
    for name in modules:
        files.update(with_pyc(name, (repo / name).read_bytes()))
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if name.endswith(".py"):
                    files.update(with_pyc(name, archive.read(name)))
    write_zip(target, files)
    return len(modules)


def main(repo: str, pyodide_dir: str, runtime_out: str, widget_out: str) -> str:
    root = Path(repo)
    sys.path.insert(0, str(root / "tools"))
    from widget_modules import widget_modules

    wheels = sorted((root / "vendor" / "wheels").glob("*.whl"))
    stdlib = compile_stdlib(
        Path(pyodide_dir) / "python_stdlib.zip", Path(runtime_out) / "python_stdlib.zip"
    )
    modules = compile_widget(root, widget_modules(root), wheels, Path(widget_out))
    return f"{stdlib} stdlib files, {modules} widget modules + {len(wheels)} wheel(s)"
