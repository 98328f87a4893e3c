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
# Everything else at the versions the suite last passed with (pyproject.toml keeps the ranges): a new
# upstream release cannot turn CI red overnight. `make clean test CONSTRAINTS=` tries the newest releases;
# `make constraints` records what the venv holds once the suite passes with them.
CONSTRAINTS ?= constraints.txt

.PHONY: help setup system-deps demo test lint bench constraints clean

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

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS) $(VENV)/.torch
	$(BIN)/pip install --quiet $(if $(CONSTRAINTS),--constraint $(CONSTRAINTS)) -e '.[dev]'
	@touch $@

demo: setup  ## synthetic frames -> pipeline -> SQLite -> summary
	$(BIN)/mailpiece demo

test: setup  ## the whole test suite (real Tesseract, torch, Ray, SQLite, Chromium)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup  ## ruff
	$(BIN)/ruff check mailpiece tests bench

bench: setup  ## the benchmark tables (slow; numbers go in the issue notes)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

constraints: | $(BIN)/python  ## record the venv's versions in constraints.txt (torch and CUDA stay with TORCH_SPEC)
	@{ echo "# pip constraints: the versions \`make test\` last passed with (written by \`make constraints\`)."; \
	  $(BIN)/pip freeze --exclude-editable | grep -v -E '^(torch|torchvision|triton|nvidia-|cuda-)'; } > constraints.txt

clean:  ## remove the venv and caches (keeps system packages)
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info
