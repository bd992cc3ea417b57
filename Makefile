# LabShare: `make run` serves the platform with demo data; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails and iCal feeds point where `make run` serves, unless set otherwise.
SITE_URL ?= http://$(HOST):$(PORT)
export SITE_URL
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/labshare
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_ARGS ?=
# Test processes (pytest-xdist), one per core: the suite is CPU-bound (a third worker
# measured no faster). TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2

.PHONY: setup run test lint services bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed
	@mkdir -p staticfiles media

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py build_zhejiang_map
	@if [ -n "$$REDIS_URL" ]; then \
		echo "REDIS_URL is set: starting a Celery worker with beat in the background"; \
		$(VENV)/bin/celery -A config worker -B --loglevel=warning & \
	fi
	$(PY) manage.py runserver $(HOST):$(PORT)

services:
	bash .ci/services

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

test: setup services
	$(PY) manage.py makemigrations --check --dry-run
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(VENV)/bin/pytest --create-db -n $(TEST_WORKERS) --dist loadgroup --durations=25 $(PYTEST_ARGS)

# bench/run.py picks labshare_bench (national) or labshare_bench_<scale> unless DATABASE_URL is set.
bench: setup services
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles media
