# The two commands a newcomer needs: `make demo` and `make test`. Nothing else to install first.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
# The key that seals drafts and waiting answers (surveys/sealing.py): the demo makes its own, once.
KEY_FILE := var/survey-encryption.key
WITH_KEY = SURVEY_ENCRYPTION_KEYS="$${SURVEY_ENCRYPTION_KEYS:-$$(cat $(KEY_FILE))}"

.PHONY: demo test test-e2e lint format bench load audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

$(KEY_FILE): | $(VENV)/.runtime
	mkdir -p var
	umask 077 && $(BIN)/python -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())" > $@

## demo: install, migrate, load the demo organisation, serve on http://127.0.0.1:8000
demo: export DJANGO_DEBUG ?= true
demo: $(VENV)/.runtime $(KEY_FILE)
	$(WITH_KEY) $(BIN)/python manage.py migrate --noinput
	$(WITH_KEY) $(BIN)/python manage.py seed_demo
	$(WITH_KEY) $(BIN)/python manage.py runserver $(HOST)

## test: the whole suite (SQLite and eager Celery unless DATABASE_URL / REDIS_URL are set)
test: export DJANGO_SECRET_KEY ?= test-only-secret-key
test: export SURVEY_ENCRYPTION_KEYS ?= UrYyKQUAPuilruV81dV_kBYyB9m6iyvDKyssmX3tIro=
test: $(VENV)/.dev
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

## test-e2e: only the browser tests
test-e2e: export DJANGO_SECRET_KEY ?= test-only-secret-key
test-e2e: export SURVEY_ENCRYPTION_KEYS ?= UrYyKQUAPuilruV81dV_kBYyB9m6iyvDKyssmX3tIro=
test-e2e: $(VENV)/.dev
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

## load: the deadline load test (wrk against gunicorn and PostgreSQL; needs DATABASE_URL and wrk)
load: $(VENV)/.dev $(KEY_FILE)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && export DEBIAN_FRONTEND=noninteractive \
		&& { apt-get install -y -qq wrk || { apt-get update -qq && apt-get install -y -qq wrk; }; } >/dev/null; } \
		|| { echo "The load test needs wrk: apt-get install wrk (or brew install wrk)"; exit 1; }
	$(WITH_KEY) $(BIN)/python benchmarks/load_deadline.py

## audit: known vulnerabilities in the pinned requirements (pip-audit) and a scan of the code (bandit)
$(VENV)/audit/bin/python: requirements-audit.txt
	$(PYTHON) -m venv $(VENV)/audit
	$(VENV)/audit/bin/pip install --quiet -r requirements-audit.txt
	touch $@

audit: $(VENV)/audit/bin/python
	$(VENV)/audit/bin/pip-audit --vulnerability-service pypi --no-deps --disable-pip --progress-spinner off \
		-r requirements.txt -r requirements-dev.txt -r requirements-audit.txt
	$(VENV)/audit/bin/bandit -q -c pyproject.toml -r . --severity-level high

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: the performance scripts in benchmarks/ (they print their figures)
bench: export DJANGO_SECRET_KEY ?= bench-only-secret-key
bench: $(VENV)/.dev $(KEY_FILE)
	$(WITH_KEY) $(BIN)/python benchmarks/import_org.py
	$(WITH_KEY) $(BIN)/python benchmarks/open_cycle.py
	$(WITH_KEY) $(BIN)/python benchmarks/aggregate.py
	$(WITH_KEY) $(BIN)/python benchmarks/bench_value_chain.py

clean:
	rm -rf $(VENV) var .pytest_cache
