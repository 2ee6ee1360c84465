"""The wheel carries the widget: the page, the browser shell and the pinned runtime under vendor/.

They stay at the repo root (where the design and `make setup` put them); this build step copies
them into ``chatdump/_widget/`` of the build, the same layout, so the installed server finds them
next to the package. Not in editable installs: from a checkout the server reads the repo root.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PAGE = ("index.html", "main.py", "pyscript.toml")
TREES = ("browser", "vendor")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")


class BuildWithWidget(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        if not (ROOT / "vendor").is_dir():
            raise SystemExit("vendor/ is missing: run `make setup` first (it copies the runtime)")
        target = Path(self.build_lib) / "chatdump" / "_widget"
        shutil.rmtree(target, ignore_errors=True)
        for name in PAGE:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
        for tree in TREES:
            shutil.copytree(ROOT / tree, target / tree, ignore=SKIP)
        # The Python modules the page loads, as pyscript.toml lists them (chatdump/… included).
        files = tomllib.loads((ROOT / "pyscript.toml").read_text(encoding="utf-8"))["files"]
        for source in files:
            relative = source.removeprefix("./")
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / relative, target / relative)


setup(cmdclass={"build_py": BuildWithWidget})
