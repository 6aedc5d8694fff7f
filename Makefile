# Two commands: `make run` and `make test`. Everything else is a helper of those two.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# The settings refuse to start without ENVIRONMENT; these targets are the developer's.
# (pytest sets ENVIRONMENT=test itself, in conftest.py.)
export ENVIRONMENT ?= development

.PHONY: run test lint migrate demo db-stop shell bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

## make run: embedded PostgreSQL (unless DATABASE_URL), migrate, demo data, web + worker + beat.
run: $(VENV)/.installed-run
	$(PY) scripts/run.py

## make test: ruff, import-linter contracts, the whole pytest suite on PostgreSQL (schemathesis
## against a live server among it), then every bench at smoke size. The suite runs in
## TEST_WORKERS processes (pytest-xdist), a test file to a worker, with schemathesis beside them
## in a process of its own (its generated tests report under xdist without fuzzing):
## scripts/run_tests.py.
TEST_WORKERS ?= 2
test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	TEST_WORKERS=$(TEST_WORKERS) $(PY) scripts/with_db.py $(PY) scripts/run_tests.py $(PYTEST_ARGS)
	$(PY) scripts/with_db.py $(PY) bench/run_all.py --smoke

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

migrate: $(VENV)/.installed-run
	$(PY) scripts/with_db.py $(PY) manage.py migrate

shell: $(VENV)/.installed-run
	$(PY) scripts/with_db.py $(PY) manage.py shell

db-stop:
	$(PY) scripts/embedded_pg.py stop

## make screenshots: walk the console in Chromium on the demo book and save every page to docs/screenshots/.
screenshots: $(VENV)/.installed-dev
	SCREENSHOTS_DIR=docs/screenshots $(PY) scripts/with_db.py $(BIN)/pytest -p no:cacheprovider tests/browser/test_console_walk.py

bench: $(VENV)/.installed-dev
	$(PY) scripts/with_db.py $(PY) bench/run_all.py

clean: db-stop
	rm -rf var $(VENV)
