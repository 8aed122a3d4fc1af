# Briefing: `make brief` builds the briefs, `make test` runs every check.
# The virtual environment is created and the package installed on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: brief release check coverage test lint format clean sysdeps serve schema screenshots bench

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

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

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
	rm -rf build .briefing-staging-* .build.lock .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# The build benchmark: cold, no-op and one-edit builds, check, memory, jobs=1 against all
# cores and against bare WeasyPrint, on the shipped facts and on bases x10 and x50 as large
# (several minutes). BENCH="--scales 1 --runs 5" narrows or widens it.
bench: $(STAMP)
	@bash scripts/sysdeps.sh build
	$(VENV)/bin/python scripts/bench.py $(BENCH)
