# `make run`, `make test` and `make bench`. See README.md.
# `make run` installs what the product needs (requirements.lock); `make test` and `make bench`
# add the test and benchmark tools (requirements-dev.lock).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
SMTP_PORT ?= 8025

.PHONY: run test lint typecheck pytest bench messages setup setup-dev sysdeps-test sysdeps-bench lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUNTIME): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(DEV): requirements-dev.lock $(RUNTIME)
	$(BIN)/pip install --quiet -r requirements-dev.lock
	touch $@

setup: $(RUNTIME) messages

setup-dev: $(DEV) messages

# Catalogues are compiled with Babel, so no GNU gettext is needed on the machine.
messages: $(RUNTIME)
	$(BIN)/pybabel compile --use-fuzzy -d locale -D django

run: setup
	$(MANAGE) migrate --no-input
	$(MANAGE) seed_demo --if-empty
	$(BIN)/python -m organisatrice.devtools.devserver --host $(HOST) --port $(PORT) --smtp-port $(SMTP_PORT)

# Debian packages. The tests: Chromium drives the browser tests (Playwright cannot download
# its own browser here), qpdf and poppler-utils check the generated PDFs, the Liberation fonts
# are the documents' typeface (Typst falls back to its own without them), and Postfix is a real
# mail server (a relay, and its C smtp-sink); Dovecot the IMAP mailboxes (bounces, Sent folders),
# knot the authoritative DNS of the test domain, SpamAssassin the spam score of what is sent.
# The benchmarks: smtp-sink, Dovecot and the fonts.
LIBERATION := /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf
TEST_PACKAGES := chromium qpdf poppler-utils fonts-liberation postfix dovecot-imapd knot knot-dnsutils spamassassin
TEST_FILES := /usr/bin/chromium /usr/bin/qpdf /usr/bin/pdftotext $(LIBERATION) /usr/sbin/smtp-sink \
	/usr/sbin/dovecot /usr/sbin/knotd /usr/bin/kdig /usr/bin/spamassassin
BENCH_PACKAGES := fonts-liberation postfix dovecot-imapd
BENCH_FILES := $(LIBERATION) /usr/sbin/smtp-sink /usr/sbin/dovecot
# Told "No configuration", Postfix installs without touching the machine's mail set-up: no
# main.cf, no service started. The tests and benchmarks run private instances of their own.
POSTFIX_PRESEED := postfix postfix/main_mailer_type select No configuration

# $(call debian_packages,FILES,PACKAGES): installs PACKAGES when one of FILES is missing.
define debian_packages
	@missing=0; for f in $(1); do [ -e $$f ] || missing=1; done; \
	if [ $$missing = 1 ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "$(POSTFIX_PRESEED)" | debconf-set-selections && apt-get update -qq \
			&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
		else \
			echo "Needed: $(2). Run: echo '$(POSTFIX_PRESEED)' | sudo debconf-set-selections; sudo apt-get install $(2)" >&2; \
			exit 1; \
		fi; \
	fi
endef

sysdeps-test:
	$(call debian_packages,$(TEST_FILES),$(TEST_PACKAGES))

sysdeps-bench:
	$(call debian_packages,$(BENCH_FILES),$(BENCH_PACKAGES))

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV)
	$(BIN)/mypy .

# pytest-xdist spreads the tests over the machine's cores; PYTEST_WORKERS=0 runs them in one
# process. SQLite always; PostgreSQL too when DATABASE_URL names one. Any non-zero exit fails,
# pytest's 5 (no test collected) included.
PYTEST_WORKERS ?= auto
PYTEST = $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
# axe-core, the accessibility rules the browser tests inject into the pages (an npm package,
# pinned by tests/browser/axe/package-lock.json).
AXE := tests/browser/axe/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/axe/package-lock.json
	npm ci --prefix tests/browser/axe --no-audit --no-fund --silent
	touch $@

pytest: setup-dev sysdeps-test $(AXE)
	env -u DATABASE_URL $(PYTEST)
	@if [[ "$${DATABASE_URL:-}" == postgres* ]]; then \
		echo "== PostgreSQL: $${DATABASE_URL}"; $(PYTEST); \
	fi

test: lint typecheck pytest

bench: setup-dev sysdeps-bench
	$(BIN)/python -m bench $(BENCH_ARGS)

# After a change to pyproject.toml's dependencies: compiles both locks again, keeping every pin
# that still fits (add --upgrade-package NAME to move one on purpose). pip-tools lives in a
# throwaway venv of its own, never in the project's.
PIP_TOOLS := /tmp/organisatrice-pip-tools
PIP_COMPILE := $(PIP_TOOLS)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links
lock:
	[ -x $(PIP_TOOLS)/bin/pip-compile ] || { $(PYTHON) -m venv $(PIP_TOOLS) && $(PIP_TOOLS)/bin/pip install --quiet pip-tools==7.6.2; }
	$(PIP_COMPILE) --output-file=requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra=dev --extra=bench --output-file=requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) var
