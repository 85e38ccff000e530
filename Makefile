# Steady: everyday commands. Needs only Python 3.11 (python3) on the PATH;
# the virtualenv in .venv is created and kept in step with the requirements
# files on first use. Nothing here needs an activated venv.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Touched after a successful install; older than a requirements file means
# the requirements changed and pip runs again.
STAMP := $(VENV)/.requirements.stamp
PYTEST_ARGS ?=
# axe-core for the accessibility tests (package-lock.json pins it).
AXE := node_modules/.package-lock.json

.DEFAULT_GOAL := help
.PHONY: help venv run test faults lint fmt migrate seed lock audit

help:
	@echo "make run      migrate, collect static, seed the demo, then run the Procfile with honcho: web + worker + beat (HOST, PORT)"
	@echo "make test     run the tests (extra pytest arguments: PYTEST_ARGS='-k pairing -x')"
	@echo "make faults   kill the worker, restart Redis and PostgreSQL under load; print what was lost (must be 0)"
	@echo "make lock     re-lock requirements*.txt into requirements*.lock (pinned, with hashes)"
	@echo "make audit    pip-audit the locked dependencies for known vulnerabilities"
	@echo "make lint     ruff check and ruff format --check"
	@echo "make fmt      ruff format and ruff check --fix"
	@echo "make migrate  apply migrations"
	@echo "make seed     create the demo couple and therapist (idempotent)"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Steady needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)

# The venv installs the hashed lock (every package, every hash), so what
# runs is exactly what was locked; requirements*.txt are what we edit, and
# `make lock` turns them into the locks.
$(STAMP): requirements-dev.lock | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q --require-hashes -r requirements-dev.lock
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	exec $(PY) scripts/run.py

$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the accessibility tests will skip (and fail under CI=true)"; fi

test: $(STAMP) $(AXE)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

faults: $(STAMP)
	$(PY) scripts/faults.py

LOCK := $(VENV)/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock: $(STAMP)
	$(LOCK) -o requirements.lock requirements.txt
	$(LOCK) -o requirements-dev.lock requirements-dev.txt

audit: $(STAMP)
	$(VENV)/bin/pip-audit --strict --vulnerability-service pypi --disable-pip --require-hashes -r requirements.lock
	$(VENV)/bin/pip-audit --strict --vulnerability-service pypi --disable-pip --require-hashes -r requirements-dev.lock

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrate: $(STAMP)
	$(PY) manage.py migrate

seed: $(STAMP)
	$(PY) manage.py seed_demo
