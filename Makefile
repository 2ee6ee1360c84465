# chatdump — `make demo` serves the widget against the built-in demo upstream; `make test` runs
# every check. Both start with `make setup`, which is idempotent (stamps in .stamps/).

PORT ?= 8000
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
# Runtime versions: keep in step with package.json (a test checks index.html and pyscript.toml).
PYSCRIPT_VERSION := 0.7.31
PYODIDE_VERSION := 314.0.2
PYSCRIPT_DIR := vendor/pyscript-$(PYSCRIPT_VERSION)
PYODIDE_DIR := vendor/pyodide-$(PYODIDE_VERSION)
PYODIDE_PYC_DIR := $(PYODIDE_DIR)-pyc
WIDGET_ZIP := vendor/widget/widget.zip
# What tools/widget_modules.py ships (a new file is newer than the stamp, so it is picked up).
WIDGET_SOURCES := $(wildcard browser/*.py) chatdump/__init__.py chatdump/endpoint_client.py \
                  $(shell find chatdump/core -name '*.py' -not -path '*/__pycache__/*')

.PHONY: setup demo test lint format typecheck unit bench docs dist clean

setup: $(STAMPS)/venv $(STAMPS)/vendor $(STAMPS)/precompile $(STAMPS)/chromium $(STAMPS)/firefox $(STAMPS)/webkit \
       $(STAMPS)/nginx $(STAMPS)/redis

$(STAMPS)/venv: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/npm: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

# PyScript and Pyodide, self-hosted: copied from node_modules into versioned folders, so the server
# can let browsers cache them for good. pyodide-http's wheel comes from PyPI, hash-checked.
$(STAMPS)/vendor: $(STAMPS)/npm $(STAMPS)/venv web-requirements.txt
	rm -rf $(PYSCRIPT_DIR) $(PYODIDE_DIR) vendor/wheels
	mkdir -p $(PYSCRIPT_DIR) $(PYODIDE_DIR) vendor/wheels
	cp -R node_modules/@pyscript/core/dist/. $(PYSCRIPT_DIR)/
	cp node_modules/pyodide/pyodide.mjs node_modules/pyodide/pyodide.asm.mjs \
	   node_modules/pyodide/pyodide.asm.wasm node_modules/pyodide/python_stdlib.zip \
	   node_modules/pyodide/pyodide-lock.json $(PYODIDE_DIR)/
	$(BIN)/pip download --quiet --no-deps --only-binary=:all: --require-hashes \
	   -r web-requirements.txt -d vendor/wheels
	@mkdir -p $(STAMPS) && touch $@

# Bytecode compiled by the browser's own interpreter (Pyodide under Node): a copy of the runtime
# whose stdlib zip holds .pyc, and one zip of the widget's modules + pyodide-http. Rebuilt when the
# runtime (package.json, the vendor copy) or a widget module changes. The stock runtime stays as is.
$(STAMPS)/precompile: $(STAMPS)/vendor package.json tools/precompile.mjs tools/precompile.py \
                      tools/widget_modules.py $(WIDGET_SOURCES)
	rm -rf $(PYODIDE_PYC_DIR) vendor/widget
	node tools/precompile.mjs $(PYODIDE_PYC_DIR) $(WIDGET_ZIP)
	@mkdir -p $(STAMPS) && touch $@

# Browser tests drive Debian's Chromium (Playwright's own browser download does not work here).
$(STAMPS)/chromium:
	@test -x /usr/bin/chromium || { apt-get update -q && apt-get install -y -q chromium; }
	@mkdir -p $(STAMPS) && touch $@

# The cross-engine suite also drives Firefox ESR (through its built-in Marionette) and WebKitGTK
# (WebKitWebDriver + MiniBrowser, on a virtual screen from Xvfb): Debian's packages, as users have them.
$(STAMPS)/firefox:
	@test -x /usr/bin/firefox-esr || { apt-get update -q && apt-get install -y -q firefox-esr; }
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/webkit:
	@{ test -x /usr/bin/WebKitWebDriver && test -x /usr/bin/Xvfb; } || \
	   { apt-get update -q && apt-get install -y -q webkit2gtk-driver xvfb; }
	@mkdir -p $(STAMPS) && touch $@

# The reverse-proxy test starts Debian's nginx itself (its own config, temp dir, loopback port);
# the system service is not started.
$(STAMPS)/nginx:
	@test -x /usr/sbin/nginx || { apt-get update -q && apt-get install -y -q nginx; }
	@mkdir -p $(STAMPS) && touch $@

# The shared-state tests start their own redis-server (Debian's) on a free loopback port.
$(STAMPS)/redis:
	@command -v redis-server >/dev/null || { apt-get update -q && apt-get install -y -q redis-server; }
	@mkdir -p $(STAMPS) && touch $@

demo: setup
	$(BIN)/chatdump serve --demo --port $(PORT)

lint: $(STAMPS)/venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMPS)/venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMPS)/venv
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest -m "not browser"

test: setup lint typecheck
	$(BIN)/pytest

# Benchmarks are not part of `make test`: they take minutes and report ratios, not pass/fail.
bench: setup
	$(BIN)/pip install --quiet -c constraints.txt -e '.[bench]'
	@command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }
	$(BIN)/python bench/run.py

# The sdist and the wheel, with the page, the browser shell and vendor/ as package data (setup.py
# copies them into the build). Offline: the build runs in the venv, without an isolated env.
dist: $(STAMPS)/venv $(STAMPS)/vendor $(STAMPS)/precompile
	rm -rf dist build
	$(BIN)/python -m build --no-isolation --outdir dist .

# docs/cli.md is rendered from the commands' --help (a test checks it is current).
docs: $(STAMPS)/venv
	$(BIN)/python -m tests.cli_docs > docs/cli.md

clean:
	rm -rf $(VENV) $(STAMPS) vendor node_modules dist build
