# Two commands a new user needs: `make serve` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup build serve test check bench clean vnu

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

# The Nu HTML Checker (tests/test_design_vnu.py), from npm into the git-ignored .tools/: needs npm and Java.
VNU_JAR := .tools/node_modules/vnu-jar/build/dist/vnu.jar
vnu: $(VNU_JAR)
$(VNU_JAR):
	mkdir -p .tools
	npm install --prefix .tools --no-save --no-audit --no-fund --ignore-scripts 'vnu-jar@>=26 <27'

# Without npm the HTML check skips on a workstation (and fails in CI, which installs npm).
test: setup $(if $(shell command -v npm),vnu)
	$(BIN)/python -m pytest

# The benchmark against Hugo (issue 6): 1,000 and 10,000 pages, medians of interleaved runs; and the
# photo case (issue 16): a story with ten 12-megapixel photos.
bench: setup
	$(BIN)/python bench/run.py --stories 250 --stories 2500 --runs 5 --photos 10

clean:
	rm -rf site .site.staging .site.old .cache
