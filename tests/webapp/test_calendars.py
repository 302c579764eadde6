"""Calendar files on the web: a participant's download and feed (only the latest published version,
only their own meetings), the organiser's file of every meeting, the organiser's address, and the
reasons for unmet wishes on the agendas."""

from __future__ import annotations

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher.model.schedule import Schedule
from tests.webapp.conftest import (
    ORGANISER_ADDRESS,
    AuthActions,
    event_row,
    generate,
    give_addresses,
)
from tests.webapp.test_schedules import free_place
from tests.webapp.test_views import event_form
from web.db import new_session
from web.db.models import EventRow, Participant, ScheduleVersion
from web.events.store import schedule_of
from web.participants.links import FEED_SALT, token_for


def tokens(app: Flask, event_id: int, code: str) -> tuple[str, str]:
    """A participant's personal-link token and feed token."""
    p = next(p for p in event_row(app, event_id).participants if p.code == code)
    with app.test_request_context():
        return token_for(p), token_for(p, FEED_SALT)


def read(response) -> icalendar.Calendar:  # type: ignore[no-untyped-def]
    """A calendar response, parsed."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(response.get_data())


def meetings_of(cal: icalendar.Calendar) -> dict[str, tuple[int, str]]:
    """UID -> (SEQUENCE, DTSTART as text) of each VEVENT."""
    return {str(e["UID"]): (int(e["SEQUENCE"]), e.start.isoformat()) for e in cal.events}


def own(schedule: Schedule, code: str) -> dict[str, int]:
    """UID -> sequence of a participant's meetings."""
    return {m.uid: m.sequence for m in schedule.meetings if code in (m.startup, m.investor)}


@pytest.fixture
def published(client: FlaskClient, app: Flask, event_id: int,
              version: ScheduleVersion) -> ScheduleVersion:
    """Version 1 of the tiny event, with addresses, published without e-mail."""
    give_addresses(app, event_id)
    assert client.post(f"/events/{event_id}/versions/1/publish").status_code == 302
    return version


def test_calendars_are_streamed(client: FlaskClient, auth: AuthActions, app: Flask, event_id: int,
                                published: ScheduleVersion) -> None:
    auth.login()
    response = client.get(f"/events/{event_id}/versions/1/schedule.ics", buffered=False)
    assert response.is_streamed and response.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(b"".join(response.response))
    assert set(meetings_of(cal)) == {m.uid for m in schedule_of(published).meetings}
    token, feed = tokens(app, event_id, "inv-001")
    for path in (f"/p/{token}/meetings.ics", f"/p/feed/{feed}.ics"):
        response = client.get(path, buffered=False)
        assert response.is_streamed
        mine = icalendar.Calendar.from_ical(b"".join(response.response))
        assert {uid: seq for uid, (seq, _) in meetings_of(mine).items()} == own(
            schedule_of(published), "inv-001")


def test_participant_download_holds_their_meetings(client: FlaskClient, app: Flask, event_id: int,
                                                   published: ScheduleVersion) -> None:
    token, _ = tokens(app, event_id, "st-001")
    response = client.get(f"/p/{token}/meetings.ics")
    assert response.headers["Content-Disposition"] == "attachment; filename=st-001.ics"
    cal = read(response)
    assert cal["METHOD"] == "PUBLISH"
    schedule = schedule_of(published)
    assert {uid: seq for uid, (seq, _) in meetings_of(cal).items()} == own(schedule, "st-001")
    for vevent in cal.events:
        assert str(vevent["ORGANIZER"]) == f"mailto:{ORGANISER_ADDRESS}"
        assert "mailto:st-001@example.com" in [str(a) for a in vevent["ATTENDEE"]]
        # The agenda link is the participant's own personal page, and no one else's.
        assert f"Agenda: http://localhost/p/{token}" in str(vevent["DESCRIPTION"])
        assert str(vevent["URL"]) == f"http://localhost/p/{token}"
    page = client.get(f"/p/{token}").get_data(as_text=True)
    assert f'href="/p/{token}/meetings.ics"' in page


def test_feed_serves_the_latest_published_version(client: FlaskClient, app: Flask, event_id: int,
                                                  published: ScheduleVersion) -> None:
    startup, investor, slot, table = free_place(schedule_of(published), app, event_id)
    token, feed = tokens(app, event_id, startup)
    page = client.get(f"/p/{token}").get_data(as_text=True)
    assert f'href="webcal://localhost/p/feed/{feed}.ics"' in page
    before = meetings_of(read(client.get(f"/p/feed/{feed}.ics")))
    assert {uid: seq for uid, (seq, _) in before.items()} == own(schedule_of(published), startup)

    # A moved meeting in a draft: the feed does not show it until it is published.
    client.post(f"/events/{event_id}/move", data={"startup": startup, "investor": investor,
                                                  "slot": slot, "table": table})
    assert meetings_of(read(client.get(f"/p/feed/{feed}.ics"))) == before
    client.post(f"/events/{event_id}/versions/2/publish")
    after = meetings_of(read(client.get(f"/p/feed/{feed}.ics")))
    moved = next(m for m in schedule_of(published).meetings
                 if (m.startup, m.investor) == (startup, investor))
    assert after[moved.uid][0] == moved.sequence + 1 and after[moved.uid][1] != before[moved.uid][1]
    assert {u: v for u, v in after.items() if u != moved.uid} == \
        {u: v for u, v in before.items() if u != moved.uid}


def test_nothing_to_download_before_publication(client: FlaskClient, app: Flask, event_id: int,
                                                version: ScheduleVersion) -> None:
    token, feed = tokens(app, event_id, "st-001")
    assert client.get(f"/p/{token}/meetings.ics").status_code == 404
    assert client.get(f"/p/feed/{feed}.ics").status_code == 404


def test_tokens_open_only_their_own_calendar(client: FlaskClient, app: Flask, event_id: int,
                                             published: ScheduleVersion) -> None:
    token, feed = tokens(app, event_id, "inv-001")
    other, _ = tokens(app, event_id, "st-001")
    cal = read(client.get(f"/p/feed/{feed}.ics"))
    assert all(str(e["UID"]) in own(schedule_of(published), "inv-001") for e in cal.events)
    # A feed token is not a personal link, nor a personal link a feed; forgeries open nothing.
    assert client.get(f"/p/{feed}").status_code == 404
    assert client.get(f"/p/{feed}/meetings.ics").status_code == 404
    assert client.get(f"/p/feed/{token}.ics").status_code == 404
    assert client.get(f"/p/feed/{other}.ics").status_code == 404
    assert client.get(f"/p/feed/{feed[:-2]}xx.ics").status_code == 404
    # A new personal link revokes the old feed too.
    pid = next(p.id for p in event_row(app, event_id).participants if p.code == "inv-001")
    client.post(f"/events/{event_id}/participants/{pid}/new-link")
    assert client.get(f"/p/feed/{feed}.ics").status_code == 404
    _, new_feed = tokens(app, event_id, "inv-001")
    assert read(client.get(f"/p/feed/{new_feed}.ics")).events


def test_someone_who_joined_after_publication_gets_an_empty_calendar(
        client: FlaskClient, app: Flask, event_id: int, published: ScheduleVersion) -> None:
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        row.participants.append(Participant(  # type: ignore[union-attr]
            kind="investor", code="inv-new", name="New Fund", interests={"fintech": 3},
            wishes={}, avoid=[], unavailable=[]))
        session.commit()
    _, feed = tokens(app, event_id, "inv-new")
    cal = read(client.get(f"/p/feed/{feed}.ics"))
    assert cal["METHOD"] == "PUBLISH" and cal.events == []


def test_organiser_downloads_every_meeting(client: FlaskClient, app: Flask, event_id: int,
                                           published: ScheduleVersion) -> None:
    url = f"/events/{event_id}/versions/1/schedule.ics"
    cal = read(client.get(url))
    assert cal["METHOD"] == "PUBLISH"
    assert {uid: seq for uid, (seq, _) in meetings_of(cal).items()} == {
        m.uid: m.sequence for m in schedule_of(published).meetings}
    assert 'schedule.ics">Calendar of every meeting (.ics)' in client.get(
        f"/events/{event_id}/schedule").get_data(as_text=True)
    client.post("/logout")
    assert client.get(url).status_code == 302


def test_without_an_organiser_address_the_files_name_no_attendees(
        client: FlaskClient, app: Flask, event_id: int, version: ScheduleVersion) -> None:
    client.post(f"/events/{event_id}/versions/1/publish")
    cal = read(client.get(f"/events/{event_id}/versions/1/schedule.ics"))
    assert cal.events and all("ORGANIZER" not in e and "ATTENDEE" not in e for e in cal.events)


def test_new_event_takes_the_organisers_address(client: FlaskClient, auth: AuthActions,
                                                app: Flask) -> None:
    auth.login()
    assert 'value="org@example.com"' in client.get("/events/new").get_data(as_text=True)
    response = client.post("/events/new", data=event_form(organiser_email="office@example.org",
                                                          organiser_name="Demo Office"))
    row = event_row(app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert (row.organiser_email, row.organiser_name) == ("office@example.org", "Demo Office")
    page = client.post("/events/new", data=event_form(organiser_email="office")).get_data(
        as_text=True)
    assert '<span class="error" id="organiser_email-error">Give an e-mail address' in page


def test_agendas_explain_unmet_wishes(client: FlaskClient, auth: AuthActions, app: Flask,
                                      event_id: int) -> None:
    # st-001 wishes most to meet inv-002, who asked not to meet st-001.
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        st = next(p for p in row.participants if p.code == "st-001")  # type: ignore[union-attr]
        st.wishes = {**st.wishes, "inv-002": 3}
        session.commit()
    auth.login()
    generate(client, app, event_id)
    client.post(f"/events/{event_id}/versions/1/publish")
    token, _ = tokens(app, event_id, "st-001")
    reason = "inv-002 asked not to meet st-001."
    told = "this investor&#39;s time was already taken."  # an avoid is the investor's secret
    page = client.get(f"/p/{token}").get_data(as_text=True)
    assert "Your wishes that did not become meetings" in page and told in page
    assert reason not in page
    agendas = client.get(f"/events/{event_id}/agendas?participant=st-001").get_data(as_text=True)
    assert "Startup 1's wishes that did not become meetings" in agendas and reason in agendas
