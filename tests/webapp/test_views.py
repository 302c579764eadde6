"""Organiser pages through the test client: login, events, imports, links."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.conftest import AuthActions, event_row
from web.events.store import event_of
from web.participants.links import token_for


def test_home_lists_own_events_only_after_login(client: FlaskClient, auth: AuthActions,
                                                event_id: int) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Generated tiny event, seed 1" not in page
    assert "Organiser login" in page
    auth.login()
    page = client.get("/").get_data(as_text=True)
    assert "Generated tiny event, seed 1" in page and "You own this event." in page


@pytest.mark.parametrize("path", ["/events/new", "/events/1", "/events/1/schedule",
                                  "/events/1/import", "/account"])
def test_organiser_pages_need_login(client: FlaskClient, event_id: int, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_login_and_logout(client: FlaskClient, auth: AuthActions) -> None:
    assert auth.login().status_code == 302
    assert client.get("/account").status_code == 200
    auth.logout()
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize(("email", "password", "message"), [
    ("org@example.com", "wrong", "Wrong e-mail address or password."),
    ("nobody@example.com", "organiser-password", "Wrong e-mail address or password."),
    ("", "x", "This is required."),
])
def test_login_refused(client: FlaskClient, auth: AuthActions, email: str, password: str,
                       message: str) -> None:
    page = auth.login(email, password).get_data(as_text=True)
    assert message in page
    assert client.get("/account").status_code == 302


def test_login_redirects_only_within_the_site(client: FlaskClient, auth: AuthActions) -> None:
    response = client.post("/login?next=//evil.example.com/",
                           data={"email": "org@example.com", "password": "organiser-password"})
    assert response.headers["Location"] == "/"


def event_form(**changes: str) -> dict[str, str]:
    """A valid event form, with changes; as a browser posts a new event's, with an empty version."""
    return {"name": "Demo Day", "venue": "Cyberport", "timezone": "Asia/Hong_Kong",
            "day": "2023-09-13", "meeting_minutes": "20", "changeover_minutes": "5",
            "sessions": "14:00-15:00, 15:30-16:20", "tables": "3",
            "fields": "fintech, iot", "form_open": "on", "version": ""} | changes


def test_create_event_makes_slots(client: FlaskClient, auth: AuthActions, app: Flask) -> None:
    auth.login()
    response = client.post("/events/new", data=event_form())
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Event Demo Day created with 4 slots." in page
    row = event_row(app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert [(s["id"], s["start"][11:], s["end"][11:]) for s in row.slots] == [
        ("s01", "14:00", "14:20"), ("s02", "14:25", "14:45"), ("s03", "15:30", "15:50"),
        ("s04", "15:55", "16:15")]
    assert row.tables == ["T01", "T02", "T03"]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "This is required."),
    ({"timezone": "Mars/Olympus"}, "timezone", "Mars/Olympus is not a time zone"),
    ({"day": "13/09/2023"}, "day", "Give a date such as 2023-09-13."),
    ({"meeting_minutes": "2"}, "meeting_minutes", "Give 5 or more."),
    ({"sessions": "14:00 to 15:00"}, "sessions", "is not a session such as 14:00-16:00"),
    ({"sessions": "15:00-14:00"}, "sessions", "ends before it starts"),
    ({"sessions": "14:00-15:00, 14:30-16:00"}, "sessions", "overlaps the one before it"),
    ({"sessions": "14:00-14:10"}, "", "No session is long enough"),
    ({"tables": "T1, T1"}, "tables", "The table T1 is listed twice."),
    ({"tables": "table one"}, "tables", "Use - or _ instead of spaces in an id."),
    ({"tables": "T1/2"}, "tables", "Use only letters, digits and . _ : - in an id"),
    ({"tables": "5001"}, "tables", "Give between 1 and 5000 tables."),
    ({"name": "Demo\nDay"}, "name", "Write this on one line"),
    ({"score_loss_percent": "150"}, "score_loss_percent", "Give 100 or less."),
])
def test_event_form_errors_next_to_the_field(client: FlaskClient, auth: AuthActions,
                                             changes: dict[str, str], field: str,
                                             message: str) -> None:
    auth.login()
    response = client.post("/events/new", data=event_form(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    if field:
        assert f'id="{field}-error"' in page
        assert f'aria-describedby="{field}-error"' in page


def test_edit_refuses_a_stale_page(client: FlaskClient, auth: AuthActions, event_id: int) -> None:
    from matcher.model.event import MICHK_FIELDS

    auth.login()
    form = event_form(version="1", fields=",".join(MICHK_FIELDS))
    assert client.post(f"/events/{event_id}/edit", data=form).status_code == 302
    page = client.post(f"/events/{event_id}/edit", data=form).get_data(as_text=True)
    assert "changed by someone else" in page


def test_edit_refuses_fields_that_startups_use(client: FlaskClient, auth: AuthActions,
                                              app: Flask, event_id: int) -> None:
    auth.login()
    page = client.post(f"/events/{event_id}/edit", data=event_form(version="1")).get_data(
        as_text=True)
    assert "do not fit the event" in page
    assert "is not one of the event&#39;s fields" in page


def test_answers_and_pins_follow_their_slot_times(client: FlaskClient, auth: AuthActions,
                                                  app: Flask, event_id: int) -> None:
    from matcher.model.event import MICHK_FIELDS
    from web.db import new_session
    from web.db.models import EventRow

    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        investor = next(p for p in row.participants if p.code == "inv-002")  # type: ignore[union-attr]
        investor.unavailable = ["s01", "s06"]  # 14:00 and 16:05
        row.pinned = [{"startup": "st-001", "investor": "inv-001", "slot": "s02"},  # type: ignore[union-attr]
                      {"startup": "st-002", "investor": "inv-003", "slot": "s06"}]
        session.commit()
    auth.login()
    # One slot earlier in the day (13:35), and the day ends before 16:05.
    form = event_form(version="2", sessions="13:35-16:00", tables="4",
                      fields=",".join(MICHK_FIELDS))
    assert client.post(f"/events/{event_id}/edit", data=form).status_code == 302
    row = event_row(app, event_id)
    assert [s["start"][11:] for s in row.slots][:2] == ["13:35", "14:00"]
    assert next(p for p in row.participants if p.code == "inv-002").unavailable == ["s02"]
    assert row.pinned == [{"startup": "st-001", "investor": "inv-001", "slot": "s03"}]


def test_participant_links_listed_and_renewed(client: FlaskClient, auth: AuthActions,
                                              app: Flask, event_id: int) -> None:
    auth.login()
    row = event_row(app, event_id)
    investor = next(p for p in row.participants if p.kind == "investor")
    with app.test_request_context():
        old = token_for(investor)
    assert f"/p/{old}" in client.get(f"/events/{event_id}").get_data(as_text=True)
    client.post(f"/events/{event_id}/participants/{investor.id}/new-link")
    assert client.get(f"/p/{old}").status_code == 404


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_templates_download(client: FlaskClient, auth: AuthActions, event_id: int,
                            ext: str) -> None:
    auth.login()
    response = client.get(f"/events/{event_id}/template-investor.{ext}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    if ext == "csv":
        assert response.get_data(as_text=True).startswith("id,name,organisation,email")


def test_event_json_export_is_an_event_file(client: FlaskClient, auth: AuthActions,
                                            event_id: int) -> None:
    from matcher.model.event import Event

    auth.login()
    event = Event.model_validate(client.get(f"/events/{event_id}/event.json").get_json())
    assert len(event.investors) == 8


def test_csrf_protects_forms(app: Flask, auth: AuthActions, client: FlaskClient) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"email": "org@example.com",
                                           "password": "organiser-password"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_the_score_given_up_for_fairer_shares_is_a_setting(client: FlaskClient,
                                                            auth: AuthActions,
                                                            app: Flask) -> None:
    auth.login()
    response = client.post("/events/new", data=event_form(score_loss_percent="2.5"))
    event_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert event_of(event_row(app, event_id)).fairness.max_score_loss == 0.025
    page = client.get(f"/events/{event_id}/edit").get_data(as_text=True)
    assert 'name="score_loss_percent"' in page and 'value="2.5"' in page
    client.post(f"/events/{event_id}/edit", data=event_form(
        score_loss_percent="", version=str(event_row(app, event_id).version)))
    assert event_of(event_row(app, event_id)).fairness.max_score_loss == 0

