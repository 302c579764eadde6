"""A schedule laid out for people to read: by slot and table (the grid), or by participant (an
agenda), each meeting with both parties' records."""

from __future__ import annotations

from dataclasses import dataclass

from matcher.model.event import Event, Investor, Slot, Startup
from matcher.model.schedule import Meeting, Schedule


@dataclass(frozen=True)
class Entry:
    """One meeting with both parties' records."""

    meeting: Meeting
    slot: Slot
    startup: Startup
    investor: Investor


@dataclass(frozen=True)
class AgendaLine:
    """One slot of a participant's day: a meeting, or free."""

    slot: Slot
    entry: Entry | None


def entries(event: Event, schedule: Schedule) -> list[Entry]:
    """The schedule's meetings with their parties (meetings naming unknown ids are left out)."""
    slots = {s.id: s for s in event.slots}
    startups = {s.id: s for s in event.startups}
    investors = {i.id: i for i in event.investors}
    return [Entry(m, slots[m.slot], startups[m.startup], investors[m.investor])
            for m in schedule.meetings
            if m.slot in slots and m.startup in startups and m.investor in investors]


def grid(event: Event, schedule: Schedule) -> list[tuple[Slot, list[Entry | None]]]:
    """Slots down, tables across."""
    at = {(e.meeting.slot, e.meeting.table): e for e in entries(event, schedule)}
    return [(slot, [at.get((slot.id, table)) for table in event.tables]) for slot in event.slots]


def agenda(event: Event, schedule: Schedule, participant: str) -> list[AgendaLine]:
    """A participant's day, slot by slot."""
    mine = {e.meeting.slot: e for e in entries(event, schedule)
            if participant in (e.meeting.startup, e.meeting.investor)}
    return [AgendaLine(slot, mine.get(slot.id)) for slot in event.slots]
