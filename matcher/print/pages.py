"""What each printed document shows, section by section, as plain data (no HTML, no language).

An agenda or a table's sign is one page (`one_page`): when the renderer (`render.py`) finds it
spilling onto a second, it asks for a denser layout (`denser`). The door list and the matrix flow
over as many pages as they need, their headings repeated on each.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import groupby
from typing import ClassVar, Literal

from matcher.model.event import Event, Investor, Slot, Startup
from matcher.model.schedule import Schedule
from matcher.model.timetable import Entry, entries

Role = Literal["startup", "investor"]
Link = Callable[[str], str]  # participant id -> the address of their personal page
# Layouts from roomy to dense (level 0 to DENSEST); a section's first level comes from its length.
DENSEST = 3


def first_level(rows: int, limits: Sequence[int]) -> int:
    """The layout level for a list of `rows` lines: the first whose limit holds them."""
    return next((level for level, most in enumerate(limits) if rows <= most), DENSEST)


@dataclass(frozen=True)
class Times:
    """A slot as printed: its local day, start and end (the event's time zone, as in the file)."""

    day: date
    start: str
    end: str
    at: datetime

    @classmethod
    def of(cls, slot: Slot) -> Times:
        """A slot's local day and times as HH:MM."""
        return cls(slot.start.date(), f"{slot.start:%H:%M}", f"{slot.end:%H:%M}", slot.start)


@dataclass(frozen=True)
class Line:
    """One meeting as a list shows it: when, where, and both parties."""

    times: Times
    table: str
    startup: str
    investor: str
    organisation: str | None

    @classmethod
    def of(cls, entry: Entry) -> Line:
        """The printed line of a meeting."""
        return cls(Times.of(entry.slot), entry.meeting.table, entry.startup.name,
                   entry.investor.name, entry.investor.organisation)


@dataclass(frozen=True)
class Agenda:
    """A participant's page: who they are, their meetings in time order, their personal link."""

    id: str
    name: str
    organisation: str | None
    role: Role
    field: str | None
    lines: tuple[Line, ...]
    link: str | None
    level: int = 0
    one_page: ClassVar[bool] = True
    pages: ClassVar[float] = 1

    @property
    def title(self) -> str:
        """The page's bookmark."""
        return self.name

    @property
    def home_table(self) -> str | None:
        """The one table of all the participant's meetings, if they never move."""
        tables = {line.table for line in self.lines}
        return tables.pop() if len(tables) == 1 else None

    def denser(self) -> Agenda | None:
        """The same page in the next denser layout, or None when this is the densest."""
        return replace(self, level=self.level + 1) if self.level < DENSEST else None



@dataclass(frozen=True)
class Sign:
    """A table's sign: its name, big, and its meetings by time."""

    table: str
    lines: tuple[Line, ...]
    level: int = 0
    one_page: ClassVar[bool] = True
    pages: ClassVar[float] = 1

    @property
    def title(self) -> str:
        """The page's bookmark."""
        return self.table

    def denser(self) -> Sign | None:
        """The same sign in the next denser layout, or None when this is the densest."""
        return replace(self, level=self.level + 1) if self.level < DENSEST else None



@dataclass(frozen=True)
class Arrival:
    """A door list row: who is expected, and where their first meeting is."""

    name: str
    organisation: str | None
    role: Role
    first: Line | None


@dataclass(frozen=True)
class DoorList:
    """A run of the door list, flowing over as many pages as it needs (each page's heading
    names its first and last person, as in a telephone book)."""

    rows: tuple[Arrival, ...]
    one_page: ClassVar[bool] = False

    @property
    def title(self) -> str:
        """The run's bookmark: its first and last names."""
        return f"{self.rows[0].name} – {self.rows[-1].name}"

    @property
    def pages(self) -> float:
        """About how many pages the run takes."""
        return len(self.rows) / 24


@dataclass(frozen=True)
class Cell:
    """A meeting in the matrix."""

    startup: str
    investor: str


@dataclass(frozen=True)
class MatrixBlock:
    """The session matrix of one day and some tables: slots down, the tables across, flowing
    over as many pages as the slots need."""

    day: date
    tables: tuple[str, ...]
    rows: tuple[tuple[Times, tuple[Cell | None, ...]], ...]
    one_page: ClassVar[bool] = False

    @property
    def title(self) -> str:
        """The block's bookmark: its day and tables."""
        return f"{self.day.isoformat()} · {self.tables[0]}–{self.tables[-1]}"

    @property
    def pages(self) -> float:
        """About how many pages the block takes."""
        return len(self.rows) / 9


Section = Agenda | Sign | DoorList | MatrixBlock


def alphabetical(name: str) -> str:
    """A sorting key for names: case and accents ignored; Chinese names follow Latin ones in
    radical-and-stroke order, as Unicode orders Han characters."""
    plain = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in plain if not unicodedata.combining(c))


def people(event: Event) -> list[Startup | Investor]:
    """Every participant, alphabetical by name."""
    return sorted(event.participants, key=lambda p: (alphabetical(p.name), p.id))


def role_of(person: Startup | Investor) -> Role:
    """Whether a participant is a startup or an investor."""
    return "startup" if isinstance(person, Startup) else "investor"


def meetings_of(event: Event, schedule: Schedule) -> dict[str, list[Entry]]:
    """Participant id -> their meetings in time order."""
    order = {s.id: n for n, s in enumerate(event.slots)}
    mine: dict[str, list[Entry]] = {}
    for e in sorted(entries(event, schedule), key=lambda e: order[e.meeting.slot]):
        mine.setdefault(e.meeting.startup, []).append(e)
        mine.setdefault(e.meeting.investor, []).append(e)
    return mine


# Meetings an agenda or a sign holds at each level before the next denser one is chosen.
LIST_LEVELS = (16, 26, 56)


def agendas(event: Event, schedule: Schedule, link: Link | None = None) -> Iterator[Agenda]:
    """One page per participant, alphabetical (as the door list), with their personal link."""
    mine = meetings_of(event, schedule)
    for person in people(event):
        lines = tuple(Line.of(e) for e in mine.get(person.id, ()))
        yield Agenda(person.id, person.name,
                     person.organisation if isinstance(person, Investor) else None,
                     role_of(person), person.field if isinstance(person, Startup) else None, lines,
                     link(person.id) if link else None, first_level(len(lines), LIST_LEVELS))


def signs(event: Event, schedule: Schedule) -> Iterator[Sign]:
    """One sign per table, in the event's table order, its meetings by time."""
    order = {s.id: n for n, s in enumerate(event.slots)}
    at: dict[str, list[Entry]] = {}
    for e in sorted(entries(event, schedule), key=lambda e: order[e.meeting.slot]):
        at.setdefault(e.meeting.table, []).append(e)
    for table in event.tables:
        lines = tuple(Line.of(e) for e in at.get(table, ()))
        yield Sign(table, lines, first_level(len(lines), LIST_LEVELS))


DOOR_RUN = 480  # rows of the door list laid out in one go (about 20 pages)


def door_list(event: Event, schedule: Schedule) -> Iterator[DoorList]:
    """Everyone alphabetical, with the time and table of their first meeting, in runs that
    end where a new initial letter starts (so that a run's last page is the end of a letter)."""
    mine = meetings_of(event, schedule)
    rows = [Arrival(p.name, p.organisation if isinstance(p, Investor) else None, role_of(p),
                    Line.of(mine[p.id][0]) if p.id in mine else None) for p in people(event)]
    run: list[Arrival] = []
    for row in rows:
        if len(run) >= DOOR_RUN and alphabetical(row.name)[:1] != alphabetical(run[-1].name)[:1] \
                or len(run) >= 2 * DOOR_RUN:
            yield DoorList(tuple(run))
            run = []
        run.append(row)
    if run:
        yield DoorList(tuple(run))


MATRIX_TABLES = 7  # table columns of a matrix page (A4 landscape)


def matrix(event: Event, schedule: Schedule) -> Iterator[MatrixBlock]:
    """Slots down, tables across: for each day, the tables in groups that fit a page's width."""
    at = {(e.meeting.slot, e.meeting.table): Cell(e.startup.name, e.investor.name)
          for e in entries(event, schedule)}
    for day, slots in groupby(event.slots, key=lambda s: s.start.date()):
        day_slots = list(slots)
        for first in range(0, len(event.tables), MATRIX_TABLES):
            tables = event.tables[first:first + MATRIX_TABLES]
            yield MatrixBlock(day, tables, tuple(
                (Times.of(s), tuple(at.get((s.id, t)) for t in tables)) for s in day_slots))
