# One command per job, used by people and CI alike.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench check clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## the registry on SQLite (registry.db) with the Lai Châu acts loaded
	$(BIN)/registry load fixtures
	$(BIN)/registry serve

test: $(STAMP)  ## the whole test suite (SQLite and PostgreSQL)
	$(BIN)/python -m pytest

bench: $(STAMP)  ## every benchmark, ratios against baselines measured in the same run
	scripts/ensure-wrk.sh
	$(BIN)/python -m benchmarks

check: $(STAMP)  ## lint, and the layers' import directions (pyproject [tool.importlinter])
	$(BIN)/ruff check registry tests benchmarks
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) registry.db
