"""The queue of many machines: procrastinate jobs in the PostgreSQL database. A request defers
a job in the same transaction as its row; `matcher worker` processes, on any machine that
reaches the database, run the jobs (solves N at a time, mailings one at a time, so that a long
solve never holds up the e-mails) and sweep for rows whose worker is gone. A stop request
reaches a running job through its row and through procrastinate's abort, whichever comes
first; stopping a worker (SIGTERM, Ctrl-C) stops its solves early, keeping the best timetable
found so far.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import procrastinate
from flask import Flask
from procrastinate.worker import Worker
from sqlalchemy.orm import Session

from web.db import engine
from web.db.models import WorkerTask
from web.worker import KINDS, Kind, execute, reap_all
from web.worker.liveness import STALE_AFTER, SWEEP_EVERY, worker_name

log = logging.getLogger(__name__)
TASK = "matcher.run"
# Workers hear of new jobs at once through LISTEN/NOTIFY; they also look every second, for a
# job deferred while they were (re)connecting.
FETCH_EVERY = 1.0


def conninfo(app: Flask) -> str:
    """The database of the app as libpq reads it (without SQLAlchemy's driver name)."""
    url = engine(app).url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def driver_connection(session: Session) -> object:
    """The psycopg connection under the session, in its transaction."""
    return session.connection().connection.driver_connection


class PostgresQueue:
    """procrastinate's queue in the app's database; `run_workers` runs its jobs."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        # Requests defer and cancel jobs on their own session's connection, synchronously;
        # workers run jobs on an asyncio pool of their own. One procrastinate app for each, so
        # that opening the workers' pool never changes how requests talk to the queue.
        self.requests = procrastinate.App(
            connector=procrastinate.SyncPsycopgConnector(conninfo=conninfo(app)))
        self.procrastinate = procrastinate.App(
            connector=procrastinate.PsycopgConnector(conninfo=conninfo(app), min_size=1,
                                                     max_size=8))
        self.task = self.requests.task(name=TASK, pass_context=True)(self.run)
        self.procrastinate.task(name=TASK, pass_context=True)(self.run)

    def run(self, context: procrastinate.JobContext, kind: str, task_id: int) -> None:
        """The job: do a row's work, stopping early when procrastinate asks the job to abort."""
        execute(self.app, KINDS[kind], task_id, worker_name(), context.should_abort)

    def defer(self, session: Session, kind: Kind, row: WorkerTask) -> None:
        """Defer the row's job in the session's transaction: both are stored, or neither."""
        row.queue_job_id = self.task.configure(
            queue=kind.name, connection=driver_connection(session),
        ).defer(kind=kind.name, task_id=row.id)  # type: ignore[attr-defined]

    def notify(self, kind: Kind) -> None:
        """Nothing to do: the database notifies the listening workers."""

    def cancel(self, session: Session, row: WorkerTask) -> None:
        """Cancel the row's job if no worker has taken it, else ask its worker to abort."""
        if row.queue_job_id is not None:
            self.requests.job_manager.cancel_job_by_id(
                row.queue_job_id, abort=True, connection=driver_connection(session))

    def start(self) -> None:
        """Nothing to do: `matcher worker` processes run the jobs."""

    def close(self) -> None:
        """Nothing to do: this process runs no jobs."""


async def sweep(app: Flask, queue: PostgresQueue, stop: asyncio.Event) -> None:
    """Every SWEEP_EVERY seconds until `stop`: fail the rows whose worker is gone, and close
    the jobs that procrastinate still shows as running on a worker that stopped sending
    heartbeats. (It is stopped by the event, not cancelled: psycopg turns a cancellation in
    the middle of a query into an error of its own.)"""
    manager = queue.procrastinate.job_manager
    while not stop.is_set():
        try:
            await asyncio.to_thread(reap_all, app)
            for job in await manager.get_stalled_jobs(seconds_since_heartbeat=STALE_AFTER):
                await manager.finish_job(job, status=procrastinate.jobs.Status.FAILED,
                                         delete_job=False)
                log.warning("queue job %s: its worker is gone, marked failed", job.id)
        except Exception:  # noqa: BLE001  (the sweep must outlive a database hiccup)
            log.exception("the sweep for lost work failed; it goes on")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SWEEP_EVERY)


async def run_workers(app: Flask, concurrency: int, stop: asyncio.Event | None = None) -> bool:
    """Run jobs, `concurrency` solves at a time and one mailing, until `stop` is set (by default
    on SIGTERM or SIGINT); then stop, asking running solves to keep the best found so far.
    False when a worker ended by itself (the database went away): see the log."""
    queue: PostgresQueue = app.extensions["queue"]
    if stop is None:
        stop = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    options = {"app": queue.procrastinate, "install_signal_handlers": False,
               "shutdown_graceful_timeout": 0, "stalled_worker_timeout": STALE_AFTER,
               "update_heartbeat_interval": 5, "fetch_job_polling_interval": FETCH_EVERY,
               "name": worker_name()}
    workers = [Worker(queues=["solve"], concurrency=concurrency, **options),  # type: ignore[arg-type]
               Worker(queues=["mail"], concurrency=1, **options)]  # type: ignore[arg-type]
    async with queue.procrastinate.open_async():
        running = [asyncio.create_task(w.run()) for w in workers]
        sweeper = asyncio.create_task(sweep(app, queue, stop))
        stopped = asyncio.create_task(stop.wait())
        log.info("worker %s: %d solve(s) at a time and one mailing", worker_name(), concurrency)
        await asyncio.wait([*running, stopped], return_when=asyncio.FIRST_COMPLETED)
        asked = stop.is_set()
        stop.set()
        # Asked again until they end: a worker that is still starting forgets an earlier
        # request (and a cancellation in the middle of a query becomes a database error).
        while not all(task.done() for task in running):
            for w in workers:
                w.stop()
            await asyncio.wait(running, timeout=0.5)
        await asyncio.gather(*running, sweeper, stopped, return_exceptions=True)
    return asked
