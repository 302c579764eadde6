"""Fewer breaks by Kempe chains: a local search on a complete placement.

The meetings of any two slots g and s are two matchings (nobody meets twice in a slot), so
together they form paths and cycles that alternate between the slots. Swapping g and s along one
path (a Kempe chain, as in edge colouring) keeps everyone at one meeting per slot and changes the
busy slots of the path's two ends only: the participants inside it stay busy in both. So a move
that gives participant p a meeting in its idle slot g, taking the one it has in s along the chain,
is judged by the breaks of two participants. The search takes the participants with a break and
tries such moves between each one's busy slots and its idle slots of the same day (those inside
its day's span, and the two next to it), keeping a move that removes breaks, and now and then one
that keeps their number, to get off a plateau. A meeting moves only to a slot it allows, and a
slot never holds more meetings than the tables.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence

from matcher.solve.timing.problem import TimingProblem

# How often a move that keeps the number of breaks is taken.
SIDEWAYS = 0.1
# Rounds over every break in a row without a gain before the search gives up.
STALE_ROUNDS = 10


class KempeSearch:
    """A complete placement and the moves on it; `slots` is the current placement."""

    def __init__(self, problem: TimingProblem, slots: Sequence[int],
                 days: Sequence[int] | None = None, seed: int = 0) -> None:
        self.problem = problem
        self.slots = list(slots)
        self.days = list(days) if days is not None else [0] * problem.slots
        self.day_slots: dict[int, list[int]] = {}
        for t, d in enumerate(self.days):
            self.day_slots.setdefault(d, []).append(t)
        self.ends = [(m.a, m.b) for m in problem.meetings]
        self.allows = [sum(1 << t for t in m.slots) for m in problem.meetings]
        # at[p][t]: the meeting of participant p in slot t, -1 when it is idle
        self.at = [[-1] * problem.slots for _ in problem.participants]
        self.load = [0] * problem.slots
        for k, t in enumerate(self.slots):
            for p in self.ends[k]:
                self.at[p][t] = k
            self.load[t] += 1
        self.rng = random.Random(seed)

    def breaks(self, p: int, day: int) -> int:
        """The breaks of participant p on one day: `objectives.breaks_in` of its busy slots,
        counted here on the placement's table because it runs for every move, where building
        the slots to hand over takes four times as long (tests/test_kempe.py checks they agree)."""
        row, last, count = self.at[p], None, 0
        for t in self.day_slots[day]:
            if row[t] >= 0:
                count += last is not None and t > last + 1
                last = t
        return count

    def total(self) -> int:
        """All breaks of the placement."""
        return sum(self.breaks(p, d) for p in range(len(self.at)) for d in self.day_slots)

    def chain(self, p: int, s: int, g: int) -> tuple[list[int], int] | None:
        """The meetings of the Kempe chain that starts with p's meeting in slot s, alternating
        between s and g, and the participant at its other end; None if a meeting on it does not
        allow the other slot."""
        path, who, here, there = [], p, s, g
        k = self.at[p][s]
        while k >= 0:
            if not self.allows[k] >> there & 1:
                return None
            path.append(k)
            a, b = self.ends[k]
            who = b if a == who else a
            here, there = there, here
            k = self.at[who][here]
        return path, who

    def swap(self, path: list[int], s: int, g: int) -> None:
        """Move the chain's meetings in s to g and those in g to s."""
        for k in path:
            for p in self.ends[k]:
                self.at[p][self.slots[k]] = -1
        for k in path:
            t = g if self.slots[k] == s else s
            self.slots[k] = t
            for p in self.ends[k]:
                self.at[p][t] = k
            self.load[t] += 1
            self.load[g + s - t] -= 1

    def attempt(self, p: int, s: int, g: int) -> int | None:
        """Swap s and g along p's chain if that leaves fewer breaks (or as many, sometimes);
        the change in breaks when it did, else None."""
        found = self.chain(p, s, g)
        if found is None:
            return None
        path, other = found
        into_g = sum(1 for k in path if self.slots[k] == s) - sum(
            1 for k in path if self.slots[k] == g)
        if self.load[g] + into_g > self.problem.capacity:
            return None
        days = {self.days[s], self.days[g]}
        ends = {p, other}
        before = sum(self.breaks(q, d) for q in ends for d in days)
        self.swap(path, s, g)
        change = sum(self.breaks(q, d) for q in ends for d in days) - before
        if change < 0 or (change == 0 and self.rng.random() < SIDEWAYS):
            return change
        self.swap(path, g, s)  # undo
        return None

    def improve_participant(self, p: int, day: int) -> int:
        """Try p's moves on a day with a break until one is kept; the change in breaks."""
        row = self.at[p]
        busy = [t for t in self.day_slots[day] if row[t] >= 0]
        first, last = self.day_slots[day][0], self.day_slots[day][-1]
        idle = [t for t in range(max(first, busy[0] - 1), min(last, busy[-1] + 1) + 1)
                if row[t] < 0]
        for s in busy:
            for g in idle:
                change = self.attempt(p, s, g)
                if change is not None:
                    return change
        return 0

    def run(self, until: float | Callable[[], bool], should_stop: Callable[[], bool] | None = None,
            on_round: Callable[[], None] | None = None) -> int:
        """Search until the monotonic clock reaches `until` (or `until()` says the time is up),
        `should_stop` says so, or a few rounds over every break in a row remove none; the breaks
        left. `on_round` is called after each round that removed some."""
        ended = until if callable(until) else lambda: time.monotonic() >= until
        breaks, stale = self.total(), 0
        while breaks and stale < STALE_ROUNDS and not ended() \
                and not (should_stop and should_stop()):
            broken = [(p, d) for p in range(len(self.at)) for d in self.day_slots
                      if self.breaks(p, d)]
            self.rng.shuffle(broken)
            before = breaks
            for p, d in broken:
                if ended():
                    break
                if self.breaks(p, d):
                    breaks += self.improve_participant(p, d)
            stale = stale + 1 if breaks == before else 0
            if on_round and breaks < before:
                on_round()
        return breaks
