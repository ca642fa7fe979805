# The two commands of a fresh machine: `make run` (the whole system) and `make test` (the full suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The suite runs on SQLite always and on this PostgreSQL too; set it empty to skip PostgreSQL.
SAPHAN_TEST_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
export SAPHAN_TEST_POSTGRES_URL
# pytest workers (pytest-xdist): each test still has its own databases, broker topics and ports.
TEST_WORKERS ?= 2

# The console's browser tests drive Debian's Chromium (Playwright's own browser download is not used).
SAPHAN_CHROMIUM ?= /usr/bin/chromium
export SAPHAN_CHROMIUM

.PHONY: install run test lint schemas browser bench soak clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[embedded,test,bench]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/saphan up

test: lint browser
	$(BIN)/saphan schemas --check
	$(BIN)/saphan deployment --check
	SAPHAN_REQUIRE_BROWSER=1 $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal --durations=25

# Install Debian's Chromium for the browser tests when it is missing (needs root and apt; otherwise say how).
browser:
	@test -x $(SAPHAN_CHROMIUM) || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
	  && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "install Chromium (Debian: apt-get install chromium) or set SAPHAN_CHROMIUM" >&2; exit 1; }; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy contracts libs/saphan_runtime services tests bench tools conftest.py

schemas: install
	$(BIN)/saphan schemas
	$(BIN)/saphan deployment

# Benchmarks (not tests): end-to-end loads, the raw broker ceiling, ledger figures; JSON, Markdown and a PNG chart
# under bench/results/. The soak run: steady load for MINUTES at RATE reports a second.
bench: install
	$(BIN)/python -m bench.pipeline

MINUTES ?= 10
RATE ?= 100
soak: install
	$(BIN)/python -m bench.soak --minutes $(MINUTES) --rate $(RATE)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
