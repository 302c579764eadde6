"""The event file, format 1: the one definition of an event's data.

Other programs read and write this format, so later additions must be new optional keys only.
Every cross-reference is checked here, and every message names the culprit and the rule.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

MICHK_FIELDS: tuple[str, ...] = (
    "fintech",
    "ai-big-data",
    "iot",
    "next-gen-it",
    "industrial-internet",
    "biotech",
    "new-materials",
    "new-energy",
    "smart-living",
    "digital-entertainment-web3",
)

Id = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                      pattern=r"^[A-Za-z0-9_.:-]+$"),
    Field(description="An identifier: letters, digits and . _ : - only."),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Wish = Annotated[int, Field(ge=1, le=3, description="How much a meeting is wanted: 1 to 3.")]
Interest = Annotated[int, Field(ge=0, le=3, description="Interest in a field: 0 (none) to 3.")]
Count = Annotated[int, Field(ge=0, le=10_000)]


def _known_zone(value: str) -> str:
    """An IANA time zone name, checked against the zone database."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}: give an IANA name such as "
                         "Asia/Hong_Kong or Europe/London") from None
    return value


TimeZoneName = Annotated[
    str, AfterValidator(_known_zone),
    Field(description="IANA time zone name, e.g. Asia/Hong_Kong."),
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    Field(description="An e-mail address such as name@example.com."),
]


class Model(BaseModel):
    """Frozen, strict about unknown keys: a typo in a key is an error, not a silent default."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Slot(Model):
    """A meeting slot, in local time of the event's time zone."""

    id: Id
    start: datetime = Field(description="Local start, e.g. 2023-09-13T14:00.")
    end: datetime = Field(description="Local end, after the start.")

    @field_validator("start", "end")
    @classmethod
    def _naive(cls, value: datetime) -> datetime:
        if value.tzinfo is not None:
            raise ValueError("give local time without an offset; the event's time zone applies")
        return value

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.end <= self.start:
            raise ValueError(f"slot {self.id} ends at {self.end:%H:%M}, not after its start "
                             f"{self.start:%H:%M}")
        return self


class Startup(Model):
    """A startup (finalist): founders stay at a table, investors come to them."""

    id: Id
    name: Text
    field: Id = Field(description="The startup's I&T field, one of the event's fields.")
    email: Email | None = None
    description: Text | None = None
    unavailable: tuple[Id, ...] = Field(default=(), description="Slot ids when it cannot meet.")
    min_meetings: Count = 0
    max_meetings: Count | None = None
    wishes: dict[Id, Wish] = Field(default_factory=dict, description="Investor id -> 1..3.")

    @model_validator(mode="after")
    def _min_within_max(self) -> Self:
        if self.max_meetings is not None and self.min_meetings > self.max_meetings:
            raise ValueError(f"startup {self.id}: min_meetings {self.min_meetings} is above "
                             f"max_meetings {self.max_meetings}")
        return self


class Investor(Model):
    """An investor or corporate: moves from table to table."""

    id: Id
    name: Text
    organisation: Text | None = None
    email: Email | None = None
    interests: dict[Id, Interest] = Field(default_factory=dict, description="Field -> 0..3.")
    wishes: dict[Id, Wish] = Field(default_factory=dict, description="Startup id -> 1..3.")
    avoid: tuple[Id, ...] = Field(default=(), description="Startup ids it must not meet.")
    unavailable: tuple[Id, ...] = Field(default=(), description="Slot ids when it cannot meet.")
    max_meetings: Count | None = None

    @model_validator(mode="after")
    def _wish_or_avoid(self) -> Self:
        both = sorted(set(self.wishes) & set(self.avoid))
        if both:
            raise ValueError(f"investor {self.id} both wishes for and avoids {', '.join(both)}")
        return self


class Pair(Model):
    """A startup-investor pair."""

    startup: Id
    investor: Id


class Pin(Pair):
    """A meeting fixed in place: at this slot, and at this table if one is given."""

    slot: Id
    table: Id | None = None


class Event(Model):
    """An event: its slots, tables, participants and their preferences (format 1)."""

    format: Literal[1] = Field(description="The version of this file format.")
    name: Text
    venue: Text | None = None
    timezone: TimeZoneName
    fields: tuple[Id, ...] = Field(default=MICHK_FIELDS, min_length=1)
    slots: tuple[Slot, ...] = Field(min_length=1)
    tables: tuple[Id, ...] = Field(min_length=1)
    startups: tuple[Startup, ...] = ()
    investors: tuple[Investor, ...] = ()
    required: tuple[Pair, ...] = Field(default=(), description="Meetings that must happen.")
    pinned: tuple[Pin, ...] = Field(default=(), description="Meetings fixed in place.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = [*self._duplicates(), *self._slot_order(), *self._slot_times(), *self._references(),
                    *self._pins()]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _duplicates(self) -> list[str]:
        problems = []
        for what, ids in (
            ("field", self.fields),
            ("slot", [s.id for s in self.slots]),
            ("table", self.tables),
            ("participant", [p.id for p in (*self.startups, *self.investors)]),
        ):
            repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
            if repeated:
                problems.append(f"duplicate {what} id {', '.join(repeated)}: ids must be unique")
        for what, pairs in (("required", self.required), ("pinned", self.pinned)):
            seen = Counter((p.startup, p.investor) for p in pairs)
            problems += [f"{what} pair {s}/{i} is listed {n} times" for (s, i), n in seen.items()
                         if n > 1]
        return problems

    def _slot_order(self) -> list[str]:
        problems = []
        for before, after in zip(self.slots, self.slots[1:], strict=False):
            if after.start < before.end:
                rule = "overlaps" if after.start >= before.start else "starts before"
                problems.append(f"slot {after.id} {rule} slot {before.id}: slots must be "
                                "chronological and must not overlap")
        return problems

    def _slot_times(self) -> list[str]:
        problems = []
        for slot in self.slots:
            for what, local in (("starts", slot.start), ("ends", slot.end)):
                if self.instant(local).astimezone(self.zone()).replace(tzinfo=None) != local:
                    problems.append(f"slot {slot.id} {what} at {local:%Y-%m-%d %H:%M}, a time that "
                                    f"does not exist in {self.timezone}: the clocks go forward then")
        return problems

    def _references(self) -> list[str]:
        fields, slots = set(self.fields), {s.id for s in self.slots}
        startups, investors = {s.id for s in self.startups}, {i.id for i in self.investors}
        problems = []

        def unknown(owner: str, what: str, refs: object, known: set[str]) -> None:
            bad = sorted(r for r in refs if r not in known)  # type: ignore[attr-defined]
            if bad:
                problems.append(f"{owner} names unknown {what} {', '.join(bad)}")

        for s in self.startups:
            unknown(f"startup {s.id}", "field", [s.field], fields)
            unknown(f"startup {s.id}", "slot", s.unavailable, slots)
            unknown(f"startup {s.id} in wishes", "investor", s.wishes, investors)
        for i in self.investors:
            unknown(f"investor {i.id} in interests", "field", i.interests, fields)
            unknown(f"investor {i.id} in wishes", "startup", i.wishes, startups)
            unknown(f"investor {i.id} in avoid", "startup", i.avoid, startups)
            unknown(f"investor {i.id}", "slot", i.unavailable, slots)
        avoided = {(s, i.id) for i in self.investors for s in i.avoid}
        for kind, pairs in (("required", self.required), ("pinned", self.pinned)):
            for p in pairs:
                unknown(f"{kind} pair {p.startup}/{p.investor}", "startup", [p.startup], startups)
                unknown(f"{kind} pair {p.startup}/{p.investor}", "investor", [p.investor],
                        investors)
                if (p.startup, p.investor) in avoided:
                    problems.append(f"{kind} pair {p.startup}/{p.investor}: investor "
                                    f"{p.investor} avoids startup {p.startup}")
        return problems

    def _pins(self) -> list[str]:
        slots, tables = {s.id for s in self.slots}, set(self.tables)
        off = {p.id: set(p.unavailable) for p in (*self.startups, *self.investors)}
        problems, taken = [], {}
        for p in self.pinned:
            name = f"pinned meeting {p.startup}/{p.investor}"
            if p.slot not in slots:
                problems.append(f"{name} names unknown slot {p.slot}")
                continue
            if p.table is not None and p.table not in tables:
                problems.append(f"{name} names unknown table {p.table}")
            for who in (p.startup, p.investor):
                if p.slot in off.get(who, ()):
                    problems.append(f"{name} is in slot {p.slot}, when {who} is unavailable")
                clash = taken.setdefault((who, p.slot), name)
                if clash != name:
                    problems.append(f"{name} and {clash} both put {who} in slot {p.slot}")
            if p.table is not None:
                clash = taken.setdefault((f"table {p.table}", p.slot), name)
                if clash != name:
                    problems.append(f"{name} and {clash} both use table {p.table} in slot {p.slot}")
        return problems

    def zone(self) -> ZoneInfo:
        """The event's time zone."""
        return ZoneInfo(self.timezone)

    def instant(self, local: datetime) -> datetime:
        """The UTC instant of a local time; when clocks go back, the earlier one (as in RFC 5545)."""
        return local.replace(tzinfo=self.zone(), fold=0).astimezone(UTC)


def pair_score(startup: Startup, investor: Investor) -> int:
    """Interest in the startup's field + the investor's wish + the startup's wish (absent = 0)."""
    return (investor.interests.get(startup.field, 0) + investor.wishes.get(startup.id, 0)
            + startup.wishes.get(investor.id, 0))
