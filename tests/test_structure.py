"""The page's promises about itself: a stdlib-only core, every imported module shipped, pinned runtime."""

import ast
import json
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from chatdump.server.widget_files import REPO_ROOT, WidgetFiles
from tools.widget_modules import WIDGET_ZIP, widget_modules

# Every module under chatdump/core, subpackages too (rglob: chatdump/core/formats cannot escape).
CORE_MODULES = sorted((REPO_ROOT / "chatdump" / "core").rglob("*.py"))
BROWSER_MODULES = [
    *CORE_MODULES,
    REPO_ROOT / "chatdump" / "__init__.py",
    REPO_ROOT / "chatdump" / "endpoint_client.py",
]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def relative(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


@pytest.mark.parametrize("path", BROWSER_MODULES, ids=relative)
def test_browser_modules_import_only_the_stdlib_and_the_core(path: Path) -> None:
    for name in imports_of(path):
        top = name.split(".")[0]
        assert (
            top in sys.stdlib_module_names
            or name.startswith("chatdump.core")
            or top == "__future__"
        ), f"{path.name} imports {name}"


def test_the_core_and_its_subpackages_are_found() -> None:
    assert {"chatdump/core/dump.py", "chatdump/core/formats/excel.py"} <= set(
        map(relative, CORE_MODULES)
    )


def test_the_widget_zip_ships_every_core_module() -> None:
    shipped = set(widget_modules(REPO_ROOT))
    missing = {relative(p) for p in CORE_MODULES} - shipped
    assert not missing, f"tools/widget_modules.py misses: {sorted(missing)}"


def test_pyscript_toml_loads_the_widget_zip_and_nothing_else() -> None:
    config = tomllib.loads((REPO_ROOT / "pyscript.toml").read_text())
    assert config["files"] == {f"./{WIDGET_ZIP}": "./*"}


def test_the_built_widget_zip_holds_each_module_as_it_is_now_with_bytecode() -> None:
    # A stale zip would run yesterday's code in the browser while the tests read today's.
    with zipfile.ZipFile(REPO_ROOT / WIDGET_ZIP) as archive:
        names = set(archive.namelist())
        for module in widget_modules(REPO_ROOT):
            assert module in names, f"{module} not in {WIDGET_ZIP}: run make setup"
            assert archive.read(module) == (REPO_ROOT / module).read_bytes(), (
                f"{module} changed since {WIDGET_ZIP} was built: run make setup"
            )
            folder, _, stem = module.rpartition("/")
            cached = f"{folder}/__pycache__/{stem.removesuffix('.py')}.cpython-"
            assert any(n.startswith(cached) and n.endswith(".pyc") for n in names), module
        assert "pyodide_http/__init__.py" in names


def test_the_widget_zip_ships_every_module_the_page_imports() -> None:
    shipped = set(widget_modules(REPO_ROOT))
    needed = {relative(p) for p in BROWSER_MODULES}
    needed |= {"chatdump/core/__init__.py"}
    assert needed <= shipped, needed - shipped
    # The page's own modules (main.py and the browser shells it imports), followed transitively.
    pending, seen = ["main.py"], set()
    while pending:
        page_module = pending.pop()
        seen.add(page_module)
        for name in imports_of(REPO_ROOT / page_module):
            module = name.replace(".", "/")
            if (REPO_ROOT / f"{module}.py").is_file() and not name.startswith("chatdump"):
                assert f"{module}.py" in shipped, f"{page_module} imports {name}, not shipped"
                if f"{module}.py" not in seen:
                    pending.append(f"{module}.py")
            elif name.startswith("chatdump"):
                assert f"{module}.py" in shipped or f"{module}/__init__.py" in shipped, name
    assert {"main.py", "browser/widget.py", "browser/embedding.py"} <= seen


# What the page loads after it says "ready" (browser/widget.py's DOWNLOAD_CODE), not before.
DOWNLOAD_CODE = (
    "browser.download", "browser.body", "browser.save", "chatdump.core.flow",
    "chatdump.core.chat_url", "chatdump.core.dump", "chatdump.core.formats.transcript",
    "chatdump.endpoint_client", "pyodide_http", "urllib.request", "csv",
)  # fmt: skip
# And what only a conversion to that format loads (chatdump.core.formats' registry is lazy).
CONVERTERS = ("chatdump.core.formats.excel", "chatdump.core.formats.jsonl")
NOT_BEFORE_READY = {*DOWNLOAD_CODE, *CONVERTERS}
# The browser's modules as stand-ins: anything asked of them is a mock.
BROWSER_STANDINS = """
import sys, types
from unittest.mock import MagicMock
for name in ("js", "pyodide", "pyodide.ffi", "pyscript"):
    module = types.ModuleType(name)
    module.__getattr__ = lambda attribute: MagicMock(name=attribute)
    sys.modules[name] = module
"""


def modules_loaded_by(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code`` (here, at the repo root)."""
    report = "import json, sys; print(json.dumps(sorted(sys.modules)))"
    run = subprocess.run(
        [sys.executable, "-c", f"{code}\n{report}"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return set(json.loads(run.stdout.splitlines()[-1]))


def test_the_page_imports_no_download_code_before_it_is_ready() -> None:
    # main.py's imports: the page says "ready" with these alone.
    loaded = modules_loaded_by(f"{BROWSER_STANDINS}\nimport browser.view, browser.widget")
    assert "browser.widget" in loaded
    assert loaded.isdisjoint(NOT_BEFORE_READY), sorted(loaded & NOT_BEFORE_READY)


def test_the_format_registry_and_the_words_load_without_the_conversion_code() -> None:
    loaded = modules_loaded_by(
        "import chatdump.core.link, chatdump.core.embed, chatdump.core.messages"
    )
    assert loaded.isdisjoint(NOT_BEFORE_READY), sorted(loaded & NOT_BEFORE_READY)


def test_the_stand_ins_do_not_hide_the_download_code() -> None:
    # The check above can fail: loading the download code shows up in the same report.
    # And the widget's idle stages load all of it: the click finds nothing left to import.
    # (pyodide-http from the wheel the page gets: a wheel is a zip Python imports from.)
    (wheel,) = (REPO_ROOT / "vendor" / "wheels").glob("pyodide_http-*.whl")
    stages = "for name in w.DOWNLOAD_CODE: import_module(name)"
    loaded = modules_loaded_by(
        f"{BROWSER_STANDINS}\nsys.path.insert(0, {str(wheel)!r})\n"
        f"from importlib import import_module\nimport browser.widget as w\n{stages}"
    )
    assert set(DOWNLOAD_CODE) <= loaded, sorted(set(DOWNLOAD_CODE) - loaded)
    assert loaded.isdisjoint(CONVERTERS), sorted(loaded & set(CONVERTERS))


def test_widget_files_exist() -> None:
    WidgetFiles.load()


def test_the_page_loads_the_runtime_versions_package_json_pins() -> None:
    pins = json.loads((REPO_ROOT / "package.json").read_text())["dependencies"]
    page = (REPO_ROOT / "index.html").read_text()
    config = tomllib.loads((REPO_ROOT / "pyscript.toml").read_text())
    assert f"vendor/pyscript-{pins['@pyscript/core']}/core.js" in page
    assert config["interpreter"] == f"./vendor/pyodide-{pins['pyodide']}-pyc/pyodide.mjs"
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert f"PYSCRIPT_VERSION := {pins['@pyscript/core']}" in makefile
    assert f"PYODIDE_VERSION := {pins['pyodide']}" in makefile


def test_every_file_the_page_preloads_is_one_make_setup_installs() -> None:
    # A stale preload (after a version bump) would download a 404 and slow every cold load.
    page = (REPO_ROOT / "index.html").read_text()
    preloads = re.findall(r'<link rel="(?:module)?preload" href="\./([^"]+)"', page)
    assert len(preloads) >= 5
    for href in preloads:
        assert (REPO_ROOT / href).is_file(), href


PACKAGE = REPO_ROOT / "chatdump"
# Which rooms each side may import from (besides the stdlib and third-party libraries).
ALLOWED = {
    "core": {"chatdump.core"},
    "upstream": {"chatdump.core", "chatdump.upstream", "chatdump.secret"},
    "export": {"chatdump.core", "chatdump.upstream", "chatdump.export", "chatdump.secret"},
    "cli": {"chatdump.core", "chatdump.upstream", "chatdump.export", "chatdump.cli",
            "chatdump.secret", "chatdump.endpoint_client", "chatdump.__init__"},
}  # fmt: skip
# `chatdump serve` and `chatdump grant` start the server: the one door from the CLI into it.
SERVER_DOOR = PACKAGE / "cli" / "serve.py"


def chatdump_imports(path: Path) -> set[str]:
    return {name for name in imports_of(path) if name.split(".")[0] == "chatdump"}


def room_of(name: str) -> str:
    parts = name.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else "chatdump.__init__"


@pytest.mark.parametrize("room", sorted(ALLOWED))
def test_each_room_imports_only_the_rooms_below_it(room: str) -> None:
    for path in sorted((PACKAGE / room).rglob("*.py")):
        allowed = ALLOWED[room] | ({"chatdump.server"} if path == SERVER_DOOR else set())
        for name in chatdump_imports(path):
            assert room_of(name) in allowed, f"{path.relative_to(REPO_ROOT)} imports {name}"


def test_the_browser_shell_imports_only_the_core_and_the_endpoint_client() -> None:
    shell = [*sorted((REPO_ROOT / "browser").rglob("*.py")), REPO_ROOT / "main.py"]
    assert len(shell) >= 3
    for path in shell:
        for name in chatdump_imports(path):
            assert room_of(name) in {"chatdump.core", "chatdump.endpoint_client"}, (
                f"{path.relative_to(REPO_ROOT)} imports {name}"
            )


def test_the_boundary_check_sees_lazy_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from chatdump.server.app import create_app\n")
    assert chatdump_imports(module) == {"chatdump.server.app"}
