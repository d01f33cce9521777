# Orchestra Lab — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
API_PORT ?= 6443
export PYTHONDONTWRITEBYTECODE := 1
export PYTHONWARNINGS := ignore::DeprecationWarning

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed ## Create .venv and install the app with its test tools

setup: install ## Install, migrate, load the lesson, collect static files
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_course
	$(PY) manage.py collectstatic --noinput --verbosity 0

# BIND_HOST tells the settings where Daphne listens: beyond loopback (HOST=0.0.0.0, a classroom LAN) means
# production mode, a generated secret key and this machine's LAN addresses in ALLOWED_HOSTS (config/lan.py).
# The clusters' Kubernetes API (for students' own kubectl) listens with TLS on API_PORT from the same process;
# its certificate authority is made on first run in var/tls (config/kubeapi_tls.py).
run: setup ## Serve the app with Daphne on http://127.0.0.1:8000 and the clusters' Kubernetes API on :6443 (HOST=0.0.0.0: for the classroom LAN)
	@$(PY) -m config.lan $(HOST) $(PORT) $(API_PORT)
	BIND_HOST=$(HOST) KUBEAPI_PORT=$(API_PORT) $(VENV)/bin/daphne -e tcp:port=$(PORT):interface=$(HOST) \
		-e "$$($(PY) -m config.kubeapi_tls $(HOST) $(API_PORT))" config.asgi:application

test: setup ## Set everything up and run the whole test suite
	$(VENV)/bin/pytest

lint: install ## ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: install ## Run the benchmarks and print their tables
	$(PY) -m bench

vendor: ## Refresh the vendored browser libraries from the npm registry (pinned, checksummed)
	$(PYTHON) scripts/vendor.py

.PHONY: help install setup run test lint bench vendor
