# duban: the two commands of the quick start are `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/duban

.PHONY: setup demo test test-sqlite test-postgres lint bench score

$(BIN)/duban: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/duban

setup: $(BIN)/duban

demo: setup
	$(BIN)/duban demo

lint: setup
	$(BIN)/ruff check duban tests bench

test-sqlite: setup
	$(BIN)/pytest

test-postgres: setup
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -m django_db

test: lint test-sqlite test-postgres

bench: setup
	$(BIN)/python bench/parse_bench.py

score: setup
	$(BIN)/duban score
