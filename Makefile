# Two commands matter: `make run` and `make test`. Both create .venv when it is missing and
# reinstall only when pyproject.toml changed, so the second run is fast.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test lint typecheck pytest bench screenshots translations build self-test clean

run: $(VENV)/.app-installed
	$(BIN)/nonasn gui

test: $(VENV)/.test-installed lint typecheck pytest

lint: $(VENV)/.test-installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy

pytest: $(VENV)/.test-installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.test-installed
	$(BIN)/python -m benchmarks

# 1366x768 pictures of the main screens and every wizard page (shown in README.md), at 100 %
# and at 150 % display scaling (911x512 logical pixels), with what gui/layout_audit.py finds
# cut or overlapping: at either scale a finding fails.
screenshots: $(VENV)/.app-installed
	$(BIN)/python -m nonasn_desktop.gui.screenshots docs/screenshots --check
	$(BIN)/python -m nonasn_desktop.gui.screenshots docs/screenshots/150 --scale 1.5 --check

# Qt's own texts in Indonesian: resources/i18n/qt_id.ts compiled to the qt_id.qm the app loads.
translations: $(VENV)/.app-installed
	$(BIN)/pyside6-lrelease -silent resources/i18n/qt_id.ts -qm resources/i18n/qt_id.qm

# The frozen application, one folder: dist/nonasn/ (recipe and notes in build.spec).
build: $(VENV)/.build-installed
	$(BIN)/pyinstaller --noconfirm build.spec

# The frozen application checks itself: database, documents, PDF, xlsx, signature, a window.
self-test: build
	dist/nonasn/nonasn self-test

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.app-installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -e .
	@touch $@

$(VENV)/.test-installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -e '.[test]'
	@touch $@ $(VENV)/.app-installed

$(VENV)/.build-installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -e '.[build]'
	@touch $@ $(VENV)/.app-installed

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
