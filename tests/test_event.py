"""The event format: a valid file loads, and each malformed or inconsistent one is refused with a
message naming the culprit and the rule."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from matcher.model.event import MAX_FIELDS, MAX_TABLES, MICHK_FIELDS, Event, pair_score
from matcher.model.files import BadFile, describe, load_event, parse


def test_tiny_event_loads_with_default_fields(tiny: dict) -> None:
    event = Event.model_validate(tiny)
    assert event.fields == MICHK_FIELDS
    assert [s.id for s in event.slots] == ["s1", "s2", "s3"]


def test_pair_score_adds_interest_and_both_wishes(tiny: dict) -> None:
    tiny["investors"][0]["wishes"] = {"a": 3}
    tiny["startups"][0]["wishes"] = {"x": 2}
    event = Event.model_validate(tiny)
    assert pair_score(event.startups[0], event.investors[0]) == 2 + 3 + 2
    assert pair_score(event.startups[1], event.investors[2]) == 0


def change(tiny: dict, path: str, value: object) -> dict:
    """Set a value at a dotted path such as `startups.0.field` (`+` appends to a list)."""
    *parents, last = path.split(".")
    node = tiny
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if last == "+":
        node.append(value)
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return tiny


BAD = [
    ("format", 2, "format: Choose one of: 1."),
    ("timezone", "Asia/Hongkong_", "timezone: Asia/Hongkong_ is not a time zone"),
    ("startups.0.field", "fintek", "startups[0] (a).field: fintek is not one of the event's fields"),
    ("startups.+", {"id": "a", "name": "Again", "field": "iot"},
     "startups[2] (a).id: The id a is used by Alpha too"),
    ("investors.0.id", "a", "startups[0] (a).id: The id a is used by Xavier too"),
    ("investors.0.id", "a", "investors[0] (a).id: The id a is used by Alpha too"),
    ("slots.1.id", "s1", "slots[1] (s1).id: The slot id s1 is used twice"),
    ("tables", ["T1", "T1"], "tables[1]: The table T1 is listed twice."),
    ("slots.0.end", "2023-09-13T13:50",
     "slots[0] (s1).end: The slot s1 ends at 2023-09-13 13:50, not after its start at "
     "2023-09-13 14:00."),
    ("slots.1.start", "2023-09-13T14:10", "slots[1] (s2).start: The slot s2 starts at 2023-09-13 "
     "14:10, before the slot s1 ends at 2023-09-13 14:20: slots must be in order"),
    ("slots.1.start", "2023-09-13T13:00", "The slot s2 starts at 2023-09-13 13:00, before the slot "
     "s1 ends"),
    ("startups.0.unavailable", ["s9"], "startups[0] (a).unavailable[0]: s9 is not one of the "
     "event's slots."),
    ("startups.0.wishes", {"q": 2}, "startups[0] (a).wishes.q: q is not an investor of this event."),
    ("startups.0.wishes", {"x": 4}, "startups[0] (a).wishes.x: Give 3 or less."),
    ("investors.0.interests", {"fintech": 5}, "investors[0] (x).interests.fintech: Give 3 or less."),
    ("investors.0.interests", {"space": 1},
     "investors[0] (x).interests.space: space is not one of the event's fields"),
    ("investors.0.avoid", ["nobody"], "investors[0] (x).avoid[0]: nobody is not a startup of this "
     "event."),
    ("startups.0.min_meetings", -1, "startups[0] (a).min_meetings: Give 0 or more."),
    ("startups.0.colour", "red", "startups[0] (a).colour: This key is not part of the format"),
    ("startups.0.id", "a b", "startups[0] (a b).id: Use - or _ instead of spaces in an id."),
    ("startups.0.id", "a/b", "startups[0] (a/b).id: Use only letters, digits and . _ : - in an id "
     "(not “/”)."),
    ("slots.0.start", "tomorrow", "slots[0] (s1).start: Give a date and time such as "
     "2023-09-13T14:00."),
    ("slots.0.start", "2023-09-13T14:00+08:00", "slots[0] (s1).start: Give a local time without an "
     "offset"),
    ("required", [{"startup": "a", "investor": "q"}], "required[0].investor: q is not an investor "
     "of this event."),
    ("pinned", [{"startup": "a", "investor": "x", "slot": "s7"}],
     "pinned[0].slot: s7 is not one of the event's slots."),
    ("pinned", [{"startup": "a", "investor": "x", "slot": "s1", "table": "T9"}],
     "pinned[0].table: T9 is not one of the event's tables."),
    ("investors.0.email", "not-an-email", "investors[0] (x).email: Give an e-mail address such as "
     "name@example.com."),
    ("slots", [], "slots: Give at least 1 of these."),
    ("tables", [f"T{n}" for n in range(MAX_TABLES + 1)], f"tables: Give at most {MAX_TABLES}"),
    ("fields", [f"f{n}" for n in range(MAX_FIELDS + 1)], f"fields: Give at most {MAX_FIELDS}"),
    ("name", "Demo\r\nDay", "name: Write this on one line: there is a line break at character 5."),
    ("venue", "Hall\u2028B", "venue: Write this on one line"),
    ("investors.0.organisation", "Fund\x00", "investors[0] (x).organisation: Remove the invisible "
     "control character U+0000 at character 5."),
    ("investors.0.name", "X\x85Y", "investors[0] (x).name: Write this on one line"),
    ("startups.0.email", "a\x01@example.com", "startups[0] (a).email: Remove the invisible control "
     "character U+0001"),
    ("startups.0.description", "Line one\nline two\x1b[31m", "startups[0] (a).description: Remove "
     "the invisible control character U+001B at character 18."),
    ("fairness", {"max_score_loss": 1.5}, "fairness.max_score_loss: Give 1.0 or less."),
    ("fairness", {"max_score_los": 0.1}, "fairness.max_score_los: This key is not part of the format"),
]


@pytest.mark.parametrize(("path", "value", "message"), BAD)
def test_bad_event_is_refused_naming_the_culprit(tiny: dict, path: str, value: object,
                                                  message: str) -> None:
    data = change(tiny, path, value)
    with pytest.raises(BadFile) as caught:
        parse(Event, data, "event.json")
    assert message in str(caught.value)


def test_descriptions_keep_their_lines_and_drop_their_surrounding_spaces(tiny: dict) -> None:
    tiny["startups"][0]["description"] = "First line\r\nsecond line\twith a tab\rthird  "
    tiny["startups"][0]["name"] = "  Alpha Ltd \n"
    event = Event.model_validate(tiny)
    assert event.startups[0].description == "First line\nsecond line\twith a tab\nthird"
    assert event.startups[0].name == "Alpha Ltd"


@pytest.mark.parametrize(("changes", "message"), [
    ([("investors.0.avoid", ["a"]), ("required", [{"startup": "a", "investor": "x"}])],
     "required[0]: Xavier avoids Alpha, so they cannot be required to meet."),
    ([("investors.0.avoid", ["a"]), ("investors.0.wishes", {"a": 2})],
     "investors[0] (x).avoid: The investor Xavier both wishes to meet and avoids a."),
    ([("startups.0.min_meetings", 3), ("startups.0.max_meetings", 1)],
     "startups[0] (a).max_meetings: The startup Alpha needs at least 3 meetings but may have at "
     "most 1."),
    ([("required", [{"startup": "a", "investor": "x"}, {"startup": "a", "investor": "x"}])],
     "required[1]: The meeting of Alpha and Xavier is required twice."),
    ([("investors.0.unavailable", ["s1"]),
      ("pinned", [{"startup": "a", "investor": "x", "slot": "s1"}])],
     "pinned[0].slot: Xavier is unavailable in the slot s1, where their meeting with Alpha is "
     "pinned."),
    ([("pinned", [{"startup": "a", "investor": "x", "slot": "s1"},
                  {"startup": "a", "investor": "y", "slot": "s1"}])],
     "pinned[1].slot: Alpha has two meetings pinned in the slot s1: with Xavier and with Yolanda."),
    ([("pinned", [{"startup": "a", "investor": "x", "slot": "s1", "table": "T1"},
                  {"startup": "b", "investor": "y", "slot": "s1", "table": "T1"}])],
     "pinned[1].table: The table T1 has two meetings pinned in the slot s1."),
    ([("slots.0.day", "mon")],
     "slots[1] (s2).day: The slot s2 has no day, but other slots have one: give a day for every "
     "slot or for none."),
    ([("slots.0.day", "mon"), ("slots.1.day", "tue"), ("slots.2.day", "mon")],
     "slots[2] (s3).day: The slot s3 is on the day mon again after the day tue: the slots of a "
     "day must follow each other."),
])
def test_inconsistent_event_is_refused(tiny: dict, changes: list, message: str) -> None:
    for path, value in changes:
        change(tiny, path, value)
    with pytest.raises(BadFile) as caught:
        parse(Event, tiny, "event.json")
    assert message in str(caught.value)


def test_every_problem_is_listed_on_its_own_line(tiny: dict) -> None:
    tiny["startups"][0]["min_meetings"] = -1
    tiny["investors"][0]["interests"] = {"fintech": 9}
    with pytest.raises(ValidationError) as caught:
        Event.model_validate(tiny)
    lines = describe(caught.value, tiny).splitlines()
    assert lines[0].startswith("startups[0] (a).min_meetings:")
    assert lines[1].startswith("investors[0] (x).interests.fintech:")


@pytest.mark.parametrize(("content", "message"), [
    ("{\"format\": 1,\n \"name\": }", "event.json line 2 column 10: not valid JSON"),
    ("[1, 2]", "Give an object (keys and values)."),
])
def test_unreadable_file_names_file_and_place(write, content: str, message: str) -> None:
    with pytest.raises(BadFile) as caught:
        load_event(write(content))
    assert message in str(caught.value)


def test_missing_file_is_named(tmp_path) -> None:
    with pytest.raises(BadFile, match="cannot read .*nowhere.json"):
        load_event(tmp_path / "nowhere.json")


def test_the_format_reference_lists_every_refusal() -> None:
    """docs/event-format.md names each type of the model's refusals with its sentence."""
    from pathlib import Path

    from matcher.model.messages import TEMPLATES

    doc = (Path(__file__).resolve().parents[1] / "docs" / "event-format.md").read_text()
    section = doc.split("## Refusals", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| (.+) \|$", section, flags=re.M))
    assert rows == TEMPLATES


def test_fairness_is_optional_and_costs_no_score_by_default(tiny: dict) -> None:
    assert Event.model_validate(tiny).fairness.max_score_loss == 0
    tiny["fairness"] = {"max_score_loss": 0.02}
    assert Event.model_validate(tiny).fairness.max_score_loss == 0.02


def test_days_are_given_or_the_local_dates() -> None:
    from matcher.model.instance import Instance
    from tests.conftest import TINY

    event = Event.model_validate(TINY)
    assert event.days() == ("2023-09-13",) * 3 and Instance(event).days is None  # one day
    data = TINY | {"slots": [s | {"day": day} for s, day in zip(TINY["slots"], "aab", strict=True)]}
    assert Instance(Event.model_validate(data)).days == (0, 0, 1)
    data = TINY | {"slots": [s | {"start": f"2023-09-{12 + n}T09:00",
                                  "end": f"2023-09-{12 + n}T09:20"}
                             for n, s in enumerate(TINY["slots"])]}
    assert Instance(Event.model_validate(data)).days == (0, 1, 2)

