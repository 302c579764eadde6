"""The hard rules of an event, each written once.

A rule yields labelled linear constraints over a variable container. A CP-SAT container turns
them into model constraints (named by their labels); the checker's container fills in the
values of a finished schedule and reports every constraint that does not hold, by its label.
So `matcher check` and the solvers speak the same rules in the same words.

Containers give three kinds of term, each 0/1 in a solver and a count in a finished schedule:
`meets(pair)`, `at(pair, slot)` and `at_table(pair, slot, table)`. A rule states its `level`,
the kind of term it needs, so a model that decides only pairs posts only the pair rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

from matcher.model.instance import Instance, PairKey

Level = Literal["pair", "slot", "table"]


@dataclass(frozen=True)
class Linear:
    """lb <= sum(terms) <= ub, with a label a person understands when it is broken."""

    label: str
    terms: tuple
    lb: int | None = None
    ub: int | None = None


class Vars(Protocol):
    """What rules read: the pairs a container knows (all, by participant, by slot) and a term
    for each decision."""

    def pairs(self) -> Iterable[PairKey]: ...
    def pairs_of(self, participant: str) -> Iterable[PairKey]: ...
    def pairs_in(self, slot: int) -> Iterable[PairKey]: ...
    def meets(self, pair: PairKey) -> object: ...
    def at(self, pair: PairKey, slot: int) -> object: ...
    def at_table(self, pair: PairKey, slot: int, table: int) -> object: ...


@dataclass(frozen=True)
class Rule:
    """A hard rule: a name, a one-line statement and the constraints that enforce it."""

    name: str
    statement: str
    level: Level
    constraints: Callable[[Instance, Vars], Iterator[Linear]]


RULES: list[Rule] = []


def rule(name: str, level: Level) -> Callable:
    """Register a rule; its docstring is its one-line statement."""

    def register(fn: Callable[[Instance, Vars], Iterator[Linear]]) -> Callable:
        RULES.append(Rule(name, (fn.__doc__ or "").strip(), level, fn))
        return fn

    return register


def _who(inst: Instance, pair: PairKey) -> str:
    return f"{pair[0]}/{pair[1]}"


@rule("allowed-pair", "pair")
def allowed_pair(inst: Instance, v: Vars) -> Iterator[Linear]:
    """A pair meets only if its score is at least 1 or it is required or pinned, never if avoided."""
    for pair in v.pairs():
        if pair in inst.avoided:
            why = f"investor {pair[1]} avoids startup {pair[0]}"
        elif not inst.may_meet(pair):
            why = "their score is 0 and the meeting is neither required nor pinned"
        else:
            continue
        yield Linear(f"{_who(inst, pair)} meet, but {why}", (v.meets(pair),), ub=0)


@rule("once-per-pair", "pair")
def once_per_pair(inst: Instance, v: Vars) -> Iterator[Linear]:
    """A pair meets at most once."""
    for pair in v.pairs():
        yield Linear(f"{_who(inst, pair)} meet more than once", (v.meets(pair),), ub=1)


@rule("max-meetings", "pair")
def max_meetings(inst: Instance, v: Vars) -> Iterator[Linear]:
    """No participant has more meetings than its max_meetings."""
    for p in inst.event.startups + inst.event.investors:
        if p.max_meetings is not None:
            terms = tuple(v.meets(pair) for pair in v.pairs_of(p.id))
            yield Linear(f"{p.id} has more than its max_meetings {p.max_meetings} meetings",
                         terms, ub=p.max_meetings)


@rule("min-meetings", "pair")
def min_meetings(inst: Instance, v: Vars) -> Iterator[Linear]:
    """Every startup has at least its min_meetings meetings."""
    for s in inst.event.startups:
        if s.min_meetings:
            terms = tuple(v.meets(pair) for pair in v.pairs_of(s.id))
            yield Linear(f"{s.id} has fewer than its min_meetings {s.min_meetings} meetings",
                         terms, lb=s.min_meetings)


@rule("required", "pair")
def required(inst: Instance, v: Vars) -> Iterator[Linear]:
    """Every required or pinned pair meets."""
    for pair in sorted(inst.required | set(inst.pins)):
        kind = "pinned" if pair in inst.pins else "required"
        yield Linear(f"{kind} meeting {_who(inst, pair)} does not take place",
                     (v.meets(pair),), lb=1)


@rule("one-meeting-per-slot", "slot")
def one_meeting_per_slot(inst: Instance, v: Vars) -> Iterator[Linear]:
    """A participant has at most one meeting per slot."""
    for p in inst.participants:
        pairs = list(v.pairs_of(p))
        for t, slot in enumerate(inst.slot_ids):
            yield Linear(f"{p} has two meetings in {slot}",
                         tuple(v.at(pair, t) for pair in pairs), ub=1)


@rule("available", "slot")
def available(inst: Instance, v: Vars) -> Iterator[Linear]:
    """No participant meets in a slot when it is unavailable."""
    for pair in v.pairs():
        for side in pair:
            for t in sorted(set(range(len(inst.slot_ids))) - inst.free.get(side, frozenset())):
                yield Linear(f"{_who(inst, pair)} meet in {inst.slot_ids[t]}, when {side} is "
                             "unavailable", (v.at(pair, t),), ub=0)


@rule("tables-per-slot", "slot")
def tables_per_slot(inst: Instance, v: Vars) -> Iterator[Linear]:
    """A slot holds no more meetings than there are tables."""
    for t, slot in enumerate(inst.slot_ids):
        yield Linear(f"{slot} has more meetings than the {len(inst.tables)} tables",
                     tuple(v.at(pair, t) for pair in v.pairs_in(t)), ub=len(inst.tables))


@rule("pinned-slot", "slot")
def pinned_slot(inst: Instance, v: Vars) -> Iterator[Linear]:
    """Every pinned meeting takes place at its slot."""
    for pair, (t, _) in sorted(inst.pins.items()):
        yield Linear(f"pinned meeting {_who(inst, pair)} is not in {inst.slot_ids[t]}",
                     (v.at(pair, t),), lb=1)


@rule("one-meeting-per-table", "table")
def one_meeting_per_table(inst: Instance, v: Vars) -> Iterator[Linear]:
    """A table holds at most one meeting per slot."""
    for t, slot in enumerate(inst.slot_ids):
        pairs = list(v.pairs_in(t))
        for k, table in enumerate(inst.tables):
            yield Linear(f"table {table} has two meetings in {slot}",
                         tuple(v.at_table(pair, t, k) for pair in pairs), ub=1)


@rule("pinned-table", "table")
def pinned_table(inst: Instance, v: Vars) -> Iterator[Linear]:
    """Every pinned meeting with a table takes place at that table."""
    for pair, (t, k) in sorted(inst.pins.items()):
        if k is not None:
            yield Linear(f"pinned meeting {_who(inst, pair)} is not at table {inst.tables[k]}",
                         (v.at_table(pair, t, k),), lb=1)


def rules_at(*levels: Level) -> list[Rule]:
    """The rules of the given levels."""
    return [r for r in RULES if r.level in levels]
