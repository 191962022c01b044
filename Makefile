# Two commands for a newcomer: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
SMTP_PORT ?= 8025

.PHONY: run test lint typecheck pytest bench messages setup sysdeps clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP) messages

# Catalogues are compiled with Babel, so no GNU gettext is needed on the machine.
messages: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d locale -D django

run: setup
	$(MANAGE) migrate --no-input
	$(MANAGE) seed_demo --if-empty
	$(BIN)/python -m organisatrice.devserver --host $(HOST) --port $(PORT) --smtp-port $(SMTP_PORT)

# Debian packages the tests use: Chromium drives the browser tests (Playwright cannot
# download its own browser here), qpdf and poppler-utils check the generated PDFs, and the
# Liberation fonts are the documents' typeface (Typst falls back to its own without them).
SYSTEM_PACKAGES := chromium qpdf poppler-utils fonts-liberation
SYSTEM_FILES := /usr/bin/chromium /usr/bin/qpdf /usr/bin/pdftotext /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf
sysdeps:
	@missing=0; for c in $(SYSTEM_FILES); do [ -e $$c ] || missing=1; done; \
	if [ $$missing = 1 ]; then \
		if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
		else echo "The tests need: $(SYSTEM_PACKAGES). Run 'sudo apt-get install $(SYSTEM_PACKAGES)'." >&2; exit 1; fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

# SQLite always; PostgreSQL too when DATABASE_URL names one. Any non-zero exit fails,
# pytest's 5 (no test collected) included.
pytest: setup sysdeps
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)
	@if [[ "$${DATABASE_URL:-}" == postgres* ]]; then \
		echo "== PostgreSQL: $${DATABASE_URL}"; $(BIN)/pytest $(PYTEST_ARGS); \
	fi

test: lint typecheck pytest

bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
