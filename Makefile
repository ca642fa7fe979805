# The two commands of a fresh machine: `make run` (the whole system) and `make test` (the full suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The suite runs on SQLite always and on this PostgreSQL too; set it empty to skip PostgreSQL.
SAPHAN_TEST_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
export SAPHAN_TEST_POSTGRES_URL

.PHONY: install run test lint schemas clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[embedded,test,bench]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/saphan up

test: lint
	$(BIN)/saphan schemas --check
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy contracts libs/saphan_runtime services tests bench tools conftest.py

schemas: install
	$(BIN)/saphan schemas

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
