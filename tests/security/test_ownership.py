"""Every event belongs to its team: strangers get 404 on every route of it, viewers read but
cannot change, the owner manages the team; API tokens act for their account only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from werkzeug.routing import Rule

from tests.security.conftest import CO_ORGANISER, STRANGER, VIEWER, Visitor, World
from tests.webapp.conftest import EMAIL, new_session
from web.accounts.access import event_routes, unchecked_routes
from web.db.models import EventRow, Participant

Visit = Callable[..., Visitor]
METHODS = ("GET", "POST")


def test_every_event_route_states_its_permission(app: Flask) -> None:
    routes = event_routes(app)
    assert len(routes) > 25  # the walk does find the event routes
    assert all(rule.startswith(("/events/", "/api/events/")) for rule, _ in routes)
    assert unchecked_routes(app) == []


def test_an_app_with_an_unchecked_event_route_does_not_start(app: Flask) -> None:
    from flask import Blueprint

    from web.accounts.access import check_routes

    careless = Blueprint("careless", __name__)
    careless.add_url_rule("/events/<int:event_id>/secret", "secret", lambda event_id: "data")
    app.register_blueprint(careless)
    with pytest.raises(RuntimeError, match="/events/<int:event_id>/secret"):
        check_routes(app)


def paths(app: Flask, world: World) -> list[tuple[str, str, str]]:
    """(method, path, permission) of every route about A's event, its ids filled in with real
    ones of that event (so that a 404 cannot come from a missing job or version)."""
    values = {"event_id": world.event_id, "participant_id": world.participant_id,
              "number": world.number, "job_id": world.job_id, "mailing_id": world.mailing_id,
              "member_id": world.member_id, "draft_id": world.draft_id, "kind": "startup",
              "ext": "csv"}
    found = []
    for rule in app.url_map.iter_rules():
        if "event_id" not in rule.arguments:
            continue
        unknown = rule.arguments - values.keys()
        assert not unknown, f"fill in {unknown} for {rule.rule}"
        path = build(rule, values)
        permission = app.view_functions[rule.endpoint].event_permission
        found += [(method, path, permission) for method in METHODS if method in rule.methods]
    return found


def build(rule: Rule, values: dict[str, object]) -> str:
    """The path of a rule with these values."""
    path = rule.rule
    for name in rule.arguments:
        for converter in ("int:", ""):
            path = path.replace(f"<{converter}{name}>", str(values[name]))
    return path


def request(visitor: Visitor, method: str, path: str):  # type: ignore[no-untyped-def]
    """A request as a careless or hostile client sends it: an empty form or JSON body."""
    if method == "GET":
        return visitor.get(path)
    if path.startswith("/api/"):
        return visitor.post(path, json={})
    return visitor.post(path, data={})


def test_a_stranger_gets_404_on_every_route_of_the_event(app: Flask, world: World,
                                                        visit: Visit) -> None:
    web, api = visit(), visit(token=world.tokens[STRANGER])
    web.login(STRANGER)
    before = row_state(app, world)
    answers = {(method, path): request(api if path.startswith("/api/") else web, method, path)
               for method, path, _ in paths(app, world)}
    wrong = {key: r.status_code for key, r in answers.items() if r.status_code != 404}
    assert not wrong
    for r in answers.values():  # and nothing of the event shows through
        assert "Generated tiny event" not in r.text and "st-001" not in r.text
    assert row_state(app, world) == before


def row_state(app: Flask, world: World) -> tuple:
    """The event's row version, form switch, participants and their link nonces."""
    with new_session(app) as session:
        row = session.get(EventRow, world.event_id)
        assert row is not None
        return (row.version, row.form_open,
                tuple((p.code, p.link_nonce, p.version) for p in row.participants))


def test_ids_no_event_can_have_answer_404(world: World, visit: Visit) -> None:
    web, api = visit(), visit(token=world.tokens[EMAIL])
    web.login(EMAIL)
    for event_id in (0, 2**31, 407854263944690401280):
        assert web.get(f"/events/{event_id}").status_code == 404
        assert api.post(f"/api/events/{event_id}/solve-jobs", json={}).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in_or_refused(app: Flask, world: World,
                                                         visit: Visit) -> None:
    anonymous = visit()
    for method, path, _ in paths(app, world):
        r = request(anonymous, method, path)
        if path.startswith("/api/"):
            assert r.status_code == 401, (method, path)
        else:
            assert r.status_code == 302 and r.headers["Location"].startswith("/login"), path


def test_a_viewer_reads_every_page_and_changes_nothing(app: Flask, world: World,
                                                       visit: Visit) -> None:
    web, api = visit(), visit(token=world.tokens[VIEWER])
    web.login(VIEWER)
    before = row_state(app, world)
    for method, path, permission in paths(app, world):
        r = request(api if path.startswith("/api/") else web, method, path)
        if permission == "read":
            assert r.status_code in (200, 302), (method, path, r.status_code)
        else:
            assert r.status_code == 403, (method, path, r.status_code)
    assert row_state(app, world) == before


def test_a_viewer_never_sees_personal_links(world: World, visit: Visit) -> None:
    web, api = visit(), visit(token=world.tokens[VIEWER])
    web.login(VIEWER)
    page = web.get(f"/events/{world.event_id}").text
    assert "st-001" in page and "/p/" not in page
    people = api.get(f"/api/events/{world.event_id}/participants").json()
    assert people and all(p["link"] is None for p in people)
    owner = visit(token=world.tokens[EMAIL])
    assert all(p["link"] for p in owner.get(f"/api/events/{world.event_id}/participants").json())


def test_the_home_page_shows_each_organiser_only_their_events(world: World,
                                                              visit: Visit) -> None:
    anonymous = visit().get("/").text
    assert "Generated tiny event" not in anonymous and "startups" not in anonymous
    stranger = visit()
    stranger.login(STRANGER)
    assert "Generated tiny event" not in stranger.get("/").text
    viewer = visit()
    viewer.login(VIEWER)
    assert "You can read it, not change it." in viewer.get("/").text


def test_api_tokens_list_and_reach_their_accounts_events_only(world: World,
                                                              visit: Visit) -> None:
    stranger = visit(token=world.tokens[STRANGER])
    assert stranger.get("/api/events").json() == []
    mine = stranger.post("/api/events", json=owned_file())
    assert mine.status_code == 201 and mine.json()["role"] == "owner"
    assert [e["id"] for e in stranger.get("/api/events").json()] == [mine.json()["id"]]
    owner = visit(token=world.tokens[EMAIL])
    assert [e["id"] for e in owner.get("/api/events").json()] == [world.event_id]
    assert owner.get(f"/api/events/{mine.json()['id']}").status_code == 404


def owned_file() -> dict:
    """An event file to create by API."""
    from tests.webapp.conftest import tiny_event

    return tiny_event(7).model_dump(mode="json")


def test_the_owner_manages_the_team(app: Flask, world: World, visit: Visit) -> None:
    owner, co = visit(), visit()
    owner.login(EMAIL)
    co.login(CO_ORGANISER)
    team = f"/events/{world.event_id}/team"
    assert co.get(team).status_code == 404
    added = owner.post(team, data={"email": CO_ORGANISER.upper(), "role": "viewer"})
    assert added.status_code == 302
    assert co.get(team).status_code == 200
    assert co.post(f"/events/{world.event_id}/form", data={"open": "0"}).status_code == 403
    owner.post(team, data={"email": CO_ORGANISER, "role": "organiser"})
    assert co.post(f"/events/{world.event_id}/form", data={"open": "0"}).status_code == 302
    assert not row_state(app, world)[1]  # the co-organiser closed the forms
    # An organiser changes the event, not its team.
    assert co.post(team, data={"email": STRANGER, "role": "organiser"}).status_code == 403
    member = member_id(app, world.event_id, CO_ORGANISER)
    assert co.post(f"{team}/{member}/remove").status_code == 403
    assert owner.post(f"{team}/{member}/remove").status_code == 302
    assert co.get(f"/events/{world.event_id}").status_code == 404


def member_id(app: Flask, event_id: int, email: str) -> int:
    """The membership id of an account in an event's team."""
    from sqlalchemy import select

    from web.db.models import Member, Organiser

    with new_session(app) as session:
        return session.scalar(select(Member.id).join(Organiser).where(
            Member.event_id == event_id, Organiser.email == email))  # type: ignore[return-value]


@pytest.mark.parametrize(("email", "message"), [
    ("nobody@example.com", "No organiser account uses this address."),
    (EMAIL, "owns this event"),
    ("not an address", "e-mail"),
])
def test_the_team_form_says_what_is_wrong(world: World, visit: Visit, email: str,
                                          message: str) -> None:
    owner = visit()
    owner.login(EMAIL)
    r = owner.post(f"/events/{world.event_id}/team", data={"email": email, "role": "viewer"})
    assert r.status_code == 422 and message in r.text


def test_the_owner_cannot_be_removed(app: Flask, world: World, visit: Visit) -> None:
    owner = visit()
    owner.login(EMAIL)
    mine = member_id(app, world.event_id, EMAIL)
    assert owner.post(f"/events/{world.event_id}/team/{mine}/remove").status_code == 400
    assert owner.get(f"/events/{world.event_id}").status_code == 200


def test_a_participant_link_opens_its_participant_only(app: Flask, world: World,
                                                       visit: Visit) -> None:
    from web.participants.links import token_for

    with app.test_request_context(), new_session(app) as session:
        people = list(session.query(Participant).filter_by(event_id=world.event_id))
        token = token_for(people[0])
        other = token_for(people[1])
    visitor = visit()
    page = visitor.get(f"/p/{token}").text
    assert people[0].name in page and people[1].name not in page  # two startups
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert visitor.get(f"/p/{forged}").status_code == 404
    assert people[1].name in visitor.get(f"/p/{other}").text
    # A participant's link opens no organiser page.
    for path in (f"/events/{world.event_id}", f"/events/{world.event_id}/schedule"):
        assert visitor.get(path).status_code == 302


def test_ids_of_another_event_open_nothing_through_ones_own(app: Flask, world: World,
                                                            visit: Visit) -> None:
    api, web = visit(token=world.tokens[STRANGER]), visit()
    web.login(STRANGER)
    mine = api.post("/api/events", json=owned_file()).json()["id"]
    before = row_state(app, world)
    for method, path in [
        ("GET", f"/events/{mine}/jobs/{world.job_id}"),
        ("GET", f"/events/{mine}/jobs/{world.job_id}/progress.json"),
        ("POST", f"/events/{mine}/jobs/{world.job_id}/stop"),
        ("GET", f"/events/{mine}/mailings/{world.mailing_id}"),
        ("POST", f"/events/{mine}/mailings/{world.mailing_id}/retry"),
        ("POST", f"/events/{mine}/participants/{world.participant_id}/new-link"),
        ("POST", f"/events/{mine}/participants/{world.participant_id}/delete"),
        ("POST", f"/events/{mine}/team/{world.member_id}/remove"),
        ("GET", f"/api/events/{mine}/solve-jobs/{world.job_id}"),
        ("POST", f"/api/events/{mine}/solve-jobs/{world.job_id}/stop"),
    ]:
        visitor = api if path.startswith("/api/") else web
        assert request(visitor, method, path).status_code == 404, path
    assert row_state(app, world) == before
    owner = visit()
    owner.login(EMAIL)
    assert VIEWER in owner.get(f"/events/{world.event_id}/team").text  # the member is still there
