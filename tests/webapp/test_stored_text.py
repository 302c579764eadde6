"""Names stored before one-line texts refused line breaks and control characters (a name with
CR/LF, an organisation with NUL) still give calendar files and e-mails: read back from the
database they have spaces for those characters, and no header of a message can be forged."""

from __future__ import annotations

import icalendar
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm.attributes import flag_modified

from tests.loopback_smtp import Inbox
from tests.webapp.conftest import (
    SQLITE_ONLY,
    AuthActions,
    generate,
    give_addresses,
    wait_for_mailing,
)
from tests.webapp.test_mailings import mailing_of
from web.db import new_session
from web.db.models import EventRow, ScheduleVersion
from web.participants.links import token_for

FORGED = "Evil\r\nBcc: victim@example.org\r\n"
SHOWN = "Evil Bcc: victim@example.org"


def store_old_text(app: Flask, event_id: int, version_id: int) -> None:
    """Write names as an older release could store them, past today's rules."""
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        version = session.get(ScheduleVersion, version_id)
        assert row is not None and version is not None
        row.organiser_name = "Desk\r\nReply-To: thief@example.org"
        startup = next(p for p in row.participants if p.code == "st-001")
        startup.name = FORGED
        investor = next(p for p in row.participants if p.code == "inv-001")
        investor.organisation, investor.email = "Fund\x00Ltd", "inv-001\x01@example.com"
        version.event_data["startups"][0]["name"] = FORGED
        version.event_data["investors"][0]["organisation"] = "Fund\x00Ltd"
        flag_modified(version, "event_data")
        session.commit()


# Text stored before the entrances refused control characters; PostgreSQL never stored a NUL.
@SQLITE_ONLY
def test_a_stored_name_with_a_line_break_breaks_no_calendar_and_no_mail(
        client: FlaskClient, auth: AuthActions, app: Flask, event_id: int,
        mail_server: Inbox) -> None:
    give_addresses(app, event_id)
    auth.login()
    version = generate(client, app, event_id)
    store_old_text(app, event_id, version.id)

    with new_session(app) as session:
        startup = next(p for p in session.get(EventRow, event_id).participants  # type: ignore[union-attr]
                       if p.code == "st-001")
        with app.test_request_context():
            token = token_for(startup)
    client.post(f"/events/{event_id}/versions/1/publish")
    for url in (f"/p/{token}/meetings.ics", f"/events/{event_id}/versions/1/schedule.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        calendar = icalendar.Calendar.from_ical(response.data)
        summaries = [str(e["SUMMARY"]) for e in calendar.events]
        assert any(SHOWN in s for s in summaries) and not any("\n" in s for s in summaries)

    mailing = wait_for_mailing(app, mailing_of(client.post(
        f"/events/{event_id}/versions/1/send", data={"scope": "all"})))
    assert mailing.status == "done" and not mailing.failed and mailing.sent
    to_startup = [m for _, to, m in mail_server.received if to == ["st-001@example.com"]]
    assert to_startup and all(SHOWN in str(m["To"]) for m in to_startup)
    for _, recipients, message in mail_server.received:
        assert "victim@example.org" not in recipients and "thief@example.org" not in recipients
        assert message["Bcc"] is None and message["Reply-To"] is None
        assert "Desk Reply-To: thief@example.org" in str(message["From"])
    assert any(to == ["inv-001@example.com"] for _, to, _ in mail_server.received)

    mail_server.received.clear()
    links = wait_for_mailing(app, mailing_of(client.post(f"/events/{event_id}/links/send")))
    assert links.status == "done" and not links.failed
    (link,) = [m for _, to, m in mail_server.received if to == ["st-001@example.com"]]
    assert SHOWN in str(link["To"]) and link["Bcc"] is None
