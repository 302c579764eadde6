"""Hand edits of a draft timetable: move a meeting, swap two, and the places a meeting can go.

Every edit is checked by the hard rules (`matcher.model.rules`, as `matcher check` applies them)
before it is saved, on the participants and slots it touches; `refusals` tells what an edit
would break with names and times. The places and swaps offered are those the same rules allow
for the pair, found by looking at who is busy where, so that on a full day (every table taken
in every slot) the organiser is shown the swaps that work instead of trying moves that cannot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _

from matcher.model.check import ScheduleValues, broken_rules, checkable
from matcher.model.instance import Instance, PairKey
from matcher.model.objectives import Proofs, claims
from matcher.model.rules import Linear, Rule
from matcher.model.schedule import Meeting, Schedule

Broken = tuple[Rule, Linear]


class NotInSchedule(ValueError):
    """The pair has no meeting in the schedule."""


def rescored(inst: Instance, schedule: Schedule, meetings: list[Meeting]) -> Schedule:
    """A schedule with these meetings, its scores and objectives recomputed for the current
    event; it keeps the bounds the solver proved, as far as they still hold."""
    meetings = [m.model_copy(update={"score": inst.scores.get((m.startup, m.investor), m.score)})
                for m in meetings]
    order = {k: n for n, k in enumerate(inst.tables)}
    meetings.sort(key=lambda m: (inst.slot_index.get(m.slot, -1), order.get(m.table, -1)))
    known = checkable(inst, meetings)
    return Schedule(meetings=tuple(meetings), seconds=schedule.seconds,
                    **claims(inst, known, Proofs.kept_by(schedule)))


def find(schedule: Schedule, pair: PairKey) -> Meeting:
    """The pair's meeting; NotInSchedule when it has none."""
    found = next((m for m in schedule.meetings if (m.startup, m.investor) == pair), None)
    if found is None:
        raise NotInSchedule(_("%(startup)s and %(investor)s have no meeting in this timetable.",
                              startup=pair[0], investor=pair[1]))
    return found


def placed(inst: Instance, schedule: Schedule, places: dict[PairKey, tuple[str, str]],
           ) -> Schedule:
    """The schedule with these meetings at new (slot, table); each one that moves gets the next
    calendar sequence, so calendars take the move."""
    for pair in places:
        find(schedule, pair)
    meetings = []
    for m in schedule.meetings:
        slot, table = places.get((m.startup, m.investor), (m.slot, m.table))
        if (m.slot, m.table) != (slot, table):
            m = m.model_copy(update={"slot": slot, "table": table, "sequence": m.sequence + 1})
        meetings.append(m)
    return rescored(inst, schedule, meetings)


def moved(inst: Instance, schedule: Schedule, startup: str, investor: str, slot: str,
          table: str) -> Schedule:
    """The schedule with one meeting moved."""
    return placed(inst, schedule, {(startup, investor): (slot, table)})


def swapped(inst: Instance, schedule: Schedule, one: PairKey, other: PairKey) -> Schedule:
    """The schedule with two meetings in each other's place (slot and table)."""
    a, b = find(schedule, one), find(schedule, other)
    return placed(inst, schedule, {one: (b.slot, b.table), other: (a.slot, a.table)})


def broken_around(inst: Instance, schedule: Schedule, people: Iterable[str],
                  slots: Iterable[str]) -> dict[tuple[str, str], Broken]:
    """The rules a schedule breaks for these participants and in these slots, by (rule, label)."""
    values = ScheduleValues(inst, checkable(inst, schedule.meetings), set(people),
                            {inst.slot_index[s] for s in slots if s in inst.slot_index})
    return {(r.name, c.label): (r, c) for r, c in broken_rules(inst, values)}


def new_problems(inst: Instance, before: Schedule, after: Schedule) -> list[Broken]:
    """The rules the edited schedule breaks that the schedule before the edit did not, looked
    for where the edit changed something (the moved meetings' people and slots)."""
    was = {m.uid: m for m in before.meetings}
    changed = [m for m in after.meetings if (m.slot, m.table) != (was[m.uid].slot,
                                                                   was[m.uid].table)]
    people = {p for m in changed for p in (m.startup, m.investor)}
    slots = {s for m in changed for s in (m.slot, was[m.uid].slot)}
    old = broken_around(inst, rescored(inst, before, list(before.meetings)), people, slots)
    return [found for key, found in broken_around(inst, after, people, slots).items()
            if key not in old]


@dataclass(frozen=True)
class Place:
    """A slot where both parties of a meeting are free, with its free tables."""

    slot: str
    tables: tuple[str, ...]


class Board:
    """Who is where in a schedule, to find the places and swaps a meeting can take."""

    def __init__(self, inst: Instance, schedule: Schedule) -> None:
        self.inst = inst
        self.meetings = checkable(inst, schedule.meetings)
        self.at: dict[tuple[str, int], Meeting] = {}
        self.taken: dict[tuple[int, str], Meeting] = {}
        for m in self.meetings:
            t = inst.slot_index[m.slot]
            self.at[m.startup, t] = self.at[m.investor, t] = m
            self.taken[t, m.table] = m

    def free_for(self, who: str, t: int, leaving: Iterable[Meeting]) -> bool:
        """Whether a participant can meet in slot t, once the given meetings have left it."""
        there = self.at.get((who, t))
        return t in self.inst.free.get(who, frozenset()) and (
            there is None or there.uid in {m.uid for m in leaving})

    def places(self, meeting: Meeting) -> list[Place]:
        """Every slot where both parties are free (leaving this meeting aside), with the tables
        free there."""
        found = []
        for t, slot in enumerate(self.inst.slot_ids):
            if all(self.free_for(who, t, (meeting,)) for who in (meeting.startup,
                                                                  meeting.investor)):
                tables = tuple(k for k in self.inst.tables if (t, k) not in self.taken
                               and (slot, k) != (meeting.slot, meeting.table))
                if tables:
                    found.append(Place(slot, tables))
        return found

    def swaps(self, meeting: Meeting, fixed: set[PairKey]) -> list[Meeting]:
        """The meetings this one can trade places with (neither pinned elsewhere: `fixed` are
        the pinned pairs, which stay), nearest in time first."""
        index = self.inst.slot_index
        mine = index.get(meeting.slot)
        if mine is None or meeting.table not in self.inst.tables:
            return []
        found = []
        for other in self.meetings:
            if other.uid == meeting.uid or (other.startup, other.investor) in fixed:
                continue
            theirs, both = index[other.slot], (meeting, other)
            if all(self.free_for(who, theirs, both) for who in (meeting.startup,
                                                                  meeting.investor)) and \
                    all(self.free_for(who, mine, both) for who in (other.startup,
                                                                    other.investor)):
                found.append(other)
        found.sort(key=lambda m: (abs(index[m.slot] - mine), index[m.slot], m.table))
        return found
