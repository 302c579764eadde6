"""The timing engine and the slot rules agree: the engine's model accepts exactly the placements
of chosen pairs that `matcher.model.rules` accepts (see `matcher.solve.solver.timing_problem`)."""

from __future__ import annotations

import random

import pytest
from ortools.sat.python import cp_model

from matcher.bench.generate import Size, generate
from matcher.model.check import ScheduleValues, broken
from matcher.model.event import Event
from matcher.model.instance import Instance, PairKey
from matcher.model.rules import rules_at
from matcher.model.schedule import Meeting
from matcher.solve.cpsat import fixed_values
from matcher.solve.solver import timing_problem
from matcher.solve.timing import TimingModel


def small_event(seed: int) -> Event:
    """A generated event of 3 startups, 4 investors, 4 slots and 2 tables, with a pinned pair."""
    event = generate(Size("tiny", 3, 4, 4, 2), seed, late_or_early=0.6, min_meetings=0)
    inst = Instance(event)
    pair = inst.candidates[seed % len(inst.candidates)]
    slot = inst.slot_ids[min(inst.common_slots(pair))]
    return Event.model_validate(event.model_dump() | {"pinned": [
        {"startup": pair[0], "investor": pair[1], "slot": slot}]})


def rules_accept(inst: Instance, placed: dict[PairKey, int]) -> bool:
    """Whether the slot rules hold for a placement (tables handed out in turn in each slot)."""
    seated: dict[int, int] = {}
    meetings = []
    for (s, i), t in placed.items():
        k = seated[t] = seated.get(t, -1) + 1
        meetings.append(Meeting(startup=s, investor=i, slot=inst.slot_ids[t],
                                table=inst.tables[k % len(inst.tables)], score=0, uid=f"{s}/{i}"))
    values = ScheduleValues(inst, meetings)
    return not any(broken(c) for r in rules_at("slot") for c in r.constraints(inst, values))


def engine_accepts(timing: TimingModel, placed: list[int]) -> bool:
    """Whether the engine's model has this placement: every slot allowed, and the model with
    those literals fixed is feasible."""
    if any(t not in lits for lits, t in zip(timing.place, placed, strict=True)):
        return False
    fixes = [(lit.index, int(slot == t)) for lits, t in zip(timing.place, placed, strict=True)
             for slot, lit in lits.items()]
    with fixed_values(timing.model, fixes) as model:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        return solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


@pytest.mark.parametrize("seed", range(8))
def test_engine_accepts_exactly_what_the_slot_rules_accept(seed: int) -> None:
    inst = Instance(small_event(seed))
    rng = random.Random(seed)
    pins = list(inst.pins)
    others = [p for p in inst.candidates if p not in inst.pins]
    pairs = tuple(pins + rng.sample(others, min(len(others), 4)))
    timing = TimingModel(timing_problem(inst, pairs), breaks=False)
    verdicts = set()
    for _ in range(300):
        # mostly slots both sides are free, so that placements keeping every rule come up too
        placed = [rng.choice(sorted(inst.common_slots(p))) if rng.random() < 0.9
                  else rng.randrange(len(inst.slot_ids)) for p in pairs]
        agree = rules_accept(inst, dict(zip(pairs, placed, strict=True)))
        assert engine_accepts(timing, placed) == agree, placed
        verdicts.add(agree)
    assert verdicts == {True, False}  # both kinds of placement were tried
