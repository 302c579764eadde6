"""Stage 3: seat the timed meetings at tables, with as few table changes as possible.

Founders stay, investors walk: each startup gets a home table if one is free in all its slots,
pinned tables first. A CP-SAT model then removes remaining table changes when there are any and
time is left; it posts the table rules of `matcher.model.rules`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ortools.sat.python import cp_model

from matcher.model.instance import Instance, PairKey
from matcher.model.objectives import table_changes
from matcher.model.rules import rules_at
from matcher.solve.cpsat import new_solver, post_rules

Placed = dict[PairKey, int]  # pair -> slot index
Seated = dict[PairKey, int]  # pair -> table index


def seat_greedily(inst: Instance, placed: Placed) -> Seated:
    """Home tables first: a startup keeps one table when a table is free in all its slots."""
    taken: dict[int, set[int]] = defaultdict(set)  # table -> slots in use
    seated: Seated = {}
    for pair, (t, k) in inst.pins.items():
        if k is not None and pair in placed:
            seated[pair] = k
            taken[k].add(t)
    by_startup: dict[str, list[PairKey]] = defaultdict(list)
    for pair in placed:
        if pair not in seated:
            by_startup[pair[0]].append(pair)
    pinned_home = {pair[0]: k for pair, k in seated.items()}
    order = [s for s in inst.startups if s in by_startup]
    if len(order) > len(inst.tables):  # tables are shared: pack the busiest startups first
        order.sort(key=lambda s: -len(by_startup[s]))
    for startup in order:
        needed = {placed[pair] for pair in by_startup[startup]}
        tables = [pinned_home[startup]] if startup in pinned_home else []
        tables += [k for k in range(len(inst.tables)) if k not in tables]
        home = next((k for k in tables if not needed & taken[k]), None)
        for pair in sorted(by_startup[startup], key=lambda pair: placed[pair]):
            t = placed[pair]
            k = home if home is not None else _nearest_free(taken, t, seated, pair, by_startup)
            seated[pair] = k
            taken[k].add(t)
    return seated


def _nearest_free(taken: dict[int, set[int]], t: int, seated: Seated, pair: PairKey,
                  by_startup: dict[str, list[PairKey]]) -> int:
    """A free table at slot t, preferring one the startup already uses."""
    used = [seated[p] for p in by_startup[pair[0]] if p in seated]
    for k in used:
        if t not in taken[k]:
            return k
    k = 0
    while t in taken[k]:
        k += 1
    return k


class TableVars:
    """The rules' container for this stage: `at_table` is a boolean per meeting and table."""

    def __init__(self, model: cp_model.CpModel, inst: Instance, placed: Placed) -> None:
        self.inst, self.placed = inst, placed
        self.lits = {(pair, k): model.new_bool_var(f"seat[{pair[0]},{pair[1]},{table}]")
                     for pair in placed for k, table in enumerate(inst.tables)}
        self._in: dict[int, list[PairKey]] = defaultdict(list)
        for pair, t in placed.items():
            self._in[t].append(pair)

    def participants(self) -> Iterable[str]:
        return self.inst.participants

    def slots(self) -> Iterable[int]:
        return range(len(self.inst.slot_ids))

    def pairs(self) -> Iterable[PairKey]:
        return self.placed

    def pairs_of(self, participant: str) -> Iterable[PairKey]:
        return [p for p in self.placed if participant in p]

    def pairs_in(self, slot: int) -> Iterable[PairKey]:
        return self._in.get(slot, [])

    def slots_of(self, pair: PairKey) -> Iterable[int]:
        return (self.placed[pair],) if pair in self.placed else ()

    def tables_of(self, pair: PairKey, slot: int) -> Iterable[int]:
        return range(len(self.inst.tables)) if self.placed.get(pair) == slot else ()

    def meets(self, pair: PairKey) -> int:
        return int(pair in self.placed)

    def at(self, pair: PairKey, slot: int) -> int:
        return int(self.placed.get(pair) == slot)

    def at_table(self, pair: PairKey, slot: int, table: int) -> object:
        return self.lits[pair, table] if self.placed.get(pair) == slot else 0


def seat_optimally(inst: Instance, placed: Placed, hint: Seated, time_limit: float,
                   workers: int = 2) -> Seated:
    """Seat with fewest table changes by CP-SAT, starting from a hint; the hint if no better."""
    model = cp_model.CpModel()
    v = TableVars(model, inst, placed)
    post_rules(model, rules_at("table"), inst, v)
    uses = {}
    for pair in placed:
        model.add_exactly_one(v.lits[pair, k] for k in range(len(inst.tables)))
        for k in range(len(inst.tables)):
            key = (pair[0], k)
            if key not in uses:
                uses[key] = model.new_bool_var(f"uses[{pair[0]},{inst.tables[k]}]")
                model.add_hint(uses[key], hint[pair] == k)
            model.add_implication(v.lits[pair, k], uses[key])
            model.add_hint(v.lits[pair, k], hint[pair] == k)
    model.minimize(sum(uses.values()))
    solver = new_solver(time_limit, workers)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return hint
    found = {pair: next(k for k in range(len(inst.tables)) if solver.boolean_value(v.lits[pair, k]))
             for pair in placed}
    return found if _changes(found) < _changes(hint) else hint


def _changes(seated: Seated) -> int:
    return table_changes((pair[0], k) for pair, k in seated.items())


def seat(inst: Instance, placed: Placed, time_limit: float, workers: int = 2,
         max_model_size: int = 200_000) -> Seated:
    """Seat the meetings: greedy home tables, then CP-SAT if changes remain and it is small."""
    seated = seat_greedily(inst, placed)
    if _changes(seated) and len(placed) * len(inst.tables) <= max_model_size and time_limit > 0.5:
        seated = seat_optimally(inst, placed, seated, time_limit, workers)
    return seated
