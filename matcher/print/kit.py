"""The print kit of a schedule: agendas, table signs, the door list and the session matrix.

`document(kind, ...)` yields one PDF as it is written; `write(...)` writes all four into a folder,
all or nothing. A large document is cut into chunks that worker processes lay out in parallel
(WeasyPrint is single-threaded and takes tens of milliseconds a page), and their pages are joined
in order as they come, so that memory holds a few chunks whatever the event's size.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from matcher.i18n import LANG_TAGS, locale_of, translator
from matcher.model.check import unknown_references
from matcher.model.event import Event
from matcher.model.instance import Instance
from matcher.model.schedule import Schedule
from matcher.print import pages
from matcher.print.join import Piece, join
from matcher.print.pages import Link, Section
from matcher.print.render import Chunk, Header, Kind, render_chunk

KINDS: tuple[Kind, ...] = ("agendas", "tables", "door-list", "matrix")
CHUNK_PAGES = 40  # pages a worker lays out at once: big enough to pay for the hand-over
POOL_FROM = 3  # chunks; below, starting worker processes costs more than it saves


def problems(event: Event, schedule: Schedule) -> list[str]:
    """Why the schedule cannot be printed for this event: each a sentence naming the culprit."""
    return [f"the schedule does not fit the event: {p}"
            for p in unknown_references(Instance(event), schedule)]


def sections(kind: Kind, event: Event, schedule: Schedule, link: Link | None) -> list[Section]:
    """The pages of one document, before layout."""
    if kind == "agendas":
        return list(pages.agendas(event, schedule, link))
    if kind == "tables":
        return list(pages.signs(event, schedule))
    if kind == "door-list":
        return list(pages.door_list(event, schedule))
    return list(pages.matrix(event, schedule))


def title(kind: Kind, event: Event, language: str | None) -> str:
    """The document's title, as PDF readers show it."""
    _ = translator(language).gettext
    names = {"agendas": _("Agendas"), "tables": _("Table signs"), "door-list": _("Door list"),
             "matrix": _("Session matrix")}
    return f"{names[kind]} · {event.name}"


def document(kind: Kind, event: Event, schedule: Schedule, language: str | None = None,
             link: Link | None = None, workers: int | None = None) -> Iterator[bytes]:
    """One document as PDF, in pieces as they are written. `link(participant id)` is the
    address an agenda's QR code opens (none without it); `workers` processes lay out a large
    document (default: one per processor)."""
    locale = locale_of(language)
    header = Header.of(event)
    found = sections(kind, event, schedule, link)
    chunks = [Chunk(kind, locale, header, tuple(found[n:n + CHUNK_PAGES]))
              for n in range(0, len(found), CHUNK_PAGES)]
    workers = min(workers or os.cpu_count() or 1, len(chunks)) if len(chunks) >= POOL_FROM else 1
    return join(rendered(chunks, workers), title(kind, event, locale), LANG_TAGS[locale])


def rendered(chunks: list[Chunk], workers: int) -> Iterator[Piece]:
    """The chunks laid out in order; with several workers, a few at a time in parallel
    processes (spawned: a web server's threads must not be forked)."""
    if workers <= 1:
        yield from map(render_chunk, chunks)
        return
    pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                               initializer=follow_parent, initargs=(os.getpid(),))
    try:
        waiting: deque[Future[Piece]] = deque()
        for chunk in chunks:
            waiting.append(pool.submit(render_chunk, chunk))
            if len(waiting) > 2 * workers:
                yield waiting.popleft().result()
        while waiting:
            yield waiting.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def follow_parent(parent: int) -> None:
    """In a worker: end when the process that started it is gone (killed, say), rather than
    linger idle; an executor's workers outlive a parent that did not shut them down."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def write(event: Event, schedule: Schedule, folder: str | Path, language: str | None = None,
          link: Link | None = None, workers: int | None = None) -> list[Path]:
    """Write the four documents as <kind>.pdf into the folder: each is written beside its final
    name and all are moved into place at the end, so that a failure leaves no file half written
    and the previous kit untouched."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    done: list[tuple[Path, Path]] = []
    try:
        for kind in KINDS:
            final = folder / f"{kind}.pdf"
            fd, name = tempfile.mkstemp(dir=folder, prefix=f".{final.name}.", suffix=".tmp")
            done.append((Path(name), final))
            with os.fdopen(fd, "wb") as out:
                for part in document(kind, event, schedule, language, link, workers):
                    out.write(part)
        for temporary, final in done:
            os.replace(temporary, final)
    finally:
        for temporary, _ in done:
            temporary.unlink(missing_ok=True)
    return [final for _, final in done]

