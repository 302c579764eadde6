"""What the agendas show besides the meetings (`matcher.model.timetable`): why a participant's
wishes did not become meetings; and the schedule as a CSV table."""

from __future__ import annotations

from dataclasses import dataclass

from matcher.model.event import Event
from matcher.model.explain import Answer, Audience, Explainer
from matcher.model.instance import Instance
from matcher.model.schedule import Schedule
from matcher.model.timetable import entries
from web.exports import csv_text


@dataclass(frozen=True)
class Unmet:
    """A wish that did not become a meeting: whom it named, and why not."""

    name: str
    answer: Answer


def unmet_wishes(event: Event, schedule: Schedule, participant: str,
                 explainer: Explainer | None = None, audience: Audience = "organiser",
                 language: str | None = None) -> list[Unmet]:
    """The participant's wishes that did not become meetings, best first, each with the reason:
    every reason for the organiser, for the participant only what is theirs to know (none for
    someone the event does not know). An `Explainer` of the schedule serves many participants'
    questions."""
    explainer = explainer or Explainer(Instance(event), schedule)
    if participant not in explainer.inst.participants:
        return []
    names = {p.id: p.name for p in event.participants}
    return [Unmet(names[a.other], a)
            for a in explainer.answers(participant, audience, language)
            if a.reason != "met"]


CSV_COLUMNS = ("slot", "start", "end", "table", "startup_id", "startup", "investor_id", "investor",
               "organisation", "score", "uid", "sequence")


def schedule_csv(event: Event, schedule: Schedule) -> str:
    """The schedule as a CSV table, one meeting a row, in slot and table order (names that a
    spreadsheet would run as formulas are written as text)."""
    return csv_text([CSV_COLUMNS, *(
        [e.slot.id, e.slot.start.isoformat(timespec="minutes"),
         e.slot.end.isoformat(timespec="minutes"), e.meeting.table, e.startup.id, e.startup.name,
         e.investor.id, e.investor.name, e.investor.organisation or "", e.meeting.score,
         e.meeting.uid, e.meeting.sequence] for e in entries(event, schedule))])
