"""The objectives, in their order, computed from a finished timetable without any solver.

`breaks_in` is the one definition of a break; the timing engine's break literals
(`matcher.solve.timing.model.gap_literals`) state it for CP-SAT, and a test checks they agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import pairwise


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


def table_changes(seated: Iterable[tuple[str, str]]) -> int:
    """For each startup, the number of distinct tables it uses minus one; from (startup, table)."""
    used: dict[str, set[str]] = defaultdict(set)
    for startup, table in seated:
        used[startup].add(table)
    return sum(len(tables) - 1 for tables in used.values())
