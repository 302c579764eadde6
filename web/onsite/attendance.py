"""The desk on the day: who has arrived or is absent, and where each person goes next; an absent
participant excused from the rest of the day, so that re-planning from now goes on without them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.model.event import Event
from matcher.model.schedule import Schedule
from matcher.model.timetable import Entry, entries
from web.db.models import Attendance, EventRow, Participant, now


@dataclass(frozen=True)
class DeskLine:
    """One participant at the desk: their presence (None: not seen yet) and their next meeting
    of the published timetable that has not ended (None: no more meetings, or none published)."""

    participant: Participant
    presence: Attendance | None
    next: Entry | None

    @property
    def status(self) -> str | None:
        """arrived, absent, or None."""
        return self.presence.status if self.presence else None


def presences(session: Session, event_id: int) -> dict[int, Attendance]:
    """Participant row id -> what the desk marked for them."""
    return {a.participant_id: a for a in session.scalars(
        select(Attendance).where(Attendance.event_id == event_id))}


def mark(session: Session, participant: Participant, status: str | None,
         organiser_id: int | None) -> Attendance | None:
    """Mark a participant arrived or absent, or clear the mark (None); committed."""
    found = session.scalar(select(Attendance).where(Attendance.participant_id == participant.id))
    if status is None:
        if found is not None:
            session.delete(found)
        session.commit()
        return None
    if found is None:
        found = Attendance(event_id=participant.event_id, participant_id=participant.id)
        session.add(found)
    found.status, found.marked_at, found.marked_by = status, now(), organiser_id
    session.commit()
    return found


def ended(event: Event, slot_end: datetime, at: datetime | None = None) -> bool:
    """Whether a slot end (local time of the event) has passed at `at` (now)."""
    return event.instant(slot_end) <= (at or datetime.now(UTC))


def next_meetings(event: Event, schedule: Schedule, at: datetime | None = None
                  ) -> dict[str, Entry]:
    """Participant id -> their first meeting that has not ended at `at` (now)."""
    found: dict[str, Entry] = {}
    for entry in sorted(entries(event, schedule), key=lambda e: e.slot.start):
        if not ended(event, entry.slot.end, at):
            for who in (entry.startup.id, entry.investor.id):
                found.setdefault(who, entry)
    return found


def desk(session: Session, row: EventRow, published: tuple[Event, Schedule] | None,
         at: datetime | None = None) -> list[DeskLine]:
    """Every participant of the event for the desk, by name."""
    marks = presences(session, row.id)
    upcoming = next_meetings(*published, at) if published else {}
    lines = [DeskLine(p, marks.get(p.id), upcoming.get(p.code)) for p in row.participants]
    return sorted(lines, key=lambda line: (line.participant.name.casefold(),
                                           line.participant.code))


def excuse(row: EventRow, participant: Participant, from_slot: str,
           schedule: Schedule) -> None:
    """Take an absent participant out of the rest of the day (not committed), so that
    re-planning from `from_slot` can go on without them: they are unavailable from then on,
    their pins there go, their required meetings not held before no longer are required; and
    no startup needs more meetings than it keeps of the published `schedule` without theirs,
    which then remains a timetable that keeps every rule (a re-planning always finds one)."""
    ids = [s["id"] for s in row.slots]
    later = set(ids[ids.index(from_slot):])
    code = participant.code
    participant.unavailable = [s for s in ids if s in later or s in set(participant.unavailable)]
    row.pinned = [pin for pin in row.pinned
                  if code not in (pin["startup"], pin["investor"]) or pin["slot"] not in later]
    kept = [m for m in schedule.meetings if code not in (m.startup, m.investor)
            or m.slot not in later]
    met = {(m.startup, m.investor) for m in kept}
    row.required = [pair for pair in row.required
                    if code not in (pair["startup"], pair["investor"])
                    or (pair["startup"], pair["investor"]) in met]
    keeps = Counter(m.startup for m in kept)
    for p in row.participants:
        if p.kind == "startup" and p.min_meetings > keeps[p.code]:
            p.min_meetings = keeps[p.code]
