"""A run of the tests says on its last lines whether PostgreSQL was tested: without
TEST_DATABASE_URL the storage tests run on SQLite only, and a green run must not hide that."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
A_TEST = "tests/test_breaks.py::test_total_breaks_counts_both_sides"


def run_tests(database_url: str | None) -> str:
    """The output of pytest running one quick test, with this TEST_DATABASE_URL (or none)."""
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    if database_url is not None:
        env["TEST_DATABASE_URL"] = database_url
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           A_TEST], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_a_run_without_postgresql_says_so() -> None:
    out = run_tests(None)
    assert "PostgreSQL tests NOT run: TEST_DATABASE_URL is not set" in out


def test_a_run_with_postgresql_counts_its_tests_and_hides_the_password() -> None:
    out = run_tests("postgresql://matcher:secret@127.0.0.1:5432/matcher_x")
    assert "PostgreSQL: 0 tests ran on postgresql://matcher:***@127.0.0.1:5432/matcher_x" in out
    assert "secret" not in out and "NOT run" not in out
