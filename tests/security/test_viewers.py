"""Viewers read every page and export of an event, and never a participant's personal link or
calendar feed: a link lets its holder change that participant's answers."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from tests.security.conftest import VIEWER, Visitor, World
from tests.security.test_ownership import paths
from tests.webapp.conftest import EMAIL, new_session
from web.db.models import Participant
from web.participants.links import FEED_SALT, SALT, token_for

Visit = Callable[..., Visitor]
# Every format a download route offers (a route ending .csv is tried as each of them).
FORMATS = (".csv", ".json", ".ics", ".xlsx")


def secrets_of(app: Flask, world: World) -> set[str]:
    """The tokens of every participant's personal link and calendar feed."""
    with app.test_request_context(), new_session(app) as session:
        people = session.query(Participant).filter_by(event_id=world.event_id).all()
        return {token_for(p, salt) for p in people for salt in (SALT, FEED_SALT)}


def readable(app: Flask, world: World) -> list[str]:
    """Every page and download of the event that a viewer may read, in each of its formats."""
    found = []
    for method, path, permission in paths(app, world):
        if method != "GET" or permission != "read":
            continue
        stem, dot, _ext = path.rpartition(".")
        found += [stem + ext for ext in FORMATS] if dot and path.endswith(".csv") else [path]
    return found


def test_nothing_a_viewer_reads_carries_a_personal_link(app: Flask, world: World,
                                                        visit: Visit) -> None:
    secrets = secrets_of(app, world)
    web, api = visit(), visit(token=world.tokens[VIEWER])
    web.login(VIEWER)
    owner = visit()
    owner.login(EMAIL)
    read = 0
    for path in readable(app, world):
        r = (api if path.startswith("/api/") else web).get(path)
        if r.status_code != 200:
            continue
        read += 1
        assert not [s for s in secrets if s in r.text], path
    assert read > 15  # the walk did read the event's pages and downloads
    # The owner's calendar of every meeting does carry the links, for the organisers to send.
    ics = owner.get(f"/events/{world.event_id}/versions/{world.number}/schedule.ics").text
    assert any(s in ics for s in secrets)
