"""The queue of one machine: a thread per kind of work in each web process takes the queued
rows from the database, oldest first, one at a time (so that a long solve never holds up the
e-mails, and two solves do not split the cores). Rows left queued by a process that stopped are
taken by the next one; rows it left running are failed once their heartbeat is old."""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from web.db import new_session
from web.db.models import WorkerTask
from web.worker import KINDS, Kind, execute
from web.worker.liveness import SWEEP_EVERY, reap, worker_name

log = logging.getLogger(__name__)
POLL_EVERY = 2.0  # seconds between looks for rows queued by other processes


class InlineQueue:
    """Worker threads of this process, one per kind, started on demand."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.threads: dict[str, threading.Thread] = {}
        self.wake = {name: threading.Event() for name in KINDS}
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def defer(self, session: Session, kind: Kind, row: WorkerTask) -> None:
        """Nothing to do: the row itself is the queue."""

    def notify(self, kind: Kind) -> None:
        """Start the kind's thread if needed and wake it."""
        self.start()
        self.wake[kind.name].set()

    def cancel(self, session: Session, row: WorkerTask) -> None:
        """Nothing to do: the worker reads the stop request from the row."""

    def start(self) -> None:
        """Start a thread per kind (once; after `close`, never again)."""
        if len(self.threads) == len(KINDS) or self.stopping.is_set():
            return
        with self.lock:
            for name in KINDS:
                if name not in self.threads:
                    self.wake.setdefault(name, threading.Event())
                    thread = threading.Thread(target=self.loop, args=(KINDS[name],),
                                              name=f"matcher-{name}", daemon=True)
                    self.threads[name] = thread
                    thread.start()

    def close(self) -> None:
        """Stop the threads once the work in hand is done."""
        self.stopping.set()
        for event in self.wake.values():
            event.set()
        for thread in self.threads.values():
            thread.join()

    def loop(self, kind: Kind) -> None:
        """Fail the kind's lost rows and run its queued ones until closed."""
        wake, swept = self.wake[kind.name], -SWEEP_EVERY
        while not self.stopping.is_set():
            wake.clear()
            try:
                if time.monotonic() - swept >= SWEEP_EVERY:
                    with new_session(self.app) as session:
                        reap(session, kind.model, kind.lost)
                    swept = time.monotonic()
                task_id = next_queued(self.app, kind)
                if task_id is not None:
                    execute(self.app, kind, task_id, worker_name())
                    continue
            except Exception:  # noqa: BLE001  (the thread must outlive a database hiccup)
                log.exception("the %s worker thread failed; it goes on", kind.name)
            wake.wait(POLL_EVERY)


def next_queued(app: Flask, kind: Kind) -> int | None:
    """The oldest queued row of a kind."""
    with new_session(app) as session:
        return session.scalar(select(kind.model.id)  # type: ignore[attr-defined]
                              .where(kind.model.status == "queued")  # type: ignore[attr-defined]
                              .order_by(kind.model.id).limit(1))  # type: ignore[attr-defined]
