"""Shared fixtures: a tiny event to vary per test, the sample event, and the browser; and the
run's last line on PostgreSQL: how many tests ran on it, or that none did."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "michk-2023" / "event.json"

TINY = {
    "format": 1,
    "name": "Tiny test event",
    "timezone": "Asia/Hong_Kong",
    "slots": [
        {"id": "s1", "start": "2023-09-13T14:00", "end": "2023-09-13T14:20"},
        {"id": "s2", "start": "2023-09-13T14:25", "end": "2023-09-13T14:45"},
        {"id": "s3", "start": "2023-09-13T14:50", "end": "2023-09-13T15:10"},
    ],
    "tables": ["T1", "T2"],
    "startups": [
        {"id": "a", "name": "Alpha", "field": "fintech"},
        {"id": "b", "name": "Beta", "field": "iot"},
    ],
    "investors": [
        {"id": "x", "name": "Xavier", "interests": {"fintech": 2, "iot": 1}},
        {"id": "y", "name": "Yolanda", "interests": {"iot": 3}},
        {"id": "z", "name": "Zed", "interests": {"fintech": 1}},
    ],
}


@pytest.fixture
def tiny() -> dict:
    """A small valid event as a dict, fresh for each test to change."""
    return copy.deepcopy(TINY)


@pytest.fixture
def write(tmp_path: Path):
    """Write a dict (or text) as a JSON file in the test's folder and return its path."""

    def _write(content: dict | str, name: str = "event.json") -> Path:
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        return path

    return _write


# The browser is one for the whole run (Playwright's sync API allows one at a time), shared by
# the web tests and the security suite.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update",
                 "--disable-sync"]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Keep each phase's report on the test item, so a fixture can see that the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium driven by Playwright, headless (Playwright never downloads one)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly whether the database tests also ran on PostgreSQL: without TEST_DATABASE_URL
    they run on SQLite only, and a green run would otherwise not show it."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        terminalreporter.write_sep(
            "!", "PostgreSQL tests NOT run: TEST_DATABASE_URL is not set, the storage, web, API "
            "and job tests ran on SQLite only (.ci/run sets it)", yellow=True, bold=True)
        return
    ran = {report.nodeid for reports in terminalreporter.stats.values() for report in reports
           if isinstance(report, pytest.TestReport) and "postgresql" in report.keywords}
    where = make_url(url).render_as_string(hide_password=True)
    terminalreporter.write_sep("=", f"PostgreSQL: {len(ran)} tests ran on {where}",
                               green=bool(ran), yellow=not ran, bold=True)
