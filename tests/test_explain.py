"""Why a wish did not become a meeting: each reason on a small hand-made event."""

from __future__ import annotations

import random

import pytest

from matcher.bench.generate import Size, generate
from matcher.model.check import ScheduleValues, broken_rules, checkable
from matcher.model.event import Event
from matcher.model.explain import Explainer, explain
from matcher.model.instance import Instance
from matcher.model.rules import Linear, rules_at
from matcher.model.schedule import Meeting, Schedule
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


def per_slot_reference(inst: Instance, schedule: Schedule, pair: tuple[str, str],
                       ) -> dict[int, list[tuple[str, Linear]]]:
    """What a meeting of the pair would newly break in each slot, found the slow way: the whole
    schedule checked again with the meeting added there (the pair and slot rules)."""
    rules = rules_at("pair", "slot")
    known = checkable(inst, schedule.meetings)
    before = {c.label for _, c in broken_rules(inst, ScheduleValues(inst, known), rules)}
    found = {}
    for t, slot in enumerate(inst.slot_ids):
        added = Meeting(startup=pair[0], investor=pair[1], slot=slot, table=inst.tables[0],
                        score=inst.scores[pair], uid="added")
        found[t] = [(r.name, c) for r, c in
                    broken_rules(inst, ScheduleValues(inst, [*known, added]), rules)
                    if c.label not in before]
    return found


class ReferenceExplainer(Explainer):
    """The explanations with every slot checked the slow way."""

    def __init__(self, inst: Instance, schedule: Schedule) -> None:
        super().__init__(inst, schedule)
        self.schedule = schedule

    def would_break(self, pair: tuple[str, str]) -> dict[int, list[tuple[str, Linear]]]:
        return per_slot_reference(self.inst, self.schedule, pair)


def crowded(seed: int) -> Event:
    """A small generated event where every reason comes up: few tables, caps, an avoided wish,
    startups away in the first slots and investors in the last, with wishes across."""
    data = generate(Size("crowded", 9, 12, 6, 3), seed=seed, late_or_early=0.5,
                    min_meetings=0).model_dump(mode="json")
    rng = random.Random(seed)
    slots = [s["id"] for s in data["slots"]]
    startups, investors = data["startups"], data["investors"]
    for investor in investors[:3]:
        investor["max_meetings"] = 1
    for investor in investors[3:5]:
        investor["unavailable"] = slots[4:]
    for startup in rng.sample(startups, 3):
        startup["unavailable"] = slots[:4]
        startup["wishes"][investors[3]["id"]] = 2
    avoider = investors[5]
    avoider["avoid"] = [startups[0]["id"]]
    avoider["wishes"].pop(startups[0]["id"], None)
    startups[0]["wishes"][avoider["id"]] = 3
    return Event.model_validate(data)


def messy(inst: Instance, seed: int) -> Schedule:
    """A hand-made schedule that breaks rules: meetings at random slots and tables, some when a
    side is away, some sharing a slot or a table, some beyond a cap."""
    rng = random.Random(seed)
    pairs = rng.sample(list(inst.candidates), min(len(inst.candidates), 30))
    meetings = tuple(Meeting(startup=s, investor=i, slot=rng.choice(inst.slot_ids),
                             table=rng.choice(inst.tables), score=inst.scores[s, i], uid=f"m{n}")
                     for n, (s, i) in enumerate(pairs))
    return Schedule(status="feasible", score=0, bound=0, breaks=0, table_changes=0,
                    meetings=meetings, seconds=0)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_every_answer_is_the_one_checking_each_slot_would_give(seed: int) -> None:
    event = crowded(seed)
    inst = Instance(event)
    reasons = set()
    for schedule in (solve(event, time_limit=5), messy(inst, seed)):
        fast, slow = Explainer(inst, schedule), ReferenceExplainer(inst, schedule)
        met = {(m.startup, m.investor) for m in schedule.meetings}
        for who in inst.participants:
            for other in inst.people[who].wishes:
                pair = (who, other) if who in inst.startups else (other, who)
                # Only a wish that did not become a meeting is explained slot by slot.
                assert pair in met or ({t: sorted(c.label for _, c in found)
                         for t, found in fast.would_break(pair).items()}
                        == {t: sorted(c.label for _, c in found)
                            for t, found in slow.would_break(pair).items()}), pair
            for audience in ("organiser", "participant"):
                answers = fast.answers(who, audience)
                assert answers == slow.answers(who, audience), who
                reasons |= {a.reason for a in answers}
    # The event and the messy schedule are made so that every way of answering is taken.
    assert reasons >= {"met", "avoided", "no-common-slot", "cap-reached", "tables-full",
                       "displaced", "room-left", "their-time"}, reasons
