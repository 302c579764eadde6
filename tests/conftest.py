"""Shared fixtures: a tiny event to vary per test, the sample event, and the browser."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

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
