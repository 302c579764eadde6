"""Generation and re-planning outside the request: a worker thread runs `matcher.solve.solver.solve`
or `matcher.solve.replan.replan` for a job row and writes its progress to that row; the result becomes
a new schedule version.

Nothing is written to a schedule until the solver has finished, and then only a new version is
added: a crash or a second generation never touches an existing (or published) version.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask
from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session

from matcher.i18n import N_
from matcher.model.check import BrokenSchedule
from matcher.model.event import Event
from matcher.model.schedule import Schedule
from matcher.solve.cpsat import Progress
from matcher.solve.pairing import Infeasible
from matcher.solve.replan import carry_over, changes, replan
from matcher.solve.solver import solve
from web.db import Base, engine, new_session
from web.db.models import ACTIVE, EventRow, ScheduleVersion, SolveJob, now, told
from web.events.store import add_version, event_of, problems_of, schedule_of

log = logging.getLogger(__name__)
PROGRESS_EVERY = 0.25  # seconds between progress writes; the page polls once a second


class Worker:
    """One thread per kind of work and app process: tasks queue up and run one after the other,
    so that the two cores are not split between concurrent solves."""

    def __init__(self, app: Flask, run: Callable[[Flask, int], None], name: str) -> None:
        self.app, self.run = app, run
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"matcher-{name}")

    def submit(self, task_id: int) -> None:
        """Run a task when the thread is free."""
        self.pool.submit(self.run, self.app, task_id)


def interrupt_unfinished(app: Flask, model: type[Base], message: str) -> None:
    """Mark the rows a previous process left queued or running as failed: that process is gone."""
    if not inspect(engine(app)).has_table(model.__tablename__):
        return  # no schema yet: `init-db` is about to create it
    with new_session(app) as session:
        session.execute(update(model).where(model.status.in_(ACTIVE)).values(  # type: ignore[attr-defined]
            status="failed", finished_at=now(), **told(message)))
        session.commit()


def init_app(app: Flask) -> None:
    """Attach the solver's worker and mark jobs left unfinished by a previous process."""
    app.extensions["solver"] = Worker(app, run_job, "solver")
    interrupt_unfinished(app, SolveJob, N_("Interrupted: the server stopped before it finished."))


def active_job(session: Session, event_id: int) -> SolveJob | None:
    """The event's queued or running job, if any."""
    return session.scalars(select(SolveJob).where(SolveJob.event_id == event_id,
                                                  SolveJob.status.in_(ACTIVE))).first()


def start(app: Flask, session: Session, row: EventRow, time_limit: float,
          base: ScheduleVersion | None = None, now_slot: str | None = None,
          ) -> tuple[SolveJob, bool]:
    """Queue a generation for an event, or with `now_slot` a re-planning of `base` from that slot,
    unless a job is already queued or running (then that one, and False). `base` is the version
    participants see: a new version continues its calendar uids. The caller has checked that
    the event is valid (`problems_of`)."""
    running = active_job(session, row.id)
    if running is not None:
        return running, False
    job = SolveJob(event_id=row.id, time_limit=time_limit, kind="replan" if now_slot else "generate",
                   base_version_id=base.id if base else None, now_slot=now_slot)
    session.add(job)
    session.commit()
    app.extensions["solver"].submit(job.id)
    return job, True


def request_stop(session: Session, job: SolveJob) -> None:
    """Ask the solver to stop and keep the best timetable found so far."""
    if job.active:
        job.stop_requested = True
        session.commit()


class Reporting:
    """The solver's progress callback and stop check, both writing to or reading the job row."""

    def __init__(self, app: Flask, job_id: int) -> None:
        self.app, self.job_id = app, job_id
        self.start = time.monotonic()
        self.last_write = self.last_read = -PROGRESS_EVERY
        self.stop = False

    def _write(self, **values: object) -> None:
        with new_session(self.app) as session:
            session.execute(update(SolveJob).where(SolveJob.id == self.job_id).values(**values))
            session.commit()

    def on_progress(self, p: Progress) -> None:
        """Record the stage's best objective and bound (the score and its bound while pairing)."""
        elapsed = time.monotonic() - self.start
        if elapsed - self.last_write < PROGRESS_EVERY:
            return
        self.last_write = elapsed
        values: dict[str, object] = {"stage": p.stage, "elapsed": round(elapsed, 2)}
        if p.stage == "pairs":
            values |= {"objective": p.objective, "bound": p.bound}
        self._write(**values)

    def should_stop(self) -> bool:
        """Whether the organiser pressed stop (read from the row at most every PROGRESS_EVERY)."""
        elapsed = time.monotonic() - self.start
        if not self.stop and elapsed - self.last_read >= PROGRESS_EVERY:
            self.last_read = elapsed
            with new_session(self.app) as session:
                self.stop = bool(session.scalar(select(SolveJob.stop_requested)
                                                .where(SolveJob.id == self.job_id)))
        return self.stop


def run_job(app: Flask, job_id: int) -> None:
    """Solve a queued job's event and store the result as a new version (the worker's entry)."""
    with new_session(app) as session:
        job = session.get(SolveJob, job_id)
        if job is None or job.status != "queued":
            return
        if job.stop_requested:
            job.status, job.finished_at = "stopped", now()
            job.tell(N_("Stopped before it started."))
            session.commit()
            return
        row = session.get_one(EventRow, job.event_id)  # a job goes with its event
        # The event may have changed since the job was queued.
        problems = problems_of(row)
        if problems:
            job.status, job.finished_at = "failed", now()
            job.tell(N_("The event was changed meanwhile and is not valid now: %(problems)s"),
                     problems="; ".join(problems))
            session.commit()
            return
        if job.now_slot and job.now_slot not in {s["id"] for s in row.slots}:
            job.status, job.finished_at = "failed", now()
            job.tell(N_("The slot %(slot)s, to re-plan from, is no longer in the event."),
                     slot=job.now_slot)
            session.commit()
            return
        event = event_of(row)
        base = session.get(ScheduleVersion, job.base_version_id) if job.base_version_id else None
        job.status = "running"
        session.commit()
        reporting = Reporting(app, job_id)
        try:
            schedule = compute(job, event, base, app.config["SOLVE_WORKERS"], reporting)
        except Infeasible as e:
            finish(session, job_id, "failed", told(N_(
                "No timetable can keep every rule of this event: %(rules)s. Change the event "
                "(its answers, slots, tables, required or pinned meetings) and try again."),
                rules=str(e)))
            return
        except TimeoutError:
            finish(session, job_id, "failed", told(N_(
                "No timetable was found within the time limit of %(seconds)s s: give the solver "
                "more time."), seconds=f"{job.time_limit:.0f}"))
            return
        except Exception:
            log.exception("solve job %s failed", job_id)
            finish(session, job_id, "failed", told(N_(
                "The solver failed unexpectedly; the server's log says why.")))
            return
        stopped = reporting.should_stop()
        try:
            version = add_version(session, event_id=job.event_id, schedule=schedule, event=event,
                                  origin="replanned" if job.kind == "replan" else "generated",
                                  details=details(job, schedule, base, stopped))
        except BrokenSchedule as e:
            log.error("solve job %s made a schedule that breaks the rules: %s", job_id, e)
            finish(session, job_id, "failed", told(N_(
                "The solver's timetable breaks the rules, so it was not stored: %(rules)s. "
                "Please report this."), rules=str(e)))
            return
        finish(session, job_id, "stopped" if stopped else "done", told(None), version.id,
               objective=schedule.score, bound=schedule.bound, elapsed=schedule.seconds)


def compute(job: SolveJob, event: Event, base: ScheduleVersion | None, workers: int,
            reporting: Reporting) -> Schedule:
    """The job's schedule: re-planned from its slot, or solved afresh."""
    if job.kind == "replan" and base is not None:
        return replan(event, schedule_of(base), job.time_limit, job.now_slot, workers,
                      reporting.on_progress, reporting.should_stop)
    schedule = solve(event, job.time_limit, workers, reporting.on_progress, reporting.should_stop)
    # After publication the meetings keep the published uids, and a moved one gets a higher
    # sequence: otherwise calendars would ignore the move when the new version is sent.
    return schedule if base is None else carry_over(schedule, schedule_of(base), event)


def details(job: SolveJob, schedule: Schedule, base: ScheduleVersion | None, stopped: bool,
            ) -> dict[str, Any]:
    """How the new version came about (`web.schedules.versions.story` tells it): made how, in
    how long, and after publication what it changes against the published version."""
    found: dict[str, Any] = {"how": job.kind if job.kind == "replan" else "generated",
                             "seconds": round(schedule.seconds, 1), "stopped": stopped}
    if job.kind == "replan":
        found["from_slot"] = job.now_slot
    if base is not None:
        diff = changes(schedule_of(base), schedule)
        found |= {"against": base.number, "kept": len(diff.kept), "moved": len(diff.moved),
                  "added": len(diff.added), "cancelled": len(diff.cancelled)}
    return found


def finish(session: Session, job_id: int, status: str, message: dict[str, Any],
           version_id: int | None = None, **values: object) -> None:
    """Close a job with its outcome and its message (`told`)."""
    session.execute(update(SolveJob).where(SolveJob.id == job_id).values(
        status=status, version_id=version_id, finished_at=now(), **message, **values))
    session.commit()
