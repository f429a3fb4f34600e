# Modelwise: `make run` serves the portal with demo data, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM ?= /usr/bin/chromium

# Local overrides (see .env.example); exported to every command below.
-include .env
export

.PHONY: run test install lint typecheck format bench bench-gateway clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py catalog_load
	$(PY) manage.py demo_seed
	$(PY) manage.py schedules_install
	STATIC_HASHED=true $(PY) manage.py collectstatic --noinput --verbosity 0
	STATIC_HASHED=true $(PY) manage.py serve

test: install
	@if [ -x "$(CHROMIUM)" ]; then echo "Browser tests: using $(CHROMIUM)"; \
	else echo "Browser tests: SKIPPED, no chromium at $(CHROMIUM) (apt-get install chromium)"; fi
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

typecheck: install
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(PY) bench/decisions.py

# The gateway against LiteLLM and a Starlette+httpx floor with ../shared/bench (see docs/benchmarks.md).
bench-gateway: install
	bash bench/gateway.sh

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache
