# CryoAudit developer commands. `make run` for the demo, `make test` for the suite.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
# The demo's embedded database and settings; production reads its own environment.
DEMO_ENV := DEBUG=1
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cryoaudit
export TEST_DATABASE_URL

.PHONY: help install run test check format migrate seed

help:  ## List the commands.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@# Put the project on the venv's path so `pytest` and tools import it from anywhere.
	@$(PY) -c "import pathlib, site; pathlib.Path(site.getsitepackages()[0], 'cryoaudit.pth').write_text('$(CURDIR)\n')"
	@touch $@

install: $(VENV)/.installed  ## Create the virtual environment and install the pinned packages.

run: install  ## Set up the demo (SQLite, published benchmarks, demo cohort) and serve it.
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	@# The demo's printed logins work without a phone: two-factor is off for this server only
	@# (settings refuse MFA_ENFORCED=0 unless DEBUG is on).
	$(DEMO_ENV) MFA_ENFORCED=0 $(PY) manage.py runserver 127.0.0.1:8000

test: install  ## Run the whole suite on PostgreSQL (TEST_DATABASE_URL).
	$(PY) -m pytest $(PYTEST_ARGS)

check: install  ## Lint, format check, type check and migration check.
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(DEMO_ENV) $(VENV)/bin/mypy .
	$(DEMO_ENV) $(PY) manage.py makemigrations --check --dry-run

format: install  ## Format and auto-fix the code.
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrate: install  ## Apply migrations to DATABASE_URL (default: the demo SQLite file).
	$(DEMO_ENV) $(PY) manage.py migrate --noinput

seed: install  ## Load the demo cohort into DATABASE_URL.
	$(DEMO_ENV) $(PY) manage.py seed_demo

.PHONY: bench

bench: install  ## Measure at national scale on dedicated PostgreSQL databases (BENCH_ARGS=--help).
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "make bench needs PostgreSQL at 127.0.0.1:5432"; exit 2; }
	$(PY) -m bench $(BENCH_ARGS)

.PHONY: backup restore backup-drill

backup: install  ## Dump DATABASE_URL (PostgreSQL) to backups/ in pg_dump custom format.
	$(PY) manage.py backup

restore: install  ## Restore DATABASE_URL from FILE=path/to/backup.dump (replaces its data).
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/cryoaudit-....dump"; exit 2; }
	$(PY) manage.py restore "$(FILE)"

backup-drill: install  ## Restore a fresh dump into a scratch database and compare every table.
	$(PY) manage.py backup_drill
