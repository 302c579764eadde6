"""Changes to an event's participants, from a file, a form or the API, checked in one way.

Each participant as given (an `Entry`: only the keys given) is merged with what is stored for
that id, validated by matcher's `Startup` or `Investor`, and the whole event as it would be is
then validated by matcher's `Event`. So every entrance refuses the same things with the same
sentences, each placed at the line, row or field that caused it, and nothing is stored unless the
whole event stays valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, ValidationError, create_model
from pydantic_core import ErrorDetails
from sqlalchemy import insert
from sqlalchemy.orm import object_session

from matcher.model.event import Event, Investor, Startup
from matcher.model.messages import sentence
from web.db.models import EventRow, Participant
from web.events.store import assemble, errors_of, participant_data, remove_participant, whom

Kind = str  # "startup" or "investor"
# The keys a file, a form or the API may give; answers (wishes, availability, ...) are the
# participant's own, given on their personal page.
COLUMNS: dict[Kind, tuple[str, ...]] = {
    "startup": ("id", "name", "field", "email", "description", "min_meetings", "max_meetings",
                "language"),
    "investor": ("id", "name", "organisation", "email", "max_meetings", "language"),
}
# Keys whose empty value keeps what is stored: a participant may choose their language
# themselves, and a file without it must not undo that choice.
KEPT_WHEN_EMPTY = {"language"}
MODELS: dict[Kind, type[BaseModel]] = {"startup": Startup, "investor": Investor}
LISTS: dict[str, Kind] = {"startups": "startup", "investors": "investor"}


def columns_model(kind: Kind) -> type[BaseModel]:
    """The model of one participant as the API takes it: matcher's Startup or Investor cut down
    to the `COLUMNS` (their types, limits and descriptions, not copies), and a `kind`. The whole
    model, and the event, are checked by `plan`."""
    source = MODELS[kind]
    keys: dict[str, Any] = {"kind": (Literal[kind], ...)}
    keys |= {name: (source.model_fields[name].annotation, source.model_fields[name])
             for name in COLUMNS[kind]}
    return create_model(f"{source.__name__}In", __config__=ConfigDict(extra="forbid", frozen=True),
                        __doc__=f"A {kind} to add, or to update by id (only the keys given).",
                        **keys)


@dataclass(frozen=True)
class Entry:
    """One participant as given: a value per key given (blank means empty), and where it came
    from (a file's line or row)."""

    values: dict[str, Any]
    line: int | None = None


@dataclass(frozen=True)
class Problem:
    """A refusal: its sentence and type, and where: a line or row of a file and a key (column or
    form field), or else whom it concerns in the event."""

    message: str
    kind: str
    key: str | None = None
    line: int | None = None
    where: str | None = None


@dataclass(frozen=True)
class Change:
    """A participant as an entry leaves them: their data before (None when new) and after."""

    kind: Kind
    entry: Entry
    after: dict[str, Any]
    before: dict[str, Any] | None

    @property
    def code(self) -> str:
        """The participant's id."""
        return str(self.after["id"])

    def differences(self) -> list[tuple[str, Any, Any]]:
        """(key, before, after) of each key the entry changes."""
        before = self.before or {}
        return [(key, before.get(key), self.after.get(key)) for key in COLUMNS[self.kind][1:]
                if key in self.entry.values and before.get(key) != self.after.get(key)]


@dataclass
class Plan:
    """What the entries would do to the event, and every problem that stops them."""

    kind: Kind
    added: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: list[Change] = field(default_factory=list)
    missing: list[Participant] = field(default_factory=list)
    remove_missing: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the entries can be stored."""
        return not self.problems


def presented(kind: Kind, values: dict[str, Any]) -> dict[str, Any]:
    """Values as the model takes them: a blank optional value is its default (none, or 0
    meetings) or, for a key kept when empty, not given; a blank required one stays blank, to be
    refused as missing."""
    model = MODELS[kind].model_fields
    shown: dict[str, Any] = {}
    for key, value in values.items():
        blank = value is None or (isinstance(value, str) and not value.strip())
        if blank and key in KEPT_WHEN_EMPTY:
            continue
        if blank and key in model and not model[key].is_required():
            shown[key] = model[key].get_default(call_default_factory=True)
        else:
            shown[key] = value
    return shown


def plan(row: EventRow, kind: Kind, entries: list[Entry], whole_list: bool = False,
         remove_missing: bool = False) -> Plan:
    """What storing the entries would do. With `whole_list` (a file of every participant of the
    kind), the participants of the kind it does not name are `missing`, and with
    `remove_missing` they are removed too."""
    result = Plan(kind, remove_missing=whole_list and remove_missing)
    stored = {p.code: p for p in row.participants}
    people: dict[Kind, list[dict[str, Any]]] = {
        k: [participant_data(p) for p in row.participants if p.kind == k] for k in MODELS}
    sources: dict[Kind, list[Entry | None]] = {k: [None] * len(people[k]) for k in MODELS}
    place = {d["id"]: n for n, d in enumerate(people[kind])}
    taken: set[str] = set()
    for entry in entries:
        values = presented(kind, entry.values)
        code = values.get("id")
        existing = stored.get(code) if isinstance(code, str) else None
        before = participant_data(existing) if existing is not None and existing.kind == kind \
            and code not in taken else None
        try:
            model = MODELS[kind].model_validate((before or {}) | values)
        except ValidationError as e:
            result.problems += [at_entry(error, entry) for error in e.errors()]
            continue
        after = model.model_dump(mode="json")
        if before is not None:
            people[kind][place[model.id]] = after  # type: ignore[attr-defined]
            sources[kind][place[model.id]] = entry  # type: ignore[attr-defined]
        else:
            people[kind].append(after)
            sources[kind].append(entry)
        taken.add(model.id)  # type: ignore[attr-defined]
        change = Change(kind, entry, after, before)
        bucket = result.added if before is None else \
            result.changed if change.differences() else result.unchanged
        bucket.append(change)
    if whole_list:
        result.missing = [p for p in row.participants if p.kind == kind and p.code not in taken]
    if result.remove_missing:
        gone = {p.code for p in result.missing}
        kept = [n for n, d in enumerate(people[kind]) if d["id"] not in gone]
        people[kind] = [people[kind][n] for n in kept]
        sources[kind] = [sources[kind][n] for n in kept]
    data = assemble(row, people["startup"], people["investor"])
    try:
        Event.model_validate(data)
    except ValidationError as e:
        # A problem the event had before (data stored before a rule existed) stops nothing:
        # the entries may well be what fixes it.
        stored_data, stored_errors = errors_of(row)
        known = {(whom(stored_data, x["loc"]), x["type"]) for x in stored_errors}
        for error in e.errors():
            loc = error["loc"]
            source = sources[LISTS[str(loc[0])]][int(loc[1])] \
                if len(loc) > 1 and loc[0] in LISTS and isinstance(loc[1], int) else None
            if source is not None:
                result.problems.append(at_entry(error, source, loc[2:]))
            elif (whom(data, loc), error["type"]) not in known:
                result.problems.append(in_event(error, data))
    return result


def at_entry(error: ErrorDetails, entry: Entry, loc: tuple[Any, ...] | None = None) -> Problem:
    """A problem of one entry: at its line, and at the key it concerns."""
    loc = error["loc"] if loc is None else loc
    key = str(loc[0]) if loc else None
    return Problem(sentence(error, _), error["type"], key, entry.line)


def in_event(error: ErrorDetails, data: dict[str, Any]) -> Problem:
    """A problem elsewhere in the event, with whom or what it concerns."""
    return Problem(sentence(error, _), error["type"], where=whom(data, error["loc"]))


def store(row: EventRow, planned: Plan) -> None:
    """Store a plan without problems: add and change participants (their answers kept), and
    remove the missing ones if asked."""
    if not planned.ok:
        raise ValueError("a plan with problems cannot be stored")
    stored = {p.code: p for p in row.participants}
    keys = COLUMNS[planned.kind][1:]
    if planned.added:
        # One INSERT for many rows: the ORM's unit of work takes seconds for a trade show's
        # thousands (it reads back every new id), far more than checking them did.
        session = object_session(row)
        assert session is not None, "the event is stored"
        session.execute(insert(Participant), [
            {"event_id": row.id, "kind": planned.kind, "code": change.code, "interests": {},
             "wishes": {}, "avoid": [], "unavailable": [],
             **{key: change.after[key] for key in keys}} for change in planned.added])
        session.expire(row, ["participants"])
    for change in planned.changed:
        participant = stored[change.code]
        for key, _before, value in change.differences():
            setattr(participant, key, value)
    if planned.remove_missing:
        for participant in planned.missing:
            remove_participant(row, participant)
