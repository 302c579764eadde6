"""Work outside requests: solves and mailings.

A request stores a row (queued) and hands it to the app's queue; a worker claims the row, works
on it with a heartbeat (`liveness`), and closes it. The same functions do the work whichever
queue runs them:

- `inline`: threads of the web process (SQLite, `make run`, one machine);
- `postgres`: procrastinate jobs in the PostgreSQL database, run by `matcher worker` processes
  on any machine that reaches it; stop requests reach them through the database.

A row is called lost only when its worker stopped writing its heartbeat, never because some
process started.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from flask import Flask
from sqlalchemy.orm import Session

from web.db import Base, new_session
from web.db.models import WorkerTask, told
from web.worker.liveness import Running, claim, close, reap

log = logging.getLogger(__name__)
QUEUES = ("inline", "postgres")


@dataclass(frozen=True)
class Kind:
    """A kind of work: its table, the function that does one row's work (and closes the row),
    and what a row says when its worker was lost or the function failed."""

    name: str
    model: type[Base]
    run: Callable[[Flask, int, Running], None]
    lost: str
    crashed: str


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Make a kind of work known to every queue (its module does it on import)."""
    KINDS[kind.name] = kind
    return kind


class Queue(Protocol):
    """Where rows wait for a worker: `inline.InlineQueue` or `postgres.PostgresQueue`."""

    def defer(self, session: Session, kind: Kind, row: WorkerTask) -> None:
        """Hand a flushed row to the queue, inside the session's transaction."""

    def notify(self, kind: Kind) -> None:
        """The row is committed: a worker of this process may take it now."""

    def cancel(self, session: Session, row: WorkerTask) -> None:
        """Ask the queue to drop a queued row's job, or to abort a running one."""

    def start(self) -> None:
        """Start this process's workers, if the queue has any."""

    def close(self) -> None:
        """Stop this process's workers (after the work in hand)."""


def init_app(app: Flask) -> None:
    """Attach the queue of JOB_QUEUE: "postgres" by default on PostgreSQL, else "inline"."""
    name = app.config.get("JOB_QUEUE") or (
        "postgres" if app.config["DATABASE_URL"].startswith("postgresql") else "inline")
    if name not in QUEUES:
        raise ValueError(f"MATCHER_JOBS must be one of {', '.join(QUEUES)}, not {name!r}")
    app.config["JOB_QUEUE"] = name
    if name == "postgres":
        from web.worker.postgres import PostgresQueue

        app.extensions["queue"] = PostgresQueue(app)
    else:
        from web.worker.inline import InlineQueue

        app.extensions["queue"] = InlineQueue(app)
    # Workers of this process start with the first request (or the first job), never in a
    # command such as `flask init-db` that happens to build the app.
    app.before_request(app.extensions["queue"].start)


def queue(app: Flask) -> Queue:
    """The app's queue."""
    return app.extensions["queue"]


def enqueue(app: Flask, session: Session, kind: Kind, row: WorkerTask) -> None:
    """Store a new row and its queue job in one transaction, then tell this process's workers.
    Raises IntegrityError when the event already has such work queued or running."""
    session.add(row)
    session.flush()
    queue(app).defer(session, kind, row)
    session.commit()
    queue(app).notify(kind)


def execute(app: Flask, kind: Kind, task_id: int, worker: str,
            aborted: Callable[[], bool] | None = None) -> None:
    """Claim a queued row and do its work with a heartbeat (what every queue's worker calls);
    nothing when another worker took the row first."""
    if not claim(app, kind.model, task_id, worker):
        return
    with Running(app, kind.model, task_id, worker, aborted) as running:
        try:
            kind.run(app, task_id, running)
        except Exception:
            log.exception("%s %s failed", kind.name, task_id)
        # A row the work left open (it failed, or forgot) does not wait for the reaper.
        with new_session(app) as session:
            close(session, kind.model, task_id, worker, status="failed", **told(kind.crashed))


def reap_all(app: Flask) -> None:
    """Fail every row whose worker is gone, of every kind."""
    with new_session(app) as session:
        for kind in KINDS.values():
            reap(session, kind.model, kind.lost)
