# The two commands: `make book` builds the sample volume into build/, `make test` runs the
# tests. Each sets up what it needs (system packages, then a virtual environment) first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: book test check clean setup

book: $(VENV)/.runtime
	$(BIN)/allianceprint build manuscript --output build

test: $(VENV)/.test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(VENV)/.runtime
	$(BIN)/allianceprint check manuscript

setup: $(VENV)/.test

$(VENV)/.system: scripts/setup-system.sh
	bash scripts/setup-system.sh
	@mkdir -p $(VENV) && touch $@

$(VENV)/.runtime: pyproject.toml $(VENV)/.system
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test: pyproject.toml $(VENV)/.runtime
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

clean:
	rm -rf build/*.pdf build/*.epub build/.cache
