"""Calendar files (iCalendar) of a schedule: for a participant, for the organiser, and cancellations.

Each meeting is one VEVENT whose UID and SEQUENCE are the schedule's `uid` and `sequence`, the same in
both parties' files and in every export, so that calendars update the one entry instead of adding
another. A meeting that is gone goes out with METHOD:CANCEL, STATUS:CANCELLED and the next SEQUENCE.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Literal

import icalendar
from icalendar.enums import STATUS, TRANSP
from pydantic import BaseModel, ConfigDict

from matcher.i18n import translator
from matcher.model.check import unknown_references
from matcher.model.event import Email, Event, Text
from matcher.model.instance import Instance
from matcher.model.schedule import UID_NAMESPACE, Meeting, Schedule

Method = Literal["PUBLISH", "REQUEST", "CANCEL"]
AgendaLink = Callable[[str], str]  # participant id -> the address of that participant's agenda
PRODID = "-//matcher//matcher calendar invites//EN"
ORGANISER_FILE = "event.ics"
CANCELLED_DIR = "cancelled"


class Organiser(BaseModel):
    """Who sends the invitations: the ORGANIZER of every meeting, and the From of every e-mail."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    email: Email
    name: Text | None = None


def vtimezone(event: Event) -> icalendar.Timezone:
    """The VTIMEZONE of the event's zone for the days of its slots.

    Built from zoneinfo's transitions rather than by icalendar's generator, whose output is read
    wrongly elsewhere: it lists later onsets as RDATE values, of which ical.js (Thunderbird) reads only
    the first and then drops DTSTART, and it dates the spring onset in the new offset, an hour late by
    RFC 5545 section 3.6.5. Here each onset is its own observance, dated in the offset before it.
    """
    zone = event.zone()
    first = datetime.combine(event.slots[0].start.date() - timedelta(days=1), datetime.min.time())
    last = datetime.combine(event.slots[-1].end.date() + timedelta(days=2), datetime.min.time())
    start, end = event.instant(first), event.instant(last)
    tz = icalendar.Timezone()
    tz.add("TZID", event.timezone)

    def offset(moment: datetime) -> timedelta:
        known = moment.astimezone(zone).utcoffset()
        assert known is not None  # a zoneinfo zone knows every moment's offset
        return known

    before = offset(start)
    for onset in [start, *_transitions(event, start, end)]:
        local = onset.astimezone(zone)
        observance = icalendar.TimezoneDaylight() if local.dst() else icalendar.TimezoneStandard()
        observance.add("DTSTART", (onset + before).replace(tzinfo=None))
        observance.add("TZNAME", local.tzname())
        observance.add("TZOFFSETFROM", before)
        observance.add("TZOFFSETTO", local.utcoffset())
        tz.add_component(observance)
        before = offset(onset)
    return tz


def _transitions(event: Event, start: datetime, end: datetime) -> list[datetime]:
    """The UTC instants in [start, end) when the zone's offset, daylight saving or name changes."""
    zone = event.zone()

    def state(second: int) -> tuple:
        local = datetime.fromtimestamp(second, UTC).astimezone(zone)
        return local.utcoffset(), local.dst(), local.tzname()

    found, hour = [], int(start.timestamp())
    while hour < end.timestamp():
        low, high = hour, hour + 3600
        if state(low) != state(high):
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if state(middle) == state(low) else (low, middle)
            found.append(datetime.fromtimestamp(high, UTC))
        hour += 3600
    return found


def _ambiguous(event: Event, local: datetime) -> bool:
    """Whether a local time happens twice, in the hour repeated when clocks go back."""
    zone = event.zone()
    return local.replace(tzinfo=zone, fold=0).utcoffset() != local.replace(tzinfo=zone,
                                                                            fold=1).utcoffset()


def location(event: Event, meeting: Meeting, language: str | None = None) -> str:
    """Table and venue, in a language."""
    _ = translator(language).gettext
    if event.venue:
        return _("Table %(table)s, %(venue)s") % {"table": meeting.table, "venue": event.venue}
    return _("Table %(table)s") % {"table": meeting.table}


class _Vevents:
    """Builds the VEVENTs of one event's meetings, with its participants and slots looked up once;
    their texts in one language."""

    def __init__(self, event: Event, organiser: Organiser | None, agenda_link: AgendaLink | None,
                 stamp: datetime, language: str | None) -> None:
        self.event, self.organiser, self.agenda_link, self.stamp = event, organiser, agenda_link, stamp
        self.language = language
        self._ = translator(language).gettext
        self.startups = {s.id: s for s in event.startups}
        self.investors = {i.id: i for i in event.investors}
        self.slots = {s.id: s for s in event.slots}

    def name(self, ident: str) -> str:
        return (self.startups.get(ident) or self.investors[ident]).name

    def vevent(self, meeting: Meeting, cancelled: bool, owner: str | None) -> icalendar.Event:
        """One meeting; a cancelled one has STATUS:CANCELLED and the next SEQUENCE."""
        start, end = self.times(meeting)
        vevent = icalendar.Event.new(
            uid=meeting.uid,
            sequence=meeting.sequence + 1 if cancelled else meeting.sequence,
            stamp=self.stamp,
            start=start,
            end=end,
            summary=self.summary(meeting),
            location=location(self.event, meeting, self.language),
            description=self.description(meeting, owner),
            status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
            transparency=TRANSP.OPAQUE,
        )
        if owner is not None and self.agenda_link is not None:
            vevent.add("URL", self.agenda_link(owner))
        # RFC 5545 asks for an ORGANIZER wherever there are attendees, so there are both or neither.
        if self.organiser is not None:
            vevent.add("ORGANIZER", icalendar.vCalAddress.new(self.organiser.email,
                                                              cn=self.organiser.name))
            for person in (self.startups[meeting.startup], self.investors[meeting.investor]):
                # Without an e-mail address a party has no calendar address: it is named, not invited.
                if person.email:
                    vevent.add("ATTENDEE", icalendar.vCalAddress.new(
                        person.email, cn=person.name, role="REQ-PARTICIPANT",
                        partstat="NEEDS-ACTION", rsvp=not cancelled))
        return vevent

    def times(self, meeting: Meeting) -> tuple[datetime, datetime]:
        """DTSTART and DTEND: local with the event's TZID, or in UTC when one happens twice that day.

        RFC 5545 reads such a time as its first occurrence, but ical.js (Thunderbird) takes the
        second; a UTC time means the same instant to every client.
        """
        slot, event = self.slots[meeting.slot], self.event
        if _ambiguous(event, slot.start) or _ambiguous(event, slot.end):
            return event.instant(slot.start), event.instant(slot.end)
        return slot.start.replace(tzinfo=event.zone()), slot.end.replace(tzinfo=event.zone())

    def summary(self, meeting: Meeting) -> str:
        """The title, naming both parties."""
        _, investor = self._, self.investors[meeting.investor]
        names = {"startup": self.name(meeting.startup), "investor": investor.name,
                 "organisation": investor.organisation}
        if investor.organisation:
            return _("%(startup)s meets %(investor)s (%(organisation)s)") % names
        return _("%(startup)s meets %(investor)s") % names

    def description(self, meeting: Meeting, owner: str | None) -> str:
        """Who meets whom, the startup's field and description, the place and the agenda link."""
        _, startup = self._, self.startups[meeting.startup]
        lines = [_("%(meeting)s at %(event)s.") % {"meeting": self.summary(meeting),
                                                  "event": self.event.name},
                 _("Field of %(startup)s: %(field)s") % {
                     "startup": startup.name,
                     "field": self.event.field_name(startup.field, self.language)}]
        if startup.description:
            lines.append(_("About %(startup)s: %(description)s") % {
                "startup": startup.name, "description": startup.description})
        lines.append(_("Where: %(place)s") % {
            "place": location(self.event, meeting, self.language)})
        if self.agenda_link is not None:
            # A personal link may hold a secret token, so a participant's file links only their own.
            owners = [owner] if owner else [meeting.startup, meeting.investor]
            links = {who: self.agenda_link(who) for who in owners}
            if len(set(links.values())) == 1:
                lines.append(_("Agenda: %(link)s") % {"link": links[owners[0]]})
            else:
                lines += [_("Agenda of %(name)s: %(link)s") % {"name": self.name(who), "link": link}
                          for who, link in links.items()]
        return "\n".join(lines)


def language_of(event: Event, owner: str | None) -> str | None:
    """The language of a participant's calendar texts: theirs; None (English) for the
    organiser's calendar or someone the event does not know."""
    people = {p.id: p for p in event.participants}
    return people[owner].language if owner in people else None


def _parts(event: Event, meetings: Iterable[Meeting], method: Method, owner: str | None,
           organiser: Organiser | None, agenda_link: AgendaLink | None, stamp: datetime | None,
           language: str | None) -> tuple[icalendar.Calendar, Iterator[icalendar.Event]]:
    """The VCALENDAR without its meetings, and its VEVENTs one by one."""
    if method != "PUBLISH" and organiser is None:
        raise ValueError(f"METHOD:{method} needs an organiser")
    vevents = _Vevents(event, organiser, agenda_link, stamp or datetime.now(UTC),
                       language or language_of(event, owner))
    title = event.name if owner is None else f"{event.name}: {vevents.name(owner)}"
    cal = icalendar.Calendar.new(
        prodid=PRODID, method=method, name=title,
        uid=uuid.uuid5(UID_NAMESPACE, "\n".join(("calendar", event.name, owner or "", method))),
        refresh_interval=timedelta(hours=1) if method == "PUBLISH" else None)
    if method == "PUBLISH":
        cal.add("X-PUBLISHED-TTL", icalendar.vDuration(timedelta(hours=1)))  # the same, for Outlook
    cal.add_component(vtimezone(event))
    return cal, (vevents.vevent(meeting, method == "CANCEL", owner) for meeting in meetings
                 if owner is None or owner in (meeting.startup, meeting.investor))


def calendar(event: Event, meetings: Iterable[Meeting], method: Method, owner: str | None = None, *,
             organiser: Organiser | None = None, agenda_link: AgendaLink | None = None,
             stamp: datetime | None = None, language: str | None = None) -> icalendar.Calendar:
    """A VCALENDAR of the meetings of `owner` (a participant id; every meeting when None).

    PUBLISH is for downloads and feeds, REQUEST for e-mailed invitations; CANCEL cancels the given
    meetings, which are the ones as last sent, from the event they were made for. REQUEST and CANCEL
    need an organiser (RFC 5546). The texts are in `language`, by default the owner's.
    """
    cal, vevents = _parts(event, meetings, method, owner, organiser, agenda_link, stamp, language)
    for vevent in vevents:
        cal.add_component(vevent)
    return cal


END = b"END:VCALENDAR\r\n"


def calendar_stream(event: Event, meetings: Iterable[Meeting], method: Method,
                    owner: str | None = None, *, organiser: Organiser | None = None,
                    agenda_link: AgendaLink | None = None, stamp: datetime | None = None,
                    language: str | None = None) -> Iterator[bytes]:
    """The bytes of `calendar(...).to_ical()`, a meeting at a time: a trade show's calendar
    of 80,000 meetings is sent as it is written, never held whole in memory."""
    cal, vevents = _parts(event, meetings, method, owner, organiser, agenda_link, stamp, language)
    head = cal.to_ical()
    yield head.removesuffix(END)
    for vevent in vevents:
        yield vevent.to_ical()
    yield END


def removed(previous: Schedule, schedule: Schedule) -> tuple[Meeting, ...]:
    """The meetings of the previous schedule whose uid the new one no longer has."""
    kept = {m.uid for m in schedule.meetings}
    return tuple(m for m in previous.meetings if m.uid not in kept)


def problems(event: Event, schedule: Schedule, previous: tuple[Event, Schedule] | None = None,
             ) -> list[str]:
    """Why calendar files of the schedule would be wrong: each problem a sentence naming the culprit.

    The schedule must belong to the event, and so must the previous one to its event; a meeting that
    moved since the previous schedule must have a higher sequence, or calendars ignore the move.
    """
    found = [f"the schedule does not fit the event: {p}"
             for p in unknown_references(Instance(event), schedule)]
    found += _repeated_uids(schedule, "the schedule")
    if previous is not None and not found:
        old_event, old = previous
        found += [f"the previous schedule does not fit its event: {p}"
                  for p in unknown_references(Instance(old_event), old)]
        found += _repeated_uids(old, "the previous schedule")
        if not found:
            found += _revisions(old_event, old, event, schedule)
    meetings = [*schedule.meetings, *(previous[1].meetings if previous else ())]
    clash = ORGANISER_FILE.removesuffix(".ics")
    if clash in _participants(meetings):
        found.append(f"participant id {clash} would overwrite the organiser's file {ORGANISER_FILE}: "
                     "give the participant another id")
    return found


def _revisions(old_event: Event, old: Schedule, event: Event, schedule: Schedule) -> list[str]:
    """Meetings whose sequence fell, or that moved without a higher sequence."""
    found = []
    before = {m.uid: m for m in old.meetings}
    for m in schedule.meetings:
        was = before.get(m.uid)
        if was is None:
            continue
        name = f"meeting {m.startup}/{m.investor} (uid {m.uid})"
        then, now = _where_and_when(old_event, was), _where_and_when(event, m)
        if m.sequence < was.sequence:
            found.append(f"{name} has sequence {m.sequence}, below its previous {was.sequence}: "
                         "a sequence never falls")
        elif then != now and m.sequence == was.sequence:
            found.append(f"{name} moved from {then} to {now} but kept sequence {m.sequence}: it must "
                         "rise, or calendars ignore the move")
    return found


def _repeated_uids(schedule: Schedule, which: str) -> list[str]:
    seen: dict[str, int] = {}
    for m in schedule.meetings:
        seen[m.uid] = seen.get(m.uid, 0) + 1
    return [f"{which} gives uid {uid} to {n} meetings" for uid, n in seen.items() if n > 1]


def _where_and_when(event: Event, meeting: Meeting) -> str:
    slot = next(s for s in event.slots if s.id == meeting.slot)
    start, end = event.instant(slot.start), event.instant(slot.end)
    return f"{start:%Y-%m-%d %H:%M}-{end:%H:%M} UTC at {location(event, meeting)}"


def export(event: Event, schedule: Schedule, previous: tuple[Event, Schedule] | None = None, *,
           organiser: Organiser | None = None, agenda_link: AgendaLink | None = None,
           stamp: datetime | None = None) -> dict[str, icalendar.Calendar]:
    """The files of `matcher ics`, by path: event.ics, <participant>.ics, cancelled/<...>.ics.

    <participant>.ics is always the file that participant should import now: their meetings
    (PUBLISH), or, when they have none left, the cancellation of those they had. cancelled/ holds
    every cancellation: one file per participant who lost meetings, and event.ics with all of them.
    Check `problems` first.
    """
    made = partial(calendar, organiser=organiser, agenda_link=agenda_link,
                   stamp=stamp or datetime.now(UTC))
    files = {ORGANISER_FILE: made(event, schedule.meetings, "PUBLISH")}
    current = _participants(schedule.meetings)
    for who in current:
        files[f"{who}.ics"] = made(event, schedule.meetings, "PUBLISH", who)
    if previous is None:
        return files
    old_event, old = previous
    gone = removed(old, schedule)
    if gone:
        files[f"{CANCELLED_DIR}/{ORGANISER_FILE}"] = made(old_event, gone, "CANCEL")
    for who in _participants(gone):
        files[f"{CANCELLED_DIR}/{who}.ics"] = made(old_event, gone, "CANCEL", who)
        if who not in current:
            files[f"{who}.ics"] = files[f"{CANCELLED_DIR}/{who}.ics"]
    return files


def _participants(meetings: Iterable[Meeting]) -> list[str]:
    """Participant ids with a meeting among these, startups first, each once, in meeting order."""
    meetings = list(meetings)
    return list(dict.fromkeys([m.startup for m in meetings] + [m.investor for m in meetings]))
