"""Calendar files of stored versions, made by `matcher.invites.ics`: who the organiser is, where
the agenda links point, and the HTTP response that carries a calendar."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from functools import cache

from flask import Response, stream_with_context
from sqlalchemy import select

from matcher.invites.ics import AgendaLink, Organiser, calendar_stream
from matcher.model.event import STORED, Event, Investor, Startup
from web.db import db
from web.db.models import EventRow, Participant, ScheduleVersion
from web.participants.links import external, link_for
from web.schedules.layout import layout


def organiser_of(row: EventRow) -> Organiser | None:
    """The ORGANIZER of the event's invitations (an event setting); None when it has none, and
    then the files name neither organiser nor attendees."""
    if not row.organiser_email:
        return None
    return Organiser.model_validate({"email": row.organiser_email, "name": row.organiser_name},
                                    context=STORED)


def people_of(row: EventRow, only: Collection[str] | None = None) -> dict[str, Participant]:
    """The event's participants by id, or only these (a participant's calendar reads its own
    and its partners', not a trade show's thousands)."""
    if only is None:
        return {p.code: p for p in row.participants}
    return {p.code: p for p in db().scalars(select(Participant).where(
        Participant.event_id == row.id, Participant.code.in_(list(only))))}


def agenda_links(row: EventRow, only: Collection[str] | None = None) -> AgendaLink:
    """Participant id -> that participant's personal page (each made once); the site's home page
    for someone who is no longer in the event (their old meetings may still be cancelled)."""
    people = people_of(row, only)

    @cache
    def link(code: str) -> str:
        person = people.get(code)
        return link_for(person) if person is not None else external("views.index")

    return link


def with_addresses(event: Event, row: EventRow, only: Collection[str] | None = None) -> Event:
    """A version's event with each participant's e-mail address and language as stored now, so
    that an address the organiser adds or corrects after publishing is the one invited, in the
    language they chose since. Someone no longer in the event keeps those of the version (and
    so does everyone not in `only`, when given)."""
    now = {code: {"email": p.email, "language": p.language}
           for code, p in people_of(row, only).items()}

    def current(person: Startup | Investor) -> Startup | Investor:
        update = now.get(person.id)
        if update is None or all(getattr(person, k) == v for k, v in update.items()):
            return person
        return type(person).model_validate(person.model_dump() | update, context=STORED)

    return event.model_copy(update={"startups": tuple(map(current, event.startups)),
                                    "investors": tuple(map(current, event.investors))})


def participant_calendar(row: EventRow, version: ScheduleVersion, code: str) -> Iterator[bytes]:
    """A participant's meetings in a version (METHOD:PUBLISH) as calendar bytes, for downloads
    and feeds; without meetings for someone the version does not know (they joined after it
    was made)."""
    laid = layout(version)
    known = code in laid.startups or code in laid.investors
    meetings = laid.meetings_of(code) if known else []
    involved = {code} | {m.startup for m in meetings} | {m.investor for m in meetings}
    return calendar_stream(with_addresses(laid.event, row, involved), meetings, "PUBLISH",
                           code if known else None, organiser=organiser_of(row),
                           agenda_link=agenda_links(row, {code}))


def event_calendar(row: EventRow, version: ScheduleVersion, links: bool) -> Iterator[bytes]:
    """Every meeting of a version (METHOD:PUBLISH) as calendar bytes, for the event's team; with
    each party's personal link only when `links` (for those who may hand links out: a link lets
    its holder change the participant's answers, so viewers get none)."""
    laid = layout(version)
    return calendar_stream(with_addresses(laid.event, row), laid.meetings, "PUBLISH",
                           organiser=organiser_of(row),
                           agenda_link=agenda_links(row) if links else None)


def ics_response(chunks: Iterator[bytes], filename: str | None = None) -> Response:
    """Calendar bytes as text/calendar, sent as they are made; a download when it has a file
    name, else shown inline (feeds)."""
    headers: dict[str, str] = {}  # no Cache-Control: web.security keeps it from any cache
    if filename:
        headers["Content-Disposition"] = f"attachment; filename={filename}"
    return Response(stream_with_context(chunks), mimetype="text/calendar", headers=headers)
