"""Guessing passwords is throttled per account and per address (429 saying when to try again),
and a login for an unknown address does the same work as for a known one."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest
from flask import Flask

from tests.security.conftest import Visitor
from tests.webapp.conftest import EMAIL, PASSWORD

Visit = Callable[..., Visitor]


@pytest.fixture
def limits(app: Flask) -> None:
    """Small limits, so that a test reaches them quickly."""
    app.config.update(LOGIN_LIMIT_ACCOUNT="5 per 15 minutes", LOGIN_LIMIT_ADDRESS="8 per hour")


def test_an_account_is_locked_after_failed_guesses(limits: None, organiser: str,
                                                   visit: Visit) -> None:
    guesser = visit()
    for n in range(5):
        assert guesser.login(EMAIL, f"guess-{n}").status_code == 200
    refused = guesser.login(EMAIL, PASSWORD)  # even the right password, for now
    assert refused.status_code == 429
    retry = int(refused.headers["Retry-After"])
    assert 0 < retry <= 15 * 60
    assert "Too many failed logins: try again in" in refused.text and "UTC" in refused.text
    # From another address the account is locked too: the limit is the account's.
    elsewhere = visit()
    elsewhere.http.headers["X-Forwarded-For"] = "203.0.113.9"  # not believed: no proxy set
    assert elsewhere.login(EMAIL, PASSWORD).status_code == 429


def test_a_success_is_not_counted(limits: None, organiser: str, visit: Visit) -> None:
    for _ in range(7):
        assert visit().login(EMAIL, PASSWORD).status_code == 302


def test_an_address_is_locked_after_guessing_many_accounts(limits: None, organiser: str,
                                                           visit: Visit) -> None:
    guesser = visit()
    for n in range(8):
        assert guesser.login(f"someone-{n}@example.com", "guess").status_code == 200
    assert guesser.login(EMAIL, PASSWORD).status_code == 429


def test_unknown_addresses_are_throttled_like_known_ones(limits: None, organiser: str,
                                                         visit: Visit) -> None:
    guesser = visit()
    for _ in range(5):
        guesser.login("nobody@example.com", "guess")
    assert guesser.login("nobody@example.com", "guess").status_code == 429


def test_an_unknown_address_checks_a_password_hash_too(organiser: str, visit: Visit,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import web.accounts.views as views

    checked: list[str] = []
    real = views.check_password_hash

    def counting(stored: str, password: str) -> bool:
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(views, "check_password_hash", counting)
    visit().login("nobody@example.com", "guess")
    visit().login(EMAIL, "guess")
    assert len(checked) == 2 and checked[0].split("$")[0] == checked[1].split("$")[0]


def test_unknown_and_known_addresses_answer_in_the_same_time(organiser: str,
                                                             visit: Visit) -> None:
    """Measured in one run, as a ratio: before, 4 ms against 98 ms."""

    def median(email: str) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            visit().login(email, "wrong password")
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    unknown, known = median("nobody@example.com"), median(EMAIL)
    assert unknown / known > 0.4, (unknown, known)
