# The two commands of the README: `make run` and `make test`. Each installs what it needs.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# npm ci leaves this file; the tests read .ics files with ical.js (Thunderbird's parser) from here.
NODE_STAMP := node_modules/.package-lock.json

.PHONY: run solve test chromium bench
# Playwright drives Debian's Chromium; it must never fetch a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
PORT ?= 5000

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e . --group dev
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# The web app on http://127.0.0.1:$(PORT): database, sample event with a published timetable,
# a demo organiser whose login is printed.
run: $(STAMP)
	$(VENV)/bin/flask --app web init-db
	$(VENV)/bin/flask --app web load-sample data/michk-2023/event.json
	$(VENV)/bin/flask --app web demo-organiser
	@echo "serving the web app on http://127.0.0.1:$(PORT) (Ctrl-C stops it)"
	$(VENV)/bin/flask --app web run --host 127.0.0.1 --port $(PORT)

solve: $(STAMP)
	$(VENV)/bin/matcher solve data/michk-2023/event.json --out out/michk-2023-schedule.json

# Debian's Chromium for the browser tests, installed only when it is missing.
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) $(NODE_STAMP) chromium
	$(VENV)/bin/ruff check matcher web tests
	$(VENV)/bin/pytest -q

bench: $(STAMP)
	$(VENV)/bin/matcher bench
