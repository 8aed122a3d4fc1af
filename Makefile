# Briefing: `make brief` builds the briefs, `make test` runs every check.
# The virtual environment is created and the package installed on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Exact versions and hashes of every Python package, dev tools included: a fresh machine
# installs the bytes CI tested. pyproject.toml keeps ranges for those who pip install us.
LOCK := requirements.lock

.PHONY: brief release check coverage test lint format clean sysdeps serve schema screenshots bench lock

brief: $(STAMP)
	@bash scripts/sysdeps.sh build
	$(BIN)/briefing build

# Build with PDFs, then freeze the edition into editions/N/ (outputs, fact base, SHA256SUMS).
# Refuses an edition already released: raise 'number' in facts/edition.yaml first.
release: $(STAMP)
	@bash scripts/sysdeps.sh build
	$(BIN)/briefing release

check: $(STAMP)
	$(BIN)/briefing check

# Per source, which sentences the facts cite and which they leave uncited.
coverage: $(STAMP)
	$(BIN)/briefing coverage

# Live preview while editing facts: http://127.0.0.1:$(PORT)/ rebuilds and reloads on save.
PORT ?= 8000
serve: $(STAMP)
	$(BIN)/briefing serve --port $(PORT)

# Regenerate the editor schema files (schema/*.schema.json) from briefing/model.py.
schema: $(STAMP)
	$(BIN)/briefing schema

# The lock is installed first, hashes checked; then the package itself, whose dependencies
# the lock already holds (--no-deps: pip cannot check the hash of an editable install). The
# lock lists every package, so it is installed --no-deps too: in --require-hashes mode pip
# refuses a dependency's extra (justext asks for lxml[html_clean]) as an unpinned requirement,
# though the lock pins both. `pip check` then proves nothing is missing.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	touch $(STAMP)

# Regenerate requirements.lock after changing the dependencies in pyproject.toml. Pins that
# still fit are kept; `make lock LOCK_ARGS=--upgrade` takes the newest of everything. The
# resolver (uv) runs from a venv of its own, so a broken lock can still be remade.
LOCK_VENV := .venv-lock
LOCK_ARGS ?=
lock:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet 'uv>=0.9,<0.10'
	$(LOCK_VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --custom-compile-command 'make lock' --quiet $(LOCK_ARGS) -o $(LOCK)

# System tools the tests need (poppler's pdftoppm, fonts). Installs with apt-get when run as
# root and something is missing; otherwise says what to install.
sysdeps:
	@bash scripts/sysdeps.sh

# Full-page screenshots of every HTML brief, 1280 and 390 px wide, light and dark, into
# build/screenshots/ (taken after the build, which replaces build/ as a whole).
screenshots: brief sysdeps
	$(BIN)/python -m tests.browser.harness build build/screenshots

lint: $(STAMP)
	$(BIN)/ruff check briefing tests
	$(BIN)/ruff format --check briefing tests
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix briefing tests
	$(BIN)/ruff format briefing tests

test: lint sysdeps
	$(BIN)/pytest -q -n auto --dist loadfile

clean:
	rm -rf $(LOCK_VENV) build .briefing-staging-* .build.lock .build.stamp .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# The build benchmark: cold, no-op and one-edit builds, check, memory, jobs=1 against all
# cores and against bare WeasyPrint, on the shipped facts and on bases x10 and x50 as large
# (several minutes). BENCH="--scales 1 --runs 5" narrows or widens it.
bench: $(STAMP)
	@bash scripts/sysdeps.sh build
	$(VENV)/bin/python scripts/bench.py $(BENCH)
