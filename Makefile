# The two commands of the README: `make run` and `make test`. Each installs what it needs.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# npm ci leaves this file; the tests read .ics files with ical.js (Thunderbird's parser) from here.
NODE_STAMP := node_modules/.package-lock.json

.PHONY: run test lint bench

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e . --group dev
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

run: $(STAMP)
	$(VENV)/bin/matcher solve data/michk-2023/event.json --out out/michk-2023-schedule.json

test: $(STAMP) $(NODE_STAMP)
	$(VENV)/bin/ruff check matcher tests
	$(VENV)/bin/pytest -q

bench: $(STAMP)
	$(VENV)/bin/matcher bench
