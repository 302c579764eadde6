"""Hosting: the health check of load balancers, `matcher serve` under gunicorn with settings
from options and the environment, and `matcher worker`'s refusal without PostgreSQL."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from matcher.cli import main
from tests.webapp.conftest import SQLITE_ONLY, make_app
from web.db import engine
from web.db.schema import head
from web.serve import Server, settings

ROOT = Path(__file__).resolve().parents[2]


def test_health_answers_ok_when_the_database_works(client: FlaskClient) -> None:
    response = client.get("/health")
    assert (response.status_code, response.json) == (200, {"status": "ok"})
    assert response.headers["Cache-Control"] == "no-store"


def test_health_answers_503_when_the_schema_is_behind(app: Flask, client: FlaskClient) -> None:
    with engine(app).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        response = client.get("/health")
    finally:  # the PostgreSQL schema is shared by the tests that follow
        with engine(app).begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"),
                               {"head": head()})
    assert response.status_code == 503
    assert "init-db" in response.json["reason"] and response.json["status"] == "unavailable"


def test_health_answers_503_when_the_database_is_gone(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'test.sqlite'}")
    (tmp_path / "test.sqlite").unlink()
    (tmp_path / "test.sqlite").mkdir()  # the file cannot even be opened again
    engine(app).dispose()
    try:
        response = app.test_client().get("/health")
    finally:
        app.extensions["queue"].close()
        engine(app).dispose()
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "reason": "the database does not answer"}


@SQLITE_ONLY
def test_health_behind_the_host_rules_and_https(db_url: str) -> None:
    """A load balancer probes a web process by its address over plain http: it is answered
    when that address is a trusted host (or the probe sends the site's name), never redirected."""
    app = make_app(db_url, TRUSTED_HOSTS=["matcher.example.org", "10.0.0.7"], FORCE_HTTPS=True)
    try:
        client = app.test_client()
        for host in ("matcher.example.org", "10.0.0.7:8000"):
            response = client.get("/health", headers={"Host": host})
            assert (response.status_code, response.json) == (200, {"status": "ok"}), host
        stranger = client.get("/health", headers={"Host": "10.0.0.8:8000"})
        assert stranger.status_code == 400
        assert client.get("/login", headers={"Host": "10.0.0.7"}).status_code == 302  # to https
    finally:
        app.extensions["queue"].close()
        engine(app).dispose()


def test_serve_settings_come_from_options_then_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHER_BIND", "0.0.0.0:9000")
    monkeypatch.setenv("MATCHER_WEB_WORKERS", "3")
    monkeypatch.delenv("MATCHER_WEB_THREADS", raising=False)
    assert (settings(None, None, None)["bind"], settings(None, None, None)["workers"]) == (
        ["0.0.0.0:9000"], 3)
    chosen = settings("127.0.0.1:8123", 5, 2)
    assert (chosen["bind"], chosen["workers"], chosen["threads"]) == (["127.0.0.1:8123"], 5, 2)
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--forwarded-allow-ips=10.0.0.1 --timeout 90")
    server = Server(settings(None, None, None))
    assert server.cfg.forwarded_allow_ips == ["10.0.0.1"] and server.cfg.timeout == 90
    assert server.cfg.workers == 3 and server.cfg.worker_class_str == "gthread"
    monkeypatch.setenv("MATCHER_WEB_WORKERS", "many")
    with pytest.raises(SystemExit, match="MATCHER_WEB_WORKERS must be a whole number"):
        settings(None, None, None)


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@SQLITE_ONLY
def test_matcher_serve_serves_the_app(db_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": "test", "MATCHER_INSTANCE":
           str(tmp_path)}
    server = subprocess.Popen([sys.executable, "-m", "matcher.cli", "serve", "--bind",
                               f"127.0.0.1:{port}", "--workers", "2"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline, answer = time.monotonic() + 30, None
        while answer is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
                    answer = (r.status, r.read())
            except OSError:
                time.sleep(0.2)
        assert answer == (200, b'{"status":"ok"}\n')
        # A proxy reuses an idle connection seconds later; it must still be open.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            for pause in (0, 5):
                time.sleep(pause)
                connection.request("GET", "/health")
                reply = connection.getresponse()
                assert (reply.status, reply.read()) == (200, b'{"status":"ok"}\n')
        finally:
            connection.close()
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert server.returncode == 0
    assert b"Booting worker" in errors and errors.count(b"Worker exiting") == 2


@SQLITE_ONLY
def test_matcher_worker_needs_postgresql(monkeypatch: pytest.MonkeyPatch, db_url: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from web.config import Config

    monkeypatch.setattr(Config, "DATABASE_URL", db_url)
    monkeypatch.setattr(Config, "JOB_QUEUE", None)
    assert main(["worker"]) == 2
    assert "runs the jobs queued in a PostgreSQL database" in capsys.readouterr().err
