# Two commands a new user needs: `make serve` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup build serve test check bench clean

setup: $(STAMP)

# Re-install when the project's declared dependencies change.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: setup
	$(BIN)/python build.py build

serve: setup
	$(BIN)/python build.py serve

check: setup
	$(BIN)/python build.py check

test: setup
	$(BIN)/python -m pytest

# The benchmark against Hugo (issue 6): 1,000 and 10,000 pages, medians of interleaved runs.
bench: setup
	$(BIN)/python bench/run.py --stories 250 --stories 2500 --runs 5

clean:
	rm -rf site .site.staging .site.old .cache
