# The two commands: `make book` builds the sample volume into build/, `make test` runs the
# tests. Each sets up what it needs (system packages, then a virtual environment) first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := tools

.PHONY: book test check clean setup bench

book: $(VENV)/.runtime
	$(BIN)/allianceprint build manuscript --output build

test: $(VENV)/.test $(TOOLS)/node_modules/.installed
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(VENV)/.runtime
	$(BIN)/allianceprint check manuscript

setup: $(VENV)/.test $(TOOLS)/node_modules/.installed

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

$(VENV)/.system-test: scripts/setup-system.sh
	bash scripts/setup-system.sh --test
	@mkdir -p $(VENV) && touch $@

# DAISY Ace and Puppeteer from npm, as tools/package-lock.json pins them. They drive Debian's
# Chromium (PUPPETEER_EXECUTABLE_PATH, set by the tests), so no browser is downloaded.
$(TOOLS)/node_modules/.installed: $(TOOLS)/package.json $(TOOLS)/package-lock.json \
		$(VENV)/.system-test
	cd $(TOOLS) && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund
	touch $@

clean:
	rm -rf build/*.pdf build/*.epub build/.cache

# The benchmark (bench/README.md): a synthetic 600-page volume, our builds vs the Pandoc route,
# `watch` under 20 saves, and the same book in Chinese.
bench: $(VENV)/.runtime
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/run.py --pages 600
