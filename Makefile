# One task runner. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: help run test lint typecheck bench data clean system-packages lock

# Debian packages the service needs: WeasyPrint (the PDF report and kostnadsförslag) needs Pango,
# HarfBuzz's subsetter and a font. The browser tests add Chromium (Playwright drives Debian's
# build; its own browser download does not work on these machines).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
SYSTEM_TEST_PACKAGES := chromium
# `make bench` drives the service with wrk (a C load generator: Python's own would be the bottleneck).
SYSTEM_BENCH_PACKAGES := wrk

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# Installs only what dpkg says is missing; as root with apt-get, elsewhere it names the command.
system-packages: ## install the Debian packages the service and its tests need (checks first)
	@missing=""; for pkg in $(SYSTEM_PACKAGES) $(if $(RUNTIME_ONLY),,$(SYSTEM_TEST_PACKAGES)) $(if $(BENCH),$(SYSTEM_BENCH_PACKAGES)); do \
	  dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then \
	  echo "Missing system packages:$$missing (install them with your package manager)" >&2; exit 1; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "Missing system packages:$$missing. Run: sudo apt-get update && sudo apt-get install -y$$missing" >&2; exit 1; fi; \
	echo "Installing system packages:$$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends $$missing >/dev/null 2>&1 \
	  || { apt-get update -q -o DPkg::Lock::Timeout=600 >/dev/null && apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends $$missing >/dev/null; }

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Pinned runtime dependencies (requirements.lock), then the project itself without resolving again.
$(VENV)/.runtime: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# The test and lint tools on top (requirements-dev.lock pins everything, runtime included).
$(VENV)/.dev: requirements-dev.lock $(VENV)/.runtime
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

run: $(VENV)/.runtime ## migrate, load the bundled 2025 taxa on an empty database, serve on :8000
	@$(MAKE) --no-print-directory system-packages RUNTIME_ONLY=1
	$(BIN)/taxa migrate
	$(BIN)/taxa load-bundled
	@echo "API keys: $(BIN)/taxa keys create --role admin   (docs at http://$(HOST):$(PORT)/docs)"
	$(BIN)/taxa serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.dev ## ruff: lint and format check (`ruff format` fixes the latter)
	$(BIN)/ruff check app pricing tests data bench migrations
	$(BIN)/ruff format --check app pricing tests data bench migrations

typecheck: $(VENV)/.dev ## mypy: --strict on pricing/, nearly strict on app/
	$(BIN)/mypy

test: system-packages lint typecheck ## the whole test suite (PostgreSQL too when TEST_DATABASE_URL is set)
	$(BIN)/pytest -q

bench: $(VENV)/.dev ## benchmarks beside a bare FastAPI app (BENCH_DATABASE_URL: two workers on PostgreSQL)
	@$(MAKE) --no-print-directory system-packages RUNTIME_ONLY=1 BENCH=1
	$(BIN)/python bench/run.py

# Pins stay where they are unless a range in pyproject.toml forces a change (pip-compile keeps
# the versions already in the output file); every pin carries its hashes, which pip checks.
lock: $(VENV)/.dev ## rewrite requirements.lock and requirements-dev.lock from pyproject.toml
	$(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	  --no-emit-find-links -o requirements.lock pyproject.toml
	$(BIN)/pip-compile -q --extra dev --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links -o requirements-dev.lock pyproject.toml

data: $(VENV)/.runtime ## regenerate the bundled data files from ../shared/seeds
	$(BIN)/python data/convert_seed.py

clean: ## remove the virtual environment and the local database
	rm -rf $(VENV) var
