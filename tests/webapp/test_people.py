"""One participant on a page of their own (add, edit, remove, a new link), and every personal
link at once."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher.i18n import translator
from tests.loopback_smtp import Inbox
from tests.webapp.conftest import AuthActions, event_row, give_addresses, wait_for_mailing
from web.db import new_session
from web.db.models import EventRow, Mailing, Participant
from web.participants.links import link_for


def participant(app: Flask, event_id: int, code: str) -> Participant:
    """A stored participant by id."""
    return next(p for p in event_row(app, event_id).participants if p.code == code)


def test_add_a_startup_with_an_id_made_from_its_name(client: FlaskClient, auth: AuthActions,
                                                     app: Flask, event_id: int) -> None:
    auth.login()
    assert "Add a startup" in client.get(f"/events/{event_id}").get_data(as_text=True)
    page = client.get(f"/events/{event_id}/participants/new?kind=startup")
    assert page.status_code == 200 and 'name="description"' in page.get_data(as_text=True)
    data = {"kind": "startup", "name": "Zed Robotics Ltd.", "field": "iot",
            "email": " zed@example.com ", "description": "Robots\r\nfor warehouses",
            "min_meetings": "2", "max_meetings": ""}
    response = client.post(f"/events/{event_id}/participants/new", data=data)
    assert response.status_code == 302
    zed = participant(app, event_id, "zed-robotics-ltd")
    assert (zed.kind, zed.name, zed.field, zed.email, zed.description, zed.min_meetings,
            zed.max_meetings) == ("startup", "Zed Robotics Ltd.", "iot", "zed@example.com",
                                  "Robots\nfor warehouses", 2, None)
    again = client.post(f"/events/{event_id}/participants/new", data=data)
    assert again.status_code == 302  # the same name gets the next free id
    assert participant(app, event_id, "zed-robotics-ltd-2").name == "Zed Robotics Ltd."


def test_add_refuses_a_taken_id_and_keeps_what_was_typed(client: FlaskClient,
                                                         auth: AuthActions, app: Flask,
                                                         event_id: int) -> None:
    auth.login()
    response = client.post(f"/events/{event_id}/participants/new", data={
        "kind": "investor", "id": "inv-001", "name": "Typed Name", "organisation": "Typed Org"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The id inv-001 is taken" in page and 'value="Typed Org"' in page
    assert participant(app, event_id, "inv-001").name == "Investor 1"


def edit_url(app: Flask, event_id: int, code: str) -> str:
    """A participant's page."""
    return f"/events/{event_id}/participants/{participant(app, event_id, code).id}"


def test_edit_an_investor(client: FlaskClient, auth: AuthActions, app: Flask,
                          event_id: int) -> None:
    auth.login()
    url = edit_url(app, event_id, "inv-003")
    page = client.get(url).get_data(as_text=True)
    assert 'value="Investor 3"' in page and "/p/" in page  # the form and the personal link
    before = participant(app, event_id, "inv-003")
    response = client.post(url, data={"name": "Iris Wong", "organisation": "Harbour Capital",
                                      "email": "iris@example.com", "max_meetings": "4",
                                      "version": str(before.version)})
    assert response.status_code == 302
    after = participant(app, event_id, "inv-003")
    assert (after.name, after.organisation, after.email, after.max_meetings) == (
        "Iris Wong", "Harbour Capital", "iris@example.com", 4)
    assert after.wishes == before.wishes and after.interests == before.interests  # answers kept


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"name": ""}, "name", "This is required."),
    ({"name": "Two\nlines"}, "name", "Write this on one line"),
    ({"email": "nobody"}, "email", "Give an e-mail address such as name@example.com."),
    ({"field": "cooking"}, "field", "cooking is not one of the event&#39;s fields"),
    ({"min_meetings": "4", "max_meetings": "3"}, "max_meetings",
     "The startup Startup 1 needs at least 4 meetings but may have at most 3."),
    ({"min_meetings": "lots"}, "min_meetings", "Give a whole number."),
    ({"description": "Bell\x07"}, "description", "Remove the invisible control character U+0007"),
])
def test_edit_shows_each_problem_next_to_its_field(client: FlaskClient, auth: AuthActions,
                                                   app: Flask, event_id: int, data: dict,
                                                   field: str, message: str) -> None:
    auth.login()
    url = edit_url(app, event_id, "st-001")
    before = participant(app, event_id, "st-001")
    form = {"name": before.name, "field": before.field, "min_meetings": "0",
            "version": str(before.version)} | data
    response = client.post(url, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<span class="error" id="{field}-error">{message}' in page
    assert participant(app, event_id, "st-001").version == before.version


def test_edit_refuses_a_stale_page(client: FlaskClient, auth: AuthActions, app: Flask,
                                   event_id: int) -> None:
    auth.login()
    url = edit_url(app, event_id, "st-001")
    version = participant(app, event_id, "st-001").version
    ok = {"name": "First", "field": "iot", "version": str(version)}
    assert client.post(url, data=ok).status_code == 302
    stale = client.post(url, data=ok | {"name": "Second"})
    assert stale.status_code == 422 and "changed by someone else" in stale.get_data(as_text=True)
    assert participant(app, event_id, "st-001").name == "First"


def test_remove_from_the_page(client: FlaskClient, auth: AuthActions, app: Flask,
                              event_id: int) -> None:
    auth.login()
    url = edit_url(app, event_id, "st-004")
    assert "Remove Startup 4" in client.get(url).get_data(as_text=True)
    assert client.post(url + "/delete").status_code == 302
    row = event_row(app, event_id)
    assert "st-004" not in {p.code for p in row.participants}
    assert all("st-004" not in p.wishes for p in row.participants)


def test_every_personal_link_as_csv(client: FlaskClient, auth: AuthActions, app: Flask,
                                    event_id: int) -> None:
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        assert row is not None
        row.participants[0].name = "=HYPERLINK(\"http://evil.example\")"
        session.commit()
    auth.login()
    response = client.get(f"/events/{event_id}/links.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["kind", "id", "name", "organisation", "e-mail", "personal link"]
    assert len(rows) == 1 + len(event_row(app, event_id).participants)
    assert rows[1][2] == "'=HYPERLINK(\"http://evil.example\")"  # never a formula
    assert all("/p/" in r[5] for r in rows[1:])


def links_sent(client: FlaskClient, app: Flask, event_id: int) -> Mailing:
    """Press 'E-mail every participant their link' and wait for the mailing."""
    response = client.post(f"/events/{event_id}/links/send")
    assert response.status_code == 302 and "/mailings/" in response.headers["Location"]
    return wait_for_mailing(app, int(response.headers["Location"].rsplit("/", 1)[1]))


def test_every_link_by_mail(client: FlaskClient, auth: AuthActions, app: Flask, event_id: int,
                            mail_server: Inbox) -> None:
    give_addresses(app, event_id)  # everyone but inv-008
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        assert row is not None
        next(p for p in row.participants if p.code == "st-001").language = "zh_Hant_HK"
        session.commit()
        with app.test_request_context():
            links = {p.code: link_for(p) for p in row.participants}
    auth.login()
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "E-mail every participant their link" in page
    assert "1 participant has no e-mail address and will be listed instead." in page
    mailing = links_sent(client, app, event_id)
    assert mailing.kind == "links" and mailing.status == "done"
    assert mailing.no_address == ["inv-008"]
    got = {tuple(to): message for _, to, message in mail_server.received}
    assert set(got) == {(f"{code}@example.com",) for code in links if code != "inv-008"}
    for code, link in links.items():
        if code != "inv-008":
            assert link in got[(f"{code}@example.com",)].get_content()
    event_name = event_row(app, event_id).name
    assert got[("st-002@example.com",)]["Subject"] == f"Your personal link for {event_name}"
    in_chinese = translator("zh_Hant_HK").gettext("Your personal link for %(event)s")
    assert in_chinese != "Your personal link for %(event)s"  # st-001 reads Traditional Chinese
    assert got[("st-001@example.com",)]["Subject"] == in_chinese % {"event": event_name}
    page = client.get(f"/events/{event_id}/mailings/{mailing.id}").get_data(as_text=True)
    assert "Personal links e-mailed" in page and "Investor 8" in page.split('id="no-address"')[1]
    assert "Links e-mailed" in client.get(f"/events/{event_id}").get_data(as_text=True)
    assert f"/mailings/{mailing.id}" not in client.get(f"/events/{event_id}/schedule").get_data(
        as_text=True)  # the timetable lists the invitations only


def test_a_refused_link_is_retried_alone(client: FlaskClient, auth: AuthActions, app: Flask,
                                         event_id: int, mail_server: Inbox) -> None:
    give_addresses(app, event_id)
    auth.login()
    mail_server.refuse = {"st-003@example.com"}
    first = links_sent(client, app, event_id)
    assert first.status == "failed" and [r["participant"] for r in first.failed] == ["st-003"]
    mail_server.refuse = set()
    mail_server.received.clear()
    response = client.post(f"/events/{event_id}/mailings/{first.id}/retry")
    retried = wait_for_mailing(app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert retried.status == "done" and retried.kind == "links"
    assert [to for _, to, _ in mail_server.received] == [["st-003@example.com"]]


def test_links_are_not_mailed_without_a_mail_server(client: FlaskClient, auth: AuthActions,
                                                    app: Flask, event_id: int,
                                                    no_mail_server: None) -> None:
    give_addresses(app, event_id)
    auth.login()
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert 'aria-describedby="links-why"' in page and "MATCHER_SMTP_HOST" in page
    response = client.post(f"/events/{event_id}/links/send")
    assert response.status_code == 302
    assert "No links were sent" in client.get(response.headers["Location"]).get_data(as_text=True)
