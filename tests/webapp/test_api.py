"""The JSON API and its OpenAPI document."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher.model.event import MAX_FIELDS, MAX_TABLES
from matcher.model.schedule import Schedule
from tests.webapp.conftest import tiny_event, wait_for_job


@pytest.fixture
def headers(organiser: str) -> dict[str, str]:
    """The organiser's bearer token."""
    return {"Authorization": f"Bearer {organiser}"}


@pytest.mark.parametrize("auth", [None, "Bearer wrong", "Basic abc", "Bearer "])
def test_api_needs_a_token(client: FlaskClient, organiser: str, auth: str | None) -> None:
    response = client.get("/api/events", headers={"Authorization": auth} if auth else {})
    assert response.status_code == 401
    assert "API token" in response.get_json()["error"]


def test_openapi_is_public(client: FlaskClient) -> None:
    assert client.get("/api/openapi.json").get_json()["openapi"] == "3.1.0"


def test_create_event_list_and_read_back(client: FlaskClient, headers: dict[str, str]) -> None:
    event = tiny_event(4)
    response = client.post("/api/events", json=event.model_dump(mode="json"), headers=headers)
    assert response.status_code == 201
    created = response.get_json()
    assert (created["startups"], created["investors"], created["slots"]) == (4, 8, 6)
    assert [e["id"] for e in client.get("/api/events", headers=headers).get_json()] == [
        created["id"]]
    back = client.get(f"/api/events/{created['id']}", headers=headers).get_json()
    assert type(event).model_validate(back) == event


@pytest.mark.parametrize(("body", "problem"), [
    ({}, "format: This is required."),
    ({"format": 1, "name": "x", "timezone": "Nowhere/Land", "slots": [], "tables": ["T1"]},
     "timezone: Nowhere/Land is not a time zone"),
])
def test_invalid_event_is_422_with_problems(client: FlaskClient, headers: dict[str, str],
                                            body: dict, problem: str) -> None:
    response = client.post("/api/events", json=body, headers=headers)
    assert response.status_code == 422
    assert any(problem in p for p in response.get_json()["problems"])


def test_not_json_is_400(client: FlaskClient, headers: dict[str, str]) -> None:
    response = client.post("/api/events", data="{nope", headers=headers,
                           content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(("body", "status", "error"), [
    ("[" * 100_000 + "]" * 100_000, 400, "nested too deeply"),
    ('{"a":' * 50_000 + "1" + "}" * 50_000, 400, "nested too deeply"),
    ('{"name": "' + "x" * (6 * 2**20) + '"}', 413, "larger than 5 MB"),
])
def test_malformed_or_oversized_bodies_are_refused_not_failed(
        client: FlaskClient, headers: dict[str, str], event_id: int, body: str, status: int,
        error: str) -> None:
    for url in ("/api/events", f"/api/events/{event_id}/participants"):
        response = client.post(url, data=body, headers=headers, content_type="application/json")
        assert response.status_code == status and error in response.get_json()["error"]


@pytest.mark.parametrize(("key", "count", "problem"), [
    ("tables", MAX_TABLES + 1, f"tables: Give at most {MAX_TABLES} of these."),
    ("fields", MAX_FIELDS + 1, f"fields: Give at most {MAX_FIELDS} of these."),
])
def test_the_api_has_the_forms_limits(client: FlaskClient, headers: dict[str, str], key: str,
                                      count: int, problem: str) -> None:
    event = tiny_event(4).model_dump(mode="json") | {key: [f"x{n}" for n in range(count)]}
    response = client.post("/api/events", json=event, headers=headers)
    assert response.status_code == 422 and problem in response.get_json()["problems"]


def test_participants(client: FlaskClient, headers: dict[str, str], event_id: int) -> None:
    url = f"/api/events/{event_id}/participants"
    people = client.get(url, headers=headers).get_json()
    assert len(people) == 12 and all("/p/" in p["link"] for p in people)
    body = {"kind": "investor", "id": "inv-new", "name": "New Fund", "max_meetings": 2}
    assert client.post(url, json=body, headers=headers).status_code == 201
    assert client.post(url, json=body | {"name": "Renamed"}, headers=headers).status_code == 200
    clash = client.post(url, json=body | {"kind": "startup", "field": "iot"}, headers=headers)
    assert clash.status_code == 409
    bad = client.post(url, json={"kind": "startup", "id": "st-x", "name": "X",
                                 "field": "cooking"}, headers=headers)
    assert bad.status_code == 422 and "not one of the event's fields" in bad.get_json()[
        "problems"][0]
    assert client.get("/api/events/999/participants", headers=headers).status_code == 404


def test_solve_job_and_schedule(client: FlaskClient, app: Flask, headers: dict[str, str],
                                event_id: int) -> None:
    url = f"/api/events/{event_id}"
    assert client.get(f"{url}/schedule", headers=headers).status_code == 404
    too_long = client.post(f"{url}/solve-jobs", json={"time_limit": 60}, headers=headers)
    assert too_long.status_code == 422
    response = client.post(f"{url}/solve-jobs", json={"time_limit": 2}, headers=headers)
    assert response.status_code == 202
    job = response.get_json()
    assert job["status"] in ("queued", "running", "done")
    wait_for_job(app, job["id"])
    done = client.get(f"{url}/solve-jobs/{job['id']}", headers=headers).get_json()
    assert done["status"] == "done" and done["version"] == 1
    assert client.post(f"{url}/solve-jobs/{job['id']}/stop", headers=headers).status_code == 200
    latest = client.get(f"{url}/schedule", headers=headers).get_json()
    assert latest["version"] == 1 and latest["published_at"] is None
    assert Schedule.model_validate(latest["schedule"]).score == done["score"]
    assert client.get(f"{url}/schedule?published=true", headers=headers).status_code == 404
    assert client.get(f"{url}/schedule?version=7", headers=headers).status_code == 404


def test_openapi_lists_exactly_the_api_routes(app: Flask, client: FlaskClient) -> None:
    import re

    document = client.get("/api/openapi.json").get_json()
    documented = {(path, method.upper()) for path, ops in document["paths"].items()
                  for method in ops}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint != "api.openapi":
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            served |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == served
