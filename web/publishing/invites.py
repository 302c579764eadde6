"""Calendar files of stored versions, made by `matcher.invites.ics`: who the organiser is, where
the agenda links point, and the HTTP response that carries a calendar."""

from __future__ import annotations

import icalendar
from flask import Response

from matcher.invites.ics import AgendaLink, Organiser, calendar
from matcher.model.event import STORED, Event, Investor, Startup
from web.db.models import EventRow, ScheduleVersion
from web.events.store import schedule_of, snapshot_of
from web.participants.links import external, link_for


def organiser_of(row: EventRow) -> Organiser | None:
    """The ORGANIZER of the event's invitations (an event setting); None when it has none, and
    then the files name neither organiser nor attendees."""
    if not row.organiser_email:
        return None
    return Organiser.model_validate({"email": row.organiser_email, "name": row.organiser_name},
                                    context=STORED)


def agenda_links(row: EventRow) -> AgendaLink:
    """Participant id -> that participant's personal page; the site's home page for someone who
    is no longer in the event (their old meetings may still be cancelled)."""
    people = {p.code: p for p in row.participants}

    def link(code: str) -> str:
        person = people.get(code)
        return link_for(person) if person is not None else external("views.index")

    return link


def with_addresses(event: Event, row: EventRow) -> Event:
    """A version's event with each participant's e-mail address and language as stored now, so
    that an address the organiser adds or corrects after publishing is the one invited, in the
    language they chose since. Someone no longer in the event keeps those of the version."""
    now = {p.code: {"email": p.email, "language": p.language} for p in row.participants}

    def current(person: Startup | Investor) -> Startup | Investor:
        update = now.get(person.id)
        if update is None or all(getattr(person, k) == v for k, v in update.items()):
            return person
        return type(person).model_validate(person.model_dump() | update, context=STORED)

    return event.model_copy(update={"startups": tuple(map(current, event.startups)),
                                    "investors": tuple(map(current, event.investors))})


def participant_calendar(row: EventRow, version: ScheduleVersion, code: str) -> icalendar.Calendar:
    """A participant's meetings in a version (METHOD:PUBLISH), for downloads and feeds; without
    meetings for someone the version does not know (they joined after it was made)."""
    event = with_addresses(snapshot_of(version), row)
    known = code in {p.id for p in event.participants}
    return calendar(event, schedule_of(version).meetings if known else (), "PUBLISH",
                    code if known else None, organiser=organiser_of(row),
                    agenda_link=agenda_links(row))


def event_calendar(row: EventRow, version: ScheduleVersion, links: bool) -> icalendar.Calendar:
    """Every meeting of a version (METHOD:PUBLISH), for the event's team; with each party's
    personal link only when `links` (for those who may hand links out: a link lets its holder
    change the participant's answers, so viewers get none)."""
    return calendar(with_addresses(snapshot_of(version), row), schedule_of(version).meetings,
                    "PUBLISH", organiser=organiser_of(row),
                    agenda_link=agenda_links(row) if links else None)


def ics_response(cal: icalendar.Calendar, filename: str | None = None) -> Response:
    """A calendar as text/calendar; a download when it has a file name, else shown inline (feeds)."""
    headers: dict[str, str] = {}  # no Cache-Control: web.security keeps it from any cache
    if filename:
        headers["Content-Disposition"] = f"attachment; filename={filename}"
    return Response(cal.to_ical(), mimetype="text/calendar", headers=headers)
