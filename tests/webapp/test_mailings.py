"""E-mailed invitations from the web app, through a real SMTP server on loopback: on publish if
asked, only to the people a re-planned version affects, failures reported and retried, and
publishing that never depends on mail."""

from __future__ import annotations

import email.message

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from matcher.i18n import translator
from matcher.model.schedule import Schedule
from matcher.solve.replan import changes
from tests.loopback_smtp import Inbox
from tests.webapp.conftest import (
    ORGANISER_ADDRESS,
    AuthActions,
    event_row,
    generate,
    give_addresses,
    replan,
    wait_for_mailing,
)
from tests.webapp.test_replanning import swap
from web.db import new_session
from web.db.models import EventRow, Mailing, ScheduleVersion
from web.events.store import published_version, schedule_of
from web.publishing.mailings import NO_SERVER, queue


def calendar_part(message: email.message.EmailMessage) -> tuple[str, icalendar.Calendar]:
    """The method parameter of a message's text/calendar part, and the calendar in it."""
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return part.get_param("method"), icalendar.Calendar.from_ical(part.get_content())  # type: ignore[return-value]


def received(inbox: Inbox) -> list[tuple[str, str, str, int]]:
    """(recipient, METHOD, UID, SEQUENCE) of each message received."""
    found = []
    for _, recipients, message in inbox.received:
        method, cal = calendar_part(message)
        assert cal["METHOD"] == method
        (vevent,) = cal.events
        found += [(r, method, str(vevent["UID"]), int(vevent["SEQUENCE"])) for r in recipients]
    return found


def addresses(schedule: Schedule, without: str = "inv-008") -> set[str]:
    """The addresses of everyone with a meeting, but the one without an address."""
    return {f"{p}@example.com" for m in schedule.meetings for p in (m.startup, m.investor)
            if p != without}


def mailing_of(response) -> int:  # type: ignore[no-untyped-def]
    """The mailing a publish or send form redirected to."""
    location = response.headers["Location"]
    assert "/mailings/" in location, location
    return int(location.rsplit("/", 1)[1])


@pytest.fixture
def ready(client: FlaskClient, auth: AuthActions, app: Flask, event_id: int) -> ScheduleVersion:
    """Version 1 of the tiny event, not yet published; everyone but inv-008 has an address."""
    give_addresses(app, event_id)
    auth.login()
    return generate(client, app, event_id)


def test_publish_and_send_every_invitation(client: FlaskClient, app: Flask, event_id: int,
                                           ready: ScheduleVersion, mail_server: Inbox) -> None:
    page = client.get(f"/events/{event_id}/versions/1/publish").get_data(as_text=True)
    assert '<label for="send-1">E-mail the calendar invitations' in page
    response = client.post(f"/events/{event_id}/versions/1/publish", data={"send": "on"})
    mailing = wait_for_mailing(app, mailing_of(response))
    with new_session(app) as session:
        assert published_version(session, event_id).number == 1  # type: ignore[union-attr]
    schedule = schedule_of(ready)
    assert mailing.status == "done" and mailing.no_address == ["inv-008"]
    expected = {(f"{p}@example.com", "REQUEST", m.uid, 0) for m in schedule.meetings
                for p in (m.startup, m.investor) if p != "inv-008"}
    assert sorted(received(mail_server)) == sorted(expected)
    assert {sender for sender, _, _ in mail_server.received} == {ORGANISER_ADDRESS}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'id="mailing-count">{len(expected)} of {len(expected)}</dd>' in page
    assert all(address in page for address in addresses(schedule))
    assert "No e-mail address" in page and "Investor 8" in page.split('id="no-address"')[1]
    assert "Retry" not in page


def test_publishing_never_needs_mail(client: FlaskClient, app: Flask, event_id: int,
                                     ready: ScheduleVersion, no_mail_server: None) -> None:
    page = client.get(f"/events/{event_id}/versions/1/publish").get_data(as_text=True)
    assert 'id="send-1" name="send" disabled' in page
    assert "Cannot e-mail now: no e-mail server is set up: set MATCHER_SMTP_HOST" in page
    response = client.post(f"/events/{event_id}/versions/1/publish", data={"send": "on"},
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Version 1 is published" in text and "No invitations were sent: no e-mail server" in text
    with new_session(app) as session:
        assert published_version(session, event_id).number == 1  # type: ignore[union-attr]
        assert session.scalars(select(Mailing)).first() is None


def test_mail_needs_the_organisers_address(client: FlaskClient, app: Flask, event_id: int,
                                           ready: ScheduleVersion, mail_server: Inbox) -> None:
    with new_session(app) as session:
        session.get(EventRow, event_id).organiser_email = None  # type: ignore[union-attr]
        session.commit()
    page = client.get(f"/events/{event_id}/versions/1/publish").get_data(as_text=True)
    assert "Cannot e-mail now: the event has no organiser e-mail address" in page
    client.post(f"/events/{event_id}/versions/1/publish", data={"send": "on"})
    assert mail_server.received == []


def test_refused_messages_are_reported_and_retried(client: FlaskClient, app: Flask,
                                                   event_id: int, ready: ScheduleVersion,
                                                   mail_server: Inbox) -> None:
    mail_server.refuse = {"inv-002@example.com"}
    client.post(f"/events/{event_id}/versions/1/publish")  # published first, sent afterwards
    response = client.post(f"/events/{event_id}/versions/1/send", data={"scope": "all"})
    first = wait_for_mailing(app, mailing_of(response))
    theirs = {m.uid for m in schedule_of(ready).meetings if m.investor == "inv-002"}
    assert theirs and first.status == "failed"
    assert {(r["recipient"], r["uid"]) for r in first.failed} == {
        ("inv-002@example.com", uid) for uid in theirs}
    assert all(r["reason"].startswith("550") for r in first.failed)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not sent" in page and "no such mailbox here" in page
    assert "Retry what was not sent" in page
    sent_before = len(mail_server.received)

    mail_server.refuse = set()
    again = wait_for_mailing(app, mailing_of(client.post(
        f"/events/{event_id}/mailings/{first.id}/retry")))
    assert again.status == "done" and again.retry_of_id == first.id
    assert sorted(received(mail_server)[sent_before:]) == sorted(
        ("inv-002@example.com", "REQUEST", uid, 0) for uid in theirs)
    # Retrying twice sends nothing twice: it leads to the retry.
    response = client.post(f"/events/{event_id}/mailings/{first.id}/retry")
    assert response.headers["Location"].endswith(f"/mailings/{again.id}")


def test_replanned_version_mails_only_the_affected(client: FlaskClient, app: Flask,
                                                   event_id: int, ready: ScheduleVersion,
                                                   mail_server: Inbox) -> None:
    wait_for_mailing(app, mailing_of(client.post(f"/events/{event_id}/versions/1/publish",
                                                 data={"send": "on"})))
    old = schedule_of(ready)
    gone = swap(client, app, event_id, old)
    with new_session(app) as session:
        joined = next(p for p in session.get(EventRow, event_id).participants  # type: ignore[union-attr]
                      if p.code == "inv-new")
        joined.email = "inv-new@example.com"
        session.commit()
    new = schedule_of(replan(client, app, event_id, "s02"))
    diff = changes(old, new)
    assert diff.added and diff.cancelled and gone in diff.affected()
    mail_server.received.clear()

    response = client.post(f"/events/{event_id}/versions/2/publish",
                           data={"send": "on", "scope": "changes"})
    mailing = wait_for_mailing(app, mailing_of(response))
    assert mailing.status == "done"
    got = received(mail_server)
    assert {r for r, *_ in got} == {f"{p}@example.com" for p in diff.affected() if p != "inv-008"}
    expected = {(f"{p}@example.com", "REQUEST", m.uid, m.sequence)
                for m in (*diff.added, *(now for _, now in diff.moved))
                for p in (m.startup, m.investor)}
    expected |= {(f"{p}@example.com", "CANCEL", m.uid, m.sequence + 1)
                 for m in diff.cancelled for p in (m.startup, m.investor)}
    assert sorted(got) == sorted(e for e in expected if not e[0].startswith("inv-008@"))
    for _, _, message in mail_server.received:
        method, cal = calendar_part(message)
        if method == "CANCEL":
            assert cal.events[0]["STATUS"] == "CANCELLED"
    unaffected = {p.code for p in event_row(app, event_id).participants} - diff.affected()
    assert unaffected and not any(r.startswith(tuple(f"{p}@" for p in unaffected)) for r, *_ in got)



def test_a_mailing_whose_server_went_away_says_so_in_the_readers_language(
        client: FlaskClient, app: Flask, event_id: int, ready: ScheduleVersion,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MATCHER_SMTP_HOST", raising=False)
    with new_session(app) as session:
        # Queued as the publish form queues it: the worker finds the server's settings gone.
        mailing, _ = queue(app, session, Mailing(event_id=event_id, version_id=ready.id,
                                                 base_url="http://localhost/"))
        assert mailing is not None
        mailing_id = mailing.id
    assert wait_for_mailing(app, mailing_id).status == "failed"
    url = f"/events/{event_id}/mailings/{mailing_id}"
    for header, locale in (("zh-HK", "zh_Hant_HK"), ("zh-CN", "zh_Hans_CN"), ("en", "en")):
        page = client.get(url, headers={"Accept-Language": header}).get_data(as_text=True)
        assert translator(locale).gettext(NO_SERVER) in page, locale
