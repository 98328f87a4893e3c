# mailpiece: two commands on a fresh machine.
#   make demo   set everything up, then run the pipeline on synthetic frames
#   make test   set everything up, then run the test suite
# Set-up is idempotent: a second run only checks what is there.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# torch goes in first and pinned: on the development machines this pair is served from local disk.
# Elsewhere override it, e.g. `make test TORCH_SPEC="torch torchvision"`.
TORCH_SPEC ?= torch==2.14.1 torchvision==0.29.1
PYTEST_ARGS ?=

.PHONY: help setup system-deps demo test lint bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

setup: system-deps $(VENV)/.installed  ## system packages + .venv + the package (editable, with dev extras)

system-deps:  ## tesseract-ocr, fonts, chromium (apt when root, else says what to install)
	@scripts/install-system-deps.sh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.torch: | $(BIN)/python
	$(BIN)/pip install --quiet $(TORCH_SPEC)
	@touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.torch
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

demo: setup  ## synthetic frames -> pipeline -> SQLite -> summary
	$(BIN)/mailpiece demo

test: setup  ## the whole test suite (real Tesseract, torch, Ray, SQLite, Chromium)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup  ## ruff
	$(BIN)/ruff check mailpiece tests bench

bench: setup  ## the benchmark tables (slow; numbers go in the issue notes)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:  ## remove the venv and caches (keeps system packages)
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info
