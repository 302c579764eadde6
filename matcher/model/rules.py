"""The hard rules of an event, each written once.

A rule yields labelled linear constraints over a variable container. A CP-SAT container turns
them into model constraints (named by their labels); the checker's container fills in the
values of a finished schedule and reports every constraint that does not hold, by its label.
So `matcher check` and the solvers speak the same rules in the same words.

Containers give three kinds of term, each 0/1 in a solver and a count in a finished schedule:
`meets(pair)`, `at(pair, slot)` and `at_table(pair, slot, table)`. A rule states its `level`,
the kind of term it needs, so a model that decides only pairs posts only the pair rules.

A container also says where it has terms: the participants and slots whose constraints it
holds, and for each pair the slots (and tables) it may take. A rule enumerates only those, so a
finished schedule is checked in time proportional to its meetings, and a question about one
meeting (`matcher.model.explain`) looks at the few constraints that meeting touches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

from matcher.model.instance import Instance, PairKey

Level = Literal["pair", "slot", "table"]


@dataclass(frozen=True)
class Linear:
    """lb <= sum(terms) <= ub, with a label a person understands when it is broken, and the
    ids (participants, slots, tables) it is about."""

    label: str
    terms: tuple
    lb: int | None = None
    ub: int | None = None
    about: tuple[str, ...] = ()


class Vars(Protocol):
    """What rules read: the participants and slots whose constraints a container holds, the
    pairs it knows (all, by participant, by slot), where each pair may sit, and a term for each
    decision."""

    def participants(self) -> Iterable[str]: ...
    def slots(self) -> Iterable[int]: ...
    def pairs(self) -> Iterable[PairKey]: ...
    def pairs_of(self, participant: str) -> Iterable[PairKey]: ...
    def pairs_in(self, slot: int) -> Iterable[PairKey]: ...
    def slots_of(self, pair: PairKey) -> Iterable[int]: ...
    def tables_of(self, pair: PairKey, slot: int) -> Iterable[int]: ...
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
        yield Linear(f"{_who(inst, pair)} meet, but {why}", (v.meets(pair),), ub=0, about=pair)


@rule("once-per-pair", "pair")
def once_per_pair(inst: Instance, v: Vars) -> Iterator[Linear]:
    """A pair meets at most once."""
    for pair in v.pairs():
        yield Linear(f"{_who(inst, pair)} meet more than once", (v.meets(pair),), ub=1,
                     about=pair)


@rule("max-meetings", "pair")
def max_meetings(inst: Instance, v: Vars) -> Iterator[Linear]:
    """No participant has more meetings than its max_meetings."""
    for who in v.participants():
        cap = inst.people[who].max_meetings
        if cap is not None:
            terms = tuple(v.meets(pair) for pair in v.pairs_of(who))
            yield Linear(f"{who} has more than its max_meetings {cap} meetings", terms, ub=cap,
                         about=(who,))


@rule("min-meetings", "pair")
def min_meetings(inst: Instance, v: Vars) -> Iterator[Linear]:
    """Every startup has at least its min_meetings meetings."""
    for who in v.participants():
        least = inst.min_meetings.get(who, 0)
        if least:
            terms = tuple(v.meets(pair) for pair in v.pairs_of(who))
            yield Linear(f"{who} has fewer than its min_meetings {least} meetings", terms,
                         lb=least, about=(who,))


@rule("required", "pair")
def required(inst: Instance, v: Vars) -> Iterator[Linear]:
    """Every required or pinned pair meets."""
    for pair in sorted(inst.required | set(inst.pins)):
        kind = "pinned" if pair in inst.pins else "required"
        yield Linear(f"{kind} meeting {_who(inst, pair)} does not take place",
                     (v.meets(pair),), lb=1, about=pair)


@rule("one-meeting-per-slot", "slot")
def one_meeting_per_slot(inst: Instance, v: Vars) -> Iterator[Linear]:
    """A participant has at most one meeting per slot."""
    for p in v.participants():
        by_slot: dict[int, list] = defaultdict(list)
        for pair in v.pairs_of(p):
            for t in v.slots_of(pair):
                by_slot[t].append(v.at(pair, t))
        for t in sorted(by_slot):
            yield Linear(f"{p} has two meetings in {inst.slot_ids[t]}", tuple(by_slot[t]), ub=1,
                         about=(p, inst.slot_ids[t]))


@rule("available", "slot")
def available(inst: Instance, v: Vars) -> Iterator[Linear]:
    """No participant meets in a slot when it is unavailable."""
    for pair in v.pairs():
        for t in v.slots_of(pair):
            for side in pair:
                if t not in inst.free.get(side, frozenset()):
                    yield Linear(f"{_who(inst, pair)} meet in {inst.slot_ids[t]}, when {side} is "
                                 "unavailable", (v.at(pair, t),), ub=0,
                                 about=(side, inst.slot_ids[t]))


@rule("tables-per-slot", "slot")
def tables_per_slot(inst: Instance, v: Vars) -> Iterator[Linear]:
    """A slot holds no more meetings than there are tables."""
    for t in v.slots():
        slot = inst.slot_ids[t]
        yield Linear(f"{slot} has more meetings than the {len(inst.tables)} tables",
                     tuple(v.at(pair, t) for pair in v.pairs_in(t)), ub=len(inst.tables),
                     about=(slot,))


@rule("pinned-slot", "slot")
def pinned_slot(inst: Instance, v: Vars) -> Iterator[Linear]:
    """Every pinned meeting takes place at its slot."""
    for pair, (t, _) in sorted(inst.pins.items()):
        yield Linear(f"pinned meeting {_who(inst, pair)} is not in {inst.slot_ids[t]}",
                     (v.at(pair, t),), lb=1, about=(*pair, inst.slot_ids[t]))


@rule("one-meeting-per-table", "table")
def one_meeting_per_table(inst: Instance, v: Vars) -> Iterator[Linear]:
    """A table holds at most one meeting per slot."""
    for t in v.slots():
        by_table: dict[int, list] = defaultdict(list)
        for pair in v.pairs_in(t):
            for k in v.tables_of(pair, t):
                by_table[k].append(v.at_table(pair, t, k))
        for k in sorted(by_table):
            table, slot = inst.tables[k], inst.slot_ids[t]
            yield Linear(f"table {table} has two meetings in {slot}", tuple(by_table[k]), ub=1,
                         about=(table, slot))


@rule("pinned-table", "table")
def pinned_table(inst: Instance, v: Vars) -> Iterator[Linear]:
    """Every pinned meeting with a table takes place at that table."""
    for pair, (t, k) in sorted(inst.pins.items()):
        if k is not None:
            yield Linear(f"pinned meeting {_who(inst, pair)} is not at table {inst.tables[k]}",
                         (v.at_table(pair, t, k),), lb=1, about=(*pair, inst.tables[k]))


def rules_at(*levels: Level) -> list[Rule]:
    """The rules of the given levels."""
    return [r for r in RULES if r.level in levels]
