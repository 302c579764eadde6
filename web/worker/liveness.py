"""Whether a worker is alive, told by the database: a worker claims a row, writes a heartbeat on
it every second while it works, and closes it; a running row whose heartbeat is older than
STALE_AFTER has lost its worker (the process was killed, or lost the database) and is failed
by whoever notices first. Times are the database's own clock, so that web processes and
workers on different machines agree on what "old" means."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import DateTime, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

from web.db import Base, new_session
from web.db.models import now, told

log = logging.getLogger(__name__)
BEAT_EVERY = 1.0  # seconds between heartbeats (which also carry a solve's progress)
# A worker silent this long is gone. Far above the beat, so that a busy machine or a slow
# database never gets a live worker called dead; the sweeps that look run every SWEEP_EVERY,
# so a killed worker's row is failed within STALE_AFTER + SWEEP_EVERY seconds.
STALE_AFTER = 30
SWEEP_EVERY = 10.0


class db_time(FunctionElement[Any]):
    """The database's current UTC time, `seconds` ago (naive, as the tables keep times)."""

    type = DateTime()
    inherit_cache = True
    # `seconds` is part of the SQL text, so it must be part of the statement cache's key.
    _traverse_internals = [("seconds", InternalTraversal.dp_plain_obj)]

    def __init__(self, seconds: int = 0) -> None:
        super().__init__()
        self.seconds = seconds


@compiles(db_time, "postgresql")
def _postgresql_time(element: db_time, compiler: SQLCompiler, **kw: Any) -> str:
    return f"(TIMEZONE('utc', STATEMENT_TIMESTAMP()) - INTERVAL '{int(element.seconds)} seconds')"


@compiles(db_time, "sqlite")
def _sqlite_time(element: db_time, compiler: SQLCompiler, **kw: Any) -> str:
    # The text form SQLAlchemy writes for DateTime columns, so that comparisons hold.
    return f"STRFTIME('%Y-%m-%d %H:%M:%f', 'now', '-{int(element.seconds)} seconds')"


def worker_name() -> str:
    """This process, as the rows it works on name it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(app: Flask, model: type[Base], task_id: int, worker: str) -> bool:
    """Take a queued row for this worker (running, first heartbeat); False if it was not queued
    (another worker took it, or it was stopped meanwhile)."""
    with new_session(app) as session:
        taken = session.execute(update(model).where(
            model.id == task_id, model.status == "queued",  # type: ignore[attr-defined]
        ).values(status="running", worker=worker, started_at=now(), heartbeat_at=db_time()))
        session.commit()
        return taken.rowcount == 1  # type: ignore[attr-defined]


def close(session: Session, model: type[Base], task_id: int, worker: str,
          **values: object) -> bool:
    """Finish a row this worker runs (status, message, results); False when it is no longer
    this worker's: it was failed as lost meanwhile, and stays so."""
    closed = session.execute(update(model).where(
        model.id == task_id, model.status == "running", model.worker == worker,  # type: ignore[attr-defined]
    ).values(finished_at=now(), **values))
    session.commit()
    return closed.rowcount == 1  # type: ignore[attr-defined]


def reap(session: Session, model: type[Base], message: str) -> list[int]:
    """Fail the running rows whose worker has been silent for STALE_AFTER seconds; their ids.
    Reads first, so that the common case (every worker alive) writes nothing."""
    stale = model.status == "running", model.heartbeat_at < db_time(STALE_AFTER)  # type: ignore[attr-defined]
    ids = list(session.scalars(select(model.id).where(*stale)))  # type: ignore[attr-defined]
    if ids:
        session.execute(update(model).where(model.id.in_(ids), *stale)  # type: ignore[attr-defined]
                        .values(status="failed", **told(message), finished_at=now()))
        session.commit()
        log.warning("%s %s: worker lost, marked failed", model.__tablename__, ids)
    return ids


class Running:
    """A claimed row while its worker works on it: a thread writes the heartbeat every
    BEAT_EVERY seconds with the values reported since (a solve's progress), and notices when
    the row was taken away (failed as lost), after which the work should stop."""

    def __init__(self, app: Flask, model: type[Base], task_id: int, worker: str,
                 aborted: Callable[[], bool] | None = None) -> None:
        self.app, self.model, self.task_id, self.worker = app, model, task_id, worker
        self.aborted: Callable[[], bool] = aborted or (lambda: False)
        # Values every heartbeat writes, such as a solve's elapsed time.
        self.every_beat: Callable[[], dict[str, object]] = dict
        self.lost = False
        self.started = time.monotonic()
        self._pending: dict[str, object] = {}
        self._lock = threading.Lock()
        self._wake, self._done = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True,
                                        name=f"heartbeat-{model.__tablename__}-{task_id}")

    def __enter__(self) -> Running:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._wake.set()
        self._thread.join()

    def elapsed(self) -> float:
        """Seconds since the worker took the row."""
        return time.monotonic() - self.started

    def report(self, now: bool = False, **values: object) -> None:
        """Values to write with the next heartbeat, or (now) right away."""
        with self._lock:
            self._pending |= values
        if now:
            self._wake.set()

    def _write(self) -> None:
        with self._lock:
            values, self._pending = self.every_beat() | self._pending, {}
        try:
            with new_session(self.app) as session:
                written = session.execute(update(self.model).where(
                    self.model.id == self.task_id, self.model.status == "running",  # type: ignore[attr-defined]
                    self.model.worker == self.worker,  # type: ignore[attr-defined]
                ).values(heartbeat_at=db_time(), **values))
                session.commit()
        except Exception:  # noqa: BLE001  (a database hiccup: the next beat tries again)
            with self._lock:
                self._pending = values | self._pending
            log.warning("heartbeat of %s %s not written", self.model.__tablename__,
                        self.task_id, exc_info=True)
            return
        if written.rowcount == 0:  # type: ignore[attr-defined]
            self.lost = True

    def _beat(self) -> None:
        while not self.lost:
            self._wake.wait(BEAT_EVERY)
            self._wake.clear()
            if self._done.is_set():
                return
            self._write()
