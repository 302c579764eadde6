"""The event format: a valid file loads, and each malformed or inconsistent one is refused with a
message naming the culprit and the rule."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from matcher.model.event import MICHK_FIELDS, Event, pair_score
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
    ("format", 2, "format: Input should be 1"),
    ("timezone", "Asia/Hongkong_", "unknown time zone 'Asia/Hongkong_'"),
    ("startups.0.field", "fintek", "startup a names unknown field fintek"),
    ("startups.+", {"id": "a", "name": "Again", "field": "iot"}, "duplicate participant id a"),
    ("investors.0.id", "a", "duplicate participant id a"),
    ("slots.1.id", "s1", "duplicate slot id s1"),
    ("tables", ["T1", "T1"], "duplicate table id T1"),
    ("slots.0.end", "2023-09-13T13:50", "slot s1 ends at 13:50, not after its start 14:00"),
    ("slots.1.start", "2023-09-13T14:10", "slot s2 overlaps slot s1"),
    ("slots.1.start", "2023-09-13T13:00", "slot s2 starts before slot s1"),
    ("startups.0.unavailable", ["s9"], "startup a names unknown slot s9"),
    ("startups.0.wishes", {"q": 2}, "startup a in wishes names unknown investor q"),
    ("startups.0.wishes", {"x": 4},
     "startups[0] (a).wishes.x: Input should be less than or equal to 3"),
    ("investors.0.interests", {"fintech": 5}, "Input should be less than or equal to 3"),
    ("investors.0.interests", {"space": 1}, "investor x in interests names unknown field space"),
    ("investors.0.avoid", ["nobody"], "investor x in avoid names unknown startup nobody"),
    ("startups.0.min_meetings", -1, "min_meetings: Input should be greater than or equal to 0"),
    ("startups.0.colour", "red", "startups[0] (a).colour: Extra inputs are not permitted"),
    ("startups.0.id", "a b", "String should match pattern"),
    ("slots.0.start", "tomorrow", "slots[0] (s1).start: Input should be a valid datetime"),
    ("slots.0.start", "2023-09-13T14:00+08:00", "give local time without an offset"),
    ("required", [{"startup": "a", "investor": "q"}], "required pair a/q names unknown investor q"),
    ("pinned", [{"startup": "a", "investor": "x", "slot": "s7"}],
     "pinned meeting a/x names unknown slot s7"),
    ("pinned", [{"startup": "a", "investor": "x", "slot": "s1", "table": "T9"}],
     "pinned meeting a/x names unknown table T9"),
    ("investors.0.email", "not-an-email", "String should match pattern"),
    ("slots", [], "slots: List should have at least 1 item after validation, not 0"),
]


@pytest.mark.parametrize(("path", "value", "message"), BAD)
def test_bad_event_is_refused_naming_the_culprit(tiny: dict, path: str, value: object,
                                                  message: str) -> None:
    data = change(tiny, path, value)
    with pytest.raises(BadFile) as caught:
        parse(Event, data, "event.json")
    assert message in str(caught.value)


@pytest.mark.parametrize(("changes", "message"), [
    ([("investors.0.avoid", ["a"]), ("required", [{"startup": "a", "investor": "x"}])],
     "required pair a/x: investor x avoids startup a"),
    ([("investors.0.avoid", ["a"]), ("investors.0.wishes", {"a": 2})],
     "investor x both wishes for and avoids a"),
    ([("startups.0.min_meetings", 3), ("startups.0.max_meetings", 1)],
     "startup a: min_meetings 3 is above max_meetings 1"),
    ([("required", [{"startup": "a", "investor": "x"}, {"startup": "a", "investor": "x"}])],
     "required pair a/x is listed 2 times"),
    ([("investors.0.unavailable", ["s1"]),
      ("pinned", [{"startup": "a", "investor": "x", "slot": "s1"}])],
     "pinned meeting a/x is in slot s1, when x is unavailable"),
    ([("pinned", [{"startup": "a", "investor": "x", "slot": "s1"},
                  {"startup": "a", "investor": "y", "slot": "s1"}])],
     "pinned meeting a/y and pinned meeting a/x both put a in slot s1"),
    ([("pinned", [{"startup": "a", "investor": "x", "slot": "s1", "table": "T1"},
                  {"startup": "b", "investor": "y", "slot": "s1", "table": "T1"}])],
     "both use table T1 in slot s1"),
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
    ("[1, 2]", "Input should be a valid dictionary"),
])
def test_unreadable_file_names_file_and_place(write, content: str, message: str) -> None:
    with pytest.raises(BadFile) as caught:
        load_event(write(content))
    assert message in str(caught.value)


def test_missing_file_is_named(tmp_path) -> None:
    with pytest.raises(BadFile, match="cannot read .*nowhere.json"):
        load_event(tmp_path / "nowhere.json")
