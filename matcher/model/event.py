"""The event file, format 1: the one definition of an event's data.

Other programs read and write this format, so later additions must be new optional keys only.
Every cross-reference is checked here, and every message names the culprit and the rule.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from matcher import i18n
from matcher.i18n import locale_named
from matcher.model.messages import Location, refuse, refuse_all, refuse_at

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

# Limits of the data, the same at every entrance (the database's columns use them too).
ID_MAX = 64
TEXT_MAX = 500  # a name, an organisation, a venue
DESCRIPTION_MAX = 2000
EMAIL_MAX = 254
MAX_FIELDS = 100
MAX_SLOTS = 1000
MAX_TABLES = 5000
MAX_PARTICIPANTS = 10_000  # startups, and investors
MAX_PAIRS = 100_000  # required pairs, and pins

# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
CONTROL_RUN = re.compile("\\s*[\x00-\x1f\x7f-\x9f\u2028\u2029]+\\s*")
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
PARAGRAPH_ALLOWED = "\n\t"  # a description may have lines and tabs
ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]+")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _control(value: str, allowed: str = "") -> PydanticCustomError | None:
    """The error of the first control character not allowed in the text, if any."""
    if CONTROL.search(value) is None:  # nearly always: a search is ten times a finditer's speed
        return None
    for found in CONTROL.finditer(value):
        character = found.group()
        if character in allowed:
            continue
        position = found.start() + 1
        if character in LINE_BREAKS and "\n" not in allowed:
            return refuse("line_break", position=position)
        return refuse("control_character", code=f"U+{ord(character):04X}", position=position)
    return None


STORED: dict[str, Any] = {"stored": True}
"""Validation context for data stored before a rule about text existed (a name with a line
break, say): such characters then become spaces instead of errors, so that what is stored can
still be read, shown and sent. Only for reading one's own storage, never for input."""


def _stored(info: ValidationInfo | None) -> bool:
    """Whether the data being validated is read back from storage."""
    return bool(info is not None and info.context and info.context.get("stored"))


def _one_line(value: Any, info: ValidationInfo | None) -> Any:
    """Text of one line: surrounding spaces go, a line break or control character is refused
    (made a space when reading stored data)."""
    if isinstance(value, str):
        value = value.strip()
        if error := _control(value):
            if not _stored(info):
                raise error
            value = CONTROL_RUN.sub(" ", value).strip()
    return value


def _paragraphs(value: Any, info: ValidationInfo | None) -> Any:
    """Text of several lines: line ends become \\n; other control characters are refused
    (tabs excepted; made spaces when reading stored data)."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        if error := _control(value, PARAGRAPH_ALLOWED):
            if not _stored(info):
                raise error
            value = "".join(c if c in PARAGRAPH_ALLOWED or not CONTROL.match(c) else " "
                            for c in value).strip()
    return value


def _identifier(value: Any, info: ValidationInfo | None) -> Any:
    """An id: one line of letters, digits and . _ : - (empty is left to the length rule)."""
    value = _one_line(value, info)
    if isinstance(value, str) and value and not ID_PATTERN.fullmatch(value):
        character = next(c for c in value if not ID_PATTERN.match(c))
        raise refuse("id_space") if character.isspace() else \
            refuse("id_characters", character=character)
    return value


def _address(value: Any, info: ValidationInfo | None) -> Any:
    """An e-mail address of one line (stored with control characters, it is read without them)."""
    if _stored(info) and isinstance(value, str):
        value = CONTROL.sub("", value)
    value = _one_line(value, info)
    if isinstance(value, str) and value and not EMAIL_PATTERN.fullmatch(value):
        raise refuse("email_address")
    return value


Id = Annotated[
    str,
    StringConstraints(min_length=1, max_length=ID_MAX),
    BeforeValidator(_identifier),
    Field(description="An identifier: letters, digits and . _ : - only.",
          json_schema_extra={"pattern": f"^{ID_PATTERN.pattern}$"}),
]
Text = Annotated[
    str, StringConstraints(min_length=1, max_length=TEXT_MAX), BeforeValidator(_one_line),
    Field(description="One line of text, without line breaks or control characters."),
]
Paragraphs = Annotated[
    str, StringConstraints(min_length=1, max_length=DESCRIPTION_MAX), BeforeValidator(_paragraphs),
    Field(description="Text of one or more lines, without other control characters."),
]
Wish = Annotated[int, Field(ge=1, le=3, description="How much a meeting is wanted: 1 to 3.")]
Interest = Annotated[int, Field(ge=0, le=3, description="Interest in a field: 0 (none) to 3.")]
Count = Annotated[int, Field(ge=0, le=10_000)]


def _known_zone(value: str) -> str:
    """An IANA time zone name, checked against the zone database."""
    try:
        ZoneInfo(value)
    # A name that is a folder of the database ("America") or too long for a file name fails
    # with OSError when the file is opened.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise refuse("unknown_timezone", value=value) from None
    return value


TimeZoneName = Annotated[
    str, BeforeValidator(_one_line), AfterValidator(_known_zone),
    Field(description="IANA time zone name, e.g. Asia/Hong_Kong."),
]
Email = Annotated[
    str,
    StringConstraints(max_length=EMAIL_MAX),
    BeforeValidator(_address),
    Field(description="An e-mail address such as name@example.com.",
          json_schema_extra={"pattern": f"^{EMAIL_PATTERN.pattern}$"}),
]


def _language(value: str) -> str:
    """One of our languages, as its locale identifier."""
    locale = locale_named(value)
    if locale is None:
        raise refuse("unknown_language", value=value)
    return locale


Language = Annotated[
    str, BeforeValidator(_one_line), AfterValidator(_language),
    Field(description="A language: en, zh-Hant (Traditional Chinese, Hong Kong) or zh-Hans "
                      "(Simplified Chinese); kept as en, zh_Hant_HK or zh_Hans_CN."),
]


def _by_language(value: object) -> object:
    """A field's names per language: the keys (en, zh-Hant, zh-Hans, ...) kept as our locale
    identifiers; a single name passes as it is."""
    if isinstance(value, dict):
        return {_language(k) if isinstance(k, str) else k: name for k, name in value.items()}
    return value


FieldName = Annotated[
    Text | dict[str, Text], BeforeValidator(_by_language),
    Field(description="The name people read for a field: one for every language (\"AI & Big "
                      "Data\"), or one per language ({\"en\": \"AI & Big Data\", \"zh-Hant\": "
                      "\"人工智能及大數據\", \"zh-Hans\": \"人工智能及大数据\"})."),
]


class Model(BaseModel):
    """Frozen, strict about unknown keys: a typo in a key is an error, not a silent default."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _time(moment: datetime) -> str:
    """A slot time as messages show it."""
    return f"{moment:%Y-%m-%d %H:%M}"


class Slot(Model):
    """A meeting slot, in local time of the event's time zone."""

    id: Id
    start: datetime = Field(description="Local start, e.g. 2023-09-13T14:00.")
    end: datetime = Field(description="Local end, after the start.")
    day: Id | None = Field(default=None, description=(
        "The day the slot belongs to (any label, e.g. 'mon' or 'day-2'): breaks are counted "
        "within a day, so the time between two days is not a break. Give it for every slot or "
        "for none; by default, the slot's local date."))

    @field_validator("start", "end")
    @classmethod
    def _naive(cls, value: datetime) -> datetime:
        if value.tzinfo is not None:
            raise refuse("local_time")
        return value

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.end <= self.start:
            raise refuse_at("Slot", ("end",), self.end, refuse(
                "slot_end", slot=self.id, start=_time(self.start), end=_time(self.end)))
        return self


LANGUAGE_OF_PARTICIPANT = ("The language of the participant's e-mails, calendar texts and page; "
                           "none: English, or the language they choose on their page.")


class Startup(Model):
    """A startup (finalist): founders stay at a table, investors come to them."""

    id: Id
    name: Text
    field: Id = Field(description="The startup's I&T field, one of the event's fields.")
    email: Email | None = None
    description: Paragraphs | None = None
    unavailable: tuple[Id, ...] = Field(default=(), max_length=MAX_SLOTS,
                                        description="Slot ids when it cannot meet.")
    min_meetings: Count = 0
    max_meetings: Count | None = None
    wishes: dict[Id, Wish] = Field(default_factory=dict, max_length=MAX_PARTICIPANTS,
                                   description="Investor id -> 1..3.")
    language: Language | None = Field(default=None, description=LANGUAGE_OF_PARTICIPANT)

    @model_validator(mode="after")
    def _min_within_max(self) -> Self:
        if self.max_meetings is not None and self.min_meetings > self.max_meetings:
            raise refuse_at("Startup", ("max_meetings",), self.max_meetings, refuse(
                "min_above_max", name=self.name, min=self.min_meetings, max=self.max_meetings))
        return self


class Investor(Model):
    """An investor or corporate: moves from table to table."""

    id: Id
    name: Text
    organisation: Text | None = None
    email: Email | None = None
    interests: dict[Id, Interest] = Field(default_factory=dict, max_length=MAX_FIELDS,
                                          description="Field -> 0..3.")
    wishes: dict[Id, Wish] = Field(default_factory=dict, max_length=MAX_PARTICIPANTS,
                                   description="Startup id -> 1..3.")
    avoid: tuple[Id, ...] = Field(default=(), max_length=MAX_PARTICIPANTS,
                                  description="Startup ids it must not meet.")
    unavailable: tuple[Id, ...] = Field(default=(), max_length=MAX_SLOTS,
                                        description="Slot ids when it cannot meet.")
    max_meetings: Count | None = None
    language: Language | None = Field(default=None, description=LANGUAGE_OF_PARTICIPANT)

    @model_validator(mode="after")
    def _wish_or_avoid(self) -> Self:
        both = sorted(set(self.wishes) & set(self.avoid))
        if both:
            raise refuse_at("Investor", ("avoid",), list(self.avoid), refuse(
                "wish_and_avoid", name=self.name, startups=", ".join(both)))
        return self


class Pair(Model):
    """A startup-investor pair."""

    startup: Id
    investor: Id


class Pin(Pair):
    """A meeting fixed in place: at this slot, and at this table if one is given."""

    slot: Id
    table: Id | None = None


class Hall(Model):
    """A hall (or room, or area) of the venue and its tables: a large timetable is read hall by
    hall, and a startup finds its table by its hall."""

    id: Id
    name: Text | None = Field(default=None, description="The name people read; else the id.")
    tables: tuple[Id, ...] = Field(min_length=1, max_length=MAX_TABLES,
                                   description="The hall's tables, in the order shown.")


Problem = tuple[Location, Any, PydanticCustomError]


class FairnessSettings(Model):
    """How much of the score the organiser trades for fairer shares of the meetings."""

    max_score_loss: float = Field(default=0.0, ge=0.0, le=1.0, description=(
        "The share of the best score (0 to 1, e.g. 0.02 for 2 %) that may be given up to raise "
        "the startups' floor, then the investors'. Default 0: the floors cost no score."))


class Event(Model):
    """An event: its slots, tables, participants and their preferences (format 1)."""

    format: Literal[1] = Field(description="The version of this file format.")
    name: Text
    venue: Text | None = None
    timezone: TimeZoneName
    fields: tuple[Id, ...] = Field(default=MICHK_FIELDS, min_length=1, max_length=MAX_FIELDS)
    field_names: dict[Id, FieldName] = Field(
        default_factory=dict, max_length=MAX_FIELDS,
        description="Optional names people read for the fields, field id -> name or names per "
                    "language (e.g. \"ai-big-data\": \"AI & Big Data\"); a field without one "
                    "in the reader's language shows its English one, else its MiCHK name in "
                    "that language, else its id.")
    slots: tuple[Slot, ...] = Field(min_length=1, max_length=MAX_SLOTS)
    tables: tuple[Id, ...] = Field(min_length=1, max_length=MAX_TABLES)
    startups: tuple[Startup, ...] = Field(default=(), max_length=MAX_PARTICIPANTS)
    investors: tuple[Investor, ...] = Field(default=(), max_length=MAX_PARTICIPANTS)
    required: tuple[Pair, ...] = Field(default=(), max_length=MAX_PAIRS,
                                       description="Meetings that must happen.")
    pinned: tuple[Pin, ...] = Field(default=(), max_length=MAX_PAIRS,
                                    description="Meetings fixed in place.")
    fairness: FairnessSettings = Field(default_factory=FairnessSettings,
                                       description="Optional: the price of fairer shares.")
    halls: tuple[Hall, ...] = Field(default=(), max_length=MAX_TABLES, description=(
        "Optional: the venue's halls and their tables, to read a large timetable hall by hall. "
        "A table is in at most one hall; tables in none are shown after the halls."))

    @property
    def participants(self) -> tuple[Startup | Investor, ...]:
        """The startups, then the investors."""
        return (*self.startups, *self.investors)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        """Every problem between the parts, each located at its culprit."""
        error = refuse_all("Event", [*self._duplicates(), *self._slot_order(), *self._slot_times(),
                                     *self._days(), *self._references(), *self._pins(),
                                     *self._halls()])
        if error is not None:
            raise error
        return self

    def _names(self) -> dict[str, str]:
        """Participant id -> name, the first of each id."""
        names: dict[str, str] = {}
        investors_first: tuple[Investor | Startup, ...] = (*self.investors, *self.startups)
        for p in investors_first:
            names.setdefault(p.id, p.name)
        return names

    def _duplicates(self) -> Iterator[Problem]:
        # Each holder of a shared id is named at its place, so that whoever added the second
        # one (a row of a file, a form) is told too.
        holders: dict[str, list[tuple[Location, str]]] = {}
        sides: tuple[tuple[str, tuple[Startup | Investor, ...]], ...] = (
            ("startups", self.startups), ("investors", self.investors))
        for key, people in sides:
            for n, p in enumerate(people):
                holders.setdefault(p.id, []).append(((key, n, "id"), p.name))
        for ident, places in holders.items():
            for loc, _name in places if len(places) > 1 else ():
                others = ", ".join(other for place, other in places if place != loc)
                yield loc, ident, refuse("duplicate_participant", id=ident, other=others)
        names = self._names()
        for key, kind, ids, tail in (("fields", "duplicate_field", self.fields, ()),
                                     ("slots", "duplicate_slot", [s.id for s in self.slots], ("id",)),
                                     ("tables", "duplicate_table", self.tables, ())):
            seen: set[str] = set()
            for n, ident in enumerate(ids):
                if ident in seen:
                    yield (key, n, *tail), ident, refuse(kind, id=ident)
                seen.add(ident)
        for key, kind, pairs in (("required", "duplicate_required", self.required),
                                 ("pinned", "duplicate_pin", self.pinned)):
            counted: Counter[tuple[str, str]] = Counter()
            for n, pair in enumerate(pairs):
                counted[pair.startup, pair.investor] += 1
                if counted[pair.startup, pair.investor] == 2:
                    yield (key, n), pair.model_dump(), refuse(
                        kind, startup=names.get(pair.startup, pair.startup),
                        investor=names.get(pair.investor, pair.investor))

    def _slot_order(self) -> Iterator[Problem]:
        for n, (before, after) in enumerate(zip(self.slots, self.slots[1:], strict=False), 1):
            if after.start < before.end:
                yield ("slots", n, "start"), after.start, refuse(
                    "slot_order", slot=after.id, start=_time(after.start), before=before.id,
                    end=_time(before.end))

    def _days(self) -> Iterator[Problem]:
        given = [s.day is not None for s in self.slots]
        if any(given) and not all(given):
            n = given.index(False)
            yield ("slots", n, "day"), None, refuse("day_missing", slot=self.slots[n].id)
            return
        seen = set()
        for n, (before, after) in enumerate(zip(self.slots, self.slots[1:], strict=False), 1):
            seen.add(before.day)
            if after.day != before.day and after.day in seen:
                yield ("slots", n, "day"), after.day, refuse(
                    "day_apart", slot=after.id, day=after.day, other=before.day)

    def days(self) -> tuple[str, ...]:
        """Each slot's day: its `day`, or its local date (YYYY-MM-DD) when none is given."""
        return tuple(s.day if s.day is not None else s.start.date().isoformat()
                     for s in self.slots)

    def _slot_times(self) -> Iterator[Problem]:
        for n, slot in enumerate(self.slots):
            for key, local in (("start", slot.start), ("end", slot.end)):
                if self.instant(local).astimezone(self.zone()).replace(tzinfo=None) != local:
                    yield ("slots", n, key), local, refuse(
                        "skipped_time", time=_time(local), slot=slot.id, timezone=self.timezone)

    def _references(self) -> Iterator[Problem]:
        fields, slots = set(self.fields), {s.id for s in self.slots}
        startups, investors = {s.id for s in self.startups}, {i.id for i in self.investors}
        names = self._names()
        known = {"unknown_slot": slots, "unknown_startup": startups,
                 "unknown_investor": investors, "unknown_field": fields}
        extra = {"unknown_field": {"fields": ", ".join(self.fields)}}

        def unknown(loc: Location, kind: str, refs: Any) -> Iterator[Problem]:
            """Each reference of a list (located by index) or dict (by key) that is unknown."""
            for n, ref in enumerate(refs):
                if ref not in known[kind]:
                    where = ref if isinstance(refs, dict) else n
                    yield (*loc, where), ref, refuse(kind, value=ref, **extra.get(kind, {}))

        yield from unknown(("field_names",), "unknown_field", self.field_names)
        for n, s in enumerate(self.startups):
            if s.field not in fields:
                yield ("startups", n, "field"), s.field, refuse(
                    "unknown_field", value=s.field, **extra["unknown_field"])
            yield from unknown(("startups", n, "unavailable"), "unknown_slot", s.unavailable)
            yield from unknown(("startups", n, "wishes"), "unknown_investor", s.wishes)
        for n, i in enumerate(self.investors):
            yield from unknown(("investors", n, "interests"), "unknown_field", i.interests)
            yield from unknown(("investors", n, "wishes"), "unknown_startup", i.wishes)
            yield from unknown(("investors", n, "avoid"), "unknown_startup", i.avoid)
            yield from unknown(("investors", n, "unavailable"), "unknown_slot", i.unavailable)
        avoided = {(s, i.id) for i in self.investors for s in i.avoid}
        for key, avoided_kind, pairs in (("required", "required_avoided", self.required),
                                         ("pinned", "pin_avoided", self.pinned)):
            for n, p in enumerate(pairs):
                if p.startup not in startups:
                    yield (key, n, "startup"), p.startup, refuse("unknown_startup", value=p.startup)
                if p.investor not in investors:
                    yield (key, n, "investor"), p.investor, refuse("unknown_investor",
                                                                   value=p.investor)
                if (p.startup, p.investor) in avoided:
                    yield (key, n), p.model_dump(), refuse(
                        avoided_kind, startup=names[p.startup], investor=names[p.investor])

    def _halls(self) -> Iterator[Problem]:
        tables, seen_halls = set(self.tables), set()
        hall_of: dict[str, str] = {}
        for n, hall in enumerate(self.halls):
            if hall.id in seen_halls:
                yield ("halls", n, "id"), hall.id, refuse("duplicate_hall", id=hall.id)
            seen_halls.add(hall.id)
            for k, table in enumerate(hall.tables):
                if table not in tables:
                    yield ("halls", n, "tables", k), table, refuse("unknown_table", value=table)
                elif hall_of.setdefault(table, hall.id) != hall.id:
                    yield ("halls", n, "tables", k), table, refuse(
                        "table_in_two_halls", table=table, first=hall_of[table], second=hall.id)

    def _pins(self) -> Iterator[Problem]:
        slots, tables = {s.id for s in self.slots}, set(self.tables)
        off = {p.id: set(p.unavailable) for p in self.participants}
        names = self._names()
        taken: dict[tuple[str, str], str] = {}
        for n, p in enumerate(self.pinned):
            if p.slot not in slots:
                yield ("pinned", n, "slot"), p.slot, refuse("unknown_slot", value=p.slot)
                continue
            if p.table is not None and p.table not in tables:
                yield ("pinned", n, "table"), p.table, refuse("unknown_table", value=p.table)
            for who, other in ((p.startup, p.investor), (p.investor, p.startup)):
                name, partner = names.get(who, who), names.get(other, other)
                if p.slot in off.get(who, ()):
                    yield ("pinned", n, "slot"), p.slot, refuse(
                        "pin_unavailable", who=name, slot=p.slot, other=partner)
                first = taken.setdefault((who, p.slot), partner)
                if first != partner:
                    yield ("pinned", n, "slot"), p.slot, refuse(
                        "pin_clash", who=name, slot=p.slot, first=first, second=partner)
            if p.table is not None:
                clash = taken.setdefault((f"table {p.table}", p.slot), f"{p.startup}/{p.investor}")
                if clash != f"{p.startup}/{p.investor}":
                    yield ("pinned", n, "table"), p.table, refuse("table_clash", table=p.table,
                                                                  slot=p.slot)

    def field_name(self, field: str, language: str | None = None) -> str:
        """The name people read for one of the event's fields, in a language: its own name in
        `field_names` (`matcher.i18n.field_name` tells the order), else the default field's,
        else its id."""
        return i18n.field_name(field, language, self.field_names)

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
