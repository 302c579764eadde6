"""The timetable at a glance: halls as organisers write them, the grid by hall, the spread of
meetings and one person's agenda found by name."""

from __future__ import annotations

import gc

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import ValidationError

from matcher.model.event import Event
from tests.webapp.conftest import EMAIL, AuthActions, generate, owned_event, tiny_event
from web.cache import collector_paused, instance_of
from web.events.halls import parse, text_of
from web.schedules.layout import Layout


def test_halls_are_read_as_written_and_written_back() -> None:
    tables = [f"T{n:02d}" for n in range(1, 11)]
    halls, problems = parse("Hall A: T01-T04, T09\n\nHall B: T05 - T08", tables)
    assert problems == []
    assert halls == [{"id": "hall-a", "name": "Hall A", "tables": ["T01", "T02", "T03", "T04", "T09"]},
                     {"id": "hall-b", "name": "Hall B", "tables": ["T05", "T06", "T07", "T08"]}]
    assert text_of(halls, tables) == "Hall A: T01-T04, T09\nHall B: T05-T08"


def test_wrong_halls_name_their_line() -> None:
    _, problems = parse("Hall A T01\nHall B: T99\nHall C:", ["T01"])
    assert [p.split(":")[0] for p in problems] == ["Line 1", "Line 2", "Line 3"]
    assert "T99" in problems[1]


def test_a_table_in_two_halls_is_refused_by_name() -> None:
    data = tiny_event().model_dump(mode="json")
    table = data["tables"][0]
    data["halls"] = [{"id": "a", "tables": [table]}, {"id": "b", "tables": [table]}]
    with pytest.raises(ValidationError, match=f"{table} is in two halls, a and b"):
        Event.model_validate(data)


def test_the_grid_shows_one_hall_and_the_spread(client: FlaskClient, auth: AuthActions,
                                                app: Flask, organiser: str) -> None:
    event = tiny_event()
    first, rest = event.tables[:1], event.tables[1:]
    halls = [{"id": "north", "name": "North", "tables": list(first)},
             {"id": "south", "name": "South", "tables": list(rest)}]
    event_id = owned_event(app, Event.model_validate(event.model_dump(mode="json")
                                                     | {"halls": halls}), EMAIL)
    auth.login()
    version = generate(client, app, event_id)
    meetings = version.schedule["meetings"]
    page = client.get(f"/events/{event_id}/schedule?hall=south").get_data(as_text=True)
    assert 'aria-current="page">South' in page and "Meetings per participant" in page
    assert page.count('class="meeting') == sum(m["table"] in rest for m in meetings)
    north = client.get(f"/events/{event_id}/schedule").get_data(as_text=True)
    assert north.count('class="meeting') == sum(m["table"] in first for m in meetings)


def test_one_agenda_is_found_by_part_of_a_name(client: FlaskClient, auth: AuthActions,
                                               app: Flask, event_id: int) -> None:
    auth.login()
    generate(client, app, event_id)
    name = tiny_event().startups[0].name
    page = client.get(f"/events/{event_id}/agendas?find={name[2:].upper()}").get_data(
        as_text=True)
    assert page.count('class="agenda page"') == 1 and name in page
    nobody = client.get(f"/events/{event_id}/agendas?find=zzqq").get_data(as_text=True)
    assert "Nobody of this event is called that." in nobody


def test_a_large_hall_is_shown_twenty_tables_at_a_time() -> None:
    data = tiny_event().model_dump(mode="json")
    data["tables"] = [f"T{n:02d}" for n in range(1, 51)]
    data["halls"] = [{"id": "a", "name": "Hall A", "tables": data["tables"][:45]}]
    laid = Layout(Event.model_validate(data), {"meetings": [], "score": 0, "bound": 0,
                                               "breaks": 0, "table_changes": 0, "seconds": 0,
                                               "status": "optimal"})
    assert [(h.key, h.hall, h.span) for h in laid.halls] == [
        ("a-1", "a", "T01–T20"), ("a-2", "a", "T21–T40"), ("a-3", "a", "T41–T45"),
        ("other", "other", "T46–T50")]
    assert [h.key for h in laid.named_halls] == ["a-1", "other"]


def test_equal_events_share_one_instance_and_a_changed_event_gets_its_own(app: Flask) -> None:
    event = tiny_event()
    data = event.model_dump(mode="json")
    data["startups"][0]["unavailable"] = [data["slots"][0]["id"]]
    changed = Event.model_validate(data)
    with app.app_context():
        first = instance_of(event)
        assert instance_of(Event.model_validate(event.model_dump(mode="json"))) is first
        other = instance_of(changed)
        assert other is not first
        startup = data["startups"][0]["id"]
        assert 0 in first.free[startup] and 0 not in other.free[startup]


def test_the_collector_is_paused_only_while_a_result_is_built() -> None:
    during = []
    with collector_paused():
        during.append(gc.isenabled())
    assert during == [False] and gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a failed build")
    assert gc.isenabled()
    gc.disable()  # paused by someone else: left as it was
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
