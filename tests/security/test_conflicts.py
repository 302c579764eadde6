"""A write that loses a race with another (the row changed, or the same row was added, between
reading and saving) answers 409 with a message, as a page or as API JSON, never 500; nothing of
the losing write is kept."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.orm import ORMExecuteState, Session

from tests.security.conftest import Visitor, World
from tests.webapp.conftest import DATABASES, EMAIL
from web.db import engine, new_session
from web.db.models import EventRow, Participant

Visit = Callable[..., Visitor]
pytestmark = pytest.mark.parametrize("db_url", DATABASES, indirect=True)


@contextmanager
def meanwhile(app: Flask, statement: str, **params: Any) -> Iterator[list[bool]]:
    """Run `statement` on a connection of its own, committed, just before the next request's
    write reaches the database (a flush, or an INSERT of many rows at once): another writer
    that got there first."""
    fired: list[bool] = []

    def first(*_args: object) -> None:
        if not fired:
            fired.append(True)
            with engine(app).begin() as connection:
                connection.execute(text(statement), params)

    def inserting(state: ORMExecuteState) -> None:
        if state.is_insert:
            first()

    event.listen(Session, "before_flush", first)
    event.listen(Session, "do_orm_execute", inserting)
    try:
        yield fired
    finally:
        event.remove(Session, "before_flush", first)
        event.remove(Session, "do_orm_execute", inserting)


def test_a_changed_event_answers_409(app: Flask, world: World, visit: Visit) -> None:
    owner = visit()
    owner.login(EMAIL)
    with meanwhile(app, "UPDATE events SET version = version + 1, name = 'Renamed' "
                        "WHERE id = :id", id=world.event_id) as fired:
        r = owner.post(f"/events/{world.event_id}/form", data={"open": "0"})
    assert fired and r.status_code == 409
    assert "Someone else changed this at the same moment" in r.text
    with new_session(app) as session:
        row = session.get(EventRow, world.event_id)
        assert row is not None and row.form_open and row.name == "Renamed"


def test_a_changed_participant_answers_409(app: Flask, world: World, visit: Visit) -> None:
    owner = visit()
    owner.login(EMAIL)
    with new_session(app) as session:
        nonce = session.get(Participant, world.participant_id).link_nonce  # type: ignore[union-attr]
    with meanwhile(app, "UPDATE participants SET version = version + 1 WHERE id = :id",
                   id=world.participant_id) as fired:
        r = owner.post(f"/events/{world.event_id}/participants/{world.participant_id}/new-link")
    assert fired and r.status_code == 409
    with new_session(app) as session:
        assert session.get(Participant, world.participant_id).link_nonce == nonce  # type: ignore[union-attr]


def test_the_same_participant_added_twice_answers_409_in_json(app: Flask, world: World,
                                                             visit: Visit) -> None:
    api = visit(token=world.tokens[EMAIL])
    body = {"kind": "investor", "id": "inv-new", "name": "New Investor"}
    with meanwhile(app, "INSERT INTO participants (event_id, kind, code, name, interests, "
                        "wishes, avoid, unavailable, min_meetings, link_nonce, version) VALUES "
                        "(:id, 'investor', 'inv-new', 'First', '{}', '{}', '[]', '[]', 0, 'n', 1)",
                   id=world.event_id) as fired:
        r = api.post(f"/api/events/{world.event_id}/participants", json=body)
    assert fired and r.status_code == 409
    assert "Someone else changed this" in r.json()["error"]
    with new_session(app) as session:
        names = [p.name for p in session.query(Participant).filter_by(code="inv-new")]
    assert names == ["First"]
