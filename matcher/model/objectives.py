"""The objectives, in their order, computed from a finished timetable without any solver."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def breaks_in(slots: Iterable[int]) -> int:
    """Groups of idle slots between consecutive meetings, counted by slot index."""
    ordered = sorted(set(slots))
    return sum(1 for a, b in zip(ordered, ordered[1:], strict=False) if b - a > 1)


def total_breaks(placed: Iterable[tuple[str, str, int]]) -> int:
    """Breaks summed over all participants, from (startup, investor, slot index) triples."""
    busy: dict[str, list[int]] = defaultdict(list)
    for startup, investor, slot in placed:
        busy[startup].append(slot)
        busy[investor].append(slot)
    return sum(breaks_in(slots) for slots in busy.values())


def table_changes(seated: Iterable[tuple[str, str]]) -> int:
    """For each startup, the number of distinct tables it uses minus one; from (startup, table)."""
    used: dict[str, set[str]] = defaultdict(set)
    for startup, table in seated:
        used[startup].add(table)
    return sum(len(tables) - 1 for tables in used.values())
