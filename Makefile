# HọcSố: one command per chore. `make run` and `make test` set everything up on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test setup check-system migrate seed lint format bench messages clean upgrade-check lock audit ci

help:
	@echo "make run     set up, load the demo data and serve on http://$(HOST):$(PORT)/"
	@echo "make test    set up and run the whole test suite"
	@echo "make lint    ruff check + ruff format --check    make format   apply ruff format"
	@echo "make bench   benchmarks (bench/)                 make messages update and compile translations"
	@echo "make audit   known vulnerabilities in the pins   make lock     requirements*.txt (hashes) from requirements*.in"

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "HọcSố needs Python 3.11 or newer; found $$($(PYTHON) --version 2>&1). Set PYTHON=/path/to/python3.11."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || \
	  { echo "Could not create a virtual environment. On Debian/Ubuntu: sudo apt install python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP) check-system

check-system: $(STAMP)
	@$(PY) -c 'import weasyprint' 2>/dev/null || { \
	  echo "WeasyPrint cannot find Pango (it renders the certificates). Install it:"; \
	  echo "  Debian/Ubuntu: sudo apt install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"; \
	  echo "  Fedora:        sudo dnf install pango"; \
	  echo "  macOS:         brew install pango"; exit 1; }

migrate: setup
	$(PY) manage.py migrate --no-input

seed: migrate
	$(PY) manage.py seed_demo --if-empty

run: seed
	@echo "Serving HọcSố on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup
	$(PY) bench/run.py

messages: setup
	$(PY) manage.py makemessages --locale vi --no-obsolete --no-location --ignore '.venv/*' --ignore 'staticfiles/*'
	$(PY) manage.py compilemessages --locale vi --ignore '.venv/*'

upgrade-check: setup
	$(PY) -m pip list --outdated

# requirements.txt and requirements-dev.txt are generated from the .in files: every dependency pinned,
# with the hash of each distribution file of that version (all platforms). Pins already in the .txt
# files are kept; to move a transitive one: make lock LOCK_ARGS="--upgrade-package NAME".
# Extras stay on the pins (fonttools[woff]): pip before 23.3 cannot install stripped ones with hashes.
PIP_TOOLS := pip-tools==7.6.2
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes \
  --allow-unsafe --no-strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host $(LOCK_ARGS)
lock:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet $(PIP_TOOLS)
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --constraint requirements.txt --output-file requirements-dev.txt requirements-dev.in

# tools/audit.py exits 0: no known vulnerabilities; 1: vulnerabilities (listed); 3: NOT AUDITED, the
# database was not reached; 2: pip-audit could not run. make shows its code as "Error N".
audit: setup
	$(PY) tools/audit.py $(AUDIT_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
