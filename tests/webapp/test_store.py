"""Storage: events through the core's model, versions that are never lost, jobs that survive a
crash. Runs on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import select

from matcher.model.event import Event
from matcher.solve.solver import solve
from tests.webapp.conftest import DATABASES, event_row, tiny_event, wait_for_job
from web.db import new_session
from web.db.models import EventRow, Mailing, Participant, ScheduleVersion, SolveJob
from web.events.store import (
    add_event,
    add_version,
    event_of,
    latest_version,
    problems_of,
    publish,
    published_version,
)
from web.publishing import mailings
from web.schedules import jobs

pytestmark = pytest.mark.parametrize("db_url", DATABASES, indirect=True)


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


def test_a_crash_mid_solve_leaves_a_failed_job_and_the_versions(app: Flask, event_id: int) -> None:
    event = event_of(event_row(app, event_id))
    with new_session(app) as session:
        publish(session, add_version(session, event_id, solve(event, time_limit=2), event,
                                     "generated"))
        # A job row as a killed process leaves it: running, never finished.
        session.add(SolveJob(event_id=event_id, time_limit=2, status="running"))
        session.commit()
    jobs.init_app(app)  # what the next process does at start
    with new_session(app) as session:
        job = session.scalars(select(SolveJob)).one()
        assert job.status == "failed" and "Interrupted" in (job.words or "")
        assert published_version(session, event_id).number == 1  # type: ignore[union-attr]
        assert jobs.active_job(session, event_id) is None


def test_stop_keeps_the_best_found(app: Flask) -> None:
    import time

    from matcher.bench.generate import SIZES, generate
    from matcher.model.check import violations
    from matcher.model.instance import Instance
    from web.events.store import schedule_of

    event = generate(SIZES["brokerage"], seed=5)  # big enough to be stopped mid-solve
    with new_session(app) as session:
        row = add_event(session, event)
        session.commit()
        job, _ = jobs.start(app, session, row, 5)
        deadline = time.monotonic() + 60
        while session.get(SolveJob, job.id).status == "queued":  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the job never started"
            time.sleep(0.02)
            session.expire_all()
        jobs.request_stop(session, session.get(SolveJob, job.id))  # type: ignore[arg-type]
    done = wait_for_job(app, job.id)
    assert done.status == "stopped", done.message
    with new_session(app) as session:
        version = session.get(ScheduleVersion, done.version_id)
        assert version is not None and (version.details or {}).get("stopped") is True
        assert violations(Instance(event), schedule_of(version)) == []


def test_a_job_stopped_before_it_starts(app: Flask, event_id: int) -> None:
    with new_session(app) as session:
        job = SolveJob(event_id=event_id, time_limit=2, stop_requested=True)
        session.add(job)
        session.commit()
        job_id = job.id
    jobs.run_job(app, job_id)
    with new_session(app) as session:
        assert session.get(SolveJob, job_id).status == "stopped"  # type: ignore[union-attr]


def test_schema_matches_the_models(app: Flask) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from web.db import Base, engine

    with engine(app).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_a_replan_job_continues_the_published_version(app: Flask, event_id: int) -> None:
    event = event_of(event_row(app, event_id))
    with new_session(app) as session:
        first = add_version(session, event_id, solve(event, time_limit=2), event, "generated")
        publish(session, first)
        job, _ = jobs.start(app, session, session.get(EventRow, event_id), 2,  # type: ignore[arg-type]
                            base=first, now_slot="s03")
        assert (job.kind, job.base_version_id, job.now_slot) == ("replan", first.id, "s03")
    done = wait_for_job(app, job.id)
    assert done.status == "done", done.message
    with new_session(app) as session:
        second = session.get(ScheduleVersion, done.version_id)
        assert second.origin == "replanned" and second.number == 2  # type: ignore[union-attr]
        assert published_version(session, event_id).id == first.id  # type: ignore[union-attr]


def test_a_mailing_cut_short_is_marked_for_a_retry(app: Flask, event_id: int) -> None:
    event = event_of(event_row(app, event_id))
    with new_session(app) as session:
        version = add_version(session, event_id, solve(event, time_limit=2), event, "generated")
        session.add(Mailing(event_id=event_id, version_id=version.id, base_url="http://x/",
                            status="running", skip=[["st-001", "uid@matcher", "REQUEST"]],
                            results=[{"participant": "st-001", "sent": True}]))
        session.commit()
    mailings.init_app(app)  # what the next process does at start
    with new_session(app) as session:
        mailing = session.scalars(select(Mailing)).one()
        assert mailing.status == "failed" and "retrying sends the rest" in (mailing.words or "")
        assert mailing.skip == [["st-001", "uid@matcher", "REQUEST"]] and len(mailing.sent) == 1
        assert mailings.active_mailing(session, event_id) is None
