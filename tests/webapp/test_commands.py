"""The commands: schema, sample event, demo organiser, `matcher create-organiser`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from matcher.cli import main
from tests.webapp.conftest import tiny_event
from web.commands import SAMPLE_ORGANISER
from web.config import Config
from web.db import new_session
from web.db.models import EventRow, ScheduleVersion


def test_init_db_is_repeatable(runner: FlaskCliRunner) -> None:
    assert "database ready" in runner.invoke(args=["init-db"]).output
    assert runner.invoke(args=["init-db"]).exit_code == 0


def test_load_sample_once_with_a_published_schedule(app: Flask, runner: FlaskCliRunner,
                                                     client: FlaskClient, tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text(tiny_event(2).model_dump_json())
    result = runner.invoke(args=["load-sample", str(path), "--time-limit", "2"])
    assert "published as version 1" in result.output, result.output
    assert "already loaded" in runner.invoke(args=["load-sample", str(path)]).output
    assert "Generated tiny event, seed 2" not in client.get("/").get_data(as_text=True)
    # As `make run` does: the demo organiser owns the sample event.
    email, password = demo_login(runner)
    client.post("/login", data={"email": email, "password": password})
    assert "Generated tiny event, seed 2" in client.get("/").get_data(as_text=True)
    with new_session(app) as session:  # so that invitations can be tried at once
        row = session.scalars(select(EventRow)).one()
        assert row.organiser_email == SAMPLE_ORGANISER[0]
        # The sample's answers count as given; the page says so in words, not commands.
        answered = sum(p.answered_at is not None for p in row.participants)
        total, event_id = len(row.participants), row.id
    assert 0 < answered <= total
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert f"{answered} of {total} participants have answered" in page
    page = client.get(f"/events/{event_id}/schedule").get_data(as_text=True)
    assert "generated when the sample was loaded" in page and "load-sample" not in page


def demo_login(runner: FlaskCliRunner) -> tuple[str, str]:
    """Run `demo-organiser`; the e-mail and password it prints."""
    output = runner.invoke(args=["demo-organiser"]).output
    email, password = output.split(": ", 1)[1].strip().split(" / ")
    return email, password


def test_demo_organiser_login_works(runner: FlaskCliRunner, client: FlaskClient) -> None:
    for _ in range(2):  # a second run gives a new password
        email, password = demo_login(runner)
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302
        client.post("/logout")


@pytest.mark.parametrize(("password", "code", "message"), [
    ("long enough password\n", 0, "organiser boss@example.com created"),
    ("short\n", 2, "at least 8 characters"),
])
def test_matcher_create_organiser(app: Flask, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str], password: str, code: int,
                                  message: str) -> None:
    monkeypatch.setattr(Config, "DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setattr(Config, "SECRET_KEY", "test-secret")
    monkeypatch.setattr("sys.stdin", io.StringIO(password))
    assert main(["create-organiser", "boss@example.com", "--password-stdin"]) == code
    out = capsys.readouterr()
    assert message in out.out + out.err
    if code == 0:
        login = app.test_client().post("/login", data={"email": "boss@example.com",
                                                       "password": password.strip()})
        assert login.status_code == 302


def test_load_sample_never_stores_a_schedule_that_breaks_a_rule(
        app: Flask, runner: FlaskCliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from matcher.solve.solver import solve
    from tests.test_cli import with_a_meeting_twice
    from web import commands

    monkeypatch.setattr(commands, "solve", lambda *a, **k: with_a_meeting_twice(solve(*a, **k)))
    path = tmp_path / "event.json"
    path.write_text(tiny_event(2).model_dump_json())
    result = runner.invoke(args=["load-sample", str(path), "--time-limit", "2"])
    assert result.exit_code != 0 and "meet more than once" in result.output
    with new_session(app) as session:
        assert session.scalars(select(ScheduleVersion)).first() is None
