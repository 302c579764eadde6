"""Hostile input found by fuzzing the served app: each gets a clear refusal (4xx naming the
field), never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from matcher.model.files import BadFile, load_event
from tests.security.conftest import Visitor, World
from tests.webapp.conftest import DATABASES, EMAIL, owned_event, tiny_event
from tests.webapp.test_views import event_form
from web.db import new_session
from web.db.models import ImportDraft

Visit = Callable[..., Visitor]
# Names the zone database cannot open as a file: a folder of it, and a name too long for a file.
ZONES = ["America", "Europe", "x" * 300]


@pytest.mark.parametrize("zone", ZONES)
def test_a_time_zone_that_is_no_zone_file_is_refused_at_every_entrance(
        world: World, visit: Visit, zone: str) -> None:
    web, api = visit(), visit(token=world.tokens[EMAIL])
    web.login(EMAIL)
    for path in ("/events/new", f"/events/{world.event_id}/edit"):
        r = web.post(path, data=event_form(timezone=zone))
        assert r.status_code in (200, 422) and "is not a time zone" in r.text, path
    r = api.post("/api/events", json=tiny_event().model_dump(mode="json") | {"timezone": zone})
    assert r.status_code == 422 and "is not a time zone" in str(r.json()["problems"])


@pytest.mark.parametrize("db_url", DATABASES, indirect=True)
def test_a_login_with_a_nul_in_its_address_is_refused(organiser: str, visit: Visit) -> None:
    # PostgreSQL cannot compare text holding a NUL: looked up, it answered 500.
    r = visit().login("org\x00@example.com")
    assert r.status_code == 200 and "control character U+0000" in r.text
    assert visit().login(EMAIL).status_code == 302


@pytest.mark.parametrize("db_url", DATABASES, indirect=True)
@pytest.mark.parametrize("filename", ["s" * 300 + ".csv", "st\x00artups.csv"])
def test_an_upload_named_beyond_what_a_draft_keeps_is_previewed(
        app: Flask, organiser: str, visit: Visit, filename: str) -> None:
    event_id = owned_event(app, tiny_event())
    web = visit()
    web.login(EMAIL)
    upload = "id,name,field\nst-new,New One,fintech\n"
    r = web.post(f"/events/{event_id}/import", data={"kind": "startup"},
                 files={"file": (filename, upload)})
    assert r.status_code == 200 and "New One" in r.text
    with new_session(app) as session:
        kept = session.scalars(select(ImportDraft.filename)).one()
    assert len(kept) <= 255 and kept.endswith(".csv") and "\x00" not in kept


@pytest.mark.parametrize("key", ["id", "language", "name"])
def test_half_a_character_in_an_api_body_is_refused(world: World, visit: Visit,
                                                     key: str) -> None:
    # JSON may escape half of a surrogate pair; the validation error naming it answered 500.
    api = visit(token=world.tokens[EMAIL])
    person = {"kind": "investor", "id": "inv-new", "name": "New"} | {key: "\\ud800"}
    body = json.dumps(person).replace("\\\\ud800", "\\ud800")
    r = api.post(f"/api/events/{world.event_id}/participants", data=body,
                 headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "lone surrogate" in r.json()["error"]
    event = tiny_event().model_dump_json().replace('"Generated', '"\\udfff Generated', 1)
    r = api.post("/api/events", data=event, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "lone surrogate" in r.json()["error"]


def test_half_a_character_in_an_event_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text(tiny_event().model_dump_json().replace('"st-001"', '"st-\\ud800"', 1))
    with pytest.raises(BadFile, match="lone surrogate"):
        load_event(path)


@pytest.mark.parametrize("db_url", DATABASES, indirect=True)
def test_numbers_no_row_can_have_answer_404_on_every_route(app: Flask, world: World,
                                                          visit: Visit) -> None:
    # Version numbers and draft ids beyond 32 bits reached PostgreSQL, which refused them: 500.
    web, api = visit(), visit(token=world.tokens[EMAIL])
    web.login(EMAIL)
    huge = 2**31
    tried = 0
    for rule in app.url_map.iter_rules():
        if "event_id" not in rule.arguments or rule.arguments == {"event_id"}:
            continue
        path = rule.rule.replace("<int:event_id>", str(world.event_id))
        for name in rule.arguments - {"event_id"}:
            path = path.replace(f"<int:{name}>", str(huge)).replace(f"<{name}>", "csv")
        visitor = api if path.startswith("/api/") else web
        for method in {"GET", "POST"} & rule.methods:
            r = visitor.get(path) if method == "GET" else visitor.post(path, data={})
            assert r.status_code in (302, 404), (method, path, r.status_code)
            tried += 1
    for path in ("schedule", "agendas", f"versions/{world.number}/changes"):
        for key in ("version", "against"):
            r = web.get(f"/events/{world.event_id}/{path}", params={key: huge})
            assert r.status_code in (200, 404), (path, key, r.status_code)
    r = api.get(f"/api/events/{world.event_id}/schedule", params={"version": huge})
    assert r.status_code == 404
    assert tried > 20


def test_the_desk_search_is_bounded(world: World, visit: Visit) -> None:
    # The desk repeats its search in the address it goes back to: unbounded, a 100,000-letter
    # search made a Location header longer than clients and proxies read.
    web = visit()
    web.login(EMAIL)
    desk = f"/events/{world.event_id}/checkin"
    r = web.post(f"{desk}/{world.participant_id}", data={"status": "arrived", "q": "x" * 100_000})
    assert r.status_code == 302 and len(r.headers["Location"]) < 1000
    assert web.get(desk, params={"q": "y" * 100_000}).text.count("y" * 201) == 0
