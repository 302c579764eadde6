"""Stage 1: choose who meets whom, maximising the total score.

The score depends only on which pairs meet, so this stage decides pairs alone: one boolean per
candidate pair, the pair rules of `matcher.model.rules`, and implied limits that every timetable obeys
(no one meets more often than they have free slots, also within any window of slots; no window
holds more meetings than tables x slots). It is a relaxation of the whole problem, so its proven
optimum is an upper bound on any timetable's score.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from matcher.model.instance import Instance, PairKey
from matcher.model.rules import Linear, rules_at
from matcher.solve.cpsat import ProgressCallback, RuleCannotHold, new_solver, post, run

Var = TypeVar("Var")


class PairVars(Generic[Var]):
    """The rules' container for this stage: `meets(pair)` is a 0/1 variable per candidate pair
    (a CP-SAT boolean, or a continuous variable of the LP relaxation)."""

    def __init__(self, inst: Instance, new_var: Callable[[str], Var],
                 pairs: Iterable[PairKey]) -> None:
        self.inst = inst
        self.lits = {p: new_var(f"meets[{p[0]},{p[1]}]") for p in pairs}

    def participants(self) -> Iterable[str]:
        return self.inst.participants

    def slots(self) -> Iterable[int]:
        raise NotImplementedError("the pairing stage does not decide slots")

    def pairs(self) -> Iterable[PairKey]:
        return self.lits

    def pairs_of(self, participant: str) -> Iterable[PairKey]:
        return [p for p in self.inst.partners(participant) if p in self.lits]

    def pairs_in(self, slot: int) -> Iterable[PairKey]:
        raise NotImplementedError("the pairing stage does not decide slots")

    def slots_of(self, pair: PairKey) -> Iterable[int]:
        raise NotImplementedError("the pairing stage does not decide slots")

    def tables_of(self, pair: PairKey, slot: int) -> Iterable[int]:
        raise NotImplementedError("the pairing stage does not decide tables")

    def meets(self, pair: PairKey) -> object:
        return self.lits.get(pair, 0)

    def at(self, pair: PairKey, slot: int) -> object:
        raise NotImplementedError("the pairing stage does not decide slots")

    def at_table(self, pair: PairKey, slot: int, table: int) -> object:
        raise NotImplementedError("the pairing stage does not decide tables")


def _windows_over(spans: list[tuple[int, int]], slots: int) -> Callable[[int, int], int]:
    """A counter of the spans (first, last slot) lying inside each window [a, b]."""
    inside = [[0] * (slots + 1) for _ in range(slots + 1)]
    for first, last in spans:
        inside[first][last] += 1
    # inside[a][b] becomes the number of spans with first >= a and last <= b.
    for a in range(slots - 1, -1, -1):
        for b in range(slots):
            inside[a][b] += inside[a + 1][b] + (inside[a][b - 1] if b else 0) - (
                inside[a + 1][b - 1] if b else 0)
    return lambda a, b: inside[a][b]


def window_limits(inst: Instance, v: PairVars) -> Iterator[Linear]:
    """Implied: in any window of slots, a participant meets no more partners who are only free
    together with it inside that window than it has free slots there; likewise the tables."""
    slots = len(inst.slot_ids)
    span = {pair: (min(c), max(c)) for pair in v.pairs() if (c := inst.common_slots(pair))}

    def inside(a: int, b: int, pairs: Iterable[PairKey]) -> tuple:
        return tuple(v.meets(pr) for pr in pairs if a <= span[pr][0] and span[pr][1] <= b)

    for p in inst.participants:
        pairs = [pair for pair in v.pairs_of(p) if pair in span]
        if not pairs:
            continue
        count = _windows_over([span[pair] for pair in pairs], slots)
        free_before = [0]
        for t in range(slots):
            free_before.append(free_before[-1] + (t in inst.usable[p]))
        for a in range(slots):
            for b in range(a, slots):
                room = free_before[b + 1] - free_before[a]
                if count(a, b) > room and room < free_before[-1]:
                    yield Linear(f"{p} has only {room} free slots in {inst.slot_ids[a]}.."
                                 f"{inst.slot_ids[b]}", inside(a, b, pairs), ub=room)
    count = _windows_over(list(span.values()), slots)
    for a in range(slots):
        for b in range(a, slots):
            room = len(inst.tables) * (b - a + 1)
            if count(a, b) > room:
                yield Linear(f"only {room} table places in {inst.slot_ids[a]}..{inst.slot_ids[b]}",
                             inside(a, b, span), ub=room)


@dataclass(frozen=True)
class PairChoice:
    """The pairs chosen, their total score and a proven upper bound on any timetable's score."""

    pairs: tuple[PairKey, ...]
    score: int
    bound: int
    optimal: bool


class Infeasible(Exception):
    """The hard rules cannot all hold; the message names the conflicting rules."""


def pair_constraints(inst: Instance, v: PairVars, floors: Mapping[str, int] | None = None,
                     ) -> Iterator[Linear]:
    """Every constraint of this stage: the pair rules, the implied limits of any timetable, and
    the floors asked for (participant -> fewest meetings; `matcher.solve.fairness`)."""
    for r in rules_at("pair"):
        yield from r.constraints(inst, v)
    for p, least in (floors or {}).items():
        yield Linear(f"{p} has fewer than {least} meetings, its fair share",
                     tuple(v.meets(pair) for pair in v.pairs_of(p)), lb=least)
    for p in inst.participants:
        yield Linear(f"{p} has only {len(inst.usable[p])} free slots",
                     tuple(v.meets(pair) for pair in v.pairs_of(p)), ub=len(inst.usable[p]))
    yield from window_limits(inst, v)
    yield Linear(f"only {len(inst.tables)} tables in each of {len(inst.slot_ids)} slots",
                 tuple(v.lits.values()), ub=len(inst.tables) * len(inst.slot_ids))


def build(inst: Instance, pairs: Iterable[PairKey], floors: Mapping[str, int] | None = None,
          ) -> tuple[cp_model.CpModel, PairVars[cp_model.IntVar]]:
    """The pairing model in CP-SAT, maximising the score."""
    model = cp_model.CpModel()
    v = PairVars(inst, model.new_bool_var, pairs)
    for constraint in pair_constraints(inst, v, floors):
        post(model, constraint)
    model.maximize(sum(inst.scores[p] * lit for p, lit in v.lits.items()))
    return model, v


def relaxed(inst: Instance, pairs: Iterable[PairKey], floors: Mapping[str, int] | None = None,
            ) -> tuple[dict[PairKey, float], float] | None:
    """The LP relaxation by GLOP: each pair's value and the optimum, or None if it fails (or
    has no solution: then neither has the model).

    Without window limits this is a b-matching, whose LP optimum is integral, so it often
    answers the whole stage in a fraction of a second.
    """
    lp = pywraplp.Solver.CreateSolver("GLOP")
    v = PairVars(inst, lambda name: lp.NumVar(0, 1, name), pairs)
    for c in pair_constraints(inst, v, floors):
        total = sum(c.terms)
        if c.lb is not None:
            lp.Add(total >= c.lb, c.label)
        if c.ub is not None:
            lp.Add(total <= c.ub, c.label)
    lp.Maximize(sum(inst.scores[p] * x for p, x in v.lits.items()))
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return {p: x.solution_value() for p, x in v.lits.items()}, lp.Objective().Value()


def choose_pairs(inst: Instance, time_limit: float, workers: int = 2,
                 excluded: frozenset[PairKey] = frozenset(),
                 on_progress: ProgressCallback | None = None,
                 should_stop: Callable[[], bool] | None = None) -> PairChoice:
    """Choose the pairs with the highest total score; raise Infeasible naming the rules if none.

    The LP relaxation answers when its optimum is integral; CP-SAT, hinted by it, otherwise.
    """
    pairs = [p for p in inst.candidates if p not in excluded]
    try:
        model, v = build(inst, pairs)
    except RuleCannotHold as e:
        raise Infeasible(str(e)) from None
    lp = relaxed(inst, pairs)
    if lp is not None:
        values, optimum = lp
        if all(x < 1e-6 or x > 1 - 1e-6 for x in values.values()):
            chosen = tuple(p for p in pairs if values[p] > 0.5)
            score = sum(inst.scores[p] for p in chosen)
            return PairChoice(chosen, score, score, True)
        for pair, lit in v.lits.items():
            model.add_hint(lit, values[pair] > 0.5)
    solver = new_solver(time_limit, workers)
    code = run(solver, model, "pairs", on_progress, should_stop)
    if code == cp_model.INFEASIBLE:
        raise Infeasible(explain_infeasible(model, workers))
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise TimeoutError("no pairing found within the time limit")
    chosen = tuple(p for p, lit in v.lits.items() if solver.boolean_value(lit))
    score = sum(inst.scores[p] for p in chosen)
    bound = score if code == cp_model.OPTIMAL else int(solver.best_objective_bound + 1e-6)
    if lp is not None:
        bound = min(bound, int(lp[1] + 1e-6))
    return PairChoice(chosen, score, max(bound, score), code == cp_model.OPTIMAL)


def explain_infeasible(model: cp_model.CpModel, workers: int = 2, time_limit: float = 10.0,
                       ) -> str:
    """A small set of named constraints that cannot all hold, found with CP-SAT assumptions."""
    proto = model.proto
    named = [k for k, c in enumerate(proto.constraints) if c.name]
    switch = {}
    for k in named:
        lit = model.new_bool_var(f"holds[{proto.constraints[k].name}]")
        proto.constraints[k].enforcement_literal.append(lit.index)
        switch[lit.index] = proto.constraints[k].name
    model.add_assumptions([model.get_bool_var_from_proto_index(i) for i in switch])
    model.clear_objective()
    solver = new_solver(time_limit, workers=1)
    if solver.solve(model) != cp_model.INFEASIBLE:
        return "the hard rules cannot all hold together"
    core = [switch[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in switch]
    return "these rules cannot all hold together: " + "; ".join(core)
