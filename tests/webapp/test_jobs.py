"""Solves and mailings outside the request: queued in the database, run by a worker that writes
a heartbeat and the progress, failed as interrupted only when that worker is gone (never because
some process started), one per event at a time across web processes, stopped from any web
process. Runs on SQLite (threads of the web process) and on PostgreSQL (procrastinate, its
worker in a thread of the test)."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from matcher.bench.generate import SIZES, generate
from matcher.model.check import violations
from matcher.model.instance import Instance
from matcher.solve.solver import solve
from tests.webapp.conftest import event_row, tiny_event, wait_for_job
from web.db import new_session
from web.db.models import EventRow, Mailing, ScheduleVersion, SolveJob
from web.events.store import (
    add_event,
    add_version,
    event_of,
    published_version,
    schedule_of,
)
from web.events.store import publish as publish_version
from web.publishing import mailings
from web.schedules import jobs
from web.worker.liveness import STALE_AFTER, Running, claim, close, db_time, reap


def published(app: Flask, event_id: int) -> ScheduleVersion:
    """A first version of the event, published."""
    event = event_of(event_row(app, event_id))
    with new_session(app) as session:
        version = add_version(session, event_id, solve(event, time_limit=2), event, "generated")
        publish_version(session, version)
        return version


def running_job(app: Flask, event_id: int, silent_for: int = 0) -> int:
    """A job row as a worker elsewhere holds it: running, its last heartbeat `silent_for`
    seconds ago (by the database's clock)."""
    with new_session(app) as session:
        job = SolveJob(event_id=event_id, time_limit=30, status="running", worker="elsewhere:1",
                       started_at=datetime(2026, 1, 1))
        session.add(job)
        session.commit()
        session.execute(update(SolveJob).where(SolveJob.id == job.id)
                        .values(heartbeat_at=db_time(silent_for)))
        session.commit()
        return job.id


def status_of(app: Flask, job_id: int) -> tuple[str, str | None]:
    """A job's status and message, read afresh."""
    with new_session(app) as session:
        job = session.get(SolveJob, job_id)
        assert job is not None
        return job.status, job.message


def brokerage_event(app: Flask, seed: int = 5) -> int:
    """A stored brokerage-size event: big enough that a solve runs until its time limit."""
    with new_session(app) as session:
        row = add_event(session, generate(SIZES["brokerage"], seed=seed))
        session.commit()
        return row.id


def wait_until_running(app: Flask, job_id: int, stage: str | None = None,
                       timeout: float = 30.0) -> SolveJob:
    """The job once a worker runs it (and has reached the stage, if given)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with new_session(app) as session:
            job = session.get(SolveJob, job_id)
            assert job is not None and job.status in ("queued", "running"), job.message
            if job.status == "running" and stage in (None, job.stage):
                return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not reach {stage or 'running'} in {timeout} s")


def test_a_starting_process_leaves_running_jobs_alone(app: Flask, runner: FlaskCliRunner,
                                                      event_id: int, other_process: Flask) -> None:
    job_id = running_job(app, event_id)
    # other_process started after the job was running, as a web process or a command would
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert status_of(app, job_id) == ("running", None)
    with new_session(app) as session:
        again, new = jobs.start(app, session, session.get(EventRow, event_id), 2)  # type: ignore[arg-type]
    assert not new and again.id == job_id


def test_a_job_whose_worker_went_silent_is_failed(app: Flask, event_id: int) -> None:
    version = published(app, event_id)
    with new_session(app) as session:
        other = add_event(session, tiny_event(2))
        session.commit()
    alive = running_job(app, other.id, silent_for=STALE_AFTER - 10)
    lost = running_job(app, event_id, silent_for=STALE_AFTER + 5)
    with new_session(app) as session:
        assert jobs.active_job(session, event_id) is None  # looking is enough to notice
    status, message = status_of(app, lost)
    assert status == "failed" and "worker running it stopped" in (message or "")
    assert status_of(app, alive) == ("running", None)
    with new_session(app) as session:
        still = published_version(session, event_id)
        assert still is not None and (still.id, still.schedule) == (version.id, version.schedule)
        job, new = jobs.start(app, session, session.get(EventRow, event_id), 2)  # type: ignore[arg-type]
    assert new
    assert wait_for_job(app, job.id).status == "done"


def test_one_generation_per_event_across_web_processes(app: Flask, event_id: int,
                                                       other_process: Flask) -> None:
    other = other_process
    with new_session(app) as first, new_session(other) as second:
        row = first.get(EventRow, event_id)
        job, new = jobs.start(app, first, row, 2)  # type: ignore[arg-type]
        again, new_again = jobs.start(other, second, second.get(EventRow, event_id), 2)  # type: ignore[arg-type]
        assert new and not new_again and again.id == job.id
        # Two web processes that both saw no job a moment ago: the database takes one.
        second.add(SolveJob(event_id=event_id, time_limit=2))
        if status_of(app, job.id)[0] in ("queued", "running"):
            with pytest.raises(IntegrityError):
                second.commit()
    assert wait_for_job(app, job.id).status == "done"


def test_progress_and_heartbeat_are_written_while_solving(app: Flask) -> None:
    event_id = brokerage_event(app)
    with new_session(app) as session:
        job, _ = jobs.start(app, session, session.get(EventRow, event_id), 12)  # type: ignore[arg-type]
    seen: list[tuple[float, str | None, float | None, float | None, int | None, datetime]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with new_session(app) as session:
            row = session.get(SolveJob, job.id)
            assert row is not None
            if row.status not in ("queued", "running"):
                break
            if row.status == "running":
                seen.append((row.elapsed, row.stage, row.objective, row.bound, row.breaks,
                             row.heartbeat_at))  # type: ignore[arg-type]
        time.sleep(0.2)
    assert row.status == "done", row.message
    assert "timing" in [s[1] for s in seen]
    timing = [s for s in seen if s[1] == "timing"]
    # The score and its bound come from choosing the pairs, shown from then on.
    assert all(s[2] is not None and s[3] is not None and s[2] <= s[3] for s in timing)
    assert any(s[4] is not None for s in timing)
    # The heartbeat carries the elapsed time each second: both keep moving while it runs.
    assert len({s[5] for s in seen}) >= len(seen) * 0.2 / 2
    assert len({s[0] for s in seen}) >= len(seen) * 0.2 / 2
    with new_session(app) as session:
        version = session.get(ScheduleVersion, row.version_id)
        assert version is not None and schedule_of(version).score == row.objective


def test_stop_from_another_web_process_keeps_the_best_found(app: Flask,
                                                            other_process: Flask) -> None:
    event_id = brokerage_event(app)
    with new_session(app) as session:
        job, _ = jobs.start(app, session, session.get(EventRow, event_id), 30)  # type: ignore[arg-type]
    wait_until_running(app, job.id, stage="timing")
    with new_session(other_process) as session:
        jobs.request_stop(other_process, session, session.get(SolveJob, job.id))  # type: ignore[arg-type]
    done = wait_for_job(app, job.id, timeout=20)
    assert done.status == "stopped", done.message
    with new_session(app) as session:
        version = session.get(ScheduleVersion, done.version_id)
        assert version is not None and (version.details or {}).get("stopped") is True
        event = event_of(session.get(EventRow, event_id))  # type: ignore[arg-type]
        assert violations(Instance(event), schedule_of(version)) == []


def test_a_job_stopped_before_a_worker_takes_it(app: Flask, event_id: int) -> None:
    with new_session(app) as session:
        job = SolveJob(event_id=event_id, time_limit=2)
        session.add(job)
        session.commit()
        jobs.request_stop(app, session, job)
    status, message = status_of(app, job.id)
    assert status == "stopped" and "before it started" in (message or "")


def test_a_lost_job_stays_failed(app: Flask, event_id: int) -> None:
    with new_session(app) as session:
        job = SolveJob(event_id=event_id, time_limit=2)
        session.add(job)
        session.commit()
    assert claim(app, SolveJob, job.id, "slow:1")
    assert not claim(app, SolveJob, job.id, "other:2")  # one worker at a time
    with new_session(app) as session:
        session.execute(update(SolveJob).where(SolveJob.id == job.id)
                        .values(heartbeat_at=db_time(STALE_AFTER + 1)))
        session.commit()
        assert reap(session, SolveJob, jobs.LOST) == [job.id]
    # The slow worker comes back: it learns that the job is no longer its own, and cannot
    # close it as done.
    with Running(app, SolveJob, job.id, "slow:1") as running:
        running.report(now=True, stage="timing")
        deadline = time.monotonic() + 10
        while not running.lost and time.monotonic() < deadline:
            time.sleep(0.05)
    assert running.lost
    with new_session(app) as session:
        assert not close(session, SolveJob, job.id, "slow:1", status="done")
    assert status_of(app, job.id)[0] == "failed"


def test_a_failing_solve_closes_its_job(app: Flask, event_id: int,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(jobs, "compute", broken)
    with new_session(app) as session:
        job, _ = jobs.start(app, session, session.get(EventRow, event_id), 2)  # type: ignore[arg-type]
    done = wait_for_job(app, job.id)
    assert (done.status, done.message) == ("failed", jobs.CRASHED)


def test_a_replan_job_continues_the_published_version(app: Flask, event_id: int) -> None:
    first = published(app, event_id)
    with new_session(app) as session:
        job, _ = jobs.start(app, session, session.get(EventRow, event_id), 2,  # type: ignore[arg-type]
                            base=first, now_slot="s03")
        assert (job.kind, job.base_version_id, job.now_slot) == ("replan", first.id, "s03")
    done = wait_for_job(app, job.id)
    assert done.status == "done", done.message
    with new_session(app) as session:
        second = session.get(ScheduleVersion, done.version_id)
        assert second.origin == "replanned" and second.number == 2  # type: ignore[union-attr]
        assert published_version(session, event_id).id == first.id  # type: ignore[union-attr]


def test_a_mailing_whose_worker_went_silent_is_marked_for_a_retry(app: Flask,
                                                                  event_id: int) -> None:
    version = published(app, event_id)
    with new_session(app) as session:
        session.add(Mailing(event_id=event_id, version_id=version.id, base_url="http://x/",
                            status="running", worker="elsewhere:1",
                            skip=[["st-001", "uid@matcher", "REQUEST"]],
                            results=[{"participant": "st-001", "sent": True}]))
        session.commit()
        session.execute(update(Mailing).values(heartbeat_at=db_time(STALE_AFTER + 5)))
        session.commit()
        assert mailings.active_mailing(session, event_id) is None
        mailing = session.scalars(select(Mailing)).one()
        assert mailing.status == "failed" and "retrying sends the rest" in (mailing.message or "")
        assert mailing.skip == [["st-001", "uid@matcher", "REQUEST"]] and len(mailing.sent) == 1
