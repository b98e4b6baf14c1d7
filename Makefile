# Parcours numérique — the documented entry points: make run, make test, make lint, make bench.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# The newest python3.1x (>= 3.12) that actually runs: PATH first, then pyenv's installs
# (pyenv shims of versions that are not selected exist but fail, hence the check).
find_python = for c in python3.14 python3.13 python3.12 \
	$$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] 2>/dev/null | sort -rV) python3; do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	    command -v $$c; exit 0; fi; done; exit 1

# The test suite runs on every core (pytest-xdist); PYTEST_ARGS= runs it in one process.
PYTEST_ARGS ?= -n auto

# Development settings for the demo and the tests; production sets its own (README).
export DEBUG ?= true
export PYTHONDONTWRITEBYTECODE = 1

.PHONY: help run test lint bench loadtest audit screenshots install install-dev messages lock loc clean

help:
	@echo "make run    install, migrate, load the demo town, serve on http://$(HOST):$(PORT) (and run the worker)"
	@echo "make test   run the test suite (SQLite, or PostgreSQL when DATABASE_URL is set)"
	@echo "make lint   ruff, the migrations check and the apps' layers (import-linter)"
	@echo "make bench  print performance figures as JSON"
	@echo "make loadtest  load and failure test of a several-server set-up on this machine (about 5 minutes, needs root)"
	@echo "make audit  permission walk, fuzzing and accessibility figures"
	@echo "make messages  update the English translation files after changing interface text"
	@echo "make install   what the running product needs (requirements.lock); make install-dev adds the tests' and linters' tools"
	@echo "make loc    lines of Python of each app, without tests and migrations"

$(PY):
	@python=$$($(find_python)) || { echo "Python 3.12 or newer is needed and none was found (tried python3.14, python3.13, python3.12, ~/.pyenv/versions, python3). Install one, e.g. 'apt-get install python3.12' or 'pyenv install 3.13'." >&2; exit 1; }; \
	echo "Using $$python ($$($$python --version))"; \
	$$python -m venv $(VENV)

# What the running product needs, and nothing else (production installs this: README).
$(VENV)/.installed: requirements.lock $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

# The development set on top: tests, linters, the bench's tools. requirements-dev.lock pins
# the runtime packages at the same versions as requirements.lock (make lock).
$(VENV)/.installed-dev: requirements-dev.lock $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.lock
	touch $@

# The compiled translations are committed; they are rebuilt from the .po files when msgfmt
# (Debian package gettext) is there.
MO := $(patsubst %.po,%.mo,$(wildcard config/locale/*/LC_MESSAGES/*.po))

install: $(VENV)/.installed $(MO)

install-dev: install $(VENV)/.installed-dev

%.mo: %.po $(VENV)/.installed
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --verbosity 0 --ignore '.venv/*'; \
	else echo "msgfmt not found (apt-get install gettext): using the committed $@"; fi
	@touch $@

# After changing interface text: collect the strings to translate into config/locale (then
# translate the new entries of the .po files and run make messages again to compile them).
messages: install
	$(PY) manage.py makemessages --locale en --ignore '.venv/*' --ignore 'tests/*' --ignore 'docs/*' --ignore 'var/*'
	$(PY) manage.py makemessages --domain djangojs --locale en --ignore '.venv/*' --ignore 'static/vendor/*' --ignore 'var/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

# The demo's links (personal spaces, certificate checks, the address printed on certificates)
# lead to this server: SITE_URL follows HOST and PORT unless it is set.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py create_issuer_keys --if-missing
	$(PY) manage.py seed_demo --if-empty
	@echo "Attention : les liens de la démonstration (espace habitant, vérification d'une attestation, adresse imprimée sur les attestations) mènent à $$SITE_URL et ne marchent que sur cet ordinateur. En production, SITE_URL donne l'adresse publique du site (README, Configuration)."
	@# The background worker (big imports) runs beside the server and stops with it.
	$(PY) manage.py db_worker & worker=$$!; trap 'kill $$worker' EXIT; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The Node packages of tests/js: a second verifier of our credentials (@digitalbazaar/vc),
# installed from their lock file when npm is there; without it that test is skipped.
JS_INSTALLED := tests/js/node_modules/.installed
$(JS_INSTALLED): tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix tests/js --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found (apt-get install nodejs npm): the check by @digitalbazaar/vc is skipped"; fi

test: install-dev $(JS_INSTALLED)
	$(PY) -m pytest $(PYTEST_ARGS)

# lint-imports: the contracts of pyproject.toml ([tool.importlinter]): the apps depend one way
# (stats > certificates > learners > pathway) and none imports the tests.
lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports --no-logo

# Security and accessibility figures: URL x role pairs walked, fuzz examples, axe-core
# violations by impact, seconds of the browser tests (needs chromium for the last two), and
# the regression tests of the security review (marker security_review) with their failures.
audit: install-dev
	$(PY) -m pytest -p no:randomly -q --audit tests

# The README's screenshots, taken by the browser tour (tests/browser/test_tour.py) and the
# workshop logged on a phone (tests/browser/test_session_phone.py).
screenshots: install-dev
	mkdir -p docs/screenshots
	SCREENSHOTS_DIR=docs/screenshots $(PY) -m pytest -p no:randomly -q tests/browser/test_tour.py tests/browser/test_session_phone.py

bench: install-dev
	$(PY) manage.py bench $(BENCH_ARGS)

# Regenerate the pinned versions after changing dependencies in pyproject.toml: the runtime
# set, then the development set constrained to the same runtime versions.
lock: $(PY)
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	$(VENV)/bin/pip-compile --quiet --strip-extras --extra dev --constraint requirements.lock --no-emit-index-url --no-emit-find-links -o requirements-dev.lock pyproject.toml

# Lines of Python of each app, without tests and migrations (.ci/loc).
loc:
	@.ci/loc

clean:
	rm -rf $(VENV) var/staticfiles tests/js/node_modules

# Load and failure test (docs/scaling.md): HAProxy, two gunicorn servers, PostgreSQL primary
# and replica, Redis, two workers, Locust; two phases of LOADTEST_SECONDS (60), the second
# losing an app server and a worker. Prints one JSON object. Not part of make test.
loadtest: install-dev
	$(PY) -m stats.bench.loadtest
