"""Safe changes after publication: re-planning is the way forward, starting afresh needs saying
so, publishing first shows who is told what and how, and a draft older than the event says so."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from matcher.solve.replan import changes
from tests.webapp.conftest import event_row, generate, give_addresses, replan
from tests.webapp.test_replanning import newcomer, published  # noqa: F401 - a fixture
from web.db import new_session
from web.db.models import EventRow, ScheduleVersion
from web.events.store import latest_version, published_version, schedule_of


def test_after_publication_re_planning_comes_first(client: FlaskClient, event_id: int,
                                                   published: ScheduleVersion) -> None:  # noqa: F811
    page = client.get(f"/events/{event_id}/schedule").get_data(as_text=True)
    assert page.index('id="replan"') < page.index('id="generate"')
    assert "Change the published day: re-plan from now" in page
    count = len(schedule_of(published).meetings)
    assert f"any of the {count} meetings of version 1 may move" in page


def test_a_fresh_generation_after_publication_must_be_asked_for(
        client: FlaskClient, app: Flask, event_id: int,
        published: ScheduleVersion) -> None:  # noqa: F811
    response = client.post(f"/events/{event_id}/generate", data={"time_limit": "2"},
                           follow_redirects=True)
    assert "re-plan from now to keep them, or tick that you want to start afresh" in \
        response.get_data(as_text=True)
    with new_session(app) as session:
        assert latest_version(session, event_id).number == 1  # type: ignore[union-attr]
    again = generate(client, app, event_id)  # the box ticked
    assert again.number == 2 and (again.details or {}).get("against") == 1


def test_the_first_publication_lists_everyone_with_meetings(
        client: FlaskClient, app: Flask, event_id: int, version: ScheduleVersion) -> None:
    give_addresses(app, event_id)
    page = client.get(f"/events/{event_id}/versions/1/publish").get_data(as_text=True)
    schedule = schedule_of(version)
    with_meetings = {p for m in schedule.meetings for p in (m.startup, m.investor)}
    assert f"{len(with_meetings)} participants have meetings in it" in page
    rows = {chunk.split('"', 1)[0] for chunk in page.split('id="notice-')[1:]}
    assert rows == with_meetings
    if "inv-008" in with_meetings:
        notice = page.split('id="notice-inv-008"', 1)[1].split("</tr>", 1)[0]
        assert "No e-mail address: tell them yourself." in notice
    assert "st-001@example.com" in page
    with new_session(app) as session:  # looking is not publishing
        assert published_version(session, event_id) is None
    response = client.post(f"/events/{event_id}/versions/1/publish")
    assert response.status_code == 302
    with new_session(app) as session:
        assert published_version(session, event_id).number == 1  # type: ignore[union-attr]


def test_a_re_planned_version_lists_only_the_affected(
        client: FlaskClient, app: Flask, event_id: int,
        published: ScheduleVersion) -> None:  # noqa: F811
    newcomer(app, event_id)
    second = replan(client, app, event_id, "s02")
    affected = changes(schedule_of(published), schedule_of(second)).affected()
    page = client.get(f"/events/{event_id}/versions/2/publish").get_data(as_text=True)
    rows = {chunk.split('"', 1)[0] for chunk in page.split('id="notice-')[1:]}
    assert rows == affected and "inv-new" in rows
    everyone = len(event_row(app, event_id).participants)
    assert f"the {everyone - len(affected)} others see no change and get no message" in page


def test_a_draft_older_than_the_event_says_so(client: FlaskClient, app: Flask, event_id: int,
                                              version: ScheduleVersion) -> None:
    page = client.get(f"/events/{event_id}/schedule").get_data(as_text=True)
    assert 'id="drift"' not in page
    newcomer(app, event_id)
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        assert row is not None
        row.tables = [*row.tables, "T-extra"]
        investor = next(p for p in row.participants if p.code == "inv-002")
        investor.unavailable = [*investor.unavailable, "s01"]
        session.commit()
    page = client.get(f"/events/{event_id}/schedule").get_data(as_text=True)
    drift = page.split('id="drift"', 1)[1].split("</section>", 1)[0]
    assert "Version 1 predates changes to the event" in drift
    assert "Table T-extra was added." in drift
    assert "1 participant joined: New Fund." in drift
    assert "1 participant changed their answers: Investor 2." in drift
    assert "Re-generate" in drift
