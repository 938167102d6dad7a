# Two commands do all set-up: `make demo` and `make test`.
# Each bootstraps .venv from nothing (idempotent) and then runs;
# `make docs` adds the `docs` extra and builds the site into site/.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.installed-docs

.PHONY: demo test lint typecheck docs smoke bench bench-quick clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,cli]'
	touch $(STAMP)

$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,cli,docs]'
	touch $(DOCS_STAMP)

demo: $(STAMP)
	$(BIN)/maiu-async demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict maiu_async
	$(BIN)/mypy --strict tests/typing

# Many tests wait on servers and child processes rather than the CPU, so
# the suite runs in more worker processes than cores; worksteal evens out
# the few long tests.  `pytest` alone runs it in one process.
# The suite starts a few hundred Python processes (the CLI, servers,
# Dask workers): it keeps bytecode caches even where the environment
# turns them off (PYTHONDONTWRITEBYTECODE), so that each process after
# the first reads the package compiled instead of compiling it again.
TEST_WORKERS ?= 3

test: lint typecheck
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

# --strict: a broken link or an unresolved API name fails the build.
docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

# Build the sdist and the wheel, install the wheel in a fresh venv outside
# the source tree, and try it there.
smoke: $(STAMP)
	PYTHON=$(abspath $(BIN)/python) .ci/smoke

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis site

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet httpx
	$(BIN)/python benchmarks/run.py --write

bench-quick: $(STAMP)
	$(BIN)/python -m pip install --quiet httpx
	$(BIN)/python benchmarks/run.py --quick
