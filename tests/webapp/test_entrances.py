"""One definition of the data at every entrance: the same bad participant, given through the
event file (command line, API, `flask load-sample`), the API's participant endpoint, the
participant page, a CSV file and an Excel file, is refused everywhere with the same sentence,
the one matcher's `Event` gives, and nothing of it is stored."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from markupsafe import escape
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError
from pydantic import ValidationError
from sqlalchemy import func, select

from matcher.cli import main
from matcher.model.event import Event
from matcher.model.messages import sentence
from tests.webapp.conftest import AuthActions, event_row, tiny_event
from web.db import new_session
from web.db.models import EventRow
from web.events.roster import COLUMNS

# (kind, the participant as given): each breaks one rule.
BAD: list[tuple[str, dict[str, Any]]] = [
    ("startup", {"id": "st-z", "name": "Zed", "field": "fintech", "min_meetings": 5,
                 "max_meetings": 2}),
    ("startup", {"id": "st-z", "name": "Zed", "field": "cooking"}),
    ("startup", {"id": "inv-001", "name": "Zed", "field": "fintech"}),
    ("startup", {"id": "st z", "name": "Zed", "field": "fintech"}),
    ("startup", {"id": "st-z", "name": "Zed\r\nLtd", "field": "fintech"}),
    ("startup", {"id": "st-z", "name": "Zed\u2028Ltd", "field": "fintech"}),
    ("startup", {"id": "st-z", "name": "Z" * 501, "field": "fintech"}),
    ("startup", {"id": "st-z", "name": "Zed", "field": "fintech", "description": "Bold\x1b[1m"}),
    ("startup", {"id": "st-z", "name": "Zed", "field": "fintech", "email": "zed at example"}),
    ("startup", {"id": "st-z", "name": "Zed", "field": "fintech", "email": "zed@exa\x00mple.com"}),
    ("investor", {"id": "inv-z", "name": "Zoe", "organisation": "Fund\x00 Ltd"}),
    ("investor", {"id": "inv-z", "name": "Zoe\x85Li"}),
    ("investor", {"id": "inv-z", "name": "Zoe", "max_meetings": -1}),
    ("investor", {"id": "st-001", "name": "Zoe"}),
]


def expected(kind: str, values: dict[str, Any]) -> str:
    """The sentence matcher's Event refuses the participant with."""
    data = tiny_event().model_dump(mode="json")
    data[f"{kind}s"].append(values)
    with pytest.raises(ValidationError) as caught:
        Event.model_validate(data)
    return sentence(caught.value.errors()[0])


def event_file(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """The tiny event's file with the participant added."""
    data = tiny_event().model_dump(mode="json")
    data[f"{kind}s"].append(values)
    return data


def cells(kind: str, values: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """The participant as a spreadsheet row: header and cells."""
    header = [c for c in COLUMNS[kind] if c in values]
    return header, [values[c] for c in header]


def upload(client: FlaskClient, kind: str, name: str, data: bytes) -> str:
    """The import preview of a file."""
    return client.post("/events/1/import", data={"kind": kind, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data").get_data(as_text=True)


def by_cli(kind: str, values: dict[str, Any], client: FlaskClient, runner: FlaskCliRunner,
           tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event_file(kind, values)))
    assert main(["solve", str(path), "--out", str(tmp_path / "out.json")]) == 2
    return capsys.readouterr().err


def by_load_sample(kind: str, values: dict[str, Any], client: FlaskClient,
                   runner: FlaskCliRunner, tmp_path: Path, capsys: pytest.CaptureFixture[str]
                   ) -> str:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event_file(kind, values)))
    result = runner.invoke(args=["load-sample", str(path)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    return result.output


def by_api_event(kind: str, values: dict[str, Any], client: FlaskClient,
                 runner: FlaskCliRunner, tmp_path: Path, capsys: pytest.CaptureFixture[str]
                 ) -> str:
    response = client.post("/api/events", json=event_file(kind, values), headers=HEADERS)
    assert response.status_code == 422
    return "\n".join(response.get_json()["problems"])


def by_api_participant(kind: str, values: dict[str, Any], client: FlaskClient,
                       runner: FlaskCliRunner, tmp_path: Path,
                       capsys: pytest.CaptureFixture[str]) -> str:
    response = client.post("/api/events/1/participants", json={"kind": kind, **values},
                           headers=HEADERS)
    assert response.status_code in (409, 422)
    return "\n".join(response.get_json()["problems"])


def by_form(kind: str, values: dict[str, Any], client: FlaskClient, runner: FlaskCliRunner,
            tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    response = client.post("/events/1/participants/new", data={"kind": kind, **values})
    assert response.status_code == 422
    return response.get_data(as_text=True)


def by_csv(kind: str, values: dict[str, Any], client: FlaskClient, runner: FlaskCliRunner,
           tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(cells(kind, values))
    return upload(client, kind, "people.csv", out.getvalue().encode())


def by_xlsx(kind: str, values: dict[str, Any], client: FlaskClient, runner: FlaskCliRunner,
            tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str | None:
    book = Workbook()
    try:
        for row in cells(kind, values):
            book.active.append(row)
    except IllegalCharacterError:  # XML, so a workbook, cannot hold C0 control characters
        return None
    data = io.BytesIO()
    book.save(data)
    return upload(client, kind, "people.xlsx", data.getvalue())


ENTRANCES: dict[str, Callable[..., str | None]] = {
    "matcher solve": by_cli, "flask load-sample": by_load_sample, "API event": by_api_event,
    "API participant": by_api_participant, "participant page": by_form, "CSV": by_csv,
    "Excel": by_xlsx}
PAGES = {"participant page", "CSV", "Excel"}
HEADERS: dict[str, str] = {}


@pytest.mark.parametrize(("kind", "values"), BAD, ids=[str(v) for _, v in BAD])
def test_every_entrance_refuses_the_same_way(app: Flask, client: FlaskClient,
                                             runner: FlaskCliRunner, auth: AuthActions,
                                             organiser: str, event_id: int, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str], kind: str,
                                             values: dict[str, Any]) -> None:
    auth.login()
    HEADERS["Authorization"] = f"Bearer {organiser}"
    message = expected(kind, values)
    before = [p.code for p in event_row(app, event_id).participants]
    for name, entrance in ENTRANCES.items():
        said = entrance(kind, values, client, runner, tmp_path, capsys)
        if said is None:
            continue
        assert str(escape(message) if name in PAGES else message) in said, (name, message, said)
    assert [p.code for p in event_row(app, event_id).participants] == before
    with new_session(app) as session:
        assert session.scalar(select(func.count(EventRow.id))) == 1
