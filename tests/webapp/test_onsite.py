"""The day itself: the check-in desk (marks, search, QR links, re-planning without someone
absent), participants' ratings and no-shows, the dashboard and the outcomes export; and what
viewers, strangers and participants cannot do there."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from matcher.model.schedule import Schedule
from tests.loopback_smtp import Inbox
from tests.webapp.conftest import (
    PASSWORD,
    QUICK,
    event_row,
    finished_version,
    give_addresses,
    owned_event,
    tiny_event,
    wait_for_mailing,
)
from web.accounts.views import create_organiser
from web.db import new_session
from web.db.models import Attendance, Mailing, MeetingRating, Member, Participant, ScheduleVersion
from web.events.store import schedule_of, snapshot_of
from web.onsite import outcomes
from web.onsite.attendance import excuse, presences
from web.participants.links import token_for
from web.publishing.diffs import per_person

VIEWER = "viewer@example.com"
SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"


@pytest.fixture
def live(client: FlaskClient, version: ScheduleVersion, event_id: int) -> ScheduleVersion:
    """The first version, published (the organiser logged in)."""
    assert client.post(f"/events/{event_id}/versions/{version.number}/publish").status_code == 302
    return version


def person(app: Flask, event_id: int, code: str) -> Participant:
    return next(p for p in event_row(app, event_id).participants if p.code == code)


def personal(app: Flask, p: Participant) -> str:
    with app.test_request_context():
        return f"/p/{token_for(p)}"


def presence(app: Flask, p: Participant) -> str | None:
    with new_session(app) as session:
        found = session.scalar(select(Attendance).where(Attendance.participant_id == p.id))
        return found.status if found else None


def meetings_of(version: ScheduleVersion, code: str) -> list:  # type: ignore[type-arg]
    return [m for m in schedule_of(version).meetings if code in (m.startup, m.investor)]


def test_the_desk_lists_everyone_with_their_next_meeting_and_searches(
        client: FlaskClient, app: Flask, event_id: int, live: ScheduleVersion) -> None:
    page = client.get(f"/events/{event_id}/checkin").get_data(as_text=True)
    row = event_row(app, event_id)
    for p in row.participants:
        assert f'id="p{p.id}"' in page and p.name in page
    # The tiny event's day is over: nobody has a meeting left.
    assert "No more meetings today" in page
    found = client.get(f"/events/{event_id}/checkin?q=investor+3").get_data(as_text=True)
    assert "Investor 3" in found and "Investor 4" not in found and "Startup 1" not in found


def test_only_the_desk_may_use_the_camera(client: FlaskClient, event_id: int,
                                         live: ScheduleVersion) -> None:
    desk = client.get(f"/events/{event_id}/checkin").headers["Permissions-Policy"]
    elsewhere = client.get(f"/events/{event_id}/dashboard").headers["Permissions-Policy"]
    assert "camera=(self)" in desk and "microphone=()" in desk
    assert "camera=()" in elsewhere


def test_one_tap_marks_arrival_and_the_desk_can_correct_it(
        client: FlaskClient, app: Flask, event_id: int, live: ScheduleVersion) -> None:
    p = person(app, event_id, "inv-002")
    url = f"/events/{event_id}/checkin/{p.id}"
    response = client.post(url, data={"status": "arrived", "q": "inv"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/checkin?q=inv#p{p.id}")
    assert presence(app, p) == "arrived"
    assert f"{p.name} has arrived." in client.get(response.headers["Location"]).get_data(
        as_text=True)
    client.post(url, data={"status": "absent"})
    assert presence(app, p) == "absent"
    client.post(url, data={"status": ""})
    assert presence(app, p) is None
    assert client.post(url, data={"status": "teleported"}).status_code == 400


def test_a_scanned_personal_link_checks_its_participant_in(
        client: FlaskClient, app: Flask, event_id: int, organiser: str,
        live: ScheduleVersion) -> None:
    p = person(app, event_id, "st-003")
    scanned = "https://demo.example" + personal(app, p)
    client.post(f"/events/{event_id}/checkin/scan", data={"link": scanned})
    assert presence(app, p) == "arrived"
    # Another event's participant, a forged token, or anything else: nothing is marked.
    other_event = owned_event(app, tiny_event(seed=2))
    stranger = person(app, other_event, "st-003")
    for link in ("https://demo.example" + personal(app, stranger), "https://demo.example/p/forged",
                 "hello", personal(app, p) + "/meetings.ics"):
        page = client.post(f"/events/{event_id}/checkin/scan", data={"link": link},
                           follow_redirects=True).get_data(as_text=True)
        assert "is not a personal link of this event" in page
    assert presence(app, stranger) is None


def test_an_organiser_opening_a_personal_link_can_check_them_in(
        client: FlaskClient, app: Flask, event_id: int, live: ScheduleVersion) -> None:
    p = person(app, event_id, "inv-005")
    page = client.get(personal(app, p)).get_data(as_text=True)
    assert f"Mark {p.name} arrived" in page
    client.post(f"/events/{event_id}/checkin/{p.id}", data={"status": "arrived"})
    assert f"{p.name} has arrived." in client.get(personal(app, p)).get_data(as_text=True)
    # The participant themselves (no organiser logged in) sees no desk.
    assert "Check-in desk" not in app.test_client().get(personal(app, p)).get_data(as_text=True)


def viewer_client(app: Flask, event_id: int) -> FlaskClient:
    """A logged-in organiser who is only a viewer of the event."""
    with new_session(app) as session:
        account = create_organiser(session, VIEWER, PASSWORD)
        session.add(Member(event_id=event_id, organiser_id=account.id, role="viewer"))
        session.commit()
    viewer = app.test_client()
    viewer.post("/login", data={"email": VIEWER, "password": PASSWORD})
    return viewer


def test_viewers_read_the_desk_but_mark_nothing_and_strangers_see_nothing(
        client: FlaskClient, app: Flask, event_id: int, live: ScheduleVersion) -> None:
    p = person(app, event_id, "inv-001")
    viewer = viewer_client(app, event_id)
    page = viewer.get(f"/events/{event_id}/checkin").get_data(as_text=True)
    assert p.name in page and 'name="status"' not in page
    assert "Check-in desk" not in viewer.get(personal(app, p)).get_data(as_text=True)
    for url, data in ((f"/events/{event_id}/checkin/{p.id}", {"status": "arrived"}),
                      (f"/events/{event_id}/checkin/scan", {"link": personal(app, p)}),
                      (f"/events/{event_id}/checkin/{p.id}/replan", {})):
        assert viewer.post(url, data=data).status_code == 403
    assert presence(app, p) is None
    assert viewer.get(f"/events/{event_id}/dashboard").status_code == 200
    anonymous = app.test_client()
    assert anonymous.get(f"/events/{event_id}/checkin").status_code == 302  # to the login
    assert anonymous.post(f"/events/{event_id}/checkin/{p.id}",
                          data={"status": "arrived"}).status_code == 302
    assert presence(app, p) is None


def test_a_participant_of_another_event_cannot_be_marked_through_this_one(
        client: FlaskClient, app: Flask, event_id: int, live: ScheduleVersion) -> None:
    other = person(app, owned_event(app, tiny_event(seed=3)), "inv-001")
    response = client.post(f"/events/{event_id}/checkin/{other.id}", data={"status": "arrived"})
    assert response.status_code == 404
    assert presence(app, other) is None


def test_excusing_someone_frees_the_rest_of_their_day_and_keeps_what_was_held(
        app: Flask, event_id: int, live: ScheduleVersion) -> None:
    schedule = schedule_of(live)
    code = schedule.meetings[0].startup
    with new_session(app) as session:
        row = session.get(type(event_row(app, event_id)), event_id)
        p = next(q for q in row.participants if q.code == code)  # type: ignore[union-attr]
        other = next(m.investor for m in schedule.meetings if m.startup == code)
        row.pinned = [{"startup": code, "investor": other, "slot": "s05"}]  # type: ignore[union-attr]
        row.required = [{"startup": code, "investor": other}]  # type: ignore[union-attr]
        p.min_meetings, p.unavailable = 6, ["s01"]
        excuse(row, p, "s03", schedule)  # type: ignore[arg-type]
        before = [m for m in schedule.meetings if code in (m.startup, m.investor)
                  and m.slot in ("s01", "s02")]
        assert p.unavailable == ["s01", "s03", "s04", "s05", "s06"]
        assert row.pinned == []  # type: ignore[union-attr]
        held = {(m.startup, m.investor) for m in before}
        assert row.required == ([{"startup": code, "investor": other}]  # type: ignore[union-attr]
                                if (code, other) in held else [])
        assert p.min_meetings == len(before)
        kept = [m for m in schedule.meetings if code not in (m.startup, m.investor)
                or m.slot in ("s01", "s02")]
        for q in row.participants:  # type: ignore[union-attr]
            if q.kind == "startup":
                assert q.min_meetings <= sum(m.startup == q.code for m in kept)


def test_an_absent_participant_is_re_planned_out_and_only_the_affected_are_mailed(
        client: FlaskClient, app: Flask, event_id: int, mail_server: Inbox) -> None:
    give_addresses(app, event_id, without=())
    client.post("/login", data={"email": "org@example.com", "password": PASSWORD})
    first = finished_version(app, client.post(f"/events/{event_id}/generate",
                                              data={"time_limit": QUICK}))
    client.post(f"/events/{event_id}/versions/{first.number}/publish")
    code = max({m.investor for m in schedule_of(first).meetings},
               key=lambda c: len(meetings_of(first, c)))
    p = person(app, event_id, code)
    replan = f"/events/{event_id}/checkin/{p.id}/replan"
    refused = client.post(replan, follow_redirects=True).get_data(as_text=True)
    assert "Only a participant marked absent" in refused  # not marked absent yet
    client.post(f"/events/{event_id}/checkin/{p.id}", data={"status": "absent"})
    second = finished_version(app, client.post(replan))
    assert second.origin == "replanned" and second.published_at is None
    # The day is over, so "now" is its first slot: they have no meeting left at all.
    assert meetings_of(second, code) == []
    desk = client.get(f"/events/{event_id}/checkin").get_data(as_text=True)
    assert f"Version {second.number}, re-planned, is not published yet" in desk
    _diff, affected = per_person(snapshot_of(first), schedule_of(first), snapshot_of(second),
                                 schedule_of(second))
    assert code in {a.code for a in affected}
    response = client.post(f"/events/{event_id}/versions/{second.number}/publish",
                           data={"send": "on", "scope": "changes"})
    assert response.status_code == 302
    with new_session(app) as session:
        mailing_id = session.scalar(select(Mailing.id).where(Mailing.event_id == event_id))
    assert wait_for_mailing(app, mailing_id).status == "done"
    reached = {to.split("@")[0] for _sender, recipients, _message in mail_server.received
               for to in recipients}
    assert reached == {a.code for a in affected}
    assert len(reached) < len(event_row(app, event_id).participants)


def rate(client: FlaskClient, url: str, uid: str, choice: str):  # type: ignore[no-untyped-def]
    return client.post(f"{url}/rating", data={"uid": uid, "choice": choice})


def test_participants_rate_their_own_meetings_once_over_and_report_no_shows(
        client: FlaskClient, app: Flask, event_id: int, live: ScheduleVersion) -> None:
    meeting = schedule_of(live).meetings[0]
    startup, investor = person(app, event_id, meeting.startup), person(app, event_id,
                                                                       meeting.investor)
    mine = app.test_client()
    url = personal(app, startup)
    page = mine.get(url).get_data(as_text=True)
    assert "How did each meeting go?" in page and meeting.uid in page
    assert rate(mine, url, meeting.uid, "informative").status_code == 302
    assert rate(mine, url, meeting.uid, "cooperation").status_code == 302  # changes their answer
    assert rate(app.test_client(), personal(app, investor), meeting.uid,
                "no_show").status_code == 302
    with new_session(app) as session:
        stored = {r.participant_id: (r.rating, r.no_show, r.other)
                  for r in session.scalars(select(MeetingRating))}
    assert stored == {startup.id: ("cooperation", False, meeting.investor),
                      investor.id: ("not_held", True, meeting.startup)}
    page = mine.get(url).get_data(as_text=True)
    assert 'value="cooperation" selected' in page


def test_no_one_rates_a_meeting_that_is_not_theirs_or_not_over(
        client: FlaskClient, app: Flask, event_id: int, live: ScheduleVersion) -> None:
    schedule: Schedule = schedule_of(live)
    meeting = schedule.meetings[0]
    outsider = next(p for p in event_row(app, event_id).participants
                    if p.code not in (meeting.startup, meeting.investor))
    url = personal(app, outsider)
    assert rate(app.test_client(), url, meeting.uid, "cooperation").status_code == 404
    assert rate(app.test_client(), url, "made-up@matcher", "cooperation").status_code == 404
    startup_url = personal(app, person(app, event_id, meeting.startup))
    assert rate(app.test_client(), startup_url, meeting.uid, "superb").status_code == 400
    assert rate(app.test_client(), "/p/forged", meeting.uid, "cooperation").status_code == 404
    event = snapshot_of(live)
    slot = next(s for s in event.slots if s.id == meeting.slot)
    with new_session(app) as session:
        startup = session.scalar(select(Participant).where(Participant.code == meeting.startup,
                                                           Participant.event_id == event_id))
        before_the_end = event.instant(slot.end) - timedelta(minutes=1)
        with pytest.raises(outcomes.NotRatable):
            outcomes.rate(session, startup, event, schedule, meeting.uid,  # type: ignore[arg-type]
                          "cooperation", at=before_the_end)
        assert session.scalar(select(MeetingRating)) is None


def test_the_dashboard_counts_arrivals_meetings_no_shows_and_ratings(
        client: FlaskClient, app: Flask, event_id: int, live: ScheduleVersion) -> None:
    meetings = schedule_of(live).meetings
    arrived = [person(app, event_id, c) for c in {meetings[0].startup, meetings[0].investor}]
    for p in arrived:
        client.post(f"/events/{event_id}/checkin/{p.id}", data={"status": "arrived"})
    rate(app.test_client(), personal(app, arrived[0]), meetings[0].uid, "cooperation")
    second = person(app, event_id, meetings[1].startup)
    rate(app.test_client(), personal(app, second), meetings[1].uid, "no_show")
    page = client.get(f"/events/{event_id}/dashboard").get_data(as_text=True)
    assert f'{len(arrived)}<small>/{len(event_row(app, event_id).participants)}</small>' in page
    assert f'1<small>/{len(meetings)}</small></span> meetings held' in page
    with new_session(app) as session:
        found = outcomes.outcomes(session, event_id, snapshot_of(live), schedule_of(live))
        row = event_row(app, event_id)
        counted = outcomes.tally(row.participants, presences(session, event_id), found)
    assert (counted.meetings["held"], counted.meetings["not_held"], counted.meetings["no_show"],
            counted.meetings["unknown"]) == (1, 1, 1, len(meetings) - 2)
    assert counted.answers == {"cooperation": 1, "no_show": 1}
    assert sum(c["arrived"] for c in counted.people.values()) == len(arrived)


def test_the_outcomes_export_is_safe_to_open_in_a_spreadsheet(
        client: FlaskClient, app: Flask, event_id: int, live: ScheduleVersion) -> None:
    meeting = schedule_of(live).meetings[0]
    rate(app.test_client(), personal(app, person(app, event_id, meeting.investor)), meeting.uid,
         "no_show")
    with new_session(app) as session:
        for p in session.scalars(select(Participant).where(Participant.event_id == event_id)):
            p.name = "=HYPERLINK(\"https://evil.example\")" if p.code == meeting.startup else p.name
        session.commit()
    # The export names people as the published version does; rename there too.
    with new_session(app) as session:
        stored = session.get(ScheduleVersion, live.id)
        data = dict(stored.event_data)  # type: ignore[union-attr]
        data["startups"] = [s | {"name": "=HYPERLINK(\"https://evil.example\")"}
                            if s["id"] == meeting.startup else s for s in data["startups"]]
        stored.event_data = data  # type: ignore[union-attr]
        session.commit()
    response = client.get(f"/events/{event_id}/outcomes.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == len(schedule_of(live).meetings)
    first = next(r for r in rows if r["uid"] == meeting.uid)
    assert first["startup"].startswith("'=")
    assert (first["investor_answer"], first["outcome"], first["no_show_reported_by"]) == (
        "no_show", "not_held", meeting.investor)


def test_the_desk_works_at_a_phone_with_search_as_you_type(
        new_page, live_server: str, app: Flask, client: FlaskClient, event_id: int,  # type: ignore[no-untyped-def]
        live: ScheduleVersion) -> None:
    page = new_page("desk", viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail address").fill("org@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/events/{event_id}/checkin")
    page.get_by_label("Find a participant").fill("investor 7")
    visible = page.locator("#desk li:visible")
    assert visible.count() == 1
    p = person(app, event_id, "inv-007")
    page.get_by_role("button", name=f"Check {p.name} in").click()
    page.locator("#desk-status", has_text=f"{p.name} has arrived.").wait_for()
    assert page.get_by_label("Find a participant").input_value() == "investor 7"  # kept
    assert presence(app, p) == "arrived"
    page.locator(f"#p{p.id}.arrived").wait_for()
    page.screenshot(path=str(SHOTS / "desk-phone.png"), full_page=True)
    page.get_by_label("Find a participant").fill("")
    assert page.locator("#desk li:visible").count() == len(event_row(app, event_id).participants)



def test_every_answer_a_participant_can_give_has_words_and_is_stored() -> None:
    from typing import get_args

    from web.db.models import RATINGS
    from web.forms import RatingForm

    offered = set(get_args(RatingForm.model_fields["choice"].annotation))
    assert offered == set(outcomes.CHOICES)
    assert set(RATINGS) == offered - {"no_show"}
