"""Generating, viewing, editing, publishing and exporting timetables as an organiser."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher.model.check import violations
from matcher.model.instance import Instance
from matcher.model.schedule import Schedule
from tests.webapp.conftest import AuthActions, event_row, generate, queued_job
from web.db import new_session
from web.db.models import EventRow, ScheduleVersion
from web.events.store import event_of, latest_version, published_version, schedule_of


def test_generate_makes_a_valid_version(client: FlaskClient, app: Flask, event_id: int,
                                        version: ScheduleVersion) -> None:
    schedule = schedule_of(version)
    assert version.number == 1 and version.origin == "generated"
    assert schedule.meetings
    assert violations(Instance(event_of(event_row(app, event_id))), schedule) == []
    page = client.get(f"/events/{event_id}/schedule").get_data(as_text=True)
    assert "Version 1" in page and f"score {schedule.score}" in page
    assert page.count('class="meeting') == len(schedule.meetings)


def test_job_page_and_progress(client: FlaskClient, app: Flask, event_id: int,
                               version: ScheduleVersion) -> None:
    progress = client.get(f"/events/{event_id}/jobs/1/progress.json").get_json()
    assert progress["status"] == "done" and progress["version"] == 1
    assert progress["score"] == schedule_of(version).score
    page = client.get(f"/events/{event_id}/jobs/1").get_data(as_text=True)
    assert "Best score so far" in page and "See the timetable" in page
    # An old job's page shows how it ended; only a job just started goes on to its timetable.
    assert "data-follow" not in page
    assert "data-follow" in client.get(f"/events/{event_id}/jobs/1?started=1").get_data(
        as_text=True)


def test_invalid_time_limit_is_refused(client: FlaskClient, auth: AuthActions, event_id: int
                                       ) -> None:
    auth.login()
    response = client.post(f"/events/{event_id}/generate", data={"time_limit": "9999"},
                           follow_redirects=True)
    assert "The server allows at most 5 seconds" in response.get_data(as_text=True)


def test_an_event_with_problems_is_not_generated(client: FlaskClient, auth: AuthActions,
                                                 app: Flask, event_id: int) -> None:
    auth.login()
    with new_session(app) as session:
        from web.db.models import EventRow

        session.get(EventRow, event_id).fields = ["fintech"]  # type: ignore[union-attr]
        session.commit()
    page = client.post(f"/events/{event_id}/generate", data={"time_limit": "2"},
                       follow_redirects=True).get_data(as_text=True)
    assert "cannot be generated until these are fixed" in page


def test_pin_and_regenerate_keeps_it(client: FlaskClient, app: Flask, event_id: int,
                                     version: ScheduleVersion) -> None:
    m = schedule_of(version).meetings[-1]
    client.post(f"/events/{event_id}/pin", data={"startup": m.startup, "investor": m.investor})
    assert event_row(app, event_id).pinned == [{"startup": m.startup, "investor": m.investor,
                                                "slot": m.slot, "table": m.table}]
    second = schedule_of(generate(client, app, event_id))
    kept = next(x for x in second.meetings if (x.startup, x.investor) == (m.startup, m.investor))
    assert (kept.slot, kept.table) == (m.slot, m.table)
    client.post(f"/events/{event_id}/pin", data={"startup": m.startup, "investor": m.investor})
    assert event_row(app, event_id).pinned == []


def free_place(schedule: Schedule, app: Flask, event_id: int) -> tuple[str, str, str, str]:
    """A meeting and a slot and table it can move to without breaking a rule."""
    inst = Instance(event_of(event_row(app, event_id)))
    busy = {(p, m.slot) for m in schedule.meetings for p in (m.startup, m.investor)}
    taken = {(m.slot, m.table) for m in schedule.meetings}
    for m in schedule.meetings:
        for slot in inst.common_slots((m.startup, m.investor)):
            sid = inst.slot_ids[slot]
            if (m.startup, sid) in busy or (m.investor, sid) in busy:
                continue
            table = next((t for t in inst.tables if (sid, t) not in taken), None)
            if table:
                return m.startup, m.investor, sid, table
    raise AssertionError("no free place in this schedule")


def test_move_checked_and_saved_as_new_version(client: FlaskClient, app: Flask, event_id: int,
                                               version: ScheduleVersion) -> None:
    startup, investor, slot, table = free_place(schedule_of(version), app, event_id)
    form = {"startup": startup, "investor": investor, "slot": slot, "table": table}
    assert client.get(f"/events/{event_id}/move", query_string=form).status_code == 200
    response = client.post(f"/events/{event_id}/move", data=form)
    assert response.status_code == 302
    with new_session(app) as session:
        latest = latest_version(session, event_id)
    assert latest is not None and latest.number == 2 and latest.origin == "edited"
    moved = next(m for m in schedule_of(latest).meetings
                 if (m.startup, m.investor) == (startup, investor))
    assert (moved.slot, moved.table, moved.sequence) == (slot, table, 1)
    assert violations(Instance(event_of(event_row(app, event_id))), schedule_of(latest)) == []


def test_move_that_breaks_a_rule_is_not_saved(client: FlaskClient, app: Flask, event_id: int,
                                              version: ScheduleVersion) -> None:
    first, other = schedule_of(version).meetings[:2]
    target = next(m for m in schedule_of(version).meetings
                  if m.slot != first.slot and first.startup != m.startup)
    # Onto another meeting's table and slot: the table holds two meetings.
    response = client.post(f"/events/{event_id}/move", data={
        "startup": first.startup, "investor": first.investor, "slot": target.slot,
        "table": target.table})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    slot = next(s for s in event_row(app, event_id).slots if s["id"] == target.slot)
    # Said with the table and the local time, not ids.
    assert (f"Table {target.table} already has a meeting at "
            f"{slot['start'][11:16]}–{slot['end'][11:16]}.") in page
    with new_session(app) as session:
        assert latest_version(session, event_id).number == 1  # type: ignore[union-attr]


def test_publish_keeps_every_version(client: FlaskClient, app: Flask, event_id: int,
                                     version: ScheduleVersion) -> None:
    client.post(f"/events/{event_id}/versions/1/publish")
    generate(client, app, event_id)
    with new_session(app) as session:
        assert published_version(session, event_id).number == 1  # type: ignore[union-attr]
    client.post(f"/events/{event_id}/versions/2/publish")
    with new_session(app) as session:
        assert published_version(session, event_id).number == 2  # type: ignore[union-attr]
        first = session.query(ScheduleVersion).filter_by(event_id=event_id, number=1).one()
        assert first.published_at is not None and first.schedule == version.schedule
    page = client.get(f"/events/{event_id}/schedule?version=1").get_data(as_text=True)
    assert "older version" in page


def test_exports(client: FlaskClient, app: Flask, event_id: int,
                 version: ScheduleVersion) -> None:
    schedule = Schedule.model_validate(
        client.get(f"/events/{event_id}/versions/1/schedule.json").get_json())
    assert schedule == schedule_of(version)
    text = client.get(f"/events/{event_id}/versions/1/schedule.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(schedule.meetings)
    assert {(r["startup_id"], r["investor_id"], r["slot"], r["table"]) for r in rows} == {
        (m.startup, m.investor, m.slot, m.table) for m in schedule.meetings}
    assert client.get(f"/events/{event_id}/versions/1/schedule.pdf").status_code == 404


def test_agendas(client: FlaskClient, app: Flask, event_id: int,
                 version: ScheduleVersion) -> None:
    page = client.get(f"/events/{event_id}/agendas").get_data(as_text=True)
    assert page.count('class="agenda page"') == 12
    one = client.get(f"/events/{event_id}/agendas?participant=inv-001").get_data(as_text=True)
    assert one.count('class="agenda page"') == 1
    assert client.get(f"/events/{event_id}/agendas?participant=nobody").status_code == 404


def test_a_generated_schedule_that_breaks_a_rule_is_not_stored(
        client: FlaskClient, auth: AuthActions, app: Flask, event_id: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from matcher.solve.solver import solve
    from tests.test_cli import with_a_meeting_twice
    from tests.webapp.conftest import wait_for_job
    from web.schedules import jobs

    monkeypatch.setattr(jobs, "solve", lambda *a, **k: with_a_meeting_twice(solve(*a, **k)))
    auth.login()
    response = client.post(f"/events/{event_id}/generate", data={"time_limit": "2"})
    job = wait_for_job(app, queued_job(response))
    assert job.status == "failed" and job.version_id is None
    assert job.words.startswith("The solver's timetable breaks the rules, so it was not "  # type: ignore[union-attr]
                                "stored: ")
    assert "meet more than once" in job.words  # type: ignore[operator]
    with new_session(app) as session:
        assert latest_version(session, event_id) is None


def test_a_move_is_not_saved_while_the_timetable_still_breaks_a_rule(
        client: FlaskClient, app: Flask, event_id: int, version: ScheduleVersion) -> None:
    schedule = schedule_of(version)
    startup, investor, slot, table = free_place(schedule, app, event_id)
    stuck = next(m for m in schedule.meetings if startup not in (m.startup, m.investor)
                 and investor not in (m.startup, m.investor))
    with new_session(app) as session:  # after generation, one side of `stuck` drops its slot
        row = session.get(EventRow, event_id)
        who = next(p for p in row.participants if p.code == stuck.investor)  # type: ignore[union-attr]
        who.unavailable = [*who.unavailable, stuck.slot]
        session.commit()
    form = {"startup": startup, "investor": investor, "slot": slot, "table": table}
    response = client.post(f"/events/{event_id}/move", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The event changed after this timetable was made" in page
    row = event_row(app, event_id)
    name = next(p.name for p in row.participants if p.code == stuck.investor)
    times = next(f"{s['start'][11:16]}–{s['end'][11:16]}" for s in row.slots
                 if s["id"] == stuck.slot)
    assert f"{name} is not available at {times}." in page
    with new_session(app) as session:
        assert latest_version(session, event_id).number == 1  # type: ignore[union-attr]


def test_the_timetable_shows_the_floors_and_the_spread(client: FlaskClient, app: Flask,
                                                       event_id: int,
                                                       version: ScheduleVersion) -> None:
    from collections import Counter

    schedule = schedule_of(version)
    count = Counter(m.startup for m in schedule.meetings)
    startups = [p.code for p in event_row(app, event_id).participants if p.kind == "startup"]
    fair = schedule.fairness
    assert fair is not None
    page = client.get(f"/events/{event_id}/schedule").get_data(as_text=True)
    assert (f"Startups: {min(count[s] for s in startups)} to {max(count[s] for s in startups)} "
            f"meetings each. Floor {fair.startup_floor}: every startup has at least "
            f"{fair.startup_floor} meetings") in page
    assert f"Floor {fair.investor_floor}: every investor has at least" in page
    assert ("No higher floor is possible" in page) == ("startup_floor" in (schedule.proven or ()))
