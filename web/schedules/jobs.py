"""Generation and re-planning outside the request: a worker (see `web.worker`) runs
`matcher.solve.solver.solve` or `matcher.solve.replan.replan` for a job row, writes its progress
to that row with its heartbeat (at least every second, and at once when a stage starts), and
stores the result as a new schedule version.

Nothing is written to a schedule until the solver has finished, and then only a new version is
added: a killed worker or a second generation never touches an existing (or published) version.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matcher.i18n import N_
from matcher.model.check import BrokenSchedule
from matcher.model.event import Event
from matcher.model.schedule import Schedule
from matcher.solve.cpsat import Progress
from matcher.solve.pairing import Infeasible
from matcher.solve.replan import carry_over, changes, replan
from matcher.solve.solver import solve
from web import worker
from web.db import new_session
from web.db.models import ACTIVE, EventRow, ScheduleVersion, SolveJob, now, told
from web.events.store import add_version, event_of, problems_of, schedule_of
from web.worker.liveness import Running, close, reap

log = logging.getLogger(__name__)
READ_STOP_EVERY = 0.25  # seconds between reads of the stop button's flag


LOST = N_("Interrupted: the worker running it stopped (its process ended or lost the database) "
          "before it finished; no timetable was changed. Generate again.")
CRASHED = N_("The solver failed unexpectedly; the worker's log says why.")


def reap_lost(session: Session) -> list[int]:
    """Fail the jobs whose worker is gone (see `web.worker.liveness`); their ids."""
    return reap(session, SolveJob, LOST)


def active_job(session: Session, event_id: int) -> SolveJob | None:
    """The event's queued or running job, if any (one whose worker is gone is failed first)."""
    reap_lost(session)
    return session.scalars(select(SolveJob).where(SolveJob.event_id == event_id,
                                                  SolveJob.status.in_(ACTIVE))).first()


def start(app: Flask, session: Session, row: EventRow, time_limit: float,
          base: ScheduleVersion | None = None, now_slot: str | None = None,
          ) -> tuple[SolveJob, bool]:
    """Queue a generation for an event, or with `now_slot` a re-planning of `base` from that slot,
    unless a job is already queued or running (then that one, and False). `base` is the version
    participants see: a new version continues its calendar uids. The caller has checked that
    the event is valid (`problems_of`)."""
    for _ in range(3):
        running = active_job(session, row.id)
        if running is not None:
            return running, False
        job = SolveJob(event_id=row.id, time_limit=time_limit,
                       kind="replan" if now_slot else "generate",
                       base_version_id=base.id if base else None, now_slot=now_slot)
        try:
            worker.enqueue(app, session, SOLVE, job)
            return job, True
        except IntegrityError:  # another web process queued one a moment ago: show that one
            session.rollback()
    raise RuntimeError(f"could not queue a generation of event {row.id}; try again")


def request_stop(app: Flask, session: Session, job: SolveJob) -> None:
    """Ask the solver to stop and keep the best timetable found so far; a job that no worker
    has taken yet is stopped at once."""
    if not job.active:
        return
    job.stop_requested = True
    worker.queue(app).cancel(session, job)
    session.flush()
    # A job no worker has taken yet ends here; a worker that takes it meanwhile stops it.
    session.execute(update(SolveJob).where(SolveJob.id == job.id, SolveJob.status == "queued")
                    .values(status="stopped", **told(N_("Stopped before it started.")),
                            finished_at=now()))
    session.commit()
    session.refresh(job)


class Reporting:
    """The solver's progress callback and stop check: progress goes to the job row with the
    heartbeat (each stage's start at once), stop is read from the row or the queue."""

    def __init__(self, app: Flask, job_id: int, running: Running) -> None:
        self.app, self.job_id, self.running = app, job_id, running
        self.stage: str | None = None
        self.last_read = -READ_STOP_EVERY
        self.stop = False

    def on_progress(self, p: Progress) -> None:
        """Record the stage and its figures: the score and its bound while choosing pairs,
        the breaks and their bound while timing."""
        values: dict[str, object] = {"stage": p.stage, "elapsed": round(self.running.elapsed(), 2)}
        if p.objective is not None and p.bound is not None:
            if p.stage == "timing":
                values |= {"breaks": round(p.objective), "breaks_bound": round(p.bound)}
            elif p.stage in ("pairs", "naive"):
                values |= {"objective": p.objective, "bound": p.bound}
        started = p.stage != self.stage
        self.stage = p.stage
        self.running.report(now=started, **values)

    def tick(self) -> dict[str, object]:
        """What every heartbeat writes: the elapsed time."""
        return {"elapsed": round(self.running.elapsed(), 2)}

    def should_stop(self) -> bool:
        """Whether the organiser pressed stop (read from the row at most every
        READ_STOP_EVERY), the queue asked the job to abort, or the job was lost."""
        if self.stop or self.running.aborted() or self.running.lost:
            return True
        elapsed = time.monotonic() - self.running.started
        if elapsed - self.last_read >= READ_STOP_EVERY:
            self.last_read = elapsed
            with new_session(self.app) as session:
                self.stop = bool(session.scalar(select(SolveJob.stop_requested)
                                                .where(SolveJob.id == self.job_id)))
        return self.stop


def run_job(app: Flask, job_id: int, running: Running) -> None:
    """Solve a claimed job's event and store the result as a new version (the work of a
    "solve" row)."""
    with new_session(app) as session:
        job = session.get_one(SolveJob, job_id)
        if job.stop_requested:
            finish(session, running, "stopped", told(N_("Stopped before it started.")))
            return
        row = session.get_one(EventRow, job.event_id)  # a job goes with its event
        # The event may have changed since the job was queued.
        problems = problems_of(row)
        if problems:
            finish(session, running, "failed", told(N_(
                "The event was changed meanwhile and is not valid now: %(problems)s"),
                problems="; ".join(problems)))
            return
        if job.now_slot and job.now_slot not in {s["id"] for s in row.slots}:
            finish(session, running, "failed", told(N_(
                "The slot %(slot)s, to re-plan from, is no longer in the event."),
                slot=job.now_slot))
            return
        event = event_of(row)
        base = session.get(ScheduleVersion, job.base_version_id) if job.base_version_id else None
        reporting = Reporting(app, job_id, running)
        running.every_beat = reporting.tick
        try:
            schedule = compute(job, event, base, app.config["SOLVE_WORKERS"], reporting)
        except Infeasible as e:
            finish(session, running, "failed", told(N_(
                "No timetable can keep every rule of this event: %(rules)s. Change the event "
                "(its answers, slots, tables, required or pinned meetings) and try again."),
                rules=str(e)))
            return
        except TimeoutError:
            finish(session, running, "failed", told(N_(
                "No timetable was found within the time limit of %(seconds)s s: give the solver "
                "more time."), seconds=f"{job.time_limit:.0f}"))
            return
        if running.lost:
            return  # failed as lost meanwhile: another generation may be running already
        stopped = reporting.should_stop()
        try:
            version = add_version(session, event_id=job.event_id, schedule=schedule, event=event,
                                  origin="replanned" if job.kind == "replan" else "generated",
                                  details=details(job, schedule, base, stopped))
        except BrokenSchedule as e:
            log.error("solve job %s made a schedule that breaks the rules: %s", job_id, e)
            finish(session, running, "failed", told(N_(
                "The solver's timetable breaks the rules, so it was not stored: %(rules)s. "
                "Please report this."), rules=str(e)))
            return
        finish(session, running, "stopped" if stopped else "done", told(None), version.id,
               objective=schedule.score, bound=schedule.bound, elapsed=schedule.seconds,
               breaks=schedule.breaks)


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


def finish(session: Session, running: Running, status: str, message: dict[str, Any],
           version_id: int | None = None, **values: object) -> None:
    """Close the job with its outcome and its message (`told`), unless it was failed as lost
    meanwhile."""
    close(session, SolveJob, running.task_id, running.worker, status=status,
          version_id=version_id, **message, **values)


SOLVE = worker.register(worker.Kind("solve", SolveJob, run_job, lost=LOST, crashed=CRASHED))
