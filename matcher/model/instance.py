"""The event prepared for the solvers: slot indices, free slots, allowed pairs and their scores.

All clean-up happens here, once, so that every model and the checker read the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from matcher.model.event import Event, Investor, Startup, pair_score

PairKey = tuple[str, str]  # (startup id, investor id)


@dataclass(frozen=True)
class Instance:
    """An event with everything the solvers need precomputed (slots are 0-based indices).

    `opens_at` closes the slots before it to all but pinned meetings: re-planning from now.
    """

    event: Event
    opens_at: int = 0

    @cached_property
    def startups(self) -> tuple[str, ...]:
        """Startup ids in file order."""
        return tuple(s.id for s in self.event.startups)

    @cached_property
    def investors(self) -> tuple[str, ...]:
        """Investor ids in file order."""
        return tuple(i.id for i in self.event.investors)

    @cached_property
    def people(self) -> dict[str, Startup | Investor]:
        """Participant id -> its record."""
        return {p.id: p for p in (*self.event.startups, *self.event.investors)}

    @cached_property
    def slot_ids(self) -> tuple[str, ...]:
        """Slot ids in chronological order."""
        return tuple(s.id for s in self.event.slots)

    @cached_property
    def slot_index(self) -> dict[str, int]:
        """Slot id -> 0-based index."""
        return {s: t for t, s in enumerate(self.slot_ids)}

    @cached_property
    def tables(self) -> tuple[str, ...]:
        """Table ids."""
        return self.event.tables

    @cached_property
    def free(self) -> dict[str, frozenset[int]]:
        """Participant id -> the slots when it can meet."""
        every = range(len(self.slot_ids))
        return {p.id: frozenset(t for t in every if self.slot_ids[t] not in set(p.unavailable))
                for p in (*self.event.startups, *self.event.investors)}

    @cached_property
    def usable(self) -> dict[str, frozenset[int]]:
        """Participant id -> the free slots still open, and the slots of its pinned meetings."""
        pinned: dict[str, set[int]] = {}
        for (s, i), (t, _) in self.pins.items():
            pinned.setdefault(s, set()).add(t)
            pinned.setdefault(i, set()).add(t)
        return {p: frozenset(t for t in free if t >= self.opens_at) | pinned.get(p, set())
                for p, free in self.free.items()}

    @cached_property
    def max_meetings(self) -> dict[str, int]:
        """Participant id -> most meetings it can have: its cap, and no more than its usable
        slots."""
        return {p.id: min(len(self.usable[p.id]), p.max_meetings if p.max_meetings is not None
                          else len(self.slot_ids))
                for p in (*self.event.startups, *self.event.investors)}

    @cached_property
    def min_meetings(self) -> dict[str, int]:
        """Startup id -> fewest meetings it must have."""
        return {s.id: s.min_meetings for s in self.event.startups}

    @cached_property
    def required(self) -> frozenset[PairKey]:
        """Pairs that must meet."""
        return frozenset((p.startup, p.investor) for p in self.event.required)

    @cached_property
    def pins(self) -> dict[PairKey, tuple[int, int | None]]:
        """Pinned pair -> (slot index, table index or None)."""
        table_index = {k: n for n, k in enumerate(self.tables)}
        return {(p.startup, p.investor): (self.slot_index[p.slot],
                                          None if p.table is None else table_index[p.table])
                for p in self.event.pinned}

    @cached_property
    def avoided(self) -> frozenset[PairKey]:
        """Pairs whose investor avoids the startup."""
        return frozenset((s, i.id) for i in self.event.investors for s in i.avoid)

    @cached_property
    def scores(self) -> dict[PairKey, int]:
        """Every pair's score."""
        return {(s.id, i.id): pair_score(s, i)
                for s in self.event.startups for i in self.event.investors}

    def may_meet(self, pair: PairKey) -> bool:
        """A pair may meet if its score is at least 1 or it is required or pinned, unless avoided."""
        if pair in self.avoided:
            return False
        return self.scores.get(pair, 0) >= 1 or pair in self.required or pair in self.pins

    def common_slots(self, pair: PairKey) -> frozenset[int]:
        """The slots when both sides of a pair are free (only the pinned slot, if pinned)."""
        common = self.free[pair[0]] & self.free[pair[1]]
        if pair in self.pins:
            return common & {self.pins[pair][0]}
        return frozenset(t for t in common if t >= self.opens_at)

    @cached_property
    def candidates(self) -> tuple[PairKey, ...]:
        """Pairs that may meet and share a free slot, in file order."""
        return tuple((s, i) for s in self.startups for i in self.investors
                     if self.may_meet((s, i)) and self.common_slots((s, i)))

    def partners(self, participant: str) -> list[PairKey]:
        """The candidate pairs of one participant."""
        return self._partners.get(participant, [])

    @cached_property
    def _partners(self) -> dict[str, list[PairKey]]:
        by: dict[str, list[PairKey]] = {}
        for pair in self.candidates:
            by.setdefault(pair[0], []).append(pair)
            by.setdefault(pair[1], []).append(pair)
        return by

    @cached_property
    def participants(self) -> tuple[str, ...]:
        """Startups then investors."""
        return self.startups + self.investors
