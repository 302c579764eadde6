"""A timetable version laid out for reading at any size: its meetings by slot and table, by
participant, by day and by hall, read once per process and kept (a version never changes), so
that a trade show's day and hall, an agenda or a calendar feed opens without reading all of its
tens of thousands of meetings again.

The stored schedule was checked by the rules before it was stored, so it is read as plain data:
each meeting a `Seat`, which reads like the core's `Meeting` (same fields) at a fraction of the
cost of validating 80,000 models.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple, cast

from matcher.model.event import Event, Slot, Startup
from matcher.model.explain import Explainer
from matcher.model.instance import Instance
from matcher.model.schedule import Fairness, Meeting, Schedule
from matcher.model.timetable import AgendaLine, Entry
from matcher.report import Share, side_shares
from web.cache import collector_paused, instance_of, kept
from web.db.models import ScheduleVersion
from web.events.store import snapshot_of

GROUP = 20  # tables shown side by side when the event names no halls: what fits 1280 px


class Seat(NamedTuple):
    """A stored meeting, read without checking: the fields of `Meeting` (a tuple, which the
    garbage collector stops following: a trade show's version has 80,000)."""

    startup: str
    investor: str
    slot: str
    table: str
    score: int
    uid: str
    sequence: int = 0


@dataclass(frozen=True)
class Hall:
    """Tables shown together (at most GROUP, what fits a screen): a hall the event names, or a
    part of one, or a group of consecutive tables. `hall` is the named hall's key ('' for none),
    `name` its name."""

    key: str
    name: str
    tables: tuple[str, ...]
    hall: str = ""

    @property
    def span(self) -> str:
        """Its first and last tables, 'T01–T20'."""
        return self.tables[0] if len(self.tables) == 1 else f"{self.tables[0]}–{self.tables[-1]}"


@dataclass(frozen=True)
class Day:
    """The slots of one day."""

    key: str
    slots: tuple[Slot, ...]


class Layout:
    """A version's event and meetings, indexed for reading."""

    def __init__(self, event: Event, schedule: dict[str, Any],
                 shares: list[dict[str, Any]] | None = None) -> None:
        self.event = event
        self.stored_shares = shares
        self.seats = [Seat(**m) for m in schedule["meetings"]]
        # The schedule file's claims (score, bound, breaks, fairness, ...) and, as meetings,
        # the seats: every function that reads a Schedule's meetings reads these.
        fairness = schedule.get("fairness")
        self.schedule = Schedule.model_construct(**{
            **schedule, "meetings": tuple(self.seats),
            "fairness": None if fairness is None else Fairness.model_validate(fairness)})
        self.startups = {s.id: s for s in event.startups}
        self.investors = {i.id: i for i in event.investors}
        self.slots = {s.id: s for s in event.slots}
        self.at: dict[tuple[str, str], Seat] = {}
        self.of: dict[str, list[Seat]] = defaultdict(list)
        for m in self.seats:
            self.at[m.slot, m.table] = m
            self.of[m.startup].append(m)
            self.of[m.investor].append(m)
        self.counts = Counter({p: len(ms) for p, ms in self.of.items()})

    def known(self, seat: Seat) -> bool:
        """Whether the version's event knows a meeting's parties and slot."""
        return seat.slot in self.slots and seat.startup in self.startups \
            and seat.investor in self.investors

    def entry(self, seat: Seat) -> Entry:
        """A meeting with both parties' records."""
        return Entry(cast(Meeting, seat), self.slots[seat.slot], self.startups[seat.startup],
                     self.investors[seat.investor])

    @property
    def meetings(self) -> list[Meeting]:
        """Every meeting, read as the core's."""
        return cast(list[Meeting], self.seats)

    def meetings_of(self, participant: str) -> list[Meeting]:
        """A participant's meetings."""
        return cast(list[Meeting], self.of.get(participant, []))

    def agenda(self, participant: str, slots: tuple[Slot, ...] | None = None,
               ) -> list[AgendaLine]:
        """A participant's day (or the given slots), slot by slot."""
        mine = {m.slot: m for m in self.of.get(participant, ()) if self.known(m)}
        return [AgendaLine(s, self.entry(mine[s.id]) if s.id in mine else None)
                for s in (self.event.slots if slots is None else slots)]

    @cached_property
    def days(self) -> list[Day]:
        """The event's days, each with its slots, in order."""
        found: dict[str, list[Slot]] = {}
        for slot, day in zip(self.event.slots, self.event.days(), strict=True):
            found.setdefault(day, []).append(slot)
        return [Day(key, tuple(slots)) for key, slots in found.items()]

    @cached_property
    def halls(self) -> list[Hall]:
        """The event's halls, then the tables in none (or, without halls, all the tables), each
        cut in parts of at most GROUP tables."""
        named = [(h.id, h.name or h.id, h.tables) for h in self.event.halls]
        placed = {t for _key, _name, tables in named for t in tables}
        rest = tuple(t for t in self.event.tables if t not in placed)
        if rest:
            named.append(("other" if named else "", "", rest))
        return [Hall(key if len(tables) <= GROUP else f"{key}-{n // GROUP + 1}".lstrip("-"),
                     name, tables[n:n + GROUP], key)
                for key, name, tables in named for n in range(0, len(tables), GROUP)]

    @cached_property
    def named_halls(self) -> list[Hall]:
        """The first part of each named hall (the choices of a hall, its parts then following)."""
        return list({h.hall: h for h in reversed(self.halls)}.values())[::-1]

    @cached_property
    def homes(self) -> dict[str, Startup]:
        """Each table where one startup holds every meeting of the version: that startup, named
        once in the table's head instead of in every cell."""
        holders: dict[str, set[str]] = defaultdict(set)
        for m in self.seats:
            holders[m.table].add(m.startup)
        return {t: self.startups[s] for t, (s, *more) in holders.items()
                if not more and s in self.startups}

    @cached_property
    def instance(self) -> Instance:
        """The version's event as the core reads it (made once, and shared with the event's
        checks while the event is as the version found it: a trade show's has close to a
        million candidate pairs)."""
        return instance_of(self.event)

    @cached_property
    def shares(self) -> list[Share]:
        """How each side's meetings are shared (spread, floor, reach), as `matcher solve`
        reports it: as stored with the version, else (a version stored before they were)
        measured."""
        if self.stored_shares is not None:
            return [Share(**s) for s in self.stored_shares]
        return side_shares(self.instance, self.schedule)

    @cached_property
    def explainer(self) -> Explainer:
        """Why wishes did not become meetings, asked of this version."""
        instance = self.instance
        with collector_paused():
            return Explainer(instance, self.schedule)

    def grid(self, day: Day, hall: Hall) -> list[tuple[Slot, list[Entry | None]]]:
        """The day's slots down, the hall's tables across."""
        rows = []
        for slot in day.slots:
            cells = [self.at.get((slot.id, t)) for t in hall.tables]
            rows.append((slot, [self.entry(m) if m and self.known(m) else None for m in cells]))
        return rows

    def seated(self, hall: Hall) -> list[Startup]:
        """The startups whose meetings are at the hall's tables."""
        tables = set(hall.tables)
        return [s for s in self.event.startups
                if any(m.table in tables for m in self.of.get(s.id, ()))]


def layout(version: ScheduleVersion) -> Layout:
    """A version laid out, from this process's keeping when it was read before."""
    return kept(("layout", version.id),
                lambda: Layout(snapshot_of(version), version.schedule,
                               (version.details or {}).get("shares")))


def chosen(options: list[Any], key: str | None) -> Any:
    """The option (a Day or Hall) with this key, else the first."""
    return next((o for o in options if o.key == key), options[0])
