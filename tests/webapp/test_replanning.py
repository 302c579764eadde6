"""Re-planning after publication: removing an investor others wished for, re-planning from a slot
with the past frozen, the list of who is affected, and impossible setups named before a
generation and in its failure."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher.invites.ics import problems
from matcher.model.check import violations
from matcher.model.instance import Instance
from matcher.model.schedule import Schedule
from matcher.solve.replan import changes
from tests.webapp.conftest import (
    AuthActions,
    event_row,
    generate,
    queued_job,
    replan,
    wait_for_job,
)
from web.db import new_session
from web.db.models import EventRow, Participant, ScheduleVersion, SolveJob
from web.events.slots import current_slot
from web.events.store import event_of, schedule_of, snapshot_of


@pytest.fixture
def published(client: FlaskClient, app: Flask, event_id: int,
              version: ScheduleVersion) -> ScheduleVersion:
    """Version 1 of the tiny event, published."""
    client.post(f"/events/{event_id}/versions/1/publish")
    return version


def busiest_investor(schedule: Schedule) -> str:
    """The investor with the most meetings."""
    investors = [m.investor for m in schedule.meetings]
    return max(sorted(set(investors)), key=investors.count)


def remove(client: FlaskClient, app: Flask, event_id: int, code: str) -> None:
    """Remove a participant through the event page's button."""
    pid = next(p.id for p in event_row(app, event_id).participants if p.code == code)
    response = client.post(f"/events/{event_id}/participants/{pid}/delete")
    assert response.status_code == 302


def newcomer(app: Flask, event_id: int, code: str = "inv-new") -> None:
    """A new investor joins, interested in every field, free all day."""
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        assert row is not None
        row.participants.append(Participant(
            kind="investor", code=code, name="New Fund", interests={f: 2 for f in row.fields},
            wishes={}, avoid=[], unavailable=[]))
        session.commit()


def swap(client: FlaskClient, app: Flask, event_id: int, schedule: Schedule) -> str:
    """The busiest investor drops out and a new one joins; the one who dropped out."""
    gone = busiest_investor(schedule)
    remove(client, app, event_id, gone)
    newcomer(app, event_id)
    return gone


def test_removing_an_investor_cleans_every_reference(client: FlaskClient, auth: AuthActions,
                                                     app: Flask, event_id: int) -> None:
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        row.required = [{"startup": "st-002", "investor": "inv-001"}]  # type: ignore[union-attr]
        row.pinned = [{"startup": "st-001", "investor": "inv-001", "slot": "s02"}]  # type: ignore[union-attr]
        session.commit()
    assert any("inv-001" in p.wishes for p in event_row(app, event_id).participants)
    auth.login()
    remove(client, app, event_id, "inv-001")
    row = event_row(app, event_id)
    assert all("inv-001" not in p.wishes and "inv-001" not in p.avoid for p in row.participants)
    assert "inv-001" not in {p.code for p in row.participants}
    assert row.required == [] and row.pinned == []
    assert event_of(row).investors  # the core's Event takes it as it is
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Investor 1 removed." in page and "<td>inv-001</td>" not in page
    assert "Fix these before generating" not in page


def test_replan_needs_a_published_version(client: FlaskClient, app: Flask, event_id: int,
                                          version: ScheduleVersion) -> None:
    page = client.get(f"/events/{event_id}/schedule").get_data(as_text=True)
    assert "Re-plan from now" not in page
    response = client.post(f"/events/{event_id}/replan", data={"time_limit": "2", "now": "s02"},
                           follow_redirects=True)
    assert "Nothing to re-plan" in response.get_data(as_text=True)
    with new_session(app) as session:
        assert session.query(SolveJob).count() == 1  # the generation only


@pytest.mark.parametrize(("form", "message"), [
    ({"time_limit": "2", "now": "s99"}, "Re-plan from: S99 is not one of the event&#39;s slots"),
    ({"time_limit": "2"}, "Re-plan from: This is required."),
    ({"time_limit": "0", "now": "s02"}, "Time limit: Give more than 0."),
])
def test_replan_form_errors(client: FlaskClient, event_id: int, published: ScheduleVersion,
                            form: dict[str, str], message: str) -> None:
    page = client.post(f"/events/{event_id}/replan", data=form,
                       follow_redirects=True).get_data(as_text=True)
    assert message in page


def test_replan_from_now_keeps_the_past_and_the_calendar_identities(
        client: FlaskClient, app: Flask, event_id: int, published: ScheduleVersion) -> None:
    old = schedule_of(published)
    gone = swap(client, app, event_id, old)
    page = client.get(f"/events/{event_id}/schedule").get_data(as_text=True)
    assert "Re-plan from now" in page and 'value="s03"' in page
    new_version = replan(client, app, event_id, "s03")
    new = schedule_of(new_version)
    assert new_version.number == 2 and new_version.origin == "replanned"
    assert (new_version.details or {}).get("from_slot") == "s03"
    slot = next(s for s in event_row(app, event_id).slots if s["id"] == "s03")
    page = client.get(f"/events/{event_id}/schedule").get_data(as_text=True)
    assert f"Re-planned from {slot['start'][11:16]}–{slot['end'][11:16]} on" in page
    page = client.get(f"/events/{event_id}/jobs/2").get_data(as_text=True)
    assert f"From {slot['start'][11:16]}–{slot['end'][11:16]} on; earlier" in page
    event = event_of(event_row(app, event_id))
    assert violations(Instance(event), new) == []
    # The slots before s03 are frozen: what stays of them is exactly as it was.
    early = {"s01", "s02"}
    assert {m for m in new.meetings if m.slot in early} == {
        m for m in old.meetings if m.slot in early and m.investor != gone}
    # Kept and moved meetings keep their uid; a moved one has the next sequence.
    before = {(m.startup, m.investor): m for m in old.meetings}
    for m in new.meetings:
        if (m.startup, m.investor) in before:
            was = before[m.startup, m.investor]
            assert m.uid == was.uid
            assert m.sequence == was.sequence + ((m.slot, m.table) != (was.slot, was.table))
    assert all(m.investor != gone for m in new.meetings)
    assert problems(snapshot_of(new_version), new, (snapshot_of(published), old)) == []


def test_changes_view_lists_exactly_who_is_affected(client: FlaskClient, app: Flask,
                                                    event_id: int,
                                                    published: ScheduleVersion) -> None:
    old = schedule_of(published)
    gone = swap(client, app, event_id, old)
    # An investor can no longer make a meeting's slot, though both sides are free in another.
    inst = Instance(event_of(event_row(app, event_id)))
    busy = {(p, m.slot) for m in old.meetings for p in (m.startup, m.investor)}
    late = next(m for m in old.meetings if m.investor != gone and any(
        (m.startup, inst.slot_ids[t]) not in busy and (m.investor, inst.slot_ids[t]) not in busy
        for t in inst.common_slots((m.startup, m.investor))))
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        investor = next(p for p in row.participants if p.code == late.investor)  # type: ignore[union-attr]
        investor.unavailable = [*investor.unavailable, late.slot]
        session.commit()
    new_version = replan(client, app, event_id, "s01")
    diff = changes(old, schedule_of(new_version))
    assert diff.cancelled and diff.added and diff.moved
    page = client.get(f"/events/{event_id}/schedule").get_data(as_text=True)
    assert "Who is affected (against version 1)" in page
    page = client.get(f"/events/{event_id}/versions/2/changes").get_data(as_text=True)
    shown = {chunk.split('"', 1)[0] for chunk in page.split('id="changes-')[1:]}
    assert shown == diff.affected()
    assert f"{len(diff.affected())} participants are affected" in page
    for m in diff.cancelled:
        section = page.split(f'id="changes-{m.startup}"', 1)[1].split("</section>", 1)[0]
        assert "<strong>Cancelled</strong>: meeting with" in section
    for _, now in diff.moved:
        section = page.split(f'id="changes-{now.investor}"', 1)[1].split("</section>", 1)[0]
        assert "<strong>Moved</strong>" in section
    assert "Publish version 2" in page


def test_generation_after_publication_continues_the_calendar(
        client: FlaskClient, app: Flask, event_id: int, published: ScheduleVersion) -> None:
    swap(client, app, event_id, schedule_of(published))
    again = generate(client, app, event_id)
    assert again.origin == "generated" and (again.details or {}).get("against") == 1
    page = client.get(f"/events/{event_id}/schedule").get_data(as_text=True)
    assert "Against version 1: " in page
    assert problems(snapshot_of(again), schedule_of(again),
                    (snapshot_of(published), schedule_of(published))) == []


def test_impossible_setup_named_before_generating(client: FlaskClient, auth: AuthActions,
                                                  app: Flask, event_id: int) -> None:
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        next(p for p in row.participants if p.code == "st-001").min_meetings = 7  # type: ignore[union-attr]
        session.commit()
    auth.login()
    sentence = "st-001 needs at least 7 meetings but is free in only 6 slots"
    for page in (f"/events/{event_id}", f"/events/{event_id}/schedule"):
        text = client.get(page).get_data(as_text=True)
        assert "No timetable can keep every rule" in text and sentence in text
    response = client.post(f"/events/{event_id}/generate", data={"time_limit": "2"})
    job_id = queued_job(response)
    job = wait_for_job(app, job_id)
    assert job.status == "failed"
    assert job.words == (f"No timetable can keep every rule of this event: {sentence}. Change "
                         "the event (its answers, slots, tables, required or pinned meetings) "
                         "and try again.")
    assert sentence in client.get(response.headers["Location"]).get_data(as_text=True)


def test_infeasible_core_in_plain_words(client: FlaskClient, auth: AuthActions, app: Flask,
                                        event_id: int) -> None:
    # Two startups must each meet three investors in the one slot where those are free: the
    # counting checks pass, the solver finds the conflict and names its rules.
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        for p in row.participants:  # type: ignore[union-attr]
            p.unavailable = [] if p.kind == "startup" else ["s02", "s03", "s04", "s05", "s06"]
            p.min_meetings = 0
        row.required = [{"startup": "st-001", "investor": "inv-003"},  # type: ignore[union-attr]
                        {"startup": "st-001", "investor": "inv-005"}]
        session.commit()
    auth.login()
    assert "No timetable can keep every rule" not in client.get(
        f"/events/{event_id}/schedule").get_data(as_text=True)
    response = client.post(f"/events/{event_id}/generate", data={"time_limit": "2"})
    job = wait_for_job(app, queued_job(response))
    assert job.status == "failed"
    assert job.words.startswith("No timetable can keep every rule of this event: ")  # type: ignore[union-attr]
    assert "required meeting st-001/inv-003" in job.words  # type: ignore[operator]


@pytest.mark.parametrize("path", ["versions/1/publish", "versions/1/send", "replan",
                                  "mailings/1/retry"])
def test_new_forms_need_the_csrf_token(client: FlaskClient, app: Flask, event_id: int,
                                       published: ScheduleVersion, path: str) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/events/{event_id}/{path}", data={"time_limit": "2", "now": "s02"})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)


def test_the_replan_and_publish_forms_carry_their_token(client: FlaskClient, app: Flask,
                                                        event_id: int,
                                                        published: ScheduleVersion) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/events/{event_id}/schedule").get_data(as_text=True)
    form = page.split('action="/events/1/replan"', 1)[1].split("</form>", 1)[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    response = client.post(f"/events/{event_id}/replan",
                           data={"csrf_token": token, "time_limit": "2", "now": "s02"})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    wait_for_job(app, queued_job(response))
    page = client.get(f"/events/{event_id}/versions/2/changes").get_data(as_text=True)
    assert 'href="/events/1/versions/2/publish"' in page  # the page that publishes it
    page = client.get(f"/events/{event_id}/versions/2/publish").get_data(as_text=True)
    form = page.split('action="/events/1/versions/2/publish"', 1)[1].split("</form>", 1)[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    response = client.post(f"/events/{event_id}/versions/2/publish", data={"csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize(("utc", "slot"), [
    ("2023-09-13T06:10", "s01"),  # 14:10 in Hong Kong: the first slot is in progress
    ("2023-09-13T06:22", "s02"),  # in the changeover: the next slot
    ("2023-09-13T07:16", "s04"),
    ("2023-09-12T23:00", "s01"),  # before the day
    ("2023-09-14T01:00", "s01"),  # after it: re-plan the whole day
])
def test_the_slot_to_replan_from_is_the_one_in_progress(app: Flask, event_id: int, utc: str,
                                                        slot: str) -> None:
    row = event_row(app, event_id)
    at = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    assert current_slot(row.slots, row.timezone, at) == slot
