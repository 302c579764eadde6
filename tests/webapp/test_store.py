"""Storage: events through the core's model, versions that are never lost. Runs on SQLite and
on PostgreSQL (see conftest)."""

from __future__ import annotations

import threading
from dataclasses import asdict

import pytest
from flask import Flask
from sqlalchemy import select

from matcher.model.event import Event
from matcher.model.feasibility import impossible_setups
from matcher.model.instance import Instance
from matcher.model.schedule import Schedule
from matcher.report import side_shares
from matcher.solve.solver import solve
from tests.webapp.conftest import event_row, tiny_event, wait_for_job
from web.db import new_session
from web.db.models import EventRow, Participant, ScheduleVersion
from web.events.store import (
    add_event,
    add_version,
    checked,
    event_of,
    latest_version,
    problems_of,
    publish,
    published_version,
    snapshot_of,
)
from web.schedules import jobs
from web.schedules.layout import Layout


@pytest.mark.parametrize("loss", [0.0, 0.02])
def test_event_round_trip(app: Flask, loss: float) -> None:
    event = tiny_event(3)
    event = Event.model_validate(event.model_dump() | {"fairness": {"max_score_loss": loss}})
    with new_session(app) as session:
        row = add_event(session, event)
        session.commit()
        assert event_of(session.get(EventRow, row.id)) == event  # type: ignore[arg-type]


def test_sample_settings_read_off_the_slots(app: Flask, event_id: int) -> None:
    row = event_row(app, event_id)
    assert (row.meeting_minutes, row.changeover_minutes, row.sessions) == (
        20, 5, [["14:00", "16:25"]])


def test_removed_references_are_dropped(app: Flask, event_id: int) -> None:
    with new_session(app) as session:
        st = session.scalars(select(Participant).where(Participant.code == "st-001")).one()
        session.delete(st)
        session.commit()
        row = session.get(EventRow, event_id)
        event: Event = event_of(row)  # type: ignore[arg-type]
    assert all("st-001" not in i.wishes and "st-001" not in i.avoid for i in event.investors)


def test_problems_name_the_culprit(app: Flask, event_id: int) -> None:
    with new_session(app) as session:
        row = session.get(EventRow, event_id)
        row.fields = ["fintech"]  # type: ignore[union-attr]
        problems = problems_of(row)  # type: ignore[arg-type]
    assert any(p.startswith("Startup Startup ") and ", field: " in p
               and "is not one of the event's fields (fintech)." in p for p in problems)


def test_concurrent_versions_get_distinct_numbers(app: Flask, event_id: int) -> None:
    event = event_of(event_row(app, event_id))
    schedule = solve(event, time_limit=2)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with new_session(app) as session:
                add_version(session, event_id, schedule, event, "generated")
        except BaseException as e:  # noqa: BLE001  (reported below)
            errors.append(e)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with new_session(app) as session:
        numbers = sorted(session.scalars(select(ScheduleVersion.number)))
    assert numbers == [1, 2, 3, 4]


def test_generation_never_touches_the_published_version(app: Flask, event_id: int) -> None:
    event = event_of(event_row(app, event_id))
    with new_session(app) as session:
        first = add_version(session, event_id, solve(event, time_limit=2), event, "generated")
        publish(session, first)
        saved = (first.id, first.schedule, first.published_at)
        job, new = jobs.start(app, session, session.get(EventRow, event_id), 2)  # type: ignore[arg-type]
        assert new
        again, new = jobs.start(app, session, session.get(EventRow, event_id), 2)  # type: ignore[arg-type]
        assert not new and again.id == job.id
    assert wait_for_job(app, job.id).status == "done"
    with new_session(app) as session:
        published = published_version(session, event_id)
        assert (published.id, published.schedule, published.published_at) == saved  # type: ignore[union-attr]
        assert latest_version(session, event_id).number == 2  # type: ignore[union-attr]


def test_schema_matches_the_models(app: Flask) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from web.db import Base, engine
    from web.db.schema import ours

    with engine(app).connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": ours})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def stored_version(app: Flask, event_id: int) -> tuple[Event, ScheduleVersion]:
    """The tiny event solved and stored as a version."""
    with new_session(app) as session:
        event: Event = event_of(session.get(EventRow, event_id))  # type: ignore[arg-type]
        version = add_version(session, event_id, solve(event, time_limit=5), event, "generated")
        session.expunge(version)
    return event, version


def test_a_version_keeps_its_shares_as_measured(app: Flask, event_id: int) -> None:
    event, version = stored_version(app, event_id)
    measured = side_shares(Instance(event), Schedule.model_validate(version.schedule))
    assert [s.side for s in measured] == ["startups", "investors"]
    assert version.details["shares"] == [asdict(s) for s in measured]
    with app.app_context():
        assert Layout(snapshot_of(version), version.schedule, version.details["shares"]).shares \
            == measured == Layout(snapshot_of(version), version.schedule).shares


def test_the_checks_trust_a_version_only_of_the_event_as_it_is(app: Flask, event_id: int,
                                                               ) -> None:
    _, version = stored_version(app, event_id)
    with app.test_request_context(), new_session(app) as session:
        row = session.get_one(EventRow, event_id)
        now = checked(session, row, witness=snapshot_of(version))
        assert now.event == snapshot_of(version)
        assert (now.problems, now.impossible) == ([], [])
        assert impossible_setups(Instance(now.event)) == []
        # Changed since: a startup needs more meetings than there are slots. The version's
        # event is no witness to that.
        st = session.scalars(select(Participant).where(Participant.event_id == event_id,
                                                        Participant.kind == "startup")).first()
        assert st is not None
        st.min_meetings = len(row.slots) + 1
        session.commit()
        later = checked(session, row, witness=snapshot_of(version))
        assert later.event != snapshot_of(version)
        assert later.impossible and f"needs at least {len(row.slots) + 1} meetings" \
            in later.impossible[0]
