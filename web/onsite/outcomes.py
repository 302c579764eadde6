"""How the day went: participants rate their meetings once they have ended (b2match's scale) and
report the other side's no-show; the organiser's tallies of arrivals, meetings and ratings, and
the outcome of every meeting as a table."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.model.event import Event
from matcher.model.schedule import Meeting, Schedule
from matcher.model.timetable import Entry, entries
from web.db.models import Attendance, MeetingRating, Participant, now
from web.onsite.attendance import ended

# What a participant answers about a meeting: the scale, and the no-show (a meeting that did not
# take place because the other side did not come). Shown best first.
CHOICES = {
    "cooperation": lazy_gettext("Cooperation possible"),
    "informative": lazy_gettext("Informative, but no cooperation planned"),
    "no_interest": lazy_gettext("Insufficient interest"),
    "not_held": lazy_gettext("Did not take place"),
    "no_show": lazy_gettext("Did not take place: they did not come"),
}


class NotRatable(ValueError):
    """A meeting the participant cannot rate (not theirs, not published, not over yet)."""


def meeting_of(schedule: Schedule, participant: Participant, uid: str) -> Meeting | None:
    """The participant's own meeting of a schedule with this uid, or None."""
    return next((m for m in schedule.meetings if m.uid == uid
                 and participant.code in (m.startup, m.investor)), None)


def ratings_of(session: Session, participant: Participant) -> dict[str, MeetingRating]:
    """Meeting uid -> the participant's rating of it."""
    return {r.uid: r for r in session.scalars(
        select(MeetingRating).where(MeetingRating.participant_id == participant.id))}


def rate(session: Session, participant: Participant, event: Event, schedule: Schedule, uid: str,
         choice: str, at: datetime | None = None) -> MeetingRating:
    """Keep a participant's answer about one of their meetings of the published schedule once
    it has ended (a later answer replaces theirs); committed."""
    meeting = meeting_of(schedule, participant, uid)
    if meeting is None:
        raise NotRatable("not one of your meetings")
    slot = next(s for s in event.slots if s.id == meeting.slot)
    if not ended(event, slot.end, at):
        raise NotRatable("not over yet")
    other = meeting.investor if participant.code == meeting.startup else meeting.startup
    found = session.scalar(select(MeetingRating).where(
        MeetingRating.participant_id == participant.id, MeetingRating.uid == uid))
    if found is None:
        found = MeetingRating(event_id=participant.event_id, participant_id=participant.id,
                              uid=uid)
        session.add(found)
    found.other, found.rated_at = other, now()
    found.rating = "not_held" if choice == "no_show" else choice
    found.no_show = choice == "no_show"
    session.commit()
    return found


def choice_of(rating: MeetingRating) -> str:
    """The answer a rating was given as (a key of CHOICES)."""
    return "no_show" if rating.no_show else rating.rating


@dataclass(frozen=True)
class Outcome:
    """One published meeting and what became of it: its parties' presence and answers."""

    entry: Entry
    ended: bool
    presence: dict[str, str | None]  # participant id -> arrived, absent or None
    answers: dict[str, str]  # participant id -> their choice, for those who answered

    @property
    def verdict(self) -> str:
        """held (a side says it took place), not_held (a side says it did not, none that it
        did), or unknown."""
        said = {"not_held" if a in ("not_held", "no_show") else "held" for a in self.answers.values()}
        return "held" if "held" in said else "not_held" if said else "unknown"

    @property
    def no_show(self) -> bool:
        """Whether a side reported that the other did not come."""
        return "no_show" in self.answers.values()


def outcomes(session: Session, event_id: int, event: Event, schedule: Schedule,
             at: datetime | None = None) -> list[Outcome]:
    """Every meeting of the published schedule with its outcome, in slot and table order."""
    people = {p.code: p for p in session.scalars(
        select(Participant).where(Participant.event_id == event_id))}
    by_id = {p.id: p.code for p in people.values()}
    presence = {by_id[a.participant_id]: a.status for a in session.scalars(
        select(Attendance).where(Attendance.event_id == event_id)) if a.participant_id in by_id}
    answers: dict[str, dict[str, str]] = {}
    for r in session.scalars(select(MeetingRating).where(MeetingRating.event_id == event_id)):
        if r.participant_id in by_id:
            answers.setdefault(r.uid, {})[by_id[r.participant_id]] = choice_of(r)
    return [Outcome(e, ended(event, e.slot.end, at),
                    {who: presence.get(who) for who in (e.startup.id, e.investor.id)},
                    answers.get(e.meeting.uid, {}))
            for e in sorted(entries(event, schedule),
                            key=lambda e: (e.slot.start, e.meeting.table))]


@dataclass
class Tally:
    """The dashboard's numbers."""

    people: dict[str, Counter[str]] = field(default_factory=dict)  # kind -> status -> count
    meetings: Counter[str] = field(default_factory=Counter)  # planned, ended, held, ...
    answers: Counter[str] = field(default_factory=Counter)  # choice -> count, every side's


def tally(participants: list[Participant], presence: dict[int, Attendance],
          found: list[Outcome]) -> Tally:
    """Arrivals per kind, meetings by outcome, and the answers given."""
    result = Tally()
    for kind in ("startup", "investor"):
        counts: Counter[str] = Counter()
        for p in participants:
            if p.kind == kind:
                counts["total"] += 1
                counts[presence[p.id].status if p.id in presence else "unseen"] += 1
        result.people[kind] = counts
    for o in found:
        result.meetings["planned"] += 1
        if o.ended:
            result.meetings["ended"] += 1
            result.meetings[o.verdict] += 1
        result.meetings["no_show"] += o.no_show
        result.answers.update(o.answers.values())
    return result

