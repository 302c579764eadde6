"""How the pages name things for people: participants by name, slots by their local times,
moments in the event's time zone and in the reader's language, never ids or UTC.

Templates get the filter `slot_time` (with `several_days`: the day too when an event has several);
the dates and moments come from `web.i18n`'s filters (`moment` with the event's time zone).
Views build sentences with `Names`, made from a stored event or a version's event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel.dates import format_skeleton
from flask import Flask
from flask_babel import gettext as _

from matcher.i18n import DATE_LOCALES
from matcher.model.event import Event, Slot
from web.db.models import EventRow
from web.i18n import current_language


def short_day(day: date | datetime) -> str:
    """A day within an event, e.g. 'Mon 13 Sept', in the request's language."""
    return format_skeleton("MMMEd", day, locale=DATE_LOCALES[current_language()])


def _start_end(slot: Slot | Mapping[str, Any]) -> tuple[datetime, datetime]:
    if isinstance(slot, Slot):
        return slot.start, slot.end
    return datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])


def slot_time(slot: Slot | Mapping[str, Any], with_day: bool = False) -> str:
    """A slot by its local times, '14:00–14:20'; with the day first for events of several days."""
    start, end = _start_end(slot)
    times = f"{start:%H:%M}–{end:%H:%M}"
    return f"{short_day(start)}, {times}" if with_day else times


def several_days(slots: Iterable[Slot | Mapping[str, Any]]) -> bool:
    """Whether the slots fall on more than one day."""
    return len({_start_end(s)[0].date() for s in slots}) > 1


@dataclass(frozen=True)
class Names:
    """An event's participants by name and its slots by time, to write sentences for people."""

    people: Mapping[str, str]
    slots: Mapping[str, str]

    @classmethod
    def of_event(cls, event: Event) -> Names:
        """The names in an event (a version's, or the stored one made valid)."""
        days = several_days(event.slots)
        return cls({p.id: p.name for p in event.participants},
                   {s.id: slot_time(s, days) for s in event.slots})

    @classmethod
    def of_row(cls, row: EventRow) -> Names:
        """The names in a stored event as it is now."""
        days = several_days(row.slots)
        return cls({p.code: p.name for p in row.participants},
                   {s["id"]: slot_time(s, days) for s in row.slots})

    def __or__(self, other: Names) -> Names:
        """These names, completed (and overridden) by the other's."""
        return Names({**self.people, **other.people}, {**self.slots, **other.slots})

    def person(self, ident: str) -> str:
        """A participant's name (the id only for someone no longer known)."""
        return self.people.get(ident, ident)

    def slot(self, ident: str) -> str:
        """A slot's local times."""
        return self.slots.get(ident, ident)

    def pair(self, startup: str, investor: str) -> str:
        """'Ada Robotics with Li Na'."""
        return _("%(startup)s with %(investor)s", startup=self.person(startup),
                 investor=self.person(investor))

    def place(self, slot: str, table: str) -> str:
        """'14:25–14:45, table T01'."""
        return _("%(time)s, table %(table)s", time=self.slot(slot), table=table)


def init_app(app: Flask) -> None:
    """The template filters `slot_time` and `short_day`, and `several_days`."""
    app.jinja_env.globals["several_days"] = several_days
    app.jinja_env.filters["slot_time"] = slot_time
    app.jinja_env.filters["short_day"] = short_day
