# The two commands of the README: `make run` and `make test`. Each installs what it needs.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# npm ci leaves this file; the tests read .ics files with ical.js (Thunderbird's parser) from here.
NODE_STAMP := node_modules/.package-lock.json

# The compiled catalogues that the app and the core read, made from the translators' .po files.
PO := $(wildcard matcher/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run solve test chromium fonts print-tools translations messages bench
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
run: $(STAMP) translations fonts print-tools
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

# Debian's Noto CJK fonts, so that Chinese pages render (browser tests, screenshots).
fonts:
	@test -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; }

translations: $(MO)

%.mo: %.po $(STAMP)
	$(VENV)/bin/pybabel -q compile -i $< -o $@

# After adding or changing a message: extract them all and update the catalogues (then translate).
messages: $(STAMP)
	$(PY) -m matcher.catalogues

# What the print kit needs from Debian besides the fonts, installed only when missing: Pango,
# with which WeasyPrint lays text out; poppler's pdftotext and pdftoppm and zbar's zbarimg, with
# which the tests read the PDFs and their QR codes back.
print-tools:
	@{ command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null && \
		command -v zbarimg >/dev/null && ldconfig -p | grep -q libpangoft2-1.0; } || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		libpango-1.0-0 libpangoft2-1.0-0 poppler-utils zbar-tools >/dev/null; }

test: $(STAMP) $(NODE_STAMP) chromium fonts print-tools translations
	$(VENV)/bin/ruff check matcher web tests
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q

bench: $(STAMP)
	$(VENV)/bin/matcher bench
