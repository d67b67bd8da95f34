# Two commands set up everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint install dev clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

$(VENV)/.bench-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(VENV)/.installed $(VENV)/.dev-installed $@

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

## Start the bot: Telegram when TELEGRAM_BOT_TOKEN is set (environment or .env), else the console chat.
run: $(VENV)/.installed
	$(BIN)/cppbot start

## Lint, type-check, check the knowledge base and run the test suite.
test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/cppbot kb check
	$(BIN)/pytest -q

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Compare the FAQ search with BM25, TF-IDF and rapidfuzz baselines (accuracy, latency at 1x,
## 10x and 100x the FAQ); writes BENCHMARKS.md. Takes several minutes.
bench: $(VENV)/.bench-installed
	$(BIN)/python -m benchmarks.compare_search --output BENCHMARKS.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
