"""The naive time-indexed model: one boolean per startup x investor x slot, every rule at once.

`matcher bench` runs it side by side with the staged solver as the baseline. It posts the pair and
slot rules of `matcher.model.rules` and maximises score, then fewer breaks, in one weighted objective.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from matcher.model.instance import Instance, PairKey
from matcher.model.rules import rules_at
from matcher.solve.cpsat import RuleCannotHold, new_solver, post_rules
from matcher.solve.timing import count_breaks


class SlotVars:
    """The rules' container: `at(pair, slot)` per candidate pair and common free slot."""

    def __init__(self, model: cp_model.CpModel, inst: Instance) -> None:
        self.inst = inst
        self.x: dict[PairKey, dict[int, cp_model.IntVar]] = {}
        self.m: dict[PairKey, cp_model.IntVar] = {}
        self._in: dict[int, list[PairKey]] = defaultdict(list)
        for pair in inst.candidates:
            s, i = pair
            self.x[pair] = {t: model.new_bool_var(f"meets[{s},{i},{inst.slot_ids[t]}]")
                            for t in sorted(inst.common_slots(pair))}
            self.m[pair] = model.new_bool_var(f"meets[{s},{i}]")
            model.add(sum(self.x[pair].values()) == self.m[pair])
            for t in self.x[pair]:
                self._in[t].append(pair)

    def participants(self) -> Iterable[str]:
        return self.inst.participants

    def slots(self) -> Iterable[int]:
        return range(len(self.inst.slot_ids))

    def pairs(self) -> Iterable[PairKey]:
        return self.x

    def pairs_of(self, participant: str) -> Iterable[PairKey]:
        return self.inst.partners(participant)

    def pairs_in(self, slot: int) -> Iterable[PairKey]:
        return self._in.get(slot, [])

    def slots_of(self, pair: PairKey) -> Iterable[int]:
        return self.x.get(pair, {})

    def tables_of(self, pair: PairKey, slot: int) -> Iterable[int]:
        raise NotImplementedError("tables are seated after solving")

    def meets(self, pair: PairKey) -> cp_model.IntVar | int:
        return self.m.get(pair, 0)

    def at(self, pair: PairKey, slot: int) -> cp_model.IntVar | int:
        return self.x.get(pair, {}).get(slot, 0)

    def at_table(self, pair: PairKey, slot: int, table: int) -> object:
        raise NotImplementedError("tables are seated after solving")


@dataclass
class NaiveResult:
    """What the time-indexed model found: pair -> slot, its score, a proven bound on the score
    and, when it counted them, its breaks."""

    status: str  # optimal, feasible, infeasible or unknown
    placed: dict[PairKey, int] = field(default_factory=dict)
    score: int = 0
    bound: int = 0
    seconds: float = 0.0
    breaks: int = 0


def solve_naive(inst: Instance, time_limit: float, workers: int = 2, with_breaks: bool = True,
                keep: dict[PairKey, int] | None = None) -> NaiveResult:
    """Solve the time-indexed model within the time limit.

    Without breaks it only maximises the score: the staged solver's fallback when the timing
    engine cannot place the pairs it chose. With `keep` (pair -> slot), keeping those meetings
    in their slots comes before the score: re-planning when not all of them can stay.
    """
    start = time.monotonic()
    model = cp_model.CpModel()
    v = SlotVars(model, inst)
    try:
        post_rules(model, rules_at("pair", "slot"), inst, v)
    except RuleCannotHold:
        return NaiveResult("infeasible", seconds=time.monotonic() - start)
    breaks = []
    for p in inst.participants if with_breaks else ():
        busy: dict[int, cp_model.IntVar] = {}
        for t in range(len(inst.slot_ids)):
            lits = [v.x[pair][t] for pair in inst.partners(p) if t in v.x[pair]]
            if lits:
                busy[t] = model.new_bool_var(f"busy[{p},{t}]")
                model.add(sum(lits) == busy[t])
        breaks.append(count_breaks(model, busy, p, len(inst.slot_ids), inst.days))
    score = sum(inst.scores[pair] * lit for pair, lit in v.m.items())
    weight = len(inst.participants) * len(inst.slot_ids) + 1 if with_breaks else 1
    kept = sum(v.at(pair, t) for pair, t in (keep or {}).items())
    keep_weight = weight * (sum(inst.scores[p] for p in v.m) + 1)
    model.maximize(keep_weight * kept + weight * score - sum(breaks))
    solver = new_solver(time_limit - (time.monotonic() - start), workers)
    code = solver.solve(model)
    seconds = time.monotonic() - start
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return NaiveResult("infeasible" if code == cp_model.INFEASIBLE else "unknown",
                           seconds=seconds)
    placed = {pair: t for pair, slots in v.x.items() for t, lit in slots.items()
              if solver.boolean_value(lit)}
    found = sum(inst.scores[pair] for pair in placed)
    # With meetings to keep, the objective bounds those first: no bound on the score alone.
    bound = found if keep else max(found, int((solver.best_objective_bound + weight - 1) // weight))
    status = "optimal" if code == cp_model.OPTIMAL else "feasible"
    return NaiveResult(status, placed, found, bound, seconds,
                       sum(solver.value(b) for b in breaks))
