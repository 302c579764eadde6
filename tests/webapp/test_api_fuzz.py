"""A bounded schemathesis run against /api/openapi.json, served on loopback: no request the
document allows makes the server fail, and every answer matches the document.

It runs the schemathesis command (its pytest plugin does not load under pytest 9)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from flask import Flask

from tests.webapp.conftest import SQLITE_ONLY, owned_event, tiny_event

# Thousands of generated requests: on SQLite only (test_api runs the API on both databases).
pytestmark = SQLITE_ONLY

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance")


def test_api_never_fails(app: Flask, live_server: str, organiser: str, tmp_path: Path) -> None:
    owned_event(app, tiny_event())  # event 1, for the operations to find
    command = [str(Path(sys.executable).with_name("schemathesis")), "run",
               f"{live_server}/api/openapi.json", "--checks", CHECKS, "--max-examples", "25",
               "--seed", "1", "--header", f"Authorization: Bearer {organiser}",
               "--request-timeout", "20", "--generation-database", "none", "--no-color"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=500, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-30000:] + run.stderr[-3000:]
