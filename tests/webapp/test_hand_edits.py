"""Hand edits on a full day: every table taken in every slot, so no meeting can move to a free
place; the move page says so and offers the swaps that keep every rule, a swap is one step, and
every refusal names people and times."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher.model.check import violations
from matcher.model.event import Event
from matcher.model.instance import Instance
from matcher.model.schedule import Meeting, Schedule
from tests.webapp.conftest import AuthActions, event_row, owned_event
from web.db import new_session
from web.db.models import EventRow
from web.events.store import add_version, event_of, latest_version, schedule_of
from web.schedules.editing import Board, rescored

STARTUPS, SLOTS = 4, 4  # and as many tables as startups: every table taken in every slot


def full_event() -> Event:
    """Four startups at four tables for four slots; each meeting with an investor of its own."""
    return Event.model_validate({
        "format": 1, "name": "Full day", "timezone": "Asia/Hong_Kong", "fields": ["fintech"],
        "slots": [{"id": f"s{t + 1}", "start": f"2031-05-20T{14 + t}:00",
                   "end": f"2031-05-20T{14 + t}:20"} for t in range(SLOTS)],
        "tables": [f"T{k + 1}" for k in range(STARTUPS)],
        "startups": [{"id": f"st{s}", "name": f"Startup {s}", "field": "fintech"}
                     for s in range(STARTUPS)],
        "investors": [{"id": f"in{n}", "name": f"Investor {n}", "interests": {"fintech": 1}}
                      for n in range(STARTUPS * SLOTS)]})


def full_schedule(event: Event) -> Schedule:
    """Startup s at table T(s+1) all day, meeting investor 4t+s in slot t."""
    inst = Instance(event)
    meetings = [Meeting(startup=f"st{s}", investor=f"in{SLOTS * t + s}", slot=f"s{t + 1}",
                        table=f"T{s + 1}", score=1, uid=f"u{t}-{s}@test", sequence=0)
                for t in range(SLOTS) for s in range(STARTUPS)]
    empty = Schedule(status="optimal", score=0, bound=len(meetings), breaks=0, table_changes=0,
                     meetings=(), seconds=0.0)
    return rescored(inst, empty, meetings)


@pytest.fixture
def full_day(app: Flask, client: FlaskClient, auth: AuthActions) -> int:
    """A stored full day with its timetable as version 1, the organiser logged in."""
    event = full_event()
    event_id = owned_event(app, event)
    with new_session(app) as session:
        add_version(session, event_id, full_schedule(event), event, "generated")
    auth.login()
    return event_id


def move_page(client: FlaskClient, event_id: int, startup: str, investor: str) -> str:
    return client.get(f"/events/{event_id}/move", query_string={
        "startup": startup, "investor": investor}).get_data(as_text=True)


def test_a_full_day_offers_swaps_not_moves(client: FlaskClient, full_day: int) -> None:
    page = move_page(client, full_day, "st0", "in0")
    assert "Move the meeting of Startup 0 with Investor 0" in page
    assert "Now at 14:00–14:20, table T1." in page
    assert "None: whenever both are free, every table is taken." in page
    # The swaps that keep every rule: the startup's other meetings, and the tables of its slot.
    offered = page.split('id="swaps"', 1)[1]
    for other in ("Startup 0 with Investor 4", "Startup 0 with Investor 8",
                  "Startup 0 with Investor 12"):
        assert other in offered
    assert "Same time, table T2: Startup 1 with Investor 1 (the two swap tables)" in offered
    assert "Startup 1 with Investor 5" not in offered  # Startup 0 is busy at 15:00
    assert offered.count('name="with_startup"') == 6  # 3 of its own, 3 tables; not itself


def test_the_offers_are_what_the_rules_allow(app: Flask, full_day: int) -> None:
    """Every swap offered passes the rule checker, and every other one fails it."""
    from web.schedules.editing import swapped

    event = event_of(event_row(app, full_day))
    inst, schedule = Instance(event), full_schedule(event)
    one = schedule.meetings[0]
    offered = set(Board(inst, schedule).swaps(one, set()))
    for other in schedule.meetings[1:]:
        after = swapped(inst, schedule, (one.startup, one.investor),
                        (other.startup, other.investor))
        assert (violations(inst, after) == []) == (other in offered), other


def test_a_swap_is_one_step(client: FlaskClient, app: Flask, full_day: int) -> None:
    response = client.post(f"/events/{full_day}/swap", data={
        "startup": "st0", "investor": "in0", "with_startup": "st0", "with_investor": "in4"},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert ("Swapped: Startup 0 with Investor 0 is now at 15:00–15:20, table T1, Startup 0 with "
            "Investor 4 at 14:00–14:20, table T1.") in page
    with new_session(app) as session:
        latest = latest_version(session, full_day)
        assert latest is not None and latest.number == 2 and latest.origin == "edited"
        schedule = schedule_of(latest)
    at = {(m.startup, m.investor): (m.slot, m.table, m.sequence) for m in schedule.meetings}
    assert at["st0", "in0"] == ("s2", "T1", 1) and at["st0", "in4"] == ("s1", "T1", 1)
    assert violations(Instance(event_of(event_row(app, full_day))), schedule) == []
    assert "Swapped by hand: Startup 0 with Investor 0 to 15:00–15:20, table T1" in \
        client.get(f"/events/{full_day}/schedule").get_data(as_text=True)


def test_tables_swap_in_one_step(client: FlaskClient, app: Flask, full_day: int) -> None:
    client.post(f"/events/{full_day}/swap", data={
        "startup": "st0", "investor": "in0", "with_startup": "st1", "with_investor": "in1"})
    with new_session(app) as session:
        schedule = schedule_of(latest_version(session, full_day))  # type: ignore[arg-type]
    at = {(m.startup, m.investor): (m.slot, m.table) for m in schedule.meetings}
    assert at["st0", "in0"] == ("s1", "T2") and at["st1", "in1"] == ("s1", "T1")


@pytest.mark.parametrize(("url", "form", "said"), [
    ("move", {"slot": "s2", "table": "T2"}, "Table T2 already has a meeting at 15:00–15:20."),
    ("move", {"slot": "s2", "table": "T2"}, "Startup 0 would have two meetings at 15:00–15:20."),
    ("swap", {"with_startup": "st1", "with_investor": "in5"},
     "Startup 0 would have two meetings at 15:00–15:20."),
    ("swap", {"with_startup": "st1", "with_investor": "in5"},
     "Startup 1 would have two meetings at 14:00–14:20."),
])
def test_refusals_name_people_and_times(client: FlaskClient, app: Flask, full_day: int, url: str,
                                        form: dict[str, str], said: str) -> None:
    response = client.post(f"/events/{full_day}/{url}",
                           data={"startup": "st0", "investor": "in0"} | form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert said in page
    assert "st0" not in page.split('id="refused"', 1)[1].split("</section>", 1)[0]
    with new_session(app) as session:
        assert latest_version(session, full_day).number == 1  # type: ignore[union-attr]


def test_a_pinned_meeting_is_not_offered_and_its_pin_follows_a_swap(
        client: FlaskClient, app: Flask, full_day: int) -> None:
    client.post(f"/events/{full_day}/pin", data={"startup": "st0", "investor": "in4"})
    assert "Startup 0 with Investor 4" not in \
        move_page(client, full_day, "st0", "in0").split('id="swaps"', 1)[1]
    client.post(f"/events/{full_day}/pin", data={"startup": "st0", "investor": "in0"})
    client.post(f"/events/{full_day}/swap", data={
        "startup": "st0", "investor": "in0", "with_startup": "st0", "with_investor": "in8"})
    pins = {(p["startup"], p["investor"]): (p["slot"], p["table"])
            for p in event_row(app, full_day).pinned}
    assert pins[("st0", "in0")] == ("s3", "T1")


def test_after_a_table_is_added_the_move_page_offers_it_and_says_the_draft_is_older(
        client: FlaskClient, app: Flask, full_day: int) -> None:
    with new_session(app) as session:
        row = session.get(EventRow, full_day)
        assert row is not None
        row.tables = [*row.tables, "T5"]
        session.commit()
    page = move_page(client, full_day, "st0", "in0")
    assert "This draft predates changes to the event" in page and "Table T5 was added." in page
    places = page.split('id="places"', 1)[1].split("</section>", 1)[0]
    # Startup 0 is busy at every other time: its own time, at the new table, is the one place.
    assert 'value="s1|T5"' in places and places.count('type="radio"') == 1
    response = client.post(f"/events/{full_day}/move", data={
        "startup": "st0", "investor": "in0", "place": "s1|T5"})
    assert response.status_code == 302
    with new_session(app) as session:
        schedule = schedule_of(latest_version(session, full_day))  # type: ignore[arg-type]
    assert ("st0", "in0", "s1", "T5") in {(m.startup, m.investor, m.slot, m.table)
                                          for m in schedule.meetings}
