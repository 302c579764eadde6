"""Why a wish did not become a meeting: each reason on a small hand-made event."""

from __future__ import annotations

from matcher.model.event import Event
from matcher.model.explain import explain
from matcher.model.instance import Instance
from matcher.solve.solver import solve


def answers_for(data: dict, who: str) -> dict:
    event = Event.model_validate(data)
    schedule = solve(event, time_limit=5)
    return {a.other: a for a in explain(Instance(event), schedule, who)}


def test_met_wish_names_slot_and_table(tiny: dict) -> None:
    tiny["startups"][0]["wishes"] = {"x": 3}
    answer = answers_for(tiny, "a")["x"]
    assert answer.reason == "met" and answer.text.startswith("you meet x in s")


def test_avoided(tiny: dict) -> None:
    tiny["startups"][0]["wishes"] = {"x": 3}
    tiny["investors"][0]["avoid"] = ["a"]
    answer = answers_for(tiny, "a")["x"]
    assert answer.reason == "avoided" and answer.text == "x asked not to meet a"


def test_no_common_free_slot(tiny: dict) -> None:
    tiny["startups"][0]["wishes"] = {"y": 2}
    tiny["startups"][0]["unavailable"] = ["s2", "s3"]
    tiny["investors"][1]["unavailable"] = ["s1"]
    answer = answers_for(tiny, "a")["y"]
    assert answer.reason == "no-common-slot"
    assert "y is free in s2, s3" in answer.text


def test_cap_reached_names_the_meetings(tiny: dict) -> None:
    tiny["investors"][0]["max_meetings"] = 1
    tiny["investors"][0]["wishes"] = {"b": 1}
    tiny["investors"][0]["interests"] = {"fintech": 3}
    answer = answers_for(tiny, "x")["b"]
    assert answer.reason == "cap-reached"
    assert answer.text.startswith("you have the most meetings asked for (1): with a (score 3)")


def test_displaced_names_the_better_meetings(tiny: dict) -> None:
    # One slot, two tables: z wishes for b, but a/x and b/y score more.
    tiny["slots"] = tiny["slots"][:1]
    tiny["investors"][2]["wishes"] = {"b": 1}
    answer = answers_for(tiny, "z")["b"]
    assert answer.reason == "displaced"
    assert answer.text.startswith("the 1 slot when you are both free went to other meetings")
    assert "(this pair scores 1): b met y (score 3) in s1" in answer.text


def test_tables_full(tiny: dict) -> None:
    tiny["slots"] = tiny["slots"][:1]
    tiny["tables"] = ["T1"]
    tiny["investors"][1]["avoid"] = ["b"]  # so a/x (score 2) takes the only table
    tiny["startups"][1]["wishes"] = {"z": 1}
    answer = answers_for(tiny, "b")["z"]
    assert answer.reason == "tables-full"
    assert answer.text == ("every table was taken in s1; z has no interest in iot and did not "
                           "wish to meet b, so the pair scores only 1")


def test_room_left_when_the_schedule_could_still_hold_the_meeting(tiny: dict) -> None:
    # A hand-made schedule without a/x although both are free and tables are free.
    from matcher.model.schedule import Schedule

    tiny["startups"][0]["wishes"] = {"x": 3}
    event = Event.model_validate(tiny)
    empty = Schedule(status="feasible", score=0, bound=0, breaks=0, table_changes=0,
                     meetings=(), seconds=0)
    answer = {a.other: a for a in explain(Instance(event), empty, "a")}["x"]
    assert answer.reason == "room-left"
    assert answer.text == ("you are both free in s1, s2, s3 and a table is free: this meeting "
                           "could still be added")
