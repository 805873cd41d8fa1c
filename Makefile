# One task runner. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: help run test lint typecheck bench data clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Pinned runtime dependencies (requirements.lock), then the project itself without resolving again.
$(VENV)/.runtime: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# The test and lint tools on top (requirements-dev.lock pins everything, runtime included).
$(VENV)/.dev: requirements-dev.lock $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.lock
	touch $@

run: $(VENV)/.runtime ## migrate, load the bundled 2025 taxa on an empty database, serve on :8000
	$(BIN)/taxa migrate
	$(BIN)/taxa load-bundled
	@echo "API keys: $(BIN)/taxa keys create --role admin   (docs at http://$(HOST):$(PORT)/docs)"
	$(BIN)/taxa serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.dev ## ruff
	$(BIN)/ruff check app pricing tests data bench migrations

typecheck: $(VENV)/.dev ## mypy --strict on the pure core
	$(BIN)/mypy

test: lint typecheck ## the whole test suite (PostgreSQL too when TEST_DATABASE_URL is set)
	$(BIN)/pytest -q

bench: $(VENV)/.dev ## benchmarks; figures go to bench/results/ and the README
	$(BIN)/python bench/run.py

data: $(VENV)/.runtime ## regenerate the bundled data files from ../shared/seeds
	$(BIN)/python data/convert_seed.py

clean: ## remove the virtual environment and the local database
	rm -rf $(VENV) var
