"""The event prepared for the solvers: slot indices, free slots, allowed pairs and their scores.

All clean-up happens here, once, so that every model and the checker read the same facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby
from operator import itemgetter

from matcher.model.event import Event, Investor, Startup, pair_score

PairKey = tuple[str, str]  # (startup id, investor id)


class Scores(Mapping[PairKey, int]):
    """Every startup-investor pair's score, computed when read: a trade show of 1,500 exhibitors
    and 2,300 buyers has 3.45 million pairs, of which the solvers read only the candidates."""

    def __init__(self, event: Event) -> None:
        self._startups = {s.id: s for s in event.startups}
        self._investors = {i.id: i for i in event.investors}

    def __contains__(self, pair: object) -> bool:
        return (isinstance(pair, tuple) and len(pair) == 2 and pair[0] in self._startups
                and pair[1] in self._investors)

    def __getitem__(self, pair: PairKey) -> int:
        if pair not in self:
            raise KeyError(pair)
        return pair_score(self._startups[pair[0]], self._investors[pair[1]])

    def __iter__(self) -> Iterator[PairKey]:
        return ((s, i) for s in self._startups for i in self._investors)

    def __len__(self) -> int:
        return len(self._startups) * len(self._investors)


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
        return {p.id: p for p in self.event.participants}

    @cached_property
    def slot_ids(self) -> tuple[str, ...]:
        """Slot ids in chronological order."""
        return tuple(s.id for s in self.event.slots)

    @cached_property
    def slot_index(self) -> dict[str, int]:
        """Slot id -> 0-based index."""
        return {s: t for t, s in enumerate(self.slot_ids)}

    @cached_property
    def days(self) -> tuple[int, ...] | None:
        """Slot index -> its day (0, 1, ...), for counting breaks within days; None when the
        event has one day."""
        names = self.event.days()
        if len(set(names)) == 1:
            return None
        first = {name: n for n, name in enumerate(dict.fromkeys(names))}
        return tuple(first[name] for name in names)

    @cached_property
    def tables(self) -> tuple[str, ...]:
        """Table ids."""
        return self.event.tables

    @cached_property
    def free(self) -> dict[str, frozenset[int]]:
        """Participant id -> the slots when it can meet."""
        every = frozenset(range(len(self.slot_ids)))
        index = self.slot_index
        return {p.id: every - {index[s] for s in p.unavailable if s in index}
                for p in self.event.participants}

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
                for p in self.event.participants}

    @cached_property
    def reach(self) -> dict[str, int]:
        """Participant id -> the most meetings it could have on its own: no more than its
        max_meetings, its usable slots and the partners it may meet in them."""
        return {p: min(self.max_meetings[p], len(self.partners(p))) for p in self.participants}

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
    def scores(self) -> Scores:
        """Every pair's score."""
        return Scores(self.event)

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
        return frozenset(t for t in common if t >= self.opens_at) if self.opens_at else common

    @cached_property
    def candidates(self) -> tuple[PairKey, ...]:
        """Pairs that may meet and share a free slot, in file order."""
        # A trade show has close to a million: found investor by investor, in file order, and
        # gathered by startup, they need no sorting; a pair neither avoided nor pinned shares a
        # slot when its free slots' bits meet in the investor's open ones.
        unusual = self.avoided | set(self.pins)
        masks = self._free_masks
        by_startup: dict[str, list[str]] = {s: [] for s in self.startups}
        for investor, startups in self._scoring_or_forced():
            open_slots = masks[investor] >> self.opens_at << self.opens_at
            for s in startups:
                if ((s, investor) not in self.avoided and self._share_a_slot((s, investor))
                        if (s, investor) in unusual else masks[s] & open_slots):
                    by_startup[s].append(investor)
        return tuple((s, i) for s, investors in by_startup.items() for i in investors)

    def _scoring_or_forced(self) -> Iterator[tuple[str, set[str]]]:
        """Each investor (in file order) with the startups whose pair has a score of at least 1
        (an interest in the startup's field or a wish of either side) or is required or pinned;
        found from the investor's interests and wishes, not by trying every pair."""
        in_field: dict[str, list[str]] = defaultdict(list)
        wished_by: dict[str, set[str]] = defaultdict(set)
        for startup in self.event.startups:
            in_field[startup.field].append(startup.id)
            for i in startup.wishes:
                wished_by[i].add(startup.id)
        forced: dict[str, set[str]] = defaultdict(set)
        for s, i in self.required | set(self.pins):
            forced[i].add(s)
        for inv in self.event.investors:
            near = {s for f, level in inv.interests.items() if level >= 1 for s in in_field[f]}
            yield inv.id, near | set(inv.wishes) | wished_by[inv.id] | forced[inv.id]

    @cached_property
    def _free_masks(self) -> dict[str, int]:
        """Participant id -> its free slots as the bits of an integer."""
        return {p: sum(1 << t for t in free) for p, free in self.free.items()}

    def _share_a_slot(self, pair: PairKey) -> bool:
        """Whether `common_slots(pair)` is not empty, without building it."""
        common = self._free_masks[pair[0]] & self._free_masks[pair[1]]
        if pair in self.pins:
            return bool(common >> self.pins[pair][0] & 1)
        return common >> self.opens_at != 0

    def partners(self, participant: str) -> list[PairKey]:
        """The candidate pairs of one participant."""
        return self._partners.get(participant, [])

    @cached_property
    def _partners(self) -> dict[str, list[PairKey]]:
        by: dict[str, list[PairKey]] = defaultdict(list)
        for pair in self.candidates:
            by[pair[1]].append(pair)
        # The candidates come startup by startup: each startup's are one run.
        by.update((s, list(pairs)) for s, pairs in groupby(self.candidates, itemgetter(0)))
        return by

    @cached_property
    def participants(self) -> tuple[str, ...]:
        """Startups then investors."""
        return self.startups + self.investors
