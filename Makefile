# 宣培通 — two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint check clean-db bench

$(BIN)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed node_modules/.installed

run: install
	$(BIN)/xuanpei migrate --noinput
	$(BIN)/xuanpei seed-demo --if-empty
	$(BIN)/xuanpei demo-accounts
	$(BIN)/xuanpei runserver $(HOST):$(PORT)

# The whole suite on the configured database (SQLite unless DATABASE_URL is set), on
# PYTEST_WORKERS pytest-xdist workers, each with its own test database (test_<name>_gw0 …).
# One test: make test PYTEST_ARGS='tests/test_x.py::test_y' (PYTEST_WORKERS=0: no workers).
PYTEST_WORKERS ?= 2
test: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	$(BIN)/xuanpei check
	$(BIN)/xuanpei makemigrations --check --dry-run

bench: install
	$(BIN)/python -m bench.run
