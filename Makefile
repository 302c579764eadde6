# The two commands of the README: `make run` and `make test`. Each installs what it needs.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e . --group dev
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/matcher solve data/michk-2023/event.json --out out/michk-2023-schedule.json

test: $(STAMP)
	$(VENV)/bin/ruff check matcher tests
	$(VENV)/bin/pytest -q

bench: $(STAMP)
	$(VENV)/bin/matcher bench
