"""The objectives, in their order, computed from a finished timetable without any solver, and
the claims a schedule file makes about them.

In order: the score; the startups' floor, then the investors' (a side's floor F holds when each
of its participants has at least min(F, its reach) meetings); the breaks; the table changes.
`breaks_in` is the one definition of a break; the timing engine's break literals
(`matcher.solve.timing.model.gap_literals`) state it for CP-SAT and the Kempe search
(`matcher.solve.timing.kempe.KempeSearch.breaks`) counts it in place for speed, and tests check
that both agree with it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from matcher.model.instance import Instance
from matcher.model.schedule import OBJECTIVES, Fairness, Meeting, Schedule


def breaks_in(slots: Iterable[int], days: Sequence[int] | None = None) -> int:
    """A participant's breaks: the groups of idle slots between two consecutive meetings of the
    same day, from its busy slot indices (`days[t]` is slot t's day; one day when None)."""
    ordered = sorted(set(slots))
    return sum(1 for a, b in pairwise(ordered)
               if b - a > 1 and (days is None or days[a] == days[b]))


def total_breaks(placed: Iterable[tuple[str, str, int]],
                 days: Sequence[int] | None = None) -> int:
    """Breaks summed over all participants, from (startup, investor, slot index) triples."""
    busy: dict[str, list[int]] = defaultdict(list)
    for startup, investor, slot in placed:
        busy[startup].append(slot)
        busy[investor].append(slot)
    return sum(breaks_in(slots, days) for slots in busy.values())


def table_changes(seated: Iterable[tuple[str, Hashable]]) -> int:
    """For each startup, the number of distinct tables it uses minus one; from (startup, table)
    (a table's id, or its index)."""
    used: dict[str, set[Hashable]] = defaultdict(set)
    for startup, table in seated:
        used[startup].add(table)
    return sum(len(tables) - 1 for tables in used.values())


def floor_of(inst: Instance, count: Counter[str], side: Iterable[str]) -> int:
    """A side's floor: the highest F such that each of its participants has at least
    min(F, its reach) meetings (at most the side's largest reach)."""
    side = list(side)
    short = [count[p] for p in side if count[p] < inst.reach[p]]
    return min(short) if short else max((inst.reach[p] for p in side), default=0)


@dataclass(frozen=True)
class Measures:
    """A timetable's objectives, recomputed from its meetings, and each one's meetings."""

    score: int
    startup_floor: int
    investor_floor: int
    breaks: int
    table_changes: int
    count: Counter[str]


def measure(inst: Instance, meetings: Iterable[Meeting]) -> Measures:
    """Every objective of these meetings (each of a known pair, slot and table)."""
    meetings = list(meetings)
    count = Counter(p for m in meetings for p in (m.startup, m.investor))
    return Measures(
        score=sum(inst.scores[m.startup, m.investor] for m in meetings),
        startup_floor=floor_of(inst, count, inst.startups),
        investor_floor=floor_of(inst, count, inst.investors),
        breaks=total_breaks(((m.startup, m.investor, inst.slot_index[m.slot]) for m in meetings),
                            inst.days),
        table_changes=table_changes((m.startup, m.table) for m in meetings),
        count=count,
    )


@dataclass(frozen=True)
class Proofs:
    """What a solve proved: an upper bound on the score, on each floor (None: no more than the
    side's largest reach), the score it gave up for the floors, and whether some timetable is
    known to reach the score before giving it up (the pairing stage's best counts pairs without
    their slots: with slots closed to some, no timetable may place them all)."""

    bound: int
    startup_floor_bound: int | None = None
    investor_floor_bound: int | None = None
    score_given_up: int = 0
    best_timed: bool = True

    @classmethod
    def kept_by(cls, schedule: Schedule, floors: bool = True) -> Proofs:
        """The proofs a stored schedule carries, to claim again for changed meetings: its
        bounds (the floors' only with `floors`) and its score given up, known reached only if
        that was claimed (the score proven) or nothing was given up."""
        fair = schedule.fairness
        if fair is None:
            return cls(schedule.bound)
        return cls(schedule.bound, fair.startup_floor_bound if floors else None,
                   fair.investor_floor_bound if floors else None, fair.score_given_up,
                   best_timed=fair.score_given_up == 0 or "score" in (schedule.proven or ()))


def claims(inst: Instance, meetings: Iterable[Meeting], proofs: Proofs) -> dict[str, Any]:
    """What a schedule file says about these meetings: each objective measured, the bounds,
    the objectives proven optimal and the status (optimal only when all of them are)."""
    got = measure(inst, meetings)
    # A score that some schedule reaches.
    best = got.score + (proofs.score_given_up if proofs.best_timed else 0)
    # A bound below a score reached was proven for another problem (the event changed since):
    # every candidate pair meeting is a bound that always holds.
    bound = proofs.bound if proofs.bound >= best else max(
        best, sum(inst.scores[p] for p in inst.candidates))
    fairness = Fairness(
        startup_floor=got.startup_floor, investor_floor=got.investor_floor,
        startup_floor_bound=_floor_bound(inst, inst.startups, got.startup_floor,
                                         proofs.startup_floor_bound),
        investor_floor_bound=_floor_bound(inst, inst.investors, got.investor_floor,
                                          proofs.investor_floor_bound),
        score_given_up=proofs.score_given_up)
    proven = [name for name, done in zip(OBJECTIVES, (
        best == bound,
        fairness.startup_floor == fairness.startup_floor_bound,
        fairness.investor_floor == fairness.investor_floor_bound,
        got.breaks == 0,  # fewer is impossible; otherwise only for the pairs chosen
        got.table_changes == 0,
    ), strict=True) if done]
    return {"status": "optimal" if len(proven) == len(OBJECTIVES) else "feasible",
            "score": got.score, "bound": bound, "breaks": got.breaks,
            "table_changes": got.table_changes, "fairness": fairness, "proven": tuple(proven)}


def _floor_bound(inst: Instance, side: Iterable[str], floor: int, proven: int | None) -> int:
    """The proven bound, unless none was proven or it was for another problem (below the
    floor reached): then the side's largest reach, a bound that always holds."""
    top = max((inst.reach[p] for p in side), default=0)
    return top if proven is None or proven < floor else min(proven, top)

