"""What the grid and the agendas show: a schedule laid out by slot and table, or by participant,
with the reasons why a participant's wishes did not become meetings."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from matcher.model.event import Event, Investor, Slot, Startup
from matcher.model.explain import Answer, Explainer
from matcher.model.instance import Instance
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


@dataclass(frozen=True)
class Unmet:
    """A wish that did not become a meeting: whom it named, and why not."""

    name: str
    answer: Answer


def unmet_wishes(event: Event, schedule: Schedule, participant: str,
                 explainer: Explainer | None = None) -> list[Unmet]:
    """The participant's wishes that did not become meetings, best first, each with the reason
    (none for someone the event does not know). An `Explainer` of the schedule serves many
    participants' questions."""
    explainer = explainer or Explainer(Instance(event), schedule)
    if participant not in explainer.inst.participants:
        return []
    names = {p.id: p.name for p in (*event.startups, *event.investors)}
    return [Unmet(names[a.other], a) for a in explainer.answers(participant)
            if a.reason != "met"]


CSV_COLUMNS = ("slot", "start", "end", "table", "startup_id", "startup", "investor_id", "investor",
               "organisation", "score", "uid", "sequence")


def schedule_csv(event: Event, schedule: Schedule) -> str:
    """The schedule as a CSV table, one meeting a row, in slot and table order."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in entries(event, schedule):
        writer.writerow([e.slot.id, e.slot.start.isoformat(timespec="minutes"),
                         e.slot.end.isoformat(timespec="minutes"), e.meeting.table, e.startup.id,
                         e.startup.name, e.investor.id, e.investor.name,
                         e.investor.organisation or "", e.meeting.score, e.meeting.uid,
                         e.meeting.sequence])
    return out.getvalue()
