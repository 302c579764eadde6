"""What a new version changes for each person against the version participants have: the
meetings moved, new and cancelled (`matcher.solve.replan.changes`), grouped by the people affected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from matcher.model.event import Event
from matcher.model.schedule import Meeting, Schedule
from matcher.solve.replan import Changes, changes
from web.wording import Names


@dataclass(frozen=True)
class Line:
    """One change in one person's day: the other party, and where and when before and after."""

    what: Literal["moved", "new", "cancelled"]
    other: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class PersonDiff:
    """A person affected by the new version, with an address to notify or none."""

    code: str
    name: str
    kind: str
    email: str | None
    lines: tuple[Line, ...]


def per_person(old_event: Event, old: Schedule, new_event: Event, new: Schedule,
               ) -> tuple[Changes, list[PersonDiff]]:
    """The changes, and each affected person's (startups first, then investors, by name)."""
    diff = changes(old, new)
    before, after = Names.of_event(old_event), Names.of_event(new_event)
    people = {p.id: p for p in old_event.participants}
    people |= {p.id: p for p in new_event.participants}
    startups = {s.id for s in (*old_event.startups, *new_event.startups)}
    lines: dict[str, list[Line]] = {code: [] for code in diff.affected()}

    def add(m: Meeting, what: Literal["moved", "new", "cancelled"], before: str | None,
            after: str | None) -> None:
        lines[m.startup].append(Line(what, people[m.investor].name, before, after))
        lines[m.investor].append(Line(what, people[m.startup].name, before, after))

    for was, now in diff.moved:
        add(now, "moved", before.place(was.slot, was.table), after.place(now.slot, now.table))
    for m in diff.added:
        add(m, "new", None, after.place(m.slot, m.table))
    for m in diff.cancelled:
        add(m, "cancelled", before.place(m.slot, m.table), None)
    found = [PersonDiff(code, people[code].name, "startup" if code in startups else "investor",
                        people[code].email, tuple(entries)) for code, entries in lines.items()]
    found.sort(key=lambda p: (p.kind != "startup", p.name, p.code))
    return diff, found
