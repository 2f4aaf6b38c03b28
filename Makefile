# LUML Notebooks: `make run` builds and serves the product; `make test` runs every test.
# Both install what they need first (a virtual environment, npm packages, Chromium).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LABEXT_BUILT := src/luml_notebooks/labextension/static/style.js
LABEXT_SOURCES := $(shell find labextension/src labextension/style labextension/schema -type f 2>/dev/null) \
	labextension/package.json labextension/package-lock.json labextension/tsconfig.json \
	labextension/build-pages.mjs
PY_SOURCES := $(shell find src/luml_notebooks -name '*.py' -not -path '*/labextension/*') \
	pyproject.toml $(VENV)/.content-hash
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install install-test chromium lint FORCE

run: install
	$(BIN)/luml-notebooks run .

test: install-test chromium
	cd labextension && LUML_NOTEBOOKS_PYTHON=$(CURDIR)/$(BIN)/python npm test
	cd labextension && npm run lint:check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip "jupyter-builder>=1.2,<2"

labextension/node_modules/.package-lock.json: labextension/package.json labextension/package-lock.json
	cd labextension && npm install --no-audit --no-fund

$(LABEXT_BUILT): labextension/node_modules/.package-lock.json $(LABEXT_SOURCES) | $(BIN)/python
	cd labextension && PATH="$(CURDIR)/$(BIN):$$PATH" npm run build:prod

# the default notebooks' names have spaces, which make cannot list as
# prerequisites: a hash of content/ stands for them, rewritten only on change
$(VENV)/.content-hash: FORCE | $(BIN)/python
	@find content -type f -print0 | sort -z | xargs -0 sha256sum > $@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

$(VENV)/.installed: $(BIN)/python $(LABEXT_BUILT) $(PY_SOURCES)
	$(BIN)/pip install --quiet ".[registry]"
	touch $@

$(VENV)/.installed-test: $(BIN)/python $(LABEXT_BUILT) $(PY_SOURCES)
	$(BIN)/pip install --quiet ".[test,registry]"
	touch $(VENV)/.installed $@

chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }

lint: install-test
	cd labextension && npm run lint
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
