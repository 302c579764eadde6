"""Fixtures of the security suite: the web tests' app served on loopback, a few organiser
accounts, and one event of organiser A with everything an event route can name (a participant,
a published version, a job, a mailing, a team member), for strangers to try."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from flask import Flask

from matcher.solve.solver import solve
from tests.webapp import conftest as web
from tests.webapp.conftest import EMAIL, PASSWORD, owned_event, tiny_event
from web.accounts.views import create_organiser, find_organiser, new_api_token
from web.db import new_session
from web.db.models import EventRow, ImportDraft, Mailing, Member, SolveJob
from web.events.store import add_version, event_of, publish

# The web tests' fixtures, shared (pytest_plugins may only be set in the top-level conftest).
app, db_url, client, organiser = web.app, web.db_url, web.client, web.organiser
sqlite_template, postgres_url = web.sqlite_template, web.postgres_url
blank_db_url = web.blank_db_url
live_server, new_page, mail_server = web.live_server, web.new_page, web.mail_server
STRANGER = "stranger@example.com"
VIEWER = "viewer@example.com"
CO_ORGANISER = "co@example.com"


class Visitor:
    """Someone using the site over HTTP: their own cookies, no redirects followed."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.base, self.http = base, requests.Session()
        if token is not None:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def login(self, email: str, password: str = PASSWORD) -> requests.Response:
        """Log in with the login form."""
        return self.post("/login", data={"email": email, "password": password})

    def get(self, path: str, **kwargs: object) -> requests.Response:
        """GET a path of the site."""
        return self.http.get(self.base + path, allow_redirects=False, timeout=30, **kwargs)

    def post(self, path: str, **kwargs: object) -> requests.Response:
        """POST to a path of the site."""
        return self.http.post(self.base + path, allow_redirects=False, timeout=30, **kwargs)


@dataclass(frozen=True)
class World:
    """Organiser A's event and the ids of what its routes name; the accounts' API tokens."""

    event_id: int
    participant_id: int
    number: int
    job_id: int
    mailing_id: int
    member_id: int
    draft_id: int
    tokens: dict[str, str]


def account(app: Flask, email: str) -> str:
    """A new organiser account (the shared password); its API token."""
    with new_session(app) as session:
        return new_api_token(session, create_organiser(session, email, PASSWORD))


@pytest.fixture
def world(app: Flask, organiser: str) -> World:
    """A's event (A is the web tests' organiser) with a published version, a finished job, a
    mailing and a viewer; B a stranger to it; a co-organiser account not yet in its team."""
    tokens = {EMAIL: organiser, STRANGER: account(app, STRANGER), VIEWER: account(app, VIEWER),
              CO_ORGANISER: account(app, CO_ORGANISER)}
    event_id = owned_event(app, tiny_event())
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        assert row is not None
        event = event_of(row)
        version = add_version(session, event_id, solve(event, time_limit=5, workers=1), event,
                              "generated")
        publish(session, version)
        job = SolveJob(event_id=event_id, time_limit=1, status="done", version_id=version.id)
        mailing = Mailing(event_id=event_id, version_id=version.id, base_url="http://localhost/",
                          status="done")
        viewer = find_organiser(session, VIEWER)
        assert viewer is not None
        member = Member(event_id=event_id, organiser_id=viewer.id, role="viewer")
        owner = find_organiser(session, EMAIL)
        assert owner is not None
        draft = ImportDraft(event_id=event_id, organiser_id=owner.id, kind="startup",
                            filename="s.csv", unit="line", header=["id"], rows=[[2, ["st-001"]]])
        session.add_all([job, mailing, member, draft])
        session.commit()
        return World(event_id, row.participants[0].id, version.number, job.id, mailing.id,
                     member.id, draft.id, tokens)


@pytest.fixture
def visit(live_server: str) -> Iterator[type[Visitor]]:
    """A factory of visitors of the live server: visit() anonymous, visit(token=...) by API."""

    def make(token: str | None = None) -> Visitor:
        return Visitor(live_server, token)

    yield make  # type: ignore[misc]
