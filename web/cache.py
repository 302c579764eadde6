"""Results kept in this process while what they were computed from is unchanged: a schedule
version never changes once stored, and an event's checks hold until its row or one of its
participants changes (`event_stamp`). A trade show's timetable is read and checked once, not
on every page."""

from __future__ import annotations

import gc
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.model.event import Event
from matcher.model.instance import Instance
from web.db.models import EventRow, Participant

T = TypeVar("T")
KEPT = 16  # results kept; the largest (a trade show's version) are some tens of MB

_lock = threading.Lock()


def _kept() -> OrderedDict[Hashable, Any]:
    """This app's results (each app has its own database, hence its own ids)."""
    return current_app.extensions.setdefault("kept", OrderedDict())


@contextmanager
def collector_paused() -> Iterator[None]:
    """Build a large result without the garbage collector: every few hundred new objects it
    would look at all the young ones again, which doubled the time of building a trade show's
    80,000 meetings into a layout or its million candidate pairs. Nothing to collect is made
    meanwhile but short-lived garbage, which the next collection takes."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def kept(key: Hashable, compute: Callable[[], T]) -> T:
    """The result kept under `key`, computed now if there is none (the least recently used
    results go when more than KEPT are kept)."""
    store = _kept()
    with _lock:
        if key in store:
            store.move_to_end(key)
            return store[key]
    with collector_paused():
        found = compute()
    with _lock:
        store[key] = found
        while len(store) > KEPT:
            store.popitem(last=False)
    return found


def event_stamp(session: Session, row: EventRow) -> tuple[int, ...]:
    """What changes whenever the event or any of its participants changes: the row's version,
    and the participants' count, highest id and sum of versions (each save raises a version)."""
    count, top, total = session.execute(
        select(func.count(Participant.id), func.max(Participant.id), func.sum(Participant.version))
        .where(Participant.event_id == row.id)).one()
    return (row.id, row.version, count, top or 0, total or 0)


def instance_of(event: Event) -> Instance:
    """The core's Instance of an event, one per process for equal events: a version's timetable
    and the event's checks read the same trade show, whose candidate pairs take a second to
    find. Kept by a digest of the whole event, so that a changed event gets its own."""
    digest = hashlib.sha256(event.model_dump_json().encode()).digest()
    return kept(("instance", digest), lambda: Instance(event))
