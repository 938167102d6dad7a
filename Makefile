# Two commands do all set-up: `make demo` and `make test`.
# Each bootstraps .venv from nothing (idempotent) and then runs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck bench bench-quick clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,cli]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/maiu-async demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict maiu_async
	$(BIN)/mypy --strict tests/typing

test: lint typecheck
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet httpx
	$(BIN)/python benchmarks/run.py --write

bench-quick: $(STAMP)
	$(BIN)/python -m pip install --quiet httpx
	$(BIN)/python benchmarks/run.py --quick
