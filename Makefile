# Parcours: build, run and test. Needs GNU make and Python >= 3.11 (`python3`).
#
#   make demo       install, migrate, load the demo data, serve on http://127.0.0.1:8000
#   make test       make check + the test suite on SQLite, then on a throwaway PostgreSQL
#   make check      ruff, formatting, mypy, missing migrations, import contracts
#   make format     ruff format + ruff check --fix
#   make bench      every benchmark at the issues' scale (BENCHES=… for some)
#   make messages   update and compile the translations (locale/)
#
# Variables: PYTHON (python3), VENV (.venv), PYTEST_ARGS (extra pytest arguments),
# PYTEST_WORKERS (pytest-xdist workers, 0 = no xdist), CI (true: PostgreSQL and Chromium
# are required instead of skipped).

SHELL := /bin/sh
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
MANAGE := $(PY) manage.py

PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
XDIST := $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS),)
PYTEST := $(PY) -m pytest $(XDIST) $(PYTEST_ARGS)
# CI=true (or 1/yes): a missing PostgreSQL or Chromium is a failure, not a skip.
REQUIRE_PG := $(if $(filter true TRUE True 1 yes,$(CI)),--require,)

# Settings refuse to start without SECRET_KEY unless DEBUG/demo/testing: local tooling runs
# in development mode; tests set PARCOURS_TESTING themselves.
DEV_ENV := DEBUG=true
# The demo runs with DEBUG off so that it shows the branded error pages (docs/architecture.md).
DEMO_ENV := PARCOURS_DEMO=true
DEMO_ADDR ?= 127.0.0.1:8000

.PHONY: help venv install demo serve check check-lint check-format check-types \
	check-migrations check-imports test test-sqlite test-postgres bench format messages clean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

# --- environment -----------------------------------------------------------------------

$(PY):
	$(PYTHON) -m venv $(VENV)

venv: $(PY)

# Reinstall only when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# --- demo --------------------------------------------------------------------------------

demo: install
	$(DEMO_ENV) $(MANAGE) migrate --noinput
	@# Loading runs outside a request: its badge links and issuer did:web name the demo's address.
	$(DEMO_ENV) SITE_URL=http://$(DEMO_ADDR) $(MANAGE) load_demo --no-logins
	@$(MAKE) --no-print-directory serve

# runserver --insecure serves the static files with DEBUG off: no collectstatic.
serve: install
	@echo
	@$(DEMO_ENV) $(MANAGE) demo_logins
	@echo
	@echo "Parcours demo: http://$(DEMO_ADDR)/  (Ctrl-C to stop)"
	$(DEMO_ENV) $(MANAGE) runserver --insecure $(DEMO_ADDR)

# --- quality -----------------------------------------------------------------------------

# Sub-targets so that `make -k check` reports every problem at once.
check: check-lint check-format check-types check-migrations check-imports

check-lint: install
	$(BIN)/ruff check .

check-format: install
	$(BIN)/ruff format --check .

check-types: install
	$(DEV_ENV) $(BIN)/mypy .

check-migrations: install
	$(DEV_ENV) $(MANAGE) makemigrations --check --dry-run

check-imports: install
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# --- tests -------------------------------------------------------------------------------

test: install
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres

test-sqlite: install
	@echo "== pytest on SQLite =="
	DATABASE_URL= $(PYTEST)

# scripts/with_postgres.py skips (exit 0) when PostgreSQL is not installed, unless --require.
test-postgres: install
	@echo "== pytest on PostgreSQL =="
	$(PY) scripts/with_postgres.py $(REQUIRE_PG) -- $(PYTEST)

# Every benchmark, on SQLite and PostgreSQL; a missed target is reported, the others still run.
# One of them: `make bench BENCHES=enrolment` (catalogue = the catalogue and pathways pair).
# The ITC 2019 runs (`BENCHES=scheduler`: 7 instances x 600 s) are left out of the default list.
BENCHES ?= catalogue enrolment credentials scheduling scheduling_ui documents orientation_search \
	orientation_class candidates careers reporting scheduler_campaign webinars xapi \
	integrations_moodle events assessments lti
bench: install
	@status=0; for b in $(BENCHES); do \
	  if [ "$$b" = catalogue ]; then set -- -m benchmarks; \
	  else set -- -m benchmarks.bench_$$b --db both; fi; \
	  echo "== $(PY) $$*"; $(DEV_ENV) $(PY) "$$@" || status=1; \
	done; \
	echo "Results: benchmarks/results/*.md"; exit $$status

messages: install
	$(DEV_ENV) $(MANAGE) makemessages -l en --ignore '$(VENV)' --ignore var --ignore build
	$(PY) scripts/french_plurals.py
	$(DEV_ENV) $(MANAGE) compilemessages --ignore '$(VENV)' --ignore var --ignore build

clean:
	rm -rf .mypy_cache .ruff_cache .pytest_cache .hypothesis var/screenshots
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
