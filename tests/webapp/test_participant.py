"""Personal links: the investor's and the startup's forms, and their agendas."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from matcher.solve.solver import solve
from tests.webapp.conftest import event_row
from web.db import new_session
from web.db.models import EventRow, Participant
from web.events.store import add_version, event_of, publish
from web.participants.links import token_for


def link(app: Flask, event_id: int, code: str) -> str:
    """The personal page of a participant."""
    p = next(p for p in event_row(app, event_id).participants if p.code == code)
    with app.test_request_context():
        return f"/p/{token_for(p)}"


def investor_form(**changes: str) -> dict[str, str | list[str]]:
    """A complete investor form for the tiny event (6 slots, 4 startups)."""
    data: dict[str, str | list[str]] = {
        "version": "1", "interest-fintech": "3", "interest-iot": "1", "choice-st-001": "3",
        "choice-st-002": "avoid", "available": ["s02", "s03", "s04", "s05", "s06"],
        "max_meetings": "3"}
    return data | changes


def stored(app: Flask, event_id: int, code: str) -> Participant:
    return next(p for p in event_row(app, event_id).participants if p.code == code)


def test_investor_saves_answers(client: FlaskClient, app: Flask, event_id: int) -> None:
    page = client.get(link(app, event_id, "inv-001")).get_data(as_text=True)
    assert "Investor 1" in page and 'name="interest-fintech"' in page
    response = client.post(link(app, event_id, "inv-001"), data=investor_form())
    assert response.status_code == 302
    assert "your answers are saved" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    p = stored(app, event_id, "inv-001")
    assert p.interests == {"fintech": 3, "iot": 1}
    assert p.wishes == {"st-001": 3}
    assert p.avoid == ["st-002"]
    assert p.unavailable == ["s01"]
    assert p.max_meetings == 3
    assert p.answered_at is not None
    assert event_of(event_row(app, event_id)).investors[0].avoid == ("st-002",)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"interest-fintech": "7"}, "interests-fintech", "Give 3 or less."),
    ({"choice-st-001": "9"}, "choices-st-001", "Choose one of the options."),
    ({"max_meetings": "-1"}, "max_meetings", "Give 0 or more."),
    ({"max_meetings": "lots"}, "max_meetings", "Give a whole number."),
])
def test_investor_form_errors_next_to_the_field(client: FlaskClient, app: Flask, event_id: int,
                                                changes: dict[str, str], field: str,
                                                message: str) -> None:
    response = client.post(link(app, event_id, "inv-001"), data=investor_form(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<span class="error" id="{field}-error">{message}' in page
    assert stored(app, event_id, "inv-001").answered_at is None


def test_a_stale_form_does_not_overwrite_newer_answers(client: FlaskClient, app: Flask,
                                                       event_id: int) -> None:
    url = link(app, event_id, "inv-001")
    client.post(url, data=investor_form())
    page = client.post(url, data=investor_form(**{"interest-iot": "2"})).get_data(as_text=True)
    assert "changed in another window" in page
    assert stored(app, event_id, "inv-001").interests["iot"] == 1


def test_answers_that_break_a_rule_are_refused(client: FlaskClient, app: Flask,
                                               event_id: int) -> None:
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        row.required = [{"startup": "st-002", "investor": "inv-001"}]  # type: ignore[union-attr]
        session.commit()
    page = client.post(link(app, event_id, "inv-001"), data=investor_form()).get_data(
        as_text=True)
    assert "cannot be saved" in page
    assert "Investor 1 avoids Startup 2, so they cannot be required to meet." in page


def test_closed_form_cannot_be_changed(client: FlaskClient, app: Flask, event_id: int) -> None:
    with new_session(app) as session:
        session.get(EventRow, event_id).form_open = False  # type: ignore[union-attr]
        session.commit()
    url = link(app, event_id, "inv-001")
    assert "<fieldset disabled>" in client.get(url).get_data(as_text=True)
    response = client.post(url, data=investor_form())
    assert response.status_code == 422
    assert "closed the form" in response.get_data(as_text=True)
    assert stored(app, event_id, "inv-001").answered_at is None


def test_startup_saves_wishes_and_availability(client: FlaskClient, app: Flask,
                                               event_id: int) -> None:
    url = link(app, event_id, "st-001")
    page = client.get(url).get_data(as_text=True)
    assert 'name="interest-' not in page and "Avoid" not in page
    response = client.post(url, data={"version": "1", "choice-inv-003": "2",
                                      "available": ["s01", "s02", "s03"]})
    assert response.status_code == 302
    p = stored(app, event_id, "st-001")
    assert p.wishes == {"inv-003": 2}
    assert p.unavailable == ["s04", "s05", "s06"]


@pytest.mark.parametrize("token", ["nonsense", "WzEsImFiYyJd.forged", ""])
def test_bad_links_are_not_found(client: FlaskClient, event_id: int, token: str) -> None:
    assert client.get(f"/p/{token}").status_code == 404


def test_token_opens_only_its_own_participant(client: FlaskClient, app: Flask,
                                              event_id: int) -> None:
    url = link(app, event_id, "inv-001")
    client.post(url, data=investor_form())
    assert stored(app, event_id, "inv-002").answered_at is None


def test_agenda_shows_only_after_publication(client: FlaskClient, app: Flask,
                                             event_id: int) -> None:
    url = link(app, event_id, "inv-001")
    assert "Your meetings" not in client.get(url).get_data(as_text=True)
    event = event_of(event_row(app, event_id))
    schedule = solve(event, time_limit=2)
    with new_session(app) as session:
        draft = add_version(session, event_id, schedule, event, "generated")
    assert "Your meetings" not in client.get(url).get_data(as_text=True)
    with new_session(app) as session:
        publish(session, session.merge(draft))
    page = client.get(url).get_data(as_text=True)
    assert "Your meetings" in page
    mine = [m for m in schedule.meetings if m.investor == "inv-001"]
    for m in mine:
        name = next(s.name for s in event.startups if s.id == m.startup)
        assert name in page
