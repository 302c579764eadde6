"""Events in and out of the database, always through the core's `Event` model."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from matcher.model.check import verified
from matcher.model.event import STORED, Event
from matcher.model.feasibility import impossible_setups
from matcher.model.instance import Instance
from matcher.model.messages import sentence
from matcher.model.schedule import Schedule
from matcher.report import side_shares
from web.cache import collector_paused, event_stamp, instance_of, kept
from web.db.models import EventRow, Participant, ScheduleVersion, now
from web.events.slots import settings_of
from web.i18n import current_language

KEYS = {"startup": ("email", "description", "max_meetings", "language"),
        "investor": ("organisation", "email", "max_meetings", "language")}


def participant_data(p: Participant) -> dict[str, Any]:
    """A participant as the event file has it, references as stored."""
    data: dict[str, Any] = {"id": p.code, "name": p.name, "unavailable": list(p.unavailable),
                            "wishes": dict(p.wishes)}
    if p.kind == "startup":
        data |= {"field": p.field, "min_meetings": p.min_meetings}
    else:
        data |= {"interests": dict(p.interests), "avoid": list(p.avoid)}
    for key in KEYS[p.kind]:
        if getattr(p, key) is not None:
            data[key] = getattr(p, key)
    return data


def assemble(row: EventRow, startups: list[dict[str, Any]], investors: list[dict[str, Any]]
             ) -> dict[str, Any]:
    """The event file's data of a stored event with these participants: references to slots,
    fields, tables or people it does not have are dropped (they name what was removed)."""
    slots = {s["id"] for s in row.slots}
    known = {"startup": {s["id"] for s in startups}, "investor": {i["id"] for i in investors}}
    fields = set(row.fields)

    def kept(pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in p.items() if k != "table" or v in row.tables} for p in pairs
                if p["startup"] in known["startup"] and p["investor"] in known["investor"]
                and ("slot" not in p or p["slot"] in slots)]

    def tidy(person: dict[str, Any], other: str) -> dict[str, Any]:
        person = dict(person)
        person["unavailable"] = [s for s in person.get("unavailable", ()) if s in slots]
        person["wishes"] = {k: w for k, w in person.get("wishes", {}).items() if k in known[other]}
        if "avoid" in person:
            person["avoid"] = [s for s in person["avoid"] if s in known[other]]
        if "interests" in person:
            person["interests"] = {f: n for f, n in person["interests"].items() if f in fields}
        return person

    data: dict[str, Any] = {
        "format": 1, "name": row.name, "timezone": row.timezone, "fields": row.fields,
        "slots": row.slots, "tables": row.tables,
        "startups": [tidy(s, "investor") for s in startups],
        "investors": [tidy(i, "startup") for i in investors],
        "required": kept(row.required), "pinned": kept(row.pinned),
    }
    if row.venue:
        data["venue"] = row.venue
    names = {f: name for f, name in (row.field_names or {}).items() if f in fields}
    if names:
        data["field_names"] = names
    if row.max_score_loss:
        data["fairness"] = {"max_score_loss": row.max_score_loss}
    # Halls keep the tables the event still has; a hall left with none goes.
    halls = [hall | {"tables": [t for t in hall["tables"] if t in row.tables]}
             for hall in row.halls or ()]
    if any(hall["tables"] for hall in halls):
        data["halls"] = [hall for hall in halls if hall["tables"]]
    return data


def event_data(row: EventRow) -> dict[str, Any]:
    """The event file's data of a stored event."""
    return assemble(row, [participant_data(p) for p in row.participants if p.kind == "startup"],
                    [participant_data(p) for p in row.participants if p.kind == "investor"])


def event_of(row: EventRow) -> Event:
    """The stored event as the core's Event; raises pydantic's ValidationError if inconsistent."""
    return Event.model_validate(event_data(row))


def errors_of(row: EventRow) -> tuple[dict[str, Any], list[ErrorDetails]]:
    """The stored event's data, and every rule it breaks (empty when it is valid)."""
    data = event_data(row)
    try:
        Event.model_validate(data)
    except ValidationError as e:
        return data, e.errors()
    return data, []


def whom(data: dict[str, Any], loc: tuple[Any, ...]) -> str:
    """Where in the event a location is, for people: 'Startup Zed, max_meetings'."""
    if not loc:
        return _("The event")
    head, rest = str(loc[0]), loc[1:]
    if head in ("startups", "investors") and rest and isinstance(rest[0], int) \
            and rest[0] < len(data[head]):
        name = data[head][rest[0]].get("name") or data[head][rest[0]].get("id")
        what = _("Startup %(name)s", name=name) if head == "startups" else \
            _("Investor %(name)s", name=name)
        rest = rest[1:]
    elif head in ("required", "pinned") and rest and isinstance(rest[0], int) \
            and rest[0] < len(data[head]):
        pair = data[head][rest[0]]
        what = _("The meeting of %(startup)s and %(investor)s", startup=pair["startup"],
                 investor=pair["investor"])
        rest = rest[1:]
    else:
        what = head
    keys = [str(part) for part in rest if not isinstance(part, int)]
    return f"{what}, {'.'.join(keys)}" if keys else what


def described(data: dict[str, Any], error: ErrorDetails) -> str:
    """One problem of the event as a sentence that says where it is."""
    return f"{whom(data, error['loc'])}: {sentence(error, _)}"


def problems_of(row: EventRow) -> list[str]:
    """What makes a stored event inconsistent, one sentence each; empty when it is valid."""
    data, errors = errors_of(row)
    return [described(data, e) for e in errors]


def impossible_of(row: EventRow) -> list[str]:
    """Why a valid stored event cannot be solved, found by counting before any solve (each
    sentence names the participants); empty also for an invalid event, which `problems_of`
    explains first."""
    if problems_of(row):
        return []
    return impossible_setups(Instance(event_of(row)))


@dataclass(frozen=True)
class Checked:
    """A stored event's file data, what makes it inconsistent or impossible, and (when it is
    valid) the core's Event."""

    data: dict[str, Any]
    problems: list[str]
    impossible: list[str]
    event: Event | None


def checked(session: Session, row: EventRow, witness: Event | None = None) -> Checked:
    """The event's checks, kept until the event or one of its participants changes (the
    sentences are in the reader's language). `witness`: the event of a stored version, at hand.
    """

    def check() -> Checked:
        data = event_data(row)
        try:  # validated once: a trade show's 3,800 participants take a while
            event = Event.model_validate(data)
        except ValidationError as e:
            return Checked(data, [described(data, error) for error in e.errors()], [], None)
        if event == witness:
            # A version stored for this very event keeps every rule of it (`add_version`
            # checks), so no setup makes it impossible: known without building its Instance
            # (close to a million candidate pairs at a trade show).
            return Checked(data, [], [], event)
        return Checked(data, [], impossible_setups(instance_of(event)), event)

    return kept(("checked", current_language(), *event_stamp(session, row)), check)


ANSWERS = ("interests", "wishes", "avoid", "unavailable", "max_meetings")


def answered(person: dict[str, Any], answers_given: bool) -> datetime | None:
    """When a participant of an event file answered: on loading, if its answers count and the
    file holds any of theirs (a rating, a wish, an avoid, a slot away or a cap); else not yet."""
    return now() if answers_given and any(person.get(key) for key in ANSWERS) else None


def add_event(session: Session, event: Event, answers_given: bool = False) -> EventRow:
    """Store an event from its file (slots kept as given; settings read off them). With
    `answers_given` (the sample), participants whose answers the file holds count as having
    answered; otherwise nobody has until they save their form."""
    data = event.model_dump(mode="json")
    settings = settings_of(data["slots"])
    row = EventRow(name=event.name, venue=event.venue, timezone=event.timezone,
                   slots=data["slots"], tables=list(event.tables), fields=list(event.fields),
                   field_names=dict(event.field_names), halls=data["halls"],
                   max_score_loss=event.fairness.max_score_loss,
                   required=data["required"], pinned=[_pin(p) for p in data["pinned"]],
                   form_open=True, **settings)
    for s in data["startups"]:
        row.participants.append(Participant(
            kind="startup", code=s["id"], name=s["name"], field=s["field"], email=s["email"],
            description=s["description"], unavailable=s["unavailable"],
            min_meetings=s["min_meetings"], max_meetings=s["max_meetings"], wishes=s["wishes"],
            interests={}, avoid=[], language=s["language"],
            answered_at=answered(s, answers_given)))
    for i in data["investors"]:
        row.participants.append(Participant(
            kind="investor", code=i["id"], name=i["name"], organisation=i["organisation"],
            email=i["email"], interests=i["interests"], wishes=i["wishes"], avoid=i["avoid"],
            unavailable=i["unavailable"], max_meetings=i["max_meetings"],
            language=i["language"], answered_at=answered(i, answers_given)))
    session.add(row)
    session.flush()
    return row


def remove_participant(row: EventRow, participant: Participant) -> None:
    """Remove a participant and every reference to them (others' wishes and avoids, required
    pairs, pins), so that nothing stored names an id the event no longer has."""
    code = participant.code
    for p in row.participants:
        if code in p.wishes:
            p.wishes = {other: wish for other, wish in p.wishes.items() if other != code}
        if code in p.avoid:
            p.avoid = [other for other in p.avoid if other != code]
    row.required = [r for r in row.required if code not in (r["startup"], r["investor"])]
    row.pinned = [r for r in row.pinned if code not in (r["startup"], r["investor"])]
    row.participants.remove(participant)  # the relationship's delete-orphan deletes the row


def _pin(pin: dict[str, Any]) -> dict[str, Any]:
    """A pin without a null table."""
    return {k: v for k, v in pin.items() if v is not None}


def new_event(day: date, organiser_email: str | None = None) -> EventRow:
    """An event not yet stored, with the form's defaults."""
    from matcher.model.event import MICHK_FIELDS

    return EventRow(name="", timezone="Asia/Hong_Kong", day=day, meeting_minutes=20,
                    changeover_minutes=5, sessions=[["14:00", "17:00"]], slots=[],
                    tables=[f"T{n:02d}" for n in range(1, 11)], fields=list(MICHK_FIELDS),
                    field_names={}, halls=[],
                    required=[], pinned=[], form_open=True, organiser_email=organiser_email)


def version_query(light: bool) -> Select[ScheduleVersion]:
    """Versions; `light` ones read their schedule and event only when used (a trade show's are
    some MB each, and most pages need neither, or have them laid out already)."""
    query = select(ScheduleVersion)
    return query.options(defer(ScheduleVersion.schedule), defer(ScheduleVersion.event_data)) \
        if light else query


def latest_version(session: Session, event_id: int, light: bool = False,
                   ) -> ScheduleVersion | None:
    """The newest schedule version (the draft the organiser works on)."""
    return session.scalars(version_query(light).where(ScheduleVersion.event_id == event_id)
                           .order_by(ScheduleVersion.number.desc()).limit(1)).first()


def published_version(session: Session, event_id: int, light: bool = False,
                      ) -> ScheduleVersion | None:
    """The version most recently published: the only one participants see."""
    return session.scalars(version_query(light).where(
        ScheduleVersion.event_id == event_id, ScheduleVersion.published_at.is_not(None))
        .order_by(ScheduleVersion.published_at.desc(), ScheduleVersion.number.desc())
        .limit(1)).first()


def previous_published(session: Session, version: ScheduleVersion) -> ScheduleVersion | None:
    """The version published before this one was (last) published: what participants' calendars
    held until then. None when there is none, or when this version is not published."""
    if version.published_at is None:
        return None
    return session.scalars(select(ScheduleVersion).where(
        ScheduleVersion.event_id == version.event_id, ScheduleVersion.id != version.id,
        ScheduleVersion.published_at.is_not(None),
        ScheduleVersion.published_at <= version.published_at)
        .order_by(ScheduleVersion.published_at.desc(), ScheduleVersion.number.desc())
        .limit(1)).first()


def versions(session: Session, event_id: int) -> list[ScheduleVersion]:
    """Every version of an event, newest first (light: see `version_query`)."""
    return list(session.scalars(version_query(True).where(
        ScheduleVersion.event_id == event_id).order_by(ScheduleVersion.number.desc())))


def add_version(session: Session, event_id: int, schedule: Schedule, event: Event, origin: str,
                details: dict[str, Any] | None = None) -> ScheduleVersion:
    """Store a new version (with how it came about, told by `web.schedules.versions.story`)
    and commit. Numbers are unique per event: when two writers race for
    the same number, the loser takes the next one; no existing version is ever touched.
    A schedule that breaks a rule of the event is never stored: BrokenSchedule says which.
    How each side's meetings are shared is kept with it, so that a page needs not build the
    event's Instance again for that."""
    with collector_paused():
        inst = Instance(event)
        verified(inst, schedule)
        shares = [asdict(s) for s in side_shares(inst, schedule)]
    for _attempt in range(5):
        number = (session.scalar(select(func.max(ScheduleVersion.number))
                                 .where(ScheduleVersion.event_id == event_id)) or 0) + 1
        version = ScheduleVersion(event_id=event_id, number=number, origin=origin,
                                  details={**(details or {}), "score": schedule.score,
                                           "count": len(schedule.meetings), "shares": shares},
                                  schedule=schedule.model_dump(mode="json"),
                                  event_data=event.model_dump(mode="json"))
        session.add(version)
        try:
            session.commit()
            return version
        except IntegrityError:
            session.rollback()
    raise RuntimeError("could not number a new schedule version; try again")


def publish(session: Session, version: ScheduleVersion) -> None:
    """Publish a version (it stays as it is; publishing again moves it back to the front)."""
    version.published_at = now()
    session.commit()


def schedule_of(version: ScheduleVersion) -> Schedule:
    """A stored version's schedule."""
    return Schedule.model_validate(version.schedule)


def snapshot_of(version: ScheduleVersion) -> Event:
    """The event a version was made for (as stored: a name kept from before a rule about text
    is read with spaces for its line breaks, so that its pages, files and mail still work)."""
    return Event.model_validate(version.event_data, context=STORED)
