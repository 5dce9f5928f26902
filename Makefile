# The two commands: `make run` (set up and serve the whole system) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: run test test-slow lint format check-deploy diagram clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is required"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_directory
	$(PY) manage.py seed_demo
	bin/serve

# The suite without the slow load and fault tests (marked `slow`); `.ci/run` runs both.
# It runs in TEST_WORKERS processes (pytest-xdist; `auto`: one per core, at most 8), each with
# its own test database and Redis database (config/settings/test.py); TEST_WORKERS=0 runs it
# in this one process.
TEST_WORKERS ?= auto
test: $(VENV)/.dev-installed
	$(VENV)/bin/pytest -m 'not slow' -n $(TEST_WORKERS) --maxprocesses 8 --dist loadgroup

test-slow: $(VENV)/.dev-installed
	$(VENV)/bin/pytest -m slow

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-deploy: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=config.settings.production \
	SECRET_KEY=$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-permits.example.test} \
	HISTORY_CHAIN_KEYS=$${HISTORY_CHAIN_KEYS:-check=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(40))')} \
	HISTORY_CHAIN_KEY_ID=$${HISTORY_CHAIN_KEY_ID:-check} \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/permits} \
	$(PY) manage.py check --deploy --fail-level WARNING

diagram: $(VENV)/.installed
	$(PY) manage.py workflow_diagram --write

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
